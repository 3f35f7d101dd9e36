"""``deepmine forecast`` (a series from a CSV file) and ``deepmine tsc fit|predict`` (UCR/UEA .ts files)."""

import json
import sys

from deepmine.cli._common import (add_long_options, check_output, final_fit, fit_interrupted,
                                  int_range, load_model, next_step, note, progress, save_atomic,
                                  save_model, write_csv)
from deepmine.cli._main import CLIError, Interrupted

_SEASON = {"M": 12, "MS": 12, "ME": 12, "Q": 4, "QS": 4, "QE": 4, "W": 52, "D": 7, "B": 5,
           "H": 24, "h": 24}


def register(sub):
    p = sub.add_parser(
        "forecast", help="forecast a series from a CSV file, compared with baselines",
        description="Hold out the last --horizon values, compare the model with naive forecasts "
                    "on them, then forecast --horizon steps past the end from all values. The "
                    "time column may hold dates, months (1949-01), quarters (1959Q1) or "
                    "years (1700, 1701, ... or 1700.0, ...); months, quarters and years are "
                    "continued as such.")
    p.add_argument("data", help="CSV file with a header row (.gz ok)")
    p.add_argument("--column", help="name of the column holding the series (required; without "
                                     "it the error lists the columns)")
    p.add_argument("--time-column", help="column with dates, months, quarters or years "
                   "(default: the first column, if it holds them)")
    p.add_argument("--horizon", type=int_range(1, 100_000), default=12,
                   help="steps to forecast (default 12)")
    p.add_argument("--model", choices=["window-mlp", "lstm"], default="window-mlp")
    p.add_argument("--window", type=int_range(1, 100_000), default=None,
                   help="past values per window (default: the model's own choice)")
    p.add_argument("--seasonal-period", type=int_range(1, 100_000), default=None,
                   help="season length (default: from the dates, e.g. 12 for monthly)")
    p.add_argument("--log", action="store_true", help="model log(y) (multiplicative seasonality)")
    p.add_argument("--out", default="forecast.csv", help="where to write the forecast")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int_range(-1, 1024), default=None, metavar="N",
                   help="processes that fit the candidate settings (-1: every core; the forecast "
                        "is the same)")
    add_long_options(p)
    p.set_defaults(func=run_forecast)

    t = sub.add_parser("tsc", help="time-series classification on UCR/UEA .ts files")
    tsub = t.add_subparsers(dest="tsc_command", metavar="ACTION", required=True)
    f = tsub.add_parser("fit", help="train a CNN/LSTM classifier on a .ts file and report accuracy")
    f.add_argument("train", help="training set, e.g. GunPoint_TRAIN.ts")
    f.add_argument("--test", help="test set, e.g. GunPoint_TEST.ts")
    f.add_argument("--model", choices=["fcn", "mcdcnn", "lstm"], default="fcn")
    f.add_argument("--epochs", type=int_range(1, 1_000_000), default=None,
                   help="training epochs (default: the classifier's own default)")
    f.add_argument("--out", default="tsc-model.dm",
                   help="where to save the model (default: tsc-model.dm); the accuracies go to "
                        "OUT.json")
    f.add_argument("--seed", type=int, default=0)
    add_long_options(f, keep_partial=True)
    f.set_defaults(func=run_tsc_fit)
    q = tsub.add_parser("predict", help="classify the series of a .ts file with a saved model")
    q.add_argument("model", help="model file written by 'deepmine tsc fit'")
    q.add_argument("data", help=".ts file (labels, if present, give the accuracy)")
    q.add_argument("--out", help="write predictions here as CSV (default: standard output)")
    q.set_defaults(func=run_tsc_predict)


#: text of whole months ("1949-01") and quarters ("1959Q1", "1959-Q1"): periods, not dates
_PERIOD_TEXT = ((r"\d{4}-\d{2}", "M"), (r"\d{4}-?Q[1-4]", "Q"))


def _time_index(col, name, explicit):
    """A DatetimeIndex (dates), a PeriodIndex (years, months, quarters), an integer index, or None."""
    import numpy as np
    import pandas as pd

    if col.dtype == object or pd.api.types.is_string_dtype(col):
        text = col.astype(str).str.strip()
        for pattern, freq in _PERIOD_TEXT:
            if text.str.fullmatch(pattern).all():
                try:
                    return pd.PeriodIndex(text.str.replace("-Q", "Q"), freq=freq)
                except (ValueError, TypeError):
                    break

    if (pd.api.types.is_float_dtype(col) and np.isfinite(col).all()
            and (col == np.round(col)).all() and col.abs().max() < 2**53):
        col = col.astype(np.int64)  # 1700.0, 1701.0, ...: what pandas writes for float years
    if pd.api.types.is_integer_dtype(col) and not pd.api.types.is_bool_dtype(col):
        if col.between(1000, 2999).all():  # years, e.g. 1700..2008
            return pd.PeriodIndex(col.to_numpy(), freq="Y")
        return pd.Index(col.to_numpy())
    if pd.api.types.is_numeric_dtype(col):
        if explicit:
            raise CLIError(f"column {name!r} holds numbers that are neither dates nor years")
        return None
    try:
        return pd.DatetimeIndex(pd.to_datetime(col, format="mixed"))
    except (ValueError, TypeError, OverflowError):
        if explicit:
            raise CLIError(f"column {name!r} does not hold dates") from None
        return None


def _read_series(args):
    import pandas as pd

    from deepmine.cli._data import read_table
    from deepmine.timeseries._base import datetime_frequency

    df = read_table(args.data)
    if args.column is None:
        raise CLIError(f"name the column to forecast with --column; columns of {args.data}: "
                       f"{list(df.columns)}")
    if args.column not in df.columns:
        raise CLIError(f"column {args.column!r} not in {args.data}; columns: {list(df.columns)}")
    if args.time_column and args.time_column not in df.columns:
        raise CLIError(f"--time-column {args.time_column!r} not in {args.data}")
    y = pd.to_numeric(df[args.column], errors="coerce")
    if y.isna().any():
        lines = [str(i + 2) for i in y.isna().to_numpy().nonzero()[0][:5]]
        raise CLIError(f"column {args.column!r} of {args.data} has empty or non-numeric cells "
                       f"(CSV line(s) {', '.join(lines)}); a forecast needs every value")
    time_col = args.time_column or (df.columns[0] if df.columns[0] != args.column else None)
    if time_col is not None:
        index = _time_index(df[time_col], time_col, explicit=bool(args.time_column))
        if (isinstance(index, pd.DatetimeIndex)
                and datetime_frequency(index.sort_values()) is None):   # what forecasters continue
            print(f"the dates in {time_col!r} have no regular frequency (dates missing?): "
                  f"forecasts are numbered, not dated; resample the series to forecast dates",
                  file=sys.stderr)
            index = None
        if index is not None:
            y.index = index
    y.name = args.column
    return y


def _season(y, given):
    import pandas as pd

    if given:
        return given
    if isinstance(y.index, pd.PeriodIndex):
        return _SEASON.get(y.index.freqstr.split("-")[0])
    if isinstance(y.index, pd.DatetimeIndex) and len(y) >= 3:
        freq = pd.infer_freq(y.index)
        if freq:
            return _SEASON.get(freq.split("-")[0])
    return None


def run_forecast(args):
    import numpy as np
    import pandas as pd

    from deepmine.timeseries import (LSTMForecaster, NaiveForecaster, WindowForecaster, mae,
                                     smape)

    if args.jobs == 0:
        raise CLIError("--jobs must be a positive number of processes or -1 (every core); got 0")
    check_output(args.out)
    y = _read_series(args)
    h = args.horizon
    if len(y) - h < 2:
        raise CLIError(f"{args.data} has {len(y)} values of {args.column!r}; holding out the last "
                       f"{h} (--horizon) to compare leaves {max(len(y) - h, 0)} to train on: pass "
                       f"a smaller --horizon or a longer series")
    m = _season(y, args.seasonal_period)
    settings = {"random_state": args.seed}  # what the user set; the rest is the model's default
    if args.jobs is not None:
        settings["n_jobs"] = args.jobs
    if m:
        settings["seasonal_period"] = m
    if args.log:
        settings["log"] = True

    def model():
        if args.model == "lstm":
            return LSTMForecaster(horizon=min(h, 12), **settings)
        return WindowForecaster(**({"window": args.window} if args.window else {}), **settings)

    models = {args.model: model(), "naive": NaiveForecaster()}
    if m:
        models["seasonal naive"] = NaiveForecaster("seasonal", seasonal_period=m)
    train, test = y.iloc[:-h], y.iloc[-h:]
    print(f"{args.data}: {len(y)} values of {args.column!r}"
          + (f", season length {m}" if m else "") + f"; last {h} held out to compare")
    rows, future = [], {}
    with progress(args, total=2 * len(models), desc="forecast", unit="fit") as bar:
        for name, est in models.items():
            if fit_interrupted(lambda: est.fit(train)):
                raise Interrupted
            pred = est.predict(h)
            rows.append((name, mae(test, pred), smape(test, pred)))
            bar.update()
        width = max(len(r[0]) for r in rows)
        places = _decimals(max(r[1] for r in rows))
        for name, err, sm in rows:
            print(f"  {name:<{width}}  MAE {err:10.{places}f}   sMAPE {sm:6.2f}%")
        sys.stdout.flush()
        for name, est in models.items():
            if fit_interrupted(lambda: est.fit(y)):
                raise Interrupted
            future[name] = est.predict(h)
            bar.update()
    out = pd.DataFrame({name: np.asarray(f) for name, f in future.items()},
                       index=future[args.model].index)
    out.index.name = "time"
    write_csv(out, args.out)
    print(f"\n{h}-step forecast from all {len(y)} values ({args.model}):")
    decimals = _decimals(float(np.nanmax(np.abs(out[args.model]))) if len(out) else 0.0)
    print(out[[args.model]].to_string(float_format=lambda v: f"{v:.{decimals}f}"))
    print(f"written to {args.out}")
    other = "lstm" if args.model == "window-mlp" else "window-mlp"
    next_step(f"deepmine forecast {args.data} --column {args.column} --horizon {h} "
              f"--model {other}   (compare the other model; {args.out} has one column per model)")
    return 0


def _decimals(top):
    """Decimal places that give the largest value ``top`` 4 significant digits (one column, one format)."""
    import numpy as np

    return max(0, 3 - int(np.floor(np.log10(top)))) if np.isfinite(top) and top > 0 else 3


def _read_ts(path):
    """read_ts, with its parse errors (DataError, ValueError) as one line naming the file."""
    from pathlib import Path

    from deepmine.timeseries import read_ts

    try:
        return read_ts(path)
    except ValueError as exc:  # DataError is a ValueError too
        text = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise CLIError(text if Path(path).name in text else f"{path}: {text}") from None


def run_tsc_fit(args):
    import numpy as np

    from deepmine.timeseries import CNNTimeSeriesClassifier, LSTMClassifier

    check_output(args.out)
    check_output(str(args.out) + ".json")
    X, y = _read_ts(args.train)
    if y is None:
        raise CLIError(f"{args.train} has no class labels (@classLabel true)")
    if y.dtype.kind == "f":
        raise CLIError(f"{args.train} holds regression targets; tsc fit needs class labels")
    Xt = yt = None
    if args.test:
        Xt, yt = _read_ts(args.test)
        if yt is None:
            raise CLIError(f"{args.test} has no class labels")
    epochs = {} if args.epochs is None else {"max_epochs": args.epochs}
    if args.model == "lstm":
        clf = LSTMClassifier(random_state=args.seed, **epochs)
    else:
        clf = CNNTimeSeriesClassifier(args.model, random_state=args.seed, **epochs)
    clf._check_params()
    n_ch = X[0].shape[0]
    lengths = {x.shape[-1] for x in X}
    print(f"{args.train}: {len(X)} series, {n_ch} channel(s), length "
          f"{min(lengths)}-{max(lengths)}, {len(np.unique(y))} classes; training {args.model}")
    sys.stdout.flush()
    note(args, f"training {args.model} for up to {clf.max_epochs} epochs (Ctrl-C stops)")
    code = final_fit(args, "tsc fit", clf, X, y)
    if code is not None:
        return code
    results = {"model": args.model, "epochs": clf.n_iter_, "train_accuracy": clf.score(X, y)}
    print(f"  train accuracy {results['train_accuracy']:.4f} after {clf.n_iter_} epochs")
    if args.test:
        results["test_accuracy"] = clf.score(Xt, yt)
        print(f"  test accuracy  {results['test_accuracy']:.4f} on {len(Xt)} series")
    save_model(clf, args.out)

    def write_json(path):
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2)
    save_atomic(str(args.out) + ".json", write_json)
    print(f"model saved to {args.out}, results to {args.out}.json")
    next_step(f"deepmine tsc predict {args.out} NEW.ts")
    return 0


def run_tsc_predict(args):
    import numpy as np
    import pandas as pd

    check_output(args.out)
    clf = load_model(args.model)
    if not hasattr(clf, "classes_") or not hasattr(clf, "predict_proba"):
        raise CLIError(f"{args.model} is not a time-series classifier "
                       f"(it holds a {type(clf).__name__})")
    X, y = _read_ts(args.data)
    proba = clf.predict_proba(X)
    out = pd.DataFrame({"prediction": clf.classes_[proba.argmax(axis=1)]})
    for i, c in enumerate(clf.classes_):
        out[f"proba_{c}"] = proba[:, i]
    write_csv(out, args.out, index=False)
    if y is not None and y.dtype.kind != "f":
        acc = float(np.mean(out["prediction"].astype(str).to_numpy() == y.astype(str)))
        print(f"accuracy {acc:.4f} on {len(y)} labelled series of {args.data}", file=sys.stderr)
    if args.out:
        print(f"{len(out)} predictions written to {args.out}", file=sys.stderr)
    return 0
