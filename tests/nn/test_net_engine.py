"""Engine features every neural estimator shares: optimizer classes, summary(), scikit-learn names."""

import numpy as np
import pytest
import torch

from deepmine.exceptions import InvalidParameterError
from deepmine.nn import get_optimizer
from deepmine.tabular import MLPClassifier, MLPRegressor
from deepmine.timeseries import LSTMClassifier
from deepmine.vision import ConvNetClassifier

X = np.random.RandomState(0).rand(40, 6)
Y = np.arange(40) % 2


@pytest.mark.parametrize("optimizer", [torch.optim.SGD, torch.optim.Adam, torch.optim.RMSprop,
                                       ("adam", {"betas": (0.5, 0.6)}), (torch.optim.SGD, {"momentum": 0.5})])
def test_optimizer_classes_and_options(optimizer):
    clf = MLPClassifier((4,), optimizer=optimizer, max_epochs=2, random_state=0, device="cpu")
    opt = clf.fit(X, Y).optimizer_
    cls, options = optimizer if isinstance(optimizer, tuple) else (optimizer, {})
    assert isinstance(opt, torch.optim.Adam if cls == "adam" else cls)
    assert all(opt.defaults[k] == v for k, v in options.items())
    assert opt.defaults["weight_decay"] == clf.weight_decay_ == 0.03  # "auto" on 40 rows


def test_optimizer_class_takes_its_own_learning_rate_default():
    params = torch.nn.Linear(2, 1).parameters()
    assert get_optimizer(torch.optim.Adagrad, params).defaults["lr"] == 0.01
    assert get_optimizer(torch.optim.SGD, torch.nn.Linear(2, 1).parameters(),
                         learning_rate=0.3).defaults["lr"] == 0.3


@pytest.mark.parametrize("bad", [torch.optim.Adam(torch.nn.Linear(1, 1).parameters()), "adma",
                                 int, ("adam", {"bogus": 1})])
def test_bad_optimizer_is_a_clear_error(bad):
    with pytest.raises(InvalidParameterError, match="optimizer"):
        MLPClassifier((4,), optimizer=bad, max_epochs=1, device="cpu").fit(X, Y)


@pytest.mark.parametrize(("name", "deepmine_name"), [
    ("max_iter", "max_epochs"), ("alpha", "weight_decay"), ("learning_rate_init", "learning_rate"),
    ("n_iter_no_change", "patience"), ("solver", "optimizer")])
def test_sklearn_mlp_names_raise_a_type_error_naming_deepmine(name, deepmine_name):
    with pytest.raises(TypeError, match=f"instead of {name}= pass {deepmine_name}="):
        MLPClassifier(**{name: 1})
    with pytest.raises(TypeError, match=f"{deepmine_name}="):
        MLPRegressor().set_params(**{name: 1})


def test_summary_counts_every_parameter():
    clf = MLPClassifier((8, 4), max_epochs=1, device="cpu").fit(X, Y)
    s = clf.summary()
    assert s.total_params == sum(p.numel() for p in clf.module_.parameters()) == s.trainable_params
    assert sum(r["params"] for r in s.layers) == s.total_params
    assert [r["output_shape"] for r in s.layers if r["type"] == "Linear"] == [
        (None, 8), (None, 4), (None, 2)]
    text = str(s)
    assert "Output Shape" in text and f"Total params: {s.total_params:,}" in text
    assert clf.module_.training is False  # summary leaves the mode as it was


def test_summary_counts_frozen_parameters_and_layers_that_did_not_run():
    clf = LSTMClassifier(hidden_size=4, max_epochs=1, device="cpu").fit(X, Y)
    clf.module_.head.weight.requires_grad_(False)
    s = clf.summary()
    assert s.non_trainable_params == clf.module_.head.weight.numel()
    assert dict((r["name"], r["output_shape"]) for r in s.layers)["lstm"] == (None, 6, 4)


def test_summary_of_images_needs_no_sample_and_dataframes_work():
    import pandas as pd

    conv = ConvNetClassifier(conv_layers=[(2, 3)], max_epochs=1, device="cpu")
    conv.fit(np.random.rand(10, 1, 8, 8), np.arange(10) % 2)
    assert conv.summary().layers[-1]["output_shape"] == (None, 2)
    df = pd.DataFrame({"a": X[:, 0], "b": ["x", "y"] * 20})
    clf = MLPClassifier((3,), max_epochs=1, device="cpu").fit(df, Y)
    assert clf.summary().layers[-1]["output_shape"] == (None, 2)
    assert clf.summary(df).total_params == clf.summary().total_params


def test_summary_before_fit_is_not_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        MLPClassifier().summary()


def test_fast_prediction_path_matches_the_checked_path():
    clf = MLPClassifier((8,), max_epochs=2, random_state=0, device="cpu").fit(X, Y)
    fast = clf.predict_proba(X[:1])                       # float64 ndarray: the fast path
    checked = clf.predict_proba(X[:1].tolist())           # a list: the full checks
    np.testing.assert_array_equal(fast, checked)
    bad = X[:1].copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(bad)
    with pytest.raises(ValueError, match="6 features"):
        clf.predict(X[:1, :5])


@pytest.mark.parametrize(("params", "message"), [
    ({"batch_size": 0}, "The 'batch_size' parameter of MLPClassifier must be an int in the range "
                        "[1, inf). Got 0 instead."),
    ({"batch_size": 2.0}, "must be an int in the range [1, inf). Got 2.0"),
    ({"activation": "swish"}, "must be a str among {'gelu', 'identity', 'leaky_relu', "
                              "'logistic', 'relu', 'sigmoid', 'tanh'}. Got 'swish'"),
    ({"learning_rate": -1.0}, "must be a float in the range (0, inf) or None"),
    ({"early_stopping": 1}, "must be a bool. Got 1"),
    ({"random_state": "seed"}, "'random_state' parameter of MLPClassifier must be an int"),
    ({"validation_fraction": float("nan")}, "must be a float in the range [0, 1) or None"),
])
def test_parameter_validation_names_the_parameter_and_what_is_allowed(params, message):
    with pytest.raises(InvalidParameterError) as info:
        MLPClassifier(max_epochs=1, device="cpu", **params).fit(X, Y)
    assert message in str(info.value)
