"""The engine parameters live once (``deepmine.nn._engine_params``): every estimator that trains
through the Trainer takes them in its signature, documents them with its own defaults, stores them
unchanged, and hands them to the Trainer."""

import importlib
import inspect
import sys

import numpy as np
import pytest

import deepmine
from deepmine.base import BaseDeepEstimator
from deepmine.nn import Trainer
from deepmine.nn._engine_params import (ENGINE_DEFAULTS, ENGINE_PARAMS, TRAINER_PARAMS,
                                        documented_engine_params, engine_params_doc)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _engine_estimators():
    """Every public class of deepmine that trains through the engine (a BaseDeepEstimator)."""
    for sub in {*deepmine.__all__, "nn"} - {"__version__", "load"}:
        mod = importlib.import_module(f"deepmine.{sub}")
        for name in getattr(mod, "__all__", ()):  # lazily exported classes load on access
            getattr(mod, name, None)
    return {c.__name__: c for c in _subclasses(BaseDeepEstimator)
            if c.__module__.startswith("deepmine.") and not c.__name__.startswith("_")
            and getattr(sys.modules[c.__module__], c.__name__, None) is c}


ESTIMATORS = _engine_estimators()


def test_the_engine_estimators_are_found():
    assert {"MLPClassifier", "MLPRegressor", "Perceptron", "AutoEncoder", "StackedAutoEncoder",
            "AutoEncoderOutlierDetector", "CNNTimeSeriesClassifier", "LSTMClassifier",
            "LSTMForecaster", "ConvNetClassifier", "NeuralNetClassifier", "NeuralNetRegressor",
            "NeuralNetTransformer"} <= set(ESTIMATORS)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_signature_takes_and_documents_every_engine_parameter(name):
    """Each engine parameter is in the signature (documented with the signature's default) or
    fixed as a class attribute; precision, devices and strategy are taken by every estimator."""
    cls = ESTIMATORS[name]
    params = inspect.signature(cls.__init__).parameters
    documented = documented_engine_params(cls.__doc__)
    for param in ENGINE_PARAMS:
        if param in params:
            assert param in documented, f"{name} does not document {param}"
            assert eval(documented[param]) == params[param].default, (name, param)
        else:
            assert hasattr(cls, param), f"{name} neither takes nor fixes {param}"
    assert {"precision", "devices", "strategy"} <= set(params)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_init_stores_every_argument_unchanged(name):
    cls = ESTIMATORS[name]
    names = [p for p in inspect.signature(cls.__init__).parameters if p != "self"
             and inspect.signature(cls.__init__).parameters[p].kind is not inspect.Parameter.VAR_KEYWORD]
    values = {p: object() for p in names}
    est = cls(**values)
    got = est.get_params(deep=False)
    assert all(got[p] is values[p] for p in names)


def test_trainer_from_estimator_reads_every_trainer_parameter():
    class Bare:
        pass

    est = Bare()
    values = {p: object() for p in TRAINER_PARAMS}
    vars(est).update(values)
    trainer = Trainer.from_estimator(est, max_epochs=1, description="x")
    assert all(getattr(trainer, p) is values[p] for p in TRAINER_PARAMS if p != "max_epochs")
    assert trainer.max_epochs == 1 and trainer.description == "x"
    default = Trainer.from_estimator(Bare())  # an estimator without them: the engine defaults
    assert all(getattr(default, p) == ENGINE_DEFAULTS[p] for p in TRAINER_PARAMS)


def test_engine_params_doc_overrides_defaults_and_refuses_unknown_names():
    doc = engine_params_doc(max_epochs=7, device="cpu")
    assert documented_engine_params(doc)["max_epochs"] == "7"
    assert documented_engine_params(doc)["device"] == '"cpu"'
    assert set(documented_engine_params(doc)) == set(ENGINE_PARAMS)
    with pytest.raises(ValueError, match="max_iter is not an engine parameter"):
        engine_params_doc(max_iter=3)


def _cases():
    from deepmine.autoencoders import AutoEncoder, AutoEncoderOutlierDetector, StackedAutoEncoder
    from deepmine.nn import NeuralNetClassifier
    from deepmine.tabular import MLPRegressor, Perceptron
    from deepmine.timeseries import CNNTimeSeriesClassifier, LSTMClassifier, LSTMForecaster
    from deepmine.vision import ConvNetClassifier

    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(24, 4)), np.arange(24) % 2
    series = rng.normal(size=(12, 1, 16))
    images = rng.rand(12, 8, 8)
    return {
        "AutoEncoder": (AutoEncoder((3,), code_size=2), (X,)),
        "StackedAutoEncoder": (StackedAutoEncoder((3,)), (X,)),
        "AutoEncoderOutlierDetector": (AutoEncoderOutlierDetector(n_estimators=2, max_samples=24,
                                                                  n_neighbors=0), (X,)),
        "MLPRegressor": (MLPRegressor((4,)), (X, X[:, 0])),
        "Perceptron": (Perceptron(), (X, y)),
        "NeuralNetClassifier": (NeuralNetClassifier(module__hidden=(4,)), (X, y)),
        "CNNTimeSeriesClassifier": (CNNTimeSeriesClassifier(filters=(2, 2, 2)), (series, y[:12])),
        "LSTMClassifier": (LSTMClassifier(hidden_size=2), (series, y[:12])),
        "LSTMForecaster": (LSTMForecaster(hidden_size=2, sequence_length=4, difference=0,
                                          seasonal_period=None, log=False),
                           (np.sin(np.arange(40.0)),)),
        "ConvNetClassifier": (ConvNetClassifier(conv_layers=[(2, 3)], hidden_layer_sizes=(4,)),
                              (images, y[:12])),
    }


@pytest.mark.parametrize("name", sorted(_cases()))
def test_engine_parameters_reach_the_trainer(name, monkeypatch):
    est, args = _cases()[name]
    seen, fit = [], Trainer.fit

    def recording_fit(trainer, *a, **kw):
        seen.append((trainer.precision, trainer.devices, trainer.strategy, trainer.batch_size))
        return fit(trainer, *a, **kw)

    monkeypatch.setattr(Trainer, "fit", recording_fit)
    est.set_params(precision="bf16-mixed", devices=3, batch_size=8, max_epochs=1, device="cpu",
                   random_state=0)
    est.fit(*args)
    assert seen and all(s == ("bf16-mixed", 3, None, 8) for s in seen)
