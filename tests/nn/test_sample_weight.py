"""sample_weight in fit and partial_fit: weight 2 acts as a repeated row, weight 0 as a dropped one.

Full-batch training (``batch_size`` >= the rows) makes the comparison exact up to
float rounding: every epoch sees the same set of rows however they are ordered.
The input standardization (``scale``) is learned unweighted, so it is off here.
"""

import numpy as np
import pytest

from deepmine.autoencoders import AutoEncoderOutlierDetector
from deepmine.exceptions import DataError
from deepmine.tabular import MLPClassifier, MLPRegressor, Perceptron
from deepmine.timeseries import CNNTimeSeriesClassifier
from deepmine.vision import ConvNetClassifier


def _data(seed=0, n=30):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    y[:3] = [0, 1, 2]  # three classes
    w = rng.randint(0, 4, size=n)
    w[:3] = [1, 2, 3]  # every class keeps a row
    return X, y, w


def _check_equivalence(make, X, y, w, method, atol):
    weighted = make().fit(X, y, sample_weight=w)
    rows = np.repeat(np.arange(len(X)), w)
    repeated = make().fit(X[rows], y[rows])
    np.testing.assert_allclose(getattr(weighted, method)(X), getattr(repeated, method)(X),
                               atol=atol)
    ones = make().fit(X, y, sample_weight=np.ones(len(X)))
    plain = make().fit(X, y)
    np.testing.assert_allclose(getattr(ones, method)(X), getattr(plain, method)(X), atol=1e-6)


FULL_BATCH = dict(batch_size=1000, max_epochs=30, random_state=0)


@pytest.mark.parametrize("make, method", [
    (lambda: MLPClassifier((8,), scale=False, learning_rate=0.01, **FULL_BATCH), "predict_proba"),
    (lambda: MLPClassifier((8,), scale=False, class_weight={0: 1.0, 1: 2.0, 2: 0.5}, learning_rate=0.01,
                           **FULL_BATCH), "predict_proba"),
    (lambda: Perceptron(scale=False, batch_size=1000, max_epochs=20, random_state=0),
     "decision_function"),
])
def test_weights_act_as_repeated_and_dropped_rows(make, method):
    """Integer weights give the model of the repeated rows (weight 0: the row left out)."""
    X, y, w = _data()
    _check_equivalence(make, X, y, w, method, atol=1e-5)


def test_regressor_weights_in_the_loss():
    """MLPRegressor: all-ones weights change nothing; weight 0 on corrupted targets ignores them."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = X @ [1.0, -1.0, 0.5]
    bad = y.copy()
    bad[:8] += 50.0  # corrupted targets
    w = np.r_[np.zeros(8), np.ones(72)]
    kw = dict(hidden_layer_sizes=(16,), batch_size=1000, max_epochs=150, learning_rate=0.02,
              weight_decay=0.0, random_state=0)
    plain = MLPRegressor(**kw).fit(X, y)
    ones = MLPRegressor(**kw).fit(X, y, sample_weight=np.ones(80))
    np.testing.assert_allclose(ones.predict(X), plain.predict(X), atol=1e-5)
    err_weighted = np.abs(MLPRegressor(**kw).fit(X, bad, sample_weight=w).predict(X[8:]) - y[8:])
    err_plain = np.abs(MLPRegressor(**kw).fit(X, bad).predict(X[8:]) - y[8:])
    assert err_weighted.mean() < 0.5 * err_plain.mean()


def test_partial_fit_takes_weights():
    """partial_fit with weight 0 on half the rows equals partial_fit on the other half."""
    X, y, _ = _data()
    w = (np.arange(len(X)) % 2).astype(float)
    kw = dict(hidden_layer_sizes=(8,), scale=False, batch_size=1000, random_state=0)
    a = MLPClassifier(**kw).partial_fit(X, y, classes=[0, 1, 2], sample_weight=w)
    b = MLPClassifier(**kw).partial_fit(X[w > 0], y[w > 0], classes=[0, 1, 2])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-6)


def test_image_and_series_classifiers_take_weights():
    """ConvNetClassifier and the time-series classifiers: a weight-0 sample's label is out of the loss.

    (Its inputs still enter the input statistics and batch norm, so the check flips
    the labels of the weight-0 samples rather than dropping them.)
    """
    rng = np.random.RandomState(0)
    images = rng.rand(24, 1, 6, 6).astype(np.float32)
    series = rng.normal(size=(24, 1, 16))
    y = np.arange(24) % 2
    w = np.r_[np.zeros(6), np.ones(18)]
    flipped = y.copy()
    flipped[:6] = 1 - flipped[:6]
    for make, X in [(lambda: ConvNetClassifier(conv_layers=[(4, 3)], hidden_layer_sizes=(8,),
                                               batch_size=100, max_epochs=3, random_state=0),
                     images),
                    (lambda: CNNTimeSeriesClassifier(filters=(4, 4, 4), batch_size=100,
                                                     max_epochs=3, random_state=0), series)]:
        a = make().fit(X, y, sample_weight=w).predict_proba(X)
        b = make().fit(X, flipped, sample_weight=w).predict_proba(X)
        c = make().fit(X, flipped).predict_proba(X)
        np.testing.assert_allclose(a, b, atol=1e-6)
        assert np.abs(a - c).max() > 1e-4


def test_outlier_detector_zero_weight_rows_do_not_train_it():
    """A cluster given weight 0 stays unreconstructed: it scores as outliers."""
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(size=(300, 4)), rng.normal(size=(60, 4)) + [6, -6, 6, -6]]
    w = np.r_[np.ones(300), np.zeros(60)]
    kw = dict(max_epochs=15, trim_fraction=0.0, random_state=0)
    weighted = AutoEncoderOutlierDetector(**kw).fit(X, sample_weight=w)
    plain = AutoEncoderOutlierDetector(**kw).fit(X)
    gap = lambda det: det.score_samples(X[:300]).mean() - det.score_samples(X[300:]).mean()  # noqa: E731
    assert gap(weighted) > 2 * gap(plain)


@pytest.mark.parametrize("w, match", [
    (np.ones(5), r"shape \(30,\)"),
    (-np.ones(30), "non-negative"),
    (np.zeros(30), "at least one non-zero"),
])
def test_bad_weights_are_refused_in_one_sentence(w, match):
    X, y, _ = _data()
    with pytest.raises(DataError, match=match):
        MLPClassifier((4,), max_epochs=1).fit(X, y, sample_weight=w)


def test_dataset_items_carry_their_weights():
    """A Dataset of (x, class index, weight) items trains as arrays with sample_weight."""
    import torch
    from torch.utils.data import TensorDataset

    X, y, w = _data()
    kw = dict(hidden_layer_sizes=(8,), scale=False, learning_rate=0.01, **FULL_BATCH)
    data = TensorDataset(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y),
                         torch.as_tensor(w, dtype=torch.float32))
    data.classes = [0, 1, 2]
    a = MLPClassifier(**kw).fit(data)
    b = MLPClassifier(**kw).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-6)
