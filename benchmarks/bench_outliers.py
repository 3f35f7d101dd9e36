"""Benchmark: deepmine's AutoEncoderOutlierDetector against IsolationForest, PyOD and PCA on two suites.

- ``odds``: the 12 ODDS/ADBench tables in ../shared/data/outliers (README there:
  origin, n, d, outlier share), fed to every method as stored;
- ``sklearn``: 16 tasks built from tables that ship with scikit-learn (digits,
  breast cancer, wine, iris; recipe in ``_outlier_suites.py``), columns
  standardized over each task's rows before any method sees them.

Every method is unsupervised: it is fitted on all rows and scores the same
rows, with the seed as its ``random_state`` (on ``sklearn`` the seed also draws
the outlier rows). Seconds are CPU (process) time of fit plus scoring the
training rows (PyOD scores them inside ``fit``); run it with one thread.

- deepmine: ``AutoEncoderOutlierDetector(random_state=seed)`` with its defaults
  (``--params`` overrides some, e.g. ``--params n_neighbors=0`` scores by
  reconstruction error alone, ``--params scaling=robust trim_fraction=0``);
- scikit-learn: ``IsolationForest(random_state=seed)``;
- PyOD, its defaults: ``KNN()``, ``LOF()``, ``ECOD()``, ``AutoEncoder(random_state=seed)``
  (10 epochs, batch 32, [64, 32], dropout 0.2, batch norm, standardized input);
- PCA: squared reconstruction error of a PCA keeping 90% of the variance of the
  standardized columns (zero-variance columns dropped first).

    OMP_NUM_THREADS=1 python benchmarks/bench_outliers.py --suite both
    python benchmarks/bench_outliers.py --suite sklearn --seeds 0 --methods deepmine iforest
"""

import argparse
import ast
import sys
from pathlib import Path

import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _outlier_suites import BASELINES, DATA, evaluate, suite  # noqa: E402

from deepmine.autoencoders import AutoEncoderOutlierDetector  # noqa: E402

PYOD = ("pyod_knn", "pyod_lof", "pyod_ecod", "pyod_ae")
LABELS = {"auc": "ROC-AUC", "ap": "average precision", "s": "CPU seconds (fit + score)"}


def deepmine_method(params):
    def scores(X, seed):
        det = AutoEncoderOutlierDetector(random_state=seed, device="cpu", **params).fit(X)
        return -det.score_samples(X)

    return scores


def _parse_params(items):
    params = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--params takes key=value pairs; got {item!r}")
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key] = value
    return params


def run_suite(which, methods, seeds, names=None, data=None, echo=print):
    """Score every method on every task and seed; a DataFrame with one row per (task, seed, method)."""
    rows = []
    for seed in seeds:
        for task, X, y in suite(which, seed, names, data):
            for name, fn in methods.items():
                rows.append({"task": task, "n": len(y), "d": X.shape[1], "seed": seed, "method": name,
                             **evaluate(fn, X, y, seed)})
            if echo:
                done = [r for r in rows if r["task"] == task and r["seed"] == seed]
                echo(f"  {which} seed={seed} {task}: "
                     + "  ".join(f"{r['method']}={r['auc']:.3f}" for r in done), flush=True)
    return pd.DataFrame(rows)


def summary(df, what):
    """Task x method table of ``what`` (mean over seeds), with the mean row."""
    table = df.pivot_table(index="task", columns="method", values=what, aggfunc="mean", sort=False)
    table = table[list(dict.fromkeys(df["method"]))]
    table.loc["mean"] = table.mean()
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", choices=("odds", "sklearn", "both"), default="both")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--methods", nargs="+", choices=["deepmine", *BASELINES],
                        default=["deepmine", *BASELINES])
    parser.add_argument("--no-pyod", action="store_true", help="skip PyOD's detectors")
    parser.add_argument("--params", nargs="+", metavar="KEY=VALUE",
                        help="detector parameters instead of its defaults")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the ODDS/ADBench files")
    parser.add_argument("--tasks", nargs="+", help="substrings of task names to run")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    params = _parse_params(args.params)
    no_pyod = args.no_pyod
    if not no_pyod and any(m in PYOD for m in args.methods):
        try:
            import pyod  # noqa: F401
        except ImportError:
            print("pyod is not installed (pip install pyod): its detectors are skipped", file=sys.stderr)
            no_pyod = True
    methods = {m: deepmine_method(params) if m == "deepmine" else BASELINES[m]
               for m in args.methods if not (no_pyod and m in PYOD)}
    suites = ("odds", "sklearn") if args.suite == "both" else (args.suite,)
    if "odds" in suites and not args.data.is_dir():
        print(f"no ODDS/ADBench data at {args.data}: that suite is skipped", file=sys.stderr)
        suites = tuple(s for s in suites if s != "odds")
    pd.set_option("display.width", 200)
    means = {}
    for which in suites:
        df = run_suite(which, methods, args.seeds, args.tasks, args.data)
        for what in ("auc", "ap", "s"):
            print(f"\n{which}: {LABELS[what]}, mean over seeds {args.seeds}")
            print(summary(df, what).round(3).to_string())
        means[which] = {what: summary(df, what).loc["mean"] for what in ("auc", "ap", "s")}
    print("\nmeans per suite (ROC-AUC / average precision / CPU seconds)")
    for which, m in means.items():
        print(f"{which:8s} " + "  ".join(f"{k}={m['auc'][k]:.3f}/{m['ap'][k]:.3f}/{m['s'][k]:.2f}s"
                                         for k in methods))
    print(f"detector parameters: {params or 'defaults'}; threads={args.threads}")


if __name__ == "__main__":
    main()
