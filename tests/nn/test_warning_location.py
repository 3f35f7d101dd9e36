"""Warnings name the line of the user's code that caused them, however deep inside deepmine
they were raised (as pandas' warnings do): the estimator, the engine, a callback, a pipeline."""

import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from deepmine.datasets import load_credit
from deepmine.exceptions import DataWarning
from deepmine.nn import EarlyStopping, Trainer
from deepmine.tabular import MLPClassifier


def _caught(fn, category):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [w for w in caught if issubclass(w.category, category)]


def test_a_convergence_warning_points_at_the_fit_call():
    X, y = load_credit()[["Employed", "Owns House"]], load_credit()["Get Credit"]
    found = _caught(lambda: MLPClassifier(max_epochs=2, random_state=0).fit(X, y),
                    ConvergenceWarning)
    assert len(found) == 1 and found[0].filename == __file__
    assert "MLPClassifier stopped at max_epochs=2" in str(found[0].message)


def test_the_engine_and_its_callbacks_point_at_the_trainer_call():
    X, y = torch.randn(32, 3), torch.randn(32, 1)

    def loss(module, batch):
        return torch.nn.functional.mse_loss(module(batch[0]), batch[1])

    def fit():
        Trainer(max_epochs=2, learning_rate=1e-4, callbacks=[EarlyStopping(monitor="val_loss")],
                random_state=0).fit(torch.nn.Linear(3, 1), (X, y), compute_loss=loss)

    found = _caught(fit, Warning)
    kinds = {w.category for w in found}
    assert {ConvergenceWarning, UserWarning} <= kinds
    assert all(w.filename == __file__ for w in found)


def test_a_data_warning_inside_a_pipeline_points_at_the_users_line():
    """Under a scikit-learn Pipeline the first frame outside deepmine is scikit-learn's."""
    df = load_credit()
    X, y = df[["Employed", "Owns House", "Balanced Account"]], df["Get Credit"]
    clf = MLPClassifier(early_stopping=True, max_epochs=5, random_state=0)
    direct = _caught(lambda: clf.fit(X, y), DataWarning)
    assert len(direct) == 1 and direct[0].filename == __file__
    piped = _caught(lambda: make_pipeline(FunctionTransformer(), clf).fit(X, y), DataWarning)
    assert len(piped) == 1 and "deepmine" not in piped[0].filename.split("site-packages")[-1]


def test_a_warning_from_series_validation_points_at_the_fit_call():
    import pandas as pd

    from deepmine.timeseries import NaiveForecaster

    y = pd.Series(np.arange(30.0), index=pd.date_range("2020", periods=30, freq="D")[::-1])
    found = _caught(lambda: NaiveForecaster().fit(y), DataWarning)
    assert len(found) == 1 and found[0].filename == __file__
    assert "not in time order" in str(found[0].message)
