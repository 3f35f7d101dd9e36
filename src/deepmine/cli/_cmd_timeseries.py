"""``deepmine forecast`` (a series from a CSV file) and ``deepmine tsc fit`` (UCR/UEA .ts files)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from deepmine.cli._data import read_table
from deepmine.cli._main import CLIError

_SEASON = {"M": 12, "MS": 12, "ME": 12, "Q": 4, "QS": 4, "QE": 4, "W": 52, "D": 7, "B": 5,
           "H": 24, "h": 24}


def register(sub):
    p = sub.add_parser("forecast", help="forecast a series from a CSV file, compared with baselines")
    p.add_argument("data", help="CSV file with a header row")
    p.add_argument("--column", required=True, help="name of the column holding the series")
    p.add_argument("--time-column", help="column with dates (default: the first column, if dates)")
    p.add_argument("--horizon", type=int, default=12, help="steps to forecast (default 12)")
    p.add_argument("--model", choices=["window-mlp", "lstm"], default="window-mlp")
    p.add_argument("--window", type=int, default=None, help="past values per window "
                   "(default: the season length, else 12)")
    p.add_argument("--seasonal-period", type=int, default=None,
                   help="season length (default: from the dates, e.g. 12 for monthly)")
    p.add_argument("--log", action="store_true", help="model log(y) (multiplicative seasonality)")
    p.add_argument("--out", default="forecast.csv", help="where to write the forecast")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run_forecast)

    t = sub.add_parser("tsc", help="time-series classification on UCR/UEA .ts files")
    tsub = t.add_subparsers(dest="tsc_command", metavar="ACTION", required=True)
    f = tsub.add_parser("fit", help="train a CNN/LSTM classifier on a .ts file and report accuracy")
    f.add_argument("train", help="training set, e.g. GunPoint_TRAIN.ts")
    f.add_argument("--test", help="test set, e.g. GunPoint_TEST.ts")
    f.add_argument("--model", choices=["fcn", "mcdcnn", "lstm"], default="fcn")
    f.add_argument("--epochs", type=int, default=200)
    f.add_argument("--out", default="tsc-model.dm", help="where to save the model")
    f.add_argument("--seed", type=int, default=0)
    f.set_defaults(func=run_tsc_fit)


def _read_series(args):
    df = read_table(args.data)
    if args.column not in df.columns:
        raise CLIError(f"column {args.column!r} not in {args.data}; columns: {list(df.columns)}")
    y = pd.to_numeric(df[args.column], errors="coerce")
    time_col = args.time_column or (df.columns[0] if df.columns[0] != args.column else None)
    if args.time_column and args.time_column not in df.columns:
        raise CLIError(f"--time-column {args.time_column!r} not in {args.data}")
    if time_col is not None:
        try:
            stamps = pd.to_datetime(df[time_col], format="mixed")
        except (ValueError, TypeError):
            stamps = None
            if args.time_column:
                raise CLIError(f"column {time_col!r} does not hold dates") from None
        if stamps is not None:
            y.index = pd.DatetimeIndex(stamps)
    y.name = args.column
    return y


def _season(y, given):
    if given:
        return given
    if isinstance(y.index, pd.DatetimeIndex) and len(y) >= 3:
        freq = pd.infer_freq(y.index)
        if freq:
            return _SEASON.get(freq.split("-")[0])
    return None


def run_forecast(args):
    from deepmine.timeseries import (LSTMForecaster, NaiveForecaster, WindowForecaster, mae,
                                     smape)

    y = _read_series(args)
    h = args.horizon
    if h < 1:
        raise CLIError("--horizon must be at least 1")
    m = _season(y, args.seasonal_period)
    window = args.window or m or 12

    def model():
        if args.model == "lstm":
            return LSTMForecaster(horizon=min(h, 12), seasonal_period=m, log=args.log,
                                  random_state=args.seed)
        return WindowForecaster(window=window, seasonal_period=m, log=args.log,
                                random_state=args.seed)

    models = {args.model: model(), "naive": NaiveForecaster()}
    if m:
        models["seasonal naive"] = NaiveForecaster("seasonal", seasonal_period=m)
    train, test = y.iloc[:-h], y.iloc[-h:]
    print(f"{args.data}: {len(y)} values of {args.column!r}"
          + (f", season length {m}" if m else "") + f"; last {h} held out to compare")
    rows = []
    for name, est in models.items():
        pred = est.fit(train).predict(h)
        rows.append((name, mae(test, pred), smape(test, pred)))
    width = max(len(r[0]) for r in rows)
    for name, err, sm in rows:
        print(f"  {name:<{width}}  MAE {err:10.4g}   sMAPE {sm:6.2f}%")
    future = {name: est.fit(y).predict(h) for name, est in models.items()}
    out = pd.DataFrame({name: np.asarray(f) for name, f in future.items()},
                       index=future[args.model].index)
    out.index.name = "time"
    out.to_csv(args.out)
    print(f"\n{h}-step forecast from all {len(y)} values ({args.model}):")
    print(out[[args.model]].to_string(float_format=lambda v: f"{v:.4g}"))
    print(f"written to {args.out}")
    return 0


def run_tsc_fit(args):
    from deepmine.timeseries import CNNTimeSeriesClassifier, LSTMClassifier, read_ts

    X, y = read_ts(args.train)
    if y is None:
        raise CLIError(f"{args.train} has no class labels (@classLabel true)")
    if y.dtype.kind == "f":
        raise CLIError(f"{args.train} holds regression targets; tsc fit needs class labels")
    if args.model == "lstm":
        clf = LSTMClassifier(max_epochs=args.epochs, random_state=args.seed)
    else:
        clf = CNNTimeSeriesClassifier(args.model, max_epochs=args.epochs, random_state=args.seed)
    n_ch = X[0].shape[0]
    lengths = {x.shape[-1] for x in X}
    print(f"{args.train}: {len(X)} series, {n_ch} channel(s), length "
          f"{min(lengths)}-{max(lengths)}, {len(np.unique(y))} classes; training {args.model}")
    clf.fit(X, y)
    results = {"model": args.model, "epochs": clf.n_iter_, "train_accuracy": clf.score(X, y)}
    print(f"  train accuracy {results['train_accuracy']:.4f} after {clf.n_iter_} epochs")
    if args.test:
        Xt, yt = read_ts(args.test)
        if yt is None:
            raise CLIError(f"{args.test} has no class labels")
        results["test_accuracy"] = clf.score(Xt, yt)
        print(f"  test accuracy  {results['test_accuracy']:.4f} on {len(Xt)} series")
    clf.save(args.out)
    Path(str(args.out) + ".json").write_text(json.dumps(results, indent=2))
    print(f"model saved to {args.out}, results to {args.out}.json")
    return 0
