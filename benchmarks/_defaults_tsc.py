"""Time-series classifiers for ``bench_defaults.py``: defaults beside the published recipe and baselines.

Data: UCR/UEA sets bundled with aeon (default train/test split): GunPoint and
ItalyPowerDemand (z-normalized series), BasicMotions (6 accelerometer and gyroscope
channels) and Covid3Month_disc (raw daily counts, 0 to 20341). The published recipe
runs on GunPoint and ItalyPowerDemand (one seed). Scores are test accuracy; fit
seconds are CPU (process) time of one thread. Baselines with their own defaults: the majority class, 1-NN with the
Euclidean distance (scikit-learn) and aeon's MiniRocket.
"""

import time

import numpy as np

from deepmine.timeseries import CNNTimeSeriesClassifier, LSTMClassifier, load_ucr

DATASETS = ("GunPoint", "ItalyPowerDemand", "BasicMotions", "Covid3Month_disc")
#: Where the tuned row (``recipe="fawaz2019"``, 2000 epochs) also runs.
TUNED = ("GunPoint", "ItalyPowerDemand")


def _timed_score(make, X, y, Xt, yt):
    t = time.process_time()
    model = make().fit(X, y)
    seconds = time.process_time() - t
    return float(np.mean(model.predict(Xt) == yt)), seconds


def _row(estimator, dataset, setting, runs):
    return {"area": "tsc", "estimator": estimator, "dataset": dataset, "setting": setting,
            "metric": "test accuracy", "scores": [r[0] for r in runs],
            "fit_seconds": [r[1] for r in runs]}


def _flat(X):
    return np.asarray(X).reshape(len(X), -1)


def rows(seeds, quick=False):
    """Yield one dict per (estimator, setting, dataset); ``quick``: ItalyPowerDemand, 20 epochs, one seed."""
    import torch

    torch.set_num_threads(1)
    datasets = ("ItalyPowerDemand",) if quick else DATASETS
    seeds = list(seeds)[:1] if quick else list(seeds)
    extra = {"max_epochs": 20} if quick else {}
    label = "default (20 epochs)" if quick else "default"
    for name in datasets:
        X, y = load_ucr(name, "train")
        Xt, yt = load_ucr(name, "test")
        for cls in (CNNTimeSeriesClassifier, LSTMClassifier):
            runs = [_timed_score(lambda: cls(random_state=s, device="cpu", **extra), X, y, Xt, yt)
                    for s in seeds]
            yield _row(cls.__name__, name, label, runs)
        if not quick and name in TUNED:
            runs = [_timed_score(lambda: CNNTimeSeriesClassifier(recipe="fawaz2019", random_state=s,
                                                                 device="cpu"), X, y, Xt, yt)
                    for s in seeds[:1]]
            yield _row("CNNTimeSeriesClassifier", name, "tuned: recipe='fawaz2019'", runs)
        from sklearn.dummy import DummyClassifier
        from sklearn.neighbors import KNeighborsClassifier

        yield _row("DummyClassifier", name, "baseline: majority class (defaults)",
                   [_timed_score(DummyClassifier, _flat(X), y, _flat(Xt), yt)])
        yield _row("KNeighborsClassifier", name, "baseline: 1-NN Euclidean (n_neighbors=1)",
                   [_timed_score(lambda: KNeighborsClassifier(1), _flat(X), y, _flat(Xt), yt)])
        try:
            from aeon.classification.convolution_based import MiniRocketClassifier
        except ImportError:
            continue
        if quick:            # its first fit compiles numba kernels (about 30 s of CPU)
            continue
        runs = [_timed_score(lambda: MiniRocketClassifier(random_state=s, n_jobs=1), X, y, Xt, yt)
                for s in seeds]
        yield _row("MiniRocketClassifier", name, "baseline: aeon MiniRocket (defaults)", runs)


if __name__ == "__main__":
    import sys

    quick = "--quick" in sys.argv
    for r in rows(range(5), quick=quick):
        s = np.array(r["scores"])
        print(f"{r['estimator']:24s} {r['dataset']:17s} {r['setting']:40s} "
              f"{s.mean():.4f} ± {s.std():.4f}  {np.mean(r['fit_seconds']):7.1f} s  "
              f"{' '.join(f'{v:.3f}' for v in s)}", flush=True)
