"""The training engine: one loop for every neural estimator of deepmine.

:class:`Trainer` does mini-batch training over tensors, optimizers and
learning-rate schedules by name, early stopping, history, progress bar,
divergence checks, seeding and mixed precision, over in-memory tensors or a
``torch.utils.data.Dataset``. Estimators in :mod:`deepmine.tabular`,
:mod:`deepmine.autoencoders`, :mod:`deepmine.vision` and
:mod:`deepmine.timeseries` only supply a network and a loss.
"""

from deepmine.nn._callbacks import Callback, Checkpoint, EarlyStopping, ProgressBar
from deepmine.nn._history import History
from deepmine.nn._loggers import CSVLogger, EpochScoring, LRMonitor
from deepmine.nn._layers import get_activation, make_mlp
from deepmine.nn._optim import OPTIMIZERS, SCHEDULES, get_optimizer, get_scheduler
from deepmine.nn._summary import Summary
from deepmine.nn._training import Trainer

__all__ = [
    "Trainer", "History", "Callback", "Checkpoint", "EarlyStopping", "ProgressBar",
    "CSVLogger", "EpochScoring", "LRMonitor",
    "make_mlp", "get_activation", "get_optimizer", "get_scheduler",
    "OPTIMIZERS", "SCHEDULES", "Summary",
    "NeuralNetClassifier", "NeuralNetRegressor", "NeuralNetTransformer", "MLPModule",
    "AutoEncoderModule",
]

#: the generic nets build on :mod:`deepmine.base`, which imports this package: loaded on first use
_NETS = {"NeuralNetClassifier", "NeuralNetRegressor", "NeuralNetTransformer", "MLPModule",
         "AutoEncoderModule"}


def __getattr__(name):
    if name in _NETS:
        import importlib

        where = {"NeuralNetTransformer": "_net_transformer", "MLPModule": "_modules",
                 "AutoEncoderModule": "_modules"}.get(name, "_net")
        return getattr(importlib.import_module(f"deepmine.nn.{where}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
