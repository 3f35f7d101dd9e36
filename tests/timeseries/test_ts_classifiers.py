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


def test_lstm_classifier_remembers_a_pattern_far_from_the_end():
    """A 5-step pulse 35 steps before the end decides the class: the default LSTM initialisation
    (forget-gate bias 1) carries it to the last state; PyTorch's own (forget gate near 0.5)
    stays at the majority class with the same budget."""
    import warnings

    from deepmine.timeseries._architectures import LSTMNet

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 128)
    X = rng.normal(0, 0.3, (128, 1, 40))
    X[:, 0, 5:10] += np.where(y == 1, 1.5, -1.5)[:, None]

    class TorchInit(LSTMClassifier):
        def _build_module(self, context=None):
            return LSTMNet(self.n_channels_in_, len(self.classes_), hidden_size=self.hidden_size)

    params = dict(hidden_size=8, max_epochs=40, random_state=0, device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # convergence: 40 epochs are few on purpose
        default = LSTMClassifier(**params).fit(X[:64], y[:64])
        torch_init = TorchInit(**params).fit(X[:64], y[:64])
    assert default.score(X[64:], y[64:]) >= 0.9
    assert torch_init.score(X[64:], y[64:]) <= 0.7


def test_panel_errors_are_clear():
    """Wrong channels, NaN gaps, 1-D and 4-D input raise DataError naming the problem."""
    X, y, _ = _bumps(20, length=16)
    clf = CNNTimeSeriesClassifier(filters=(2, 2, 2), max_epochs=1, random_state=0,
                                  device="cpu").fit(X, y)
    with pytest.raises(DataError, match="2 channels.*fitted on 1"):
        clf.predict(np.zeros((3, 2, 16)))
    bad = X.copy()
    bad[4, 0, 5:8] = np.nan
    with pytest.raises(DataError, match="series 4 at time steps 5-7"):
        clf.fit(bad, y)
    with pytest.raises(DataError, match="series 4 at time steps 5-7"):   # a table of series too
        clf.fit(bad[:, 0, :], y)
    with pytest.raises(DataError, match=r"Input y contains NaN.*rows \[1\]"):
        clf.fit(X[:, 0, :], [y[0], None, *y[2:]])
    with pytest.raises(DataError, match="n_channels, n_timesteps"):
        clf.predict(np.zeros((2, 1, 4, 4)))
    with pytest.raises(DataError, match="expecting 16 features"):
        clf.predict(np.zeros((2, 1, 20)))
    with pytest.raises(DataError, match=r"shape \(16,\)\. Reshape your data: one series is X\[None"):
        clf.predict(np.zeros(16))
    with pytest.raises(DataError, match="X must be a panel of series"):
        CNNTimeSeriesClassifier(max_epochs=1).fit(np.zeros(4), [0, 1, 0, 1])


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


def _train_eval_loss(clf, X, y):
    """Cross-entropy of the fitted network on (X, y) in eval mode, as the checkpoint measures it."""
    import torch

    Xp, yp = clf._validate_fit(X, y, reset=False)
    clf.module_.eval()
    with torch.no_grad():
        return float(clf._compute_loss(clf.module_, (torch.as_tensor(Xp), torch.as_tensor(yp))))


def test_kept_weights_are_the_eval_mode_best():
    """The restored FCN has the lowest eval-mode training loss of all epochs (batch-norm statistics
    included), and that epoch need not be the one with the lowest training-mode loss."""
    X, y, _ = _bumps(48, length=24, seed=3)
    clf = CNNTimeSeriesClassifier(filters=(4, 8, 4), max_epochs=12, learning_rate=0.05,
                                  random_state=0, device="cpu").fit(X, y)
    recorded = clf.history_["train_eval_loss"]
    assert len(recorded) == 12 and None not in recorded
    assert _train_eval_loss(clf, X, y) == pytest.approx(min(recorded), rel=1e-5)


def test_checkpoint_uses_the_validation_split_when_asked():
    """With validation_fraction (no early stopping) the kept weights are those of the lowest
    validation loss; no extra eval pass over the training set is logged."""
    X, y, _ = _bumps(60, length=24, seed=4)
    clf = CNNTimeSeriesClassifier(filters=(4, 8, 4), max_epochs=8, learning_rate=0.05,
                                  validation_fraction=0.25, random_state=0, device="cpu").fit(X, y)
    valid = clf.history_["valid_loss"]
    assert None not in valid and set(clf.history_["train_eval_loss"]) == {None}
    import torch

    from sklearn.model_selection import train_test_split

    _, va = train_test_split(np.arange(60), test_size=15, random_state=0, stratify=y)
    assert _train_eval_loss(clf, X[np.sort(va)], y[np.sort(va)]) == pytest.approx(min(valid),
                                                                                   rel=1e-5)
    del torch


@pytest.mark.parametrize("make", [
    lambda: CNNTimeSeriesClassifier(filters=(4, 8, 4), max_epochs=3, random_state=0, device="cpu"),
    lambda: LSTMClassifier(hidden_size=4, max_epochs=3, random_state=0, device="cpu"),
])
def test_unequal_length_model_predicts_one_series(make):
    """Fitted on unequal-length series, a model predicts a list of one, a 1-D array, and a 2-D
    array of univariate series of a new length; each single series is predicted as in a list."""
    rng = np.random.default_rng(0)
    X = [rng.normal(size=int(L)) for L in rng.integers(10, 20, 30)]
    y = rng.integers(0, 2, 30)
    clf = make().fit(X, y)
    batch = clf.predict_proba(X[:3])
    for i in range(3):
        np.testing.assert_allclose(clf.predict_proba([X[i]]), batch[i:i + 1], rtol=1e-5,
                                   atol=1e-6)
        np.testing.assert_allclose(clf.predict_proba(X[i]), batch[i:i + 1], rtol=1e-5, atol=1e-6)
    assert clf.predict(np.zeros((4, 13))).shape == (4,)


def test_multichannel_model_predicts_one_2d_series():
    """A 2-D (n_channels, length) array is one series for a multichannel model."""
    X, y, _ = _bumps(20, length=16, n_channels=3)
    clf = CNNTimeSeriesClassifier(filters=(2, 4, 2), max_epochs=2, random_state=0,
                                  device="cpu").fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X[5]), clf.predict_proba(X[5:6]), rtol=1e-6)


def _counts(n, seed):
    """Rising vs falling counts whose sizes span four decades (as in case counts per region)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    t = np.linspace(0, 1, 30)
    shape = np.where(y[:, None] == 1, t[None, :], 1 - t[None, :]) + 0.3
    size = 10 ** rng.uniform(0, 4, n)
    return rng.poisson(size[:, None] * shape).astype(float)[:, None, :], y


def test_default_normalization_handles_raw_counts():
    """On counts spanning decades the default scales series on their own (channel scaling would
    squash most series flat) and beats the majority class by far; z-normalized data keep channel
    scaling."""
    X, y = _counts(160, seed=0)
    params = dict(filters=(8, 8, 8), max_epochs=15, learning_rate=0.01, batch_size=32,
                  random_state=0, device="cpu")
    clf = CNNTimeSeriesClassifier(**params).fit(X[:100], y[:100])
    assert clf.normalize == "auto" and clf.normalize_ == "series"
    majority = max(np.mean(y[100:]), 1 - np.mean(y[100:]))
    assert clf.score(X[100:], y[100:]) >= max(0.9, majority + 0.2)
    Xz, yz, _ = _bumps(30, length=16)
    assert CNNTimeSeriesClassifier(**{**params, "max_epochs": 1}).fit(Xz, yz).normalize_ == "channel"


def test_documented_defaults_match_the_signatures():
    """Every 'name : type, default=value' line of the classifiers' docstrings matches __init__."""
    import inspect
    import re

    for cls in (CNNTimeSeriesClassifier, LSTMClassifier):
        documented = dict(re.findall(r"\n    (\w+) : [^\n]*default=([^\n]+)", cls.__doc__))
        params = inspect.signature(cls.__init__).parameters
        assert set(documented) == set(params) - {"self"}
        for name, text in documented.items():
            default = params[name].default
            if isinstance(default, float):
                assert float(text) == default, name
            else:
                assert text == repr(default).replace("'", '"'), name


def test_fawaz_recipe_applies_at_fit_and_leaves_the_parameters():
    """recipe='fawaz2019' trains with batch min(16, n // 10) and the plateau schedule; get_params
    still returns what the user set (clone-safe)."""
    from sklearn.base import clone

    X, y, _ = _bumps(40, length=12)
    seen = {}

    from deepmine.nn import Callback

    class Spy(Callback):
        def on_train_begin(self, trainer):
            seen.update(batch=trainer.batch_size, epochs=trainer.max_epochs,
                        schedule=trainer.lr_schedule, lr=trainer.learning_rate)
            trainer.stop_training = True

    clf = CNNTimeSeriesClassifier(filters=(2, 2, 2), recipe="fawaz2019", callbacks=[Spy()],
                                  random_state=0, device="cpu").fit(X, y)
    assert seen == {"batch": 4, "epochs": 2000, "lr": 1e-3, "schedule": (
        "plateau", {"factor": 0.5, "patience": 50, "min_lr": 1e-4})}
    assert clf.n_iter_ == 1 and clf.get_params()["max_epochs"] == 150
    assert clone(clf).get_params()["batch_size"] == 16
