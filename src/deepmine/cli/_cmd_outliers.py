"""``deepmine outliers``: score the rows of a CSV table with the autoencoder outlier detector."""

import sys

from deepmine.cli._common import (add_long_options, check_output, fit_interrupted, int_range,
                                  note, write_csv)
from deepmine.cli._main import CLIError, Interrupted


def register(sub):
    p = sub.add_parser("outliers", help="find unusual rows of a CSV table (autoencoder ensemble)")
    p.add_argument("data", help="CSV file with a header row")
    p.add_argument("--contamination", default="auto",
                   help='expected share of outliers in (0, 0.5], or "auto" (default)')
    p.add_argument("--exclude-columns", nargs="+", default=[], metavar="COLUMN",
                   help="columns to ignore (identifier columns are ignored anyway)")
    p.add_argument("--top", type=int_range(0, 1000), default=3,
                   help="features listed per flagged row (default 3)")
    p.add_argument("--epochs", type=int_range(1, 1_000_000), default=20)
    p.add_argument("--all", action="store_true",
                   help="write every row, most unusual first (default: only the flagged rows)")
    p.add_argument("--out", help="write the scored rows here (default: standard output)")
    p.add_argument("--seed", type=int, default=0)
    add_long_options(p)
    p.set_defaults(func=run)


def _contamination(text):
    if text == "auto":
        return "auto"
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value <= 0.5:
        raise CLIError(f'--contamination must be "auto" or a number in (0, 0.5]; got {text!r}')
    return value


def run(args):
    import numpy as np

    from deepmine.autoencoders import AutoEncoderOutlierDetector
    from deepmine.autoencoders._detector import MIN_ROWS
    from deepmine.cli._data import DATE_NOTE, date_columns, id_columns, nan_report, read_table

    contamination = _contamination(args.contamination)
    check_output(args.out)
    df = read_table(args.data)
    if len(df) < MIN_ROWS:
        raise CLIError(f"{args.data} has {len(df)} row(s); the detector needs at least {MIN_ROWS} "
                       f"to learn what a usual row looks like")
    unknown = [c for c in args.exclude_columns if c not in df.columns]
    if unknown:
        raise CLIError(f"--exclude-columns names unknown columns {unknown}; columns: {list(df.columns)}")
    X = df.drop(columns=args.exclude_columns)
    dates = date_columns(X)
    if dates:
        note(args, f"ignoring date column(s) {dates} ({DATE_NOTE})")
        X = X.drop(columns=dates)
    ids = id_columns(X)
    if ids:
        note(args, f"ignoring identifier column(s) {list(ids)} "
                   f"({'; '.join(f'{c!r}: {why}' for c, why in ids.items())})")
        X = X.drop(columns=list(ids))
    if X.shape[1] == 0:
        raise CLIError("no feature columns left to score")
    problem = nan_report(X, args.data)
    if problem:
        raise CLIError(problem.replace(", or pass --dropna to skip those rows", "")
                       .replace("drop the column with --drop", "or ignore the column with "
                                "--exclude-columns"))
    det = AutoEncoderOutlierDetector(contamination=contamination, max_epochs=args.epochs,
                                     random_state=args.seed)
    if fit_interrupted(lambda: det.fit(X)):
        raise Interrupted
    score = -det.score_samples(X)
    flag = det.predict(X) == -1
    shares = det.explain(X)
    names = np.asarray(shares.columns)
    order = np.argsort(-shares.to_numpy(), axis=1)[:, :max(args.top, 0)]
    top = ["; ".join(f"{names[j]} ({shares.iat[i, j]:.0%})" for j in order[i]) if flag[i] else ""
           for i in range(len(df))]
    out = df.copy()
    added = {}
    for name, values in (("top_features", top), ("outlier", flag.astype(int)),
                         ("outlier_score", score), ("row", np.arange(len(df)))):
        added[name] = _free(name, out.columns)      # the table may have a column "row" already
        out.insert(0, added[name], values)
    out = out.sort_values(added["outlier_score"], ascending=False, kind="stable")
    if not args.all:
        out = out[out[added["outlier"]] == 1]
    print(f"{int(flag.sum())} of {len(df)} rows flagged as outliers "
          f"(contamination={contamination})" + ("" if args.all else "; --all lists every row"),
          file=sys.stderr)
    write_csv(out, args.out, index=False)
    if args.out:
        print(f"{'scored' if args.all else 'flagged'} rows written to {args.out}", file=sys.stderr)
    return 0


def _free(name, columns):
    """``name``, or ``name_`` (``name__``, ...) when the table has a column of that name."""
    while name in columns:
        name += "_"
    return name
