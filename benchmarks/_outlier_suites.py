"""The two outlier-detection suites of the benchmarks, and the baseline detectors beside deepmine's.

- ``odds_suite()``: the 12 ODDS/ADBench tables in ``../shared/data/outliers``
  (README there), as they are stored (raw columns); empty when the folder is absent.
- ``sklearn_suite(seed)``: 16 tasks built from tables that ship with scikit-learn,
  by the usual recipe of outlier benchmarks (one or more classes are the
  inliers, a few rows of the other classes the outliers). ``seed`` draws the
  outlier rows; every column is then standardized (mean 0, standard deviation
  1, constant columns 0) over the task's rows, the same columns for every method:

  * ``digits-0`` ... ``digits-9`` (``load_digits``, 8x8 images, 64 columns): all
    rows of one digit are the inliers (174-183), plus outliers drawn from the
    other nine digits so that they make 5% of the task (``ceil(n_in / 19)``, 10);
  * ``breast_cancer`` (``load_breast_cancer``, 30 columns): the 357 benign rows
    plus 10 malignant ones (the ADBench recipe);
  * ``wine-1``, ``wine-2``, ``wine-3`` (``load_wine``, 13 columns): the other
    two cultivars are the inliers, 10 rows of cultivar k the outliers
    (``wine-1`` is the ODDS recipe: 119 + 10 rows);
  * ``iris-versicolor``, ``iris-virginica`` (``load_iris``, 4 columns): the other
    two species are the inliers, 5 rows of the named species the outliers
    (setosa is left out: every method separates it perfectly).

Each method is unsupervised: it is fitted on all rows of a task and scores the
same rows; higher scores mean more outlying. ``BASELINES`` maps a name to a
function ``(X, seed) -> scores`` with the library's defaults (PyOD's ``KNN``,
``LOF``, ``ECOD`` and ``AutoEncoder``; scikit-learn's ``IsolationForest``; a PCA
keeping 90% of the variance). ``evaluate`` runs one method on one task and
returns its ROC-AUC, average precision and fit CPU seconds (process time,
fit plus scoring the training rows).
"""

import math
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "outliers"
SKLEARN_TASKS = ([f"digits-{c}" for c in range(10)] + ["breast_cancer", "wine-1", "wine-2", "wine-3",
                                                       "iris-versicolor", "iris-virginica"])


def odds_suite(data=None, names=None):
    """Yield ``(name, X, y)`` for the ODDS/ADBench files in ``data`` (default ``DATA``; none when absent)."""
    from deepmine.datasets import load_outlier_file

    data = Path(DATA if data is None else data)
    if not data.is_dir():
        return
    for path in sorted(p for p in data.iterdir() if p.suffix in (".npz", ".mat")):
        if names and not any(s in path.name for s in names):
            continue
        X, y = load_outlier_file(path)
        yield path.stem, X, y


def _standardize(X):
    std = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)


def _task(X, target, inliers, outlier_classes, n_out, rng):
    inl = np.flatnonzero(np.isin(target, inliers))
    pool = np.flatnonzero(np.isin(target, outlier_classes))
    out = np.sort(rng.choice(pool, n_out, replace=False))
    rows = np.r_[inl, out]
    return _standardize(X[rows].astype(np.float64)), np.r_[np.zeros(len(inl), int), np.ones(n_out, int)]


def sklearn_suite(seed, names=None):
    """Yield ``(name, X, y)`` for the 16 tasks built from scikit-learn's tables (module docstring)."""
    from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine

    rng = np.random.RandomState(seed)
    tables = {"digits": load_digits(return_X_y=True), "breast_cancer": load_breast_cancer(return_X_y=True),
              "wine": load_wine(return_X_y=True), "iris": load_iris(return_X_y=True)}
    for name in SKLEARN_TASKS:
        if names and not any(s in name for s in names):
            rng.randint(2**31)  # keep each task's draw independent of the selection
            continue
        sub = np.random.RandomState(rng.randint(2**31))
        table, _, part = name.partition("-")
        X, t = tables[table]
        if table == "digits":
            c = int(part)
            others = [k for k in range(10) if k != c]
            task = _task(X, t, [c], others, math.ceil((t == c).sum() / 19), sub)
        elif table == "breast_cancer":  # target 1 = benign
            task = _task(X, t, [1], [0], 10, sub)
        elif table == "wine":
            k = int(part) - 1
            task = _task(X, t, [j for j in range(3) if j != k], [k], 10, sub)
        else:
            k = {"versicolor": 1, "virginica": 2}[part]
            task = _task(X, t, [j for j in range(3) if j != k], [k], 5, sub)
        yield (name, *task)


def suite(which, seed, names=None, data=None):
    """``odds_suite(data)`` or ``sklearn_suite(seed)`` by name ("odds" or "sklearn")."""
    return odds_suite(data, names) if which == "odds" else sklearn_suite(seed, names)


# ---- baselines: (X, seed) -> outlier scores (higher = more outlying) ----------------------------
def iforest_scores(X, seed):
    return -IsolationForest(random_state=seed).fit(X).score_samples(X)


def pca_scores(X, seed):
    keep = X.std(axis=0) > 0
    Z = X[:, keep]
    Z = (Z - Z.mean(axis=0)) / Z.std(axis=0)
    pca = PCA(n_components=0.9, random_state=seed).fit(Z)
    return ((pca.inverse_transform(pca.transform(Z)) - Z) ** 2).sum(axis=1)


def _pyod(cls_path, kw=None):
    module, name = cls_path.rsplit(".", 1)

    def scores(X, seed):
        import importlib

        cls = getattr(importlib.import_module(module), name)
        return cls(**(kw(seed) if kw else {})).fit(X).decision_scores_

    return scores


BASELINES = {
    "iforest": iforest_scores,
    "pyod_knn": _pyod("pyod.models.knn.KNN"),
    "pyod_lof": _pyod("pyod.models.lof.LOF"),
    "pyod_ecod": _pyod("pyod.models.ecod.ECOD"),
    "pyod_ae": _pyod("pyod.models.auto_encoder.AutoEncoder",
                     lambda seed: {"random_state": seed, "device": "cpu", "verbose": 0}),
    "pca": pca_scores,
}


def evaluate(fn, X, y, seed):
    """Run ``fn(X, seed)``; return ``{"auc", "ap", "s"}`` (ROC-AUC, average precision, CPU seconds)."""
    tic = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = np.nan_to_num(np.asarray(fn(X, seed), dtype=float), nan=0.0, posinf=1e300,
                               neginf=-1e300)
    seconds = time.process_time() - tic
    return {"auc": roc_auc_score(y, scores), "ap": average_precision_score(y, scores), "s": seconds}
