"""bench_defaults section: the outlier detector's defaults beside IsolationForest's, on both suites.

Each row's score per seed is the mean ROC-AUC (and, in a second row, the mean
average precision) over a suite's tasks (recipes in ``_outlier_suites.py``); fit seconds are the mean CPU seconds of fit plus
scoring per task. The ODDS/ADBench suite runs only when ../shared/data/outliers
is present.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _outlier_suites import DATA, evaluate, iforest_scores, suite  # noqa: E402

from deepmine.autoencoders import AutoEncoderOutlierDetector  # noqa: E402

QUICK_TASKS = ["digits-1", "breast_cancer", "wine-1", "iris-virginica"]


def _detector(**params):
    def scores(X, seed):
        det = AutoEncoderOutlierDetector(random_state=seed, device="cpu", **params).fit(X)
        return -det.score_samples(X)

    return scores


SETTINGS = [
    ("AutoEncoderOutlierDetector", "default", _detector()),
    ("AutoEncoderOutlierDetector", "option: score_error='huber'", _detector(score_error="huber")),
    ("IsolationForest", "baseline: IsolationForest (defaults)", iforest_scores),
]


def rows(seeds, quick=False):
    """Yield two dicts per (estimator, setting, suite): mean ROC-AUC and mean average precision per seed."""
    seeds = list(seeds)[:1] if quick else list(seeds)
    suites = [("sklearn", "sklearn outlier tasks" + (" (4 of 16)" if quick else " (16)"),
               QUICK_TASKS if quick else None)]
    if not quick and Path(DATA).is_dir():
        suites.append(("odds", "ODDS/ADBench tables (12)", None))
    for which, label, names in suites:
        results = {setting: ([], [], []) for _, setting, _ in SETTINGS}
        for seed in seeds:
            tasks = list(suite(which, seed, names))
            for _, setting, fn in SETTINGS:
                got = [evaluate(fn, X, y, seed) for _, X, y in tasks]
                results[setting][0].append(float(np.mean([g["auc"] for g in got])))
                results[setting][1].append(float(np.mean([g["s"] for g in got])))
                results[setting][2].append(float(np.mean([g["ap"] for g in got])))
        for estimator, setting, _ in SETTINGS:
            scores, seconds, precisions = results[setting]
            common = {"area": "outliers", "estimator": estimator, "dataset": label,
                      "setting": setting, "fit_seconds": seconds}
            yield {**common, "metric": "mean ROC-AUC over tasks", "scores": scores}
            yield {**common, "metric": "mean average precision over tasks", "scores": precisions}
