"""CNN and LSTM time-series classifiers: learning, unequal lengths, activation maps, errors, saving."""

import numpy as np
import pytest

import deepmine
from deepmine.exceptions import DataError
from deepmine.timeseries import (CNNTimeSeriesClassifier, LSTMClassifier, LSTMForecaster,
                                 WindowForecaster, load_airline)


def _bumps(n, length=40, n_channels=1, channel=0, seed=0):
    """Class 1 has a bump at a random place of ``channel``; class 0 is noise only."""
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 0.3, (n, n_channels, length))
    y = rng.integers(0, 2, n)
    centers = rng.integers(length // 4, length - length // 4, n)
    t = np.arange(length)
    X[:, channel] += y[:, None] * 2.5 * np.exp(-0.5 * ((t[None, :] - centers[:, None]) / 2) ** 2)
    return X, np.where(y == 1, "bump", "flat"), centers


@pytest.fixture(scope="module")
def fcn_and_data():
    X, y, centers = _bumps(160)
    clf = CNNTimeSeriesClassifier(filters=(8, 16, 8), max_epochs=15, learning_rate=0.01,
                                  batch_size=32, random_state=0, device="cpu").fit(X[:100], y[:100])
    return clf, X, y, centers


def test_fcn_learns_position_invariant_pattern(fcn_and_data):
    """FCN separates series with a bump anywhere from noise (held-out accuracy >= 0.9)."""
    clf, X, y, _ = fcn_and_data
    assert clf.score(X[100:], y[100:]) >= 0.9


def test_class_activation_is_high_around_the_bump(fcn_and_data):
    """The class-activation map of 'bump' is higher near the bump than away from it."""
    clf, X, y, centers = fcn_and_data
    rows = np.flatnonzero(y[100:] == "bump") + 100
    cam = clf.class_activation(X[rows], target="bump")
    assert cam.shape == (len(rows), 40)
    near = np.abs(np.arange(40)[None, :] - centers[rows, None]) <= 8
    inside = (cam * near).sum(1) / near.sum(1)
    outside = (cam * ~near).sum(1) / (~near).sum(1)
    assert np.mean(inside > outside) >= 0.9


def test_mcdcnn_finds_the_informative_channel():
    """MC-DCNN learns a class signal that lives in the second of three channels."""
    X, y, _ = _bumps(160, length=32, n_channels=3, channel=1, seed=1)
    clf = CNNTimeSeriesClassifier("mcdcnn", max_epochs=20, learning_rate=0.003, batch_size=32,
                                  random_state=0, device="cpu").fit(X[:100], y[:100])
    assert clf.score(X[100:], y[100:]) >= 0.85


def test_lstm_classifier_reads_unequal_lengths():
    """A list of unequal-length series trains (padded at the start) and longer ones predict."""
    rng = np.random.default_rng(0)
    lengths = rng.integers(10, 20, 120)
    y = rng.integers(0, 2, 120)
    X = [np.full((2, L), float(c)) + rng.normal(0, 0.3, (2, L)) for L, c in zip(lengths, y)]
    clf = LSTMClassifier(hidden_size=8, max_epochs=15, learning_rate=0.02, batch_size=32,
                         random_state=0, device="cpu").fit(X[:80], y[:80])
    assert clf.score(X[80:], y[80:]) >= 0.9
    longer = [np.full((2, 25), 1.0), np.full((2, 7), 0.0)]
    assert clf.predict(longer).tolist() == [1, 0]


def test_panel_errors_are_clear():
    """Wrong channels, NaN gaps and 4-D input raise DataError naming the problem."""
    X, y, _ = _bumps(20, length=16)
    clf = CNNTimeSeriesClassifier(filters=(2, 2, 2), max_epochs=1, random_state=0,
                                  device="cpu").fit(X, y)
    with pytest.raises(DataError, match="2 channels.*fitted on 1"):
        clf.predict(np.zeros((3, 2, 16)))
    bad = X.copy()
    bad[4, 0, 5:8] = np.nan
    with pytest.raises(DataError, match="series 4 at time steps 5-7"):
        clf.fit(bad, y)
    with pytest.raises(DataError, match="n_channels, n_timesteps"):
        clf.predict(np.zeros((2, 1, 4, 4)))
    with pytest.raises(DataError, match="expecting 16 features"):
        clf.predict(np.zeros((2, 1, 20)))


def test_save_load_round_trip(tmp_path):
    """Classifiers and forecasters predict the same after save() / deepmine.load()."""
    X, y, _ = _bumps(30, length=16)
    y_air = load_airline()[:60]
    models = [
        (CNNTimeSeriesClassifier(filters=(2, 4, 2), max_epochs=2, random_state=0, device="cpu")
         .fit(X, y), lambda m: m.predict_proba(X)),
        (CNNTimeSeriesClassifier("mcdcnn", max_epochs=2, random_state=0, device="cpu").fit(X, y),
         lambda m: m.predict_proba(X)),
        (LSTMClassifier(hidden_size=4, max_epochs=2, random_state=0, device="cpu").fit(X, y),
         lambda m: m.predict_proba(X)),
        (LSTMForecaster(hidden_size=4, horizon=3, max_epochs=2, seasonal_period=12, random_state=0,
                        device="cpu").fit(y_air), lambda m: m.predict(6)),
        (WindowForecaster(window=4, log=True, random_state=0).fit(y_air),
         lambda m: m.predict(6)),
    ]
    for i, (model, out) in enumerate(models):
        path = tmp_path / f"m{i}.deepmine"
        model.save(path)
        loaded = deepmine.load(path)
        a, b = out(model), out(loaded)
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6)
        if hasattr(a, "index"):
            assert a.index.equals(b.index)


def test_grid_search_over_architectures_on_a_panel():
    """GridSearchCV and cross-validation index 3-D panels and compare both CNN architectures."""
    from sklearn.model_selection import GridSearchCV

    X, y, _ = _bumps(60, length=24, seed=2)
    search = GridSearchCV(CNNTimeSeriesClassifier(filters=(4, 8, 4), max_epochs=8, batch_size=32,
                                                  learning_rate=0.01, random_state=0,
                                                  device="cpu"),
                          {"architecture": ["fcn", "mcdcnn"]}, cv=2).fit(X, y)
    assert search.best_params_["architecture"] in ("fcn", "mcdcnn")
    assert search.best_score_ > 0.7


def test_forecaster_params_nest_like_scikit_learn():
    """WindowForecaster exposes its regressor's parameters (estimator__alpha) and clones cleanly."""
    from sklearn.base import clone
    from sklearn.linear_model import Ridge

    f = WindowForecaster(Ridge(alpha=1.0), window=3)
    f.set_params(estimator__alpha=5.0)
    assert f.get_params()["estimator__alpha"] == 5.0
    g = clone(f)
    assert g.estimator is not f.estimator and g.estimator.alpha == 5.0
