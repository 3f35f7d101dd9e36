"""Tables in, float matrices out: pandas DataFrames with numeric, boolean, category,
string and "yes"/"no" columns are encoded inside the estimator."""

import numpy as np
import pandas as pd

from deepmine.exceptions import DataError

_YES = {"yes", "y", "true", "t", "1"}
_NO = {"no", "n", "false", "f", "0"}


def needs_encoding(X):
    """True for a DataFrame with at least one non-numeric, non-boolean column."""
    if not isinstance(X, pd.DataFrame):
        return False
    return any(not (pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t))
               for t in X.dtypes)


class TableEncoder:
    """Encode a DataFrame column by column into a float32 matrix.

    Numeric and boolean columns pass through; columns of "yes"/"no" (and
    true/false, y/n) become 1/0; other string or ``category`` columns are
    one-hot encoded, and categories unseen during ``fit`` become all zeros.
    Missing numeric values raise an error that names the column.

    Examples
    --------
    >>> import pandas as pd
    >>> enc = TableEncoder().fit(pd.DataFrame({"a": ["yes", "no"], "c": ["x", "y"]}))
    >>> enc.transform(pd.DataFrame({"a": ["no"], "c": ["z"]})).tolist()
    [[0.0, 0.0, 0.0]]
    >>> enc.output_names_
    ['a', 'c=x', 'c=y']
    """

    def fit(self, df):
        self.columns_ = [str(c) for c in df.columns]
        self.kinds_, self.categories_ = [], []
        for name in df.columns:
            col = df[name]
            if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
                kind, cats = "num", []
            else:
                values = {str(v).strip().lower() for v in col.dropna().unique()}
                if values and values <= (_YES | _NO) and not values <= {"0", "1"}:
                    kind, cats = "yesno", []
                else:
                    kind, cats = "cat", sorted({str(v) for v in col.dropna().unique()})
            self.kinds_.append(kind)
            self.categories_.append(cats)
        self.output_names_ = []
        for name, kind, cats in zip(self.columns_, self.kinds_, self.categories_):
            self.output_names_ += [f"{name}={c}" for c in cats] if kind == "cat" else [name]
        return self

    def transform(self, df):
        missing = [c for c in self.columns_ if c not in set(map(str, df.columns))]
        if missing:
            raise DataError(f"Columns {missing} were seen during fit but are missing from the input.")
        df = df.rename(columns=str)
        parts = []
        for name, kind, cats in zip(self.columns_, self.kinds_, self.categories_):
            col = df[name]
            if kind == "num":
                try:
                    values = pd.to_numeric(col).astype("float64").to_numpy()
                except (ValueError, TypeError):
                    raise DataError(f"Column {name!r} was numeric during fit but holds "
                                    f"non-numeric values now.") from None
                if not np.isfinite(values).all():
                    rows = np.flatnonzero(~np.isfinite(values))[:5].tolist()
                    raise DataError(f"Column {name!r} has missing or infinite values (rows {rows}); "
                                    f"impute them first, e.g. with sklearn.impute.SimpleImputer.")
                parts.append(values[:, None])
            elif kind == "yesno":
                low = col.astype(str).str.strip().str.lower()
                parts.append(np.where(low.isin(_YES), 1.0, 0.0)[:, None])
            else:
                text = col.astype(str).to_numpy()
                onehot = (text[:, None] == np.asarray(cats, dtype=object)[None, :]).astype("float64")
                onehot[col.isna().to_numpy()] = 0.0
                parts.append(onehot)
        if not parts:
            return np.zeros((len(df), 0), dtype=np.float32)
        return np.hstack(parts).astype(np.float32)
