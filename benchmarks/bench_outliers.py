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

``--combine`` re-scores each fitted detector with its per-column errors and its
members combined in other ways (one fit, several columns ``deepmine[<way>]``;
their seconds are the scoring alone): ``squared`` (the detector's own score),
``absolute`` (mean absolute error over a member's columns), ``huber`` (Huber's
error, delta 1), ``squared+zscore`` and ``absolute+zscore`` (each member's score
standardized by its mean and standard deviation over the training rows before
the members are averaged). ``--diagnose`` prints, per task, how many inliers
the detector ranks among its top k (k = the number of outliers) and the share
of a row's error that sits in its worst column, for those inliers and for the
outliers.

    OMP_NUM_THREADS=1 python benchmarks/bench_outliers.py --suite both
    python benchmarks/bench_outliers.py --suite sklearn --seeds 0 --methods deepmine iforest
    python benchmarks/bench_outliers.py --methods deepmine iforest --diagnose \
        --combine squared absolute huber squared+zscore absolute+zscore
"""

import argparse
import ast
import copy
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _outlier_suites import BASELINES, DATA, evaluate, suite  # noqa: E402

from deepmine.autoencoders import AutoEncoderOutlierDetector  # noqa: E402
from deepmine.autoencoders._codespace import member_codes, neighbor_distances  # noqa: E402
from deepmine.autoencoders._detector import SCALE_ROWS  # noqa: E402

PYOD = ("pyod_knn", "pyod_lof", "pyod_ecod", "pyod_ae")
LABELS = {"auc": "ROC-AUC", "ap": "average precision", "s": "CPU seconds (fit + score)"}
COMBINE = ("squared", "absolute", "huber", "squared+zscore", "absolute+zscore")


def deepmine_method(params, diagnosis=None):
    """``(X, seed) -> scores`` of the detector; appends top-of-ranking figures to ``diagnosis``."""
    def scores(X, seed):
        det = AutoEncoderOutlierDetector(random_state=seed, device="cpu", **params).fit(X)
        out = -det.score_samples(X)
        if diagnosis is not None:
            diagnosis.append((X, seed, out, det._errors(X)))
        return out

    return scores


def combined_scores(det, X, how):
    """Outlier scores of ``det`` (fitted on ``X``) for the rows ``X``, errors combined by ``how``."""
    Xs = det._validate_predict(X)
    net = copy.deepcopy(det.module_).cpu().double()
    with torch.no_grad():
        x = torch.as_tensor(Xs, dtype=torch.float64)
        diff = np.abs((net(x) - x).numpy())  # (K, N, d)
        w = net.column_weights().numpy()[:, None, :]  # a member's own columns, weighted to a mean
    cell = {"squared": diff**2, "absolute": diff,
            "huber": np.where(diff <= 1, diff**2 / 2, diff - 0.5)}[how.split("+")[0]]
    member = (cell * w).mean(axis=2)  # (K, N)
    member /= np.maximum(np.median(member[:, :SCALE_ROWS], axis=1), 1e-6)[:, None]
    if det.n_neighbors and det.neighbor_weight:
        dist = neighbor_distances(det.reference_codes_, det.neighbor_scale_, member_codes(det.module_, Xs),
                                  det.n_neighbors)
        member = member + det.neighbor_weight * dist**2
    if how.endswith("+zscore"):
        member = (member - member.mean(axis=1, keepdims=True)) / np.maximum(member.std(axis=1, keepdims=True),
                                                                             1e-12)
    return member.mean(axis=0)


def combine_methods(params, ways):
    """One method per way of combining the errors, all from one fit per (task, seed)."""
    fitted = {}

    def method(how):
        def scores(X, seed):
            key = (id(X), seed)
            if key not in fitted:
                fitted.clear()
                fitted[key] = AutoEncoderOutlierDetector(random_state=seed, device="cpu", **params).fit(X)
            return combined_scores(fitted[key], X, how)

        return scores

    return {f"deepmine[{how}]": method(how) for how in ways}


def diagnose(diagnosis, tasks):
    """Per task (mean over seeds): inliers in the top k, worst column's share of their error and the outliers'."""
    rows = []
    for (X, seed, scores, err), (task, y) in zip(diagnosis, tasks):
        k = int(y.sum())
        top = np.argsort(-scores)[:k]
        inl = top[y[top] == 0]
        share = err.max(axis=1) / np.maximum(err.sum(axis=1), 1e-300)
        rows.append({"task": task, "k": k, "inliers in top k": len(inl),
                     "worst column's share, those inliers": share[inl].mean() if len(inl) else np.nan,
                     "worst column's share, outliers": share[y == 1].mean()})
    return pd.DataFrame(rows).groupby("task", sort=False).mean()


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


def run_suite(which, methods, seeds, names=None, data=None, echo=print, tasks=None):
    """Score every method on every task and seed; a DataFrame with one row per (task, seed, method).

    ``tasks``, a list, gets ``(task, y)`` for every (seed, task) in turn."""
    rows = []
    for seed in seeds:
        for task, X, y in suite(which, seed, names, data):
            if tasks is not None:
                tasks.append((task, y))
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
    parser.add_argument("--combine", nargs="+", choices=COMBINE,
                        help="also score each fitted detector with its errors combined these ways")
    parser.add_argument("--diagnose", action="store_true",
                        help="print the top of the detector's ranking per task (needs deepmine in --methods)")
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
    diagnosis = [] if args.diagnose else None
    methods = {m: deepmine_method(params, diagnosis) if m == "deepmine" else BASELINES[m]
               for m in args.methods if not (no_pyod and m in PYOD)}
    if args.combine:
        methods.update(combine_methods(params, args.combine))
    suites = ("odds", "sklearn") if args.suite == "both" else (args.suite,)
    if "odds" in suites and not args.data.is_dir():
        print(f"no ODDS/ADBench data at {args.data}: that suite is skipped", file=sys.stderr)
        suites = tuple(s for s in suites if s != "odds")
    pd.set_option("display.width", 200)
    means = {}
    for which in suites:
        tasks = []
        df = run_suite(which, methods, args.seeds, args.tasks, args.data, tasks=tasks)
        for what in ("auc", "ap", "s"):
            print(f"\n{which}: {LABELS[what]}, mean over seeds {args.seeds}")
            print(summary(df, what).round(3).to_string())
        if "deepmine" in methods and "iforest" in methods:
            ap = summary(df, "ap")
            gap = (ap["deepmine"] - ap["iforest"]).drop("mean")
            print(f"\n{which}: average precision, deepmine minus iforest, and its share of the mean gap")
            print(pd.DataFrame({"gap": gap, "share": gap / len(gap)}).sort_values("gap").round(3).to_string())
        if diagnosis is not None and "deepmine" in methods:
            print(f"\n{which}: the top of the detector's ranking, mean over seeds {args.seeds}")
            print(diagnose(diagnosis, tasks).round(3).to_string())
            diagnosis.clear()
        means[which] = {what: summary(df, what).loc["mean"] for what in ("auc", "ap", "s")}
    print("\nmeans per suite (ROC-AUC / average precision / CPU seconds)")
    for which, m in means.items():
        print(f"{which:8s} " + "  ".join(f"{k}={m['auc'][k]:.3f}/{m['ap'][k]:.3f}/{m['s'][k]:.2f}s"
                                         for k in methods))
    print(f"detector parameters: {params or 'defaults'}; threads={args.threads}")


if __name__ == "__main__":
    main()
