"""Benchmark: deepmine's AutoEncoderOutlierDetector vs PyOD's AutoEncoder, IsolationForest and PCA.

On the 12 ODDS/ADBench tables in ../shared/data/outliers (README there: origin,
n, d, outlier share). Every method is unsupervised: it is fitted on all of X
and scores all of X, with fixed seeds; the methods alternate per dataset.
Time is fit plus scoring the training rows (PyOD scores them inside ``fit``).

- deepmine: ``AutoEncoderOutlierDetector(random_state=seed)`` with its defaults;
- PyOD: ``pyod.models.auto_encoder.AutoEncoder(random_state=seed)``, its defaults
  (10 epochs, batch 32, [64, 32], dropout 0.2, batch norm, standardized input);
- scikit-learn: ``IsolationForest(random_state=seed)``;
- PCA: squared reconstruction error of a PCA keeping 90% of the variance of the
  standardized columns (zero-variance columns dropped first).

Target (issue 3): deepmine's mean ROC-AUC at or above PyOD's autoencoder and
IsolationForest, with fit time at most PyOD's.

    python benchmarks/bench_outliers.py --threads 1
    python benchmarks/bench_outliers.py --threads 1 --datasets cardio thyroid --no-pyod
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score

from deepmine.autoencoders import AutoEncoderOutlierDetector
from deepmine.datasets import load_outlier_file

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "outliers"


def deepmine_scores(X, seed):
    det = AutoEncoderOutlierDetector(random_state=seed, device="cpu").fit(X)
    return -det.score_samples(X)


def pyod_scores(X, seed):
    from pyod.models.auto_encoder import AutoEncoder

    det = AutoEncoder(random_state=seed, device="cpu", verbose=0)
    det.fit(X)
    return det.decision_scores_


def iforest_scores(X, seed):
    return -IsolationForest(random_state=seed).fit(X).score_samples(X)


def pca_scores(X, seed):
    keep = X.std(axis=0) > 0
    Z = X[:, keep]
    Z = (Z - Z.mean(axis=0)) / Z.std(axis=0)
    pca = PCA(n_components=0.9, random_state=seed).fit(Z)
    return ((pca.inverse_transform(pca.transform(Z)) - Z) ** 2).sum(axis=1)


METHODS = {"deepmine": deepmine_scores, "pyod_ae": pyod_scores, "iforest": iforest_scores,
           "pca": pca_scores}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--datasets", nargs="+", help="substrings of file names to run")
    parser.add_argument("--no-pyod", action="store_true", help="skip PyOD's autoencoder")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if not args.data.is_dir():
        raise SystemExit(f"no benchmark data at {args.data}")
    methods = {k: f for k, f in METHODS.items() if not (k == "pyod_ae" and args.no_pyod)}
    files = sorted(p for p in args.data.iterdir() if p.suffix in (".npz", ".mat"))
    if args.datasets:
        files = [p for p in files if any(s in p.name for s in args.datasets)]
    rows = []
    for path in files:
        X, y = load_outlier_file(path)
        row = {"dataset": path.stem, "n": X.shape[0], "d": X.shape[1]}
        for name, fn in methods.items():
            tic = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                scores = np.nan_to_num(np.asarray(fn(X, args.seed), dtype=float), nan=0.0,
                                       posinf=1e300, neginf=-1e300)
            row[f"{name}_s"] = time.perf_counter() - tic
            row[f"{name}_auc"] = roc_auc_score(y, scores)
            row[f"{name}_ap"] = average_precision_score(y, scores)
        rows.append(row)
        print("  ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                        for k, v in row.items()), flush=True)
    df = pd.DataFrame(rows).set_index("dataset")
    mean = df.mean(numeric_only=True).rename("mean")
    df = pd.concat([df, mean.to_frame().T])
    pd.set_option("display.width", 200)
    for what in ("auc", "ap", "s"):
        cols = [f"{m}_{what}" for m in methods]
        print(f"\n{ {'auc': 'ROC-AUC', 'ap': 'average precision', 's': 'seconds (fit + score)'}[what] }")
        print(df[cols].rename(columns=lambda c: c.rsplit("_", 1)[0]).round(3).to_string())
    if "pyod_ae" in methods:
        ratio = df.loc["mean", "deepmine_s"] / df.loc["mean", "pyod_ae_s"]
        print(f"\nmean time deepmine / PyOD autoencoder: {ratio:.2f}x "
              f"(per dataset: {', '.join(f'{r:.2f}' for r in (df['deepmine_s'] / df['pyod_ae_s'])[:-1])})")
    print(f"threads={args.threads} seed={args.seed}")


if __name__ == "__main__":
    main()
