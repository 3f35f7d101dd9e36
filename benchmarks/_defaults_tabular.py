"""Defaults of the table estimators against scikit-learn's defaults, 5-fold cross-validation.

Section ``tabular`` of ``bench_defaults.py``. Every estimator is called with no
arguments except ``random_state``; each seed reshuffles the folds (stratified
for classification) and seeds the network. Baselines get scikit-learn's
defaults behind a ``StandardScaler`` (and a ``OneHotEncoder`` for text
columns), as a user would build them.

    python benchmarks/_defaults_tabular.py [--quick]
"""

import time
import warnings

import numpy as np
import pandas as pd


def _datasets(quick, only=None):
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

    out = []
    for name, loader, task in [("breast_cancer", load_breast_cancer, "clf"),
                               ("wine", load_wine, "clf"), ("diabetes", load_diabetes, "reg")]:
        if only is None or name in only:
            X, y = loader(return_X_y=True, as_frame=True)
            out.append((name, task, X, y))
    if not quick and (only is None or "grunfeld" in only):
        try:
            import statsmodels.api as sm
        except ImportError:  # statsmodels is a bench extra
            return out
        df = sm.datasets.grunfeld.load_pandas().data
        out.append(("grunfeld", "reg", df.drop(columns="invest"), df["invest"]))
    return out


def _sk_pipeline(model, X):
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if not text:
        return make_pipeline(StandardScaler(), model)
    prep = make_column_transformer((OneHotEncoder(handle_unknown="ignore"), text),
                                   remainder=StandardScaler())
    return make_pipeline(prep, model)


def _models(task, X, seed, quick):
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    from sklearn.neural_network import MLPClassifier as SkMLPC
    from sklearn.neural_network import MLPRegressor as SkMLPR

    from deepmine.tabular import MLPClassifier, MLPRegressor, Perceptron

    if task == "clf":
        yield "MLPClassifier", "default", MLPClassifier(random_state=seed)
        yield "Perceptron", "default", Perceptron(random_state=seed)
        if not quick:
            yield "MLPClassifier", "tuned: scale=False (raw columns)", MLPClassifier(
                scale=False, random_state=seed)
        yield "sklearn MLPClassifier", "baseline: StandardScaler + MLPClassifier (defaults)", \
            _sk_pipeline(SkMLPC(random_state=seed), X)
        yield "sklearn LogisticRegression", "baseline: StandardScaler + LogisticRegression (defaults)", \
            _sk_pipeline(LogisticRegression(), X)
        yield "majority class", "baseline: DummyClassifier (defaults)", DummyClassifier()
    else:
        yield "MLPRegressor", "default", MLPRegressor(random_state=seed)
        if not quick:
            yield "MLPRegressor", "tuned: scale=False (raw columns)", MLPRegressor(
                scale=False, random_state=seed)
        yield "sklearn MLPRegressor", "baseline: StandardScaler + MLPRegressor (defaults)", \
            _sk_pipeline(SkMLPR(random_state=seed), X)
        yield "sklearn LinearRegression", "baseline: LinearRegression (defaults)", \
            _sk_pipeline(LinearRegression(), X)
        yield "sklearn Ridge", "baseline: StandardScaler + Ridge (defaults)", _sk_pipeline(Ridge(), X)
        yield "mean", "baseline: DummyRegressor (defaults)", DummyRegressor()


def _cv(model, X, y, task, seed):
    """Mean 5-fold score and mean CPU seconds of one fit."""
    from sklearn.base import clone
    from sklearn.model_selection import KFold, StratifiedKFold

    folds = (StratifiedKFold if task == "clf" else KFold)(5, shuffle=True, random_state=seed)
    scores, seconds = [], []
    for tr, te in folds.split(X, y):
        m = clone(model)
        tic = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-learn's ConvergenceWarning at its defaults
            m.fit(X.iloc[tr], y.iloc[tr])
        seconds.append(time.process_time() - tic)
        scores.append(m.score(X.iloc[te], y.iloc[te]))
    return float(np.mean(scores)), float(np.mean(seconds))


def rows(seeds, quick=False, datasets=None):
    """Yield one dict per (estimator, setting, dataset)."""
    seeds = list(seeds)[:1] if quick else list(seeds)
    for name, task, X, y in _datasets(quick, datasets):
        metric = "5-fold accuracy" if task == "clf" else "5-fold R^2"
        results = {}
        for seed in seeds:
            for est, setting, model in _models(task, X, seed, quick):
                score, sec = _cv(model, X, y, task, seed)
                entry = results.setdefault((est, setting), ([], []))
                entry[0].append(score)
                entry[1].append(sec)
        for (est, setting), (scores, secs) in results.items():
            yield {"area": "tabular", "estimator": est, "dataset": name, "setting": setting,
                   "metric": metric, "scores": scores, "fit_seconds": secs}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    args = parser.parse_args()
    for row in rows(args.seeds, quick=args.quick, datasets=args.datasets):
        s = np.asarray(row["scores"])
        print(f"{row['dataset']:14s} {row['estimator']:27s} {row['setting'][:58]:58s} "
              f"{s.mean():.3f} ± {s.std():.3f}  {np.mean(row['fit_seconds']):.3f} s", flush=True)
