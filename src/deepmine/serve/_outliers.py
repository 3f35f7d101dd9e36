"""The outlier page: an uploaded CSV table, its most unusual rows with ``explain()``'s shares, a histogram."""

import io

import numpy as np

from deepmine.serve._limits import BadInput

_TOP_ROWS = 10
_TOP_COLUMNS = 3
_BINS = 20


def read_csv(data, max_cells):
    """Bytes of a CSV file as a DataFrame, with one-sentence errors (size, parse, empty, NaN)."""
    import pandas as pd

    from deepmine.autoencoders._detector import MIN_ROWS

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput("The file is not UTF-8 text; upload a CSV file.") from None
    n_lines = text.count("\n") + 1
    n_cols = text.split("\n", 1)[0].count(",") + 1
    if n_lines * n_cols > 2 * max_cells:  # refuse before pandas builds the table
        raise BadInput(f"The table has about {n_lines * n_cols:,} cells; this server scores at "
                       f"most {max_cells:,}.")
    try:
        df = pd.read_csv(io.StringIO(text))
    except pd.errors.EmptyDataError:
        raise BadInput("The CSV file is empty.") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise BadInput(f"The file cannot be parsed as CSV: {str(exc).splitlines()[0]}") from None
    if df.size > max_cells:
        raise BadInput(f"The table has {df.size:,} cells ({df.shape[0]} rows x {df.shape[1]} "
                       f"columns); this server scores at most {max_cells:,}.")
    if df.empty:
        raise BadInput("The CSV file has a header but no rows.")
    if len(df) < MIN_ROWS:
        raise BadInput(f"The table has {len(df)} rows; the detector needs at least {MIN_ROWS} to "
                       f"learn what is usual.")
    return df


def _features(df, detector):
    from deepmine.cli._data import date_columns, id_columns

    if detector is not None:
        names = list(getattr(detector, "feature_names_in_", []))
        missing = [c for c in names if c not in df.columns]
        if missing:
            raise BadInput(f"The table lacks the column(s) {missing[:5]} the loaded detector was "
                           f"trained on.")
        return df[names] if names else df, []
    ids = date_columns(df)
    ids += list(id_columns(df.drop(columns=ids)))
    X = df.drop(columns=ids)
    if X.shape[1] == 0:
        raise BadInput("No feature columns are left once identifier or date columns are set "
                       "aside.")
    empty = [c for c in X.columns if X[c].isna().any()]
    if empty:
        raise BadInput(f"The table has empty cells in column(s) {empty[:5]}; fill them in or "
                       f"remove those columns.")
    return X, ids


def score_table(df, detector=None, random_state=0):
    """Fit (or use) an AutoEncoderOutlierDetector; the top rows, their column shares, a histogram."""
    from deepmine.autoencoders import AutoEncoderOutlierDetector
    from deepmine.exceptions import DataError

    X, ids = _features(df, detector)
    try:
        if detector is None:
            detector = AutoEncoderOutlierDetector(random_state=random_state).fit(X)
            how = "an AutoEncoderOutlierDetector (defaults) fitted on this table"
        else:
            how = "your AutoEncoderOutlierDetector"
        score = -detector.score_samples(X)
        flag = detector.predict(X) == -1
        shares = detector.explain(X)
    except DataError as exc:
        raise BadInput(str(exc).splitlines()[0]) from None
    names = [str(c) for c in shares.columns]
    order = np.argsort(-score, kind="stable")[:_TOP_ROWS]
    rows = []
    for i in order:
        s = shares.iloc[i].to_numpy()
        top = np.argsort(-s)[:_TOP_COLUMNS]
        rows.append({"row": int(i), "csv_line": int(i) + 2, "score": round(float(score[i]), 4),
                     "outlier": bool(flag[i]),
                     "shares": [{"column": names[j], "share": round(float(s[j]), 4)} for j in top],
                     "values": {str(c): _cell(df.iloc[i][c]) for c in df.columns[:12]}})
    counts, edges = np.histogram(score, bins=_BINS)
    threshold = -float(detector.offset_) if hasattr(detector, "offset_") else None
    return {"rows": rows, "n_rows": int(len(df)), "n_flagged": int(flag.sum()),
            "ignored_columns": [str(c) for c in ids], "how": how,
            "histogram": {"counts": counts.tolist(), "edges": [round(float(e), 4) for e in edges],
                          "threshold": threshold},
            "columns": [str(c) for c in df.columns[:12]]}


def _cell(v):
    if isinstance(v, (np.floating, float)):
        return round(float(v), 4)
    if isinstance(v, (np.integer, int)):
        return int(v)
    return str(v)[:40]
