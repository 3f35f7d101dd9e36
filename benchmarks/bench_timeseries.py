"""Benchmark deepmine.timeseries against its peers and the published numbers.

Classification: deepmine's FCN and MC-DCNN on the UCR/UEA sets that ship with aeon
(default train/test split, fixed seeds, bounded epochs and a wall-clock budget per
fit, the weights of the epoch with the lowest eval-mode training loss kept; the FCN with
Fawaz et al. 2019's recipe (``recipe="fawaz2019"`` of the estimator): 2000
epochs, batch min(16, n/10), Adam 1e-3 halved after 50 epochs without a lower
training loss, down to 1e-4; JapaneseVowels prepared as their MTS archive:
resampled to its longest length, 29, and fed unscaled), beside a plain PyTorch FCN
training loop (same network, same epochs: the engine's overhead), aeon's MiniRocket,
and the published accuracies of Fawaz et al. 2019 / Wang et al. 2017 / Dempster et
al. 2021 read from ../shared/data/timeseries.

Forecasting: Airline (last 24 months held out) and Lynx (last 12 years): MAE of
seasonal naive, statsmodels Holt-Winters (``bench`` extra), a ridge regression on
the last values, deepmine's window MLP and LSTM (median over seeds).

    python benchmarks/bench_timeseries.py --threads 1
    python benchmarks/bench_timeseries.py --part classify --datasets GunPoint --epochs 300
    python benchmarks/bench_timeseries.py --part classify --models fcn --datasets OSULeaf \
        --budget 6000 --log-every 50     # about 1.5 hours of one CPU thread
    python benchmarks/bench_timeseries.py --part classify --models fcn --no-minirocket \
        --device cuda --runs 10 --jobs 12 --torch-peer   # mean of 10 seeds, 12 processes on one GPU

The published FCN figures are means of 5 (UCR) or 10 (MTS archive) runs; ``--runs`` gives the
mean over as many seeds.
"""

import argparse
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from deepmine.nn import Callback
from deepmine.timeseries import (CNNTimeSeriesClassifier, LSTMForecaster, NaiveForecaster,
                                 WindowForecaster, load_airline, load_lynx, load_ucr, mae,
                                 temporal_train_test_split)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "timeseries"
DATASETS = ["GunPoint", "ItalyPowerDemand", "ArrowHead", "BasicMotions", "JapaneseVowels", "OSULeaf"]
WANG_NAMES = {"ItalyPowerDemand": "ItalyPower"}
# Sets of Fawaz et al. 2019's MTS archive are prepared as they prepared it: every channel resampled
# to the longest length (train and test) by cubic interpolation, and the values fed to the network
# as they are (their main.py z-normalises the UCR sets only, which ship z-normalised anyway).
MTS_ARCHIVE = {"JapaneseVowels"}


class TimeBudget(Callback):
    """Stop training after ``seconds`` of wall-clock time (the checkpoint still restores the best)."""

    def __init__(self, seconds):
        self.seconds = seconds

    def on_train_begin(self, trainer):
        self.start_ = time.perf_counter()

    def on_epoch_end(self, trainer, logs):
        if time.perf_counter() - self.start_ > self.seconds:
            trainer.stop_training = True


class TestAccuracyLog(Callback):
    """Every ``every`` epochs print the train loss, the rate and the test accuracy of the current
    weights (a diagnostic only: the checkpoint still selects on the eval-mode training loss)."""

    def __init__(self, est, Xt, yt, every):
        self.est, self.Xt, self.yt, self.every = est, Xt, yt, every

    def on_epoch_end(self, trainer, logs):
        epoch = logs["epoch"]
        if self.every and epoch % self.every == 0:
            module = trainer.module
            module.eval()
            with torch.no_grad():
                X = torch.as_tensor(self.est._validate_predict(self.Xt))
                pred = self.est.classes_[module(X).argmax(1).numpy()]
            module.train()
            print(f"    epoch {epoch:5d}  train loss {logs['train_loss']:.2e}  lr {logs['lr']:.1e}  "
                  f"test acc (current weights) {100 * np.mean(pred == self.yt):.1f}%", flush=True)


FAWAZ_SCHEDULE = ("plateau", {"factor": 0.5, "patience": 50, "min_lr": 1e-4})


def resample_to_length(series, length):
    """Stretch every ``(n_channels, n_timesteps)`` series to ``length`` steps (cubic interpolation)."""
    from scipy.interpolate import interp1d

    out = np.empty((len(series), series[0].shape[0], length))
    for i, s in enumerate(series):
        s = np.asarray(s, dtype=float)
        old = np.arange(s.shape[1])
        out[i] = interp1d(old, s, kind="cubic", axis=1)(np.linspace(0, old[-1], length))
    return out


def load_split(name):
    """Train and test panels of a shipped UCR/UEA set (unequal lengths resampled, see MTS_ARCHIVE)."""
    X, y = load_ucr(name, "train")
    Xt, yt = load_ucr(name, "test")
    if name in MTS_ARCHIVE:
        length = max(s.shape[1] for s in [*X, *Xt])
        X, Xt = resample_to_length(X, length), resample_to_length(Xt, length)
    return X, y, Xt, yt


def _pct(text):
    m = re.match(r"([\d.]+)", str(text))
    return float(m.group(1)) if m else np.nan


def published(name):
    """Published accuracies (percent) for one dataset; NaN where a paper has no number."""
    out = {"FCN Fawaz19": np.nan, "MCDCNN Fawaz19": np.nan, "FCN Wang17": np.nan,
           "MiniRocket21": np.nan}
    if not SHARED.exists():
        return out
    ucr = pd.read_csv(SHARED / "dl-4-tsc-results" / "results-ucr-128.csv")
    for clf, key in (("fcn", "FCN Fawaz19"), ("mcdcnn", "MCDCNN Fawaz19")):
        acc = ucr[(ucr.classifier_name == clf) & (ucr.dataset_name == name)].accuracy
        if len(acc):
            out[key] = 100 * acc.mean()
    mts = pd.read_csv(SHARED / "dl-4-tsc-results" / "results-mts-avg-std.csv", index_col=0)
    if name in mts.index:
        out["FCN Fawaz19"], out["MCDCNN Fawaz19"] = _pct(mts.loc[name, "FCN"]), _pct(mts.loc[name, "MCDCNN"])
    wang = pd.read_csv(SHARED / "wang2017-errors" / "wang2017_test_error_85ucr.csv", index_col=0)
    wname = WANG_NAMES.get(name, name)
    if wname in wang.index:
        out["FCN Wang17"] = 100 * (1 - float(wang.loc[wname, "FCN"]))
    mr = pd.read_csv(SHARED / "minirocket-results" / "results_ucr109_mean.csv", index_col=0)
    if name in mr.index:
        out["MiniRocket21"] = 100 * float(mr.loc[name, "accuracy"])
    return out


def plain_torch_fcn(X, y, Xt, epochs, batch_size, seed, device="cpu"):
    """The peer: the same FCN trained by a hand-written PyTorch loop (best-train-loss checkpoint)."""
    import copy

    from deepmine.timeseries._architectures import FCN

    classes, yi = np.unique(y, return_inverse=True)
    mean = X.mean(axis=(0, 2), keepdims=True)
    sd = X.std(axis=(0, 2), keepdims=True) + 1e-12
    Xa = torch.as_tensor((X - mean) / sd, dtype=torch.float32, device=device)
    Xb = torch.as_tensor((Xt - mean) / sd, dtype=torch.float32, device=device)
    ya = torch.as_tensor(yi, device=device)
    torch.manual_seed(seed)
    net = FCN(X.shape[1], len(classes)).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(seed)
    best, state = np.inf, None
    for _ in range(epochs):
        net.train()
        total = 0.0
        for idx in torch.randperm(len(Xa), generator=gen).to(device).split(batch_size):
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(net(Xa[idx]), ya[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        if total / len(Xa) < best:
            best, state = total / len(Xa), copy.deepcopy(net.state_dict())
    net.load_state_dict(state)
    net.eval()
    with torch.no_grad():
        return classes[net(Xb).argmax(1).cpu().numpy()]


def batch_size_for(n_train):
    return int(min(16, max(1, n_train // 10)))      # Fawaz et al.: min(n_train / 10, 16)


def make_fcn(args, name, n_train, seed):
    """The FCN with Fawaz et al.'s recipe (or the schedule/normalisation the options name)."""
    schedule = FAWAZ_SCHEDULE if args.schedule == "fawaz" else args.schedule
    normalize = args.normalize
    if normalize == "fawaz":
        normalize = "none" if name in MTS_ARCHIVE else "channel"
    return CNNTimeSeriesClassifier(max_epochs=args.epochs, batch_size=batch_size_for(n_train),
                                   random_state=seed, normalize=normalize,
                                   lr_schedule=schedule, device=args.device,
                                   callbacks=[TimeBudget(args.budget)])


def fit_fcn(split, name, seed, args):
    """One FCN run (a worker of ``--jobs``): test accuracy (%), seconds, epochs."""
    torch.set_num_threads(args.threads)
    X, y, Xt, yt = split
    est = make_fcn(args, name, len(X), seed)
    if args.log_every:
        est.set_params(callbacks=est.callbacks + [TestAccuracyLog(est, Xt, yt, args.log_every)])
    t = time.perf_counter()
    est.fit(X, y)
    return 100 * est.score(Xt, yt), time.perf_counter() - t, est.n_iter_


def fcn_runs(split, name, args):
    """The FCN on seeds ``seed .. seed + runs - 1``, ``jobs`` processes at a time."""
    seeds = range(args.seed, args.seed + args.runs)
    if args.jobs == 1:
        return [fit_fcn(split, name, s, args) for s in seeds]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        n = len(seeds)
        return list(pool.map(fit_fcn, [split] * n, [name] * n, seeds, [args] * n))


def classify(args):
    rows = []
    for name in args.datasets:
        X, y, Xt, yt = load_split(name)
        n = len(X)
        bs = batch_size_for(n)
        row = {"dataset": name, "n_train": n, "n_test": len(Xt)}
        if "fcn" in args.models:
            runs = fcn_runs((X, y, Xt, yt), name, args)
            acc, secs, epochs = (np.array(v) for v in zip(*runs))
            row.update({"FCN": acc.mean(), "FCN s": np.median(secs),
                        "FCN epochs": int(np.median(epochs))})
            seeds = ""
            if args.runs > 1:
                row["FCN runs"] = " ".join(f"{a:.1f}" for a in acc)
                seeds = f"  (mean of seeds {args.seed}..{args.seed + args.runs - 1}: {row['FCN runs']})"
            print(f"  {name:17s} deepmine FCN     {row['FCN']:6.2f}%  {row['FCN s']:6.1f} s  "
                  f"{row['FCN epochs']} epochs{seeds}", flush=True)
            if name in args.torch_peer and isinstance(X, np.ndarray):
                t = time.perf_counter()
                pred = plain_torch_fcn(X, y, Xt, int(epochs[0]), bs, args.seed, args.device)
                row["torch FCN s"] = time.perf_counter() - t
                row["torch FCN"] = 100 * np.mean(pred == yt)
                print(f"  {name:17s} plain-torch FCN {row['torch FCN']:6.1f}%  "
                      f"{row['torch FCN s']:6.1f} s  (same epochs as the first seed)", flush=True)
        if "mcdcnn" in args.models:
            est = CNNTimeSeriesClassifier("mcdcnn", optimizer="momentum", learning_rate=0.01,
                                          weight_decay=5e-4, max_epochs=min(args.epochs, 120),
                                          batch_size=16, random_state=0, device=args.device,
                                          callbacks=[TimeBudget(args.budget)])
            t = time.perf_counter()
            est.fit(X, y)
            row["MCDCNN s"] = time.perf_counter() - t
            row["MCDCNN epochs"] = est.n_iter_
            row["MCDCNN"] = 100 * est.score(Xt, yt)
            print(f"  {name:17s} deepmine MCDCNN  {row['MCDCNN']:6.1f}%  {row['MCDCNN s']:6.1f} s  "
                  f"{est.n_iter_} epochs", flush=True)
        if not args.no_minirocket:
            from aeon.classification.convolution_based import MiniRocketClassifier

            t = time.perf_counter()
            mr = MiniRocketClassifier(random_state=0, n_jobs=1).fit(X, y)
            row["MiniRocket"] = 100 * np.mean(mr.predict(Xt) == yt)
            row["MiniRocket s"] = time.perf_counter() - t
            print(f"  {name:17s} aeon MiniRocket  {row['MiniRocket']:6.1f}%  {row['MiniRocket s']:6.1f} s",
                  flush=True)
        row.update(published(name))
        rows.append(row)
    df = pd.DataFrame(rows).set_index("dataset")
    if "torch FCN s" in df:
        df["FCN/torch time"] = df["FCN s"] / df["torch FCN s"]
    if "FCN" in df:
        df["FCN >= Fawaz19"] = df["FCN"] >= df["FCN Fawaz19"] - 1e-9
    with pd.option_context("display.width", 200, "display.max_columns", 40,
                           "display.float_format", "{:.1f}".format):
        print("\nClassification, test accuracy (%), seconds of training on this machine")
        print(df)
    return df


def forecast(args):
    from sklearn.linear_model import Ridge

    def holt_winters(train, h, m):
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        if m:
            model = ExponentialSmoothing(train, trend="add", seasonal="mul", seasonal_periods=m)
        else:
            model = ExponentialSmoothing(train, trend="add")
        return model.fit().forecast(h)

    def sarima(train, h, m):
        import warnings

        from statsmodels.tsa.statespace.sarimax import SARIMAX

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            seasonal = (0, 1, 1, m) if m else (0, 0, 0, 0)
            return SARIMAX(train, order=(1, 1, 1), seasonal_order=seasonal).fit(disp=False).forecast(h)

    setups = [("Airline", load_airline(), 24, 12, 12), ("Lynx", load_lynx(), 12, None, 10)]
    rows = []
    for name, y, h, m, window in setups:
        y_train, y_test = temporal_train_test_split(y, test_size=h)
        row = {"series": name, "held out": h}
        t = time.perf_counter()
        row["naive"] = mae(y_test, NaiveForecaster().fit(y_train).predict(h))
        if m:
            row["seasonal naive"] = mae(y_test, NaiveForecaster("seasonal", seasonal_period=m)
                                        .fit(y_train).predict(h))
        try:
            row["Holt-Winters"] = mae(y_test, np.asarray(holt_winters(y_train.to_numpy(), h, m)))
            row["SARIMA"] = mae(y_test, np.asarray(sarima(y_train.to_numpy(), h, m)))
        except ImportError:
            row["Holt-Winters"] = row["SARIMA"] = np.nan
        row["ridge window"] = mae(y_test, WindowForecaster(Ridge(), window=window, seasonal_period=None,
                                                           difference=0, log=False).fit(y_train)
                                  .predict(h))
        row["peers s"] = time.perf_counter() - t
        for label, make in [
            ("window MLP default", lambda s: WindowForecaster(random_state=s)),
            ("LSTM default", lambda s: LSTMForecaster(random_state=s, device="cpu")),
            ("window MLP", lambda s: WindowForecaster(window=window, seasonal_period=m, log=True,
                                                      difference=0, random_state=s)),
            ("LSTM", lambda s: LSTMForecaster(hidden_size=32, horizon=12 if m else 1,
                                              seasonal_period=m, log=True, difference=0,
                                              sequence_length=None, random_state=s,
                                              device="cpu")),
        ]:
            t = time.perf_counter()
            scores = [mae(y_test, make(s).fit(y_train).predict(h)) for s in range(args.seeds)]
            row[label] = float(np.median(scores))
            row[f"{label} min-max"] = f"{min(scores):.1f}-{max(scores):.1f}"
            row[f"{label} s/fit"] = (time.perf_counter() - t) / args.seeds
            print(f"  {name:8s} {label:10s} median MAE {row[label]:.1f} over {args.seeds} seeds "
                  f"({row[label + ' min-max']})", flush=True)
        rows.append(row)
    df = pd.DataFrame(rows).set_index("series")
    with pd.option_context("display.width", 200, "display.max_columns", 40,
                           "display.float_format", "{:.1f}".format):
        print("\nForecasting, MAE on the held-out tail (deepmine: median over seeds)")
        print(df)
    return df


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--part", choices=["classify", "forecast", "all"], default="all")
    p.add_argument("--datasets", nargs="+", default=DATASETS)
    p.add_argument("--epochs", type=int, default=2000,
                   help="max epochs of FCN (MC-DCNN: min(., 120)); Fawaz et al. train 2000")
    p.add_argument("--budget", type=float, default=600.0, help="seconds per network fit")
    p.add_argument("--schedule", default="fawaz",
                   help="FCN learning-rate schedule: 'fawaz' (halve the rate after 50 epochs "
                        "without a lower training loss, down to 1e-4) or an engine schedule name")
    p.add_argument("--seed", type=int, default=0, help="first FCN seed")
    p.add_argument("--runs", type=positive_int, default=1,
                   help="FCN runs (seeds seed, seed+1, ...); the table gives their mean, as the "
                        "published figures are means of 5 (UCR) or 10 (MTS) runs")
    p.add_argument("--jobs", type=positive_int, default=1, help="FCN runs trained in parallel processes")
    p.add_argument("--normalize", choices=["fawaz", "channel", "series", "none"], default="fawaz",
                   help="FCN input scaling: 'fawaz' (default) feeds the MTS-archive sets as they "
                        "are and standardises each channel of the others; or that one choice "
                        "for every set")
    p.add_argument("--device", default="cpu", help="torch device of the networks ('cuda', 'mps')")
    p.add_argument("--log-every", type=int, default=0,
                   help="print the FCN's progress and current test accuracy every N epochs")
    p.add_argument("--torch-peer", nargs="*", default=["GunPoint", "ItalyPowerDemand"],
                   help="datasets on which the plain PyTorch FCN loop also runs")
    p.add_argument("--models", nargs="+", choices=["fcn", "mcdcnn"], default=["fcn", "mcdcnn"])
    p.add_argument("--no-minirocket", action="store_true")
    p.add_argument("--seeds", type=int, default=5, help="seeds of the forecasting networks")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])   # torch's one-time optimizer import, untimed
    print(f"torch {torch.__version__}, {args.threads} thread(s)")
    if args.part in ("forecast", "all"):
        forecast(args)
    if args.part in ("classify", "all"):
        classify(args)


if __name__ == "__main__":
    main()
