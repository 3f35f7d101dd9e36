"""Exceptions and warnings raised by deepmine.

Hierarchy::

    DeepmineError(Exception)
    ├── InvalidParameterError(DeepmineError, ValueError, TypeError)
    ├── DataError(DeepmineError, ValueError)        bad input data: shapes, NaN, empty, unknown items
    ├── DivergenceError(DeepmineError, FloatingPointError)   the training loss became NaN/inf
    ├── ModelFileError(DeepmineError, ValueError)   a saved model that cannot be read
    └── MissingDependencyError(DeepmineError, ImportError)   an optional package is missing
    NotFittedError, ConvergenceWarning              scikit-learn's classes (imported on first use)
    DeviceWarning(UserWarning), DataWarning(UserWarning)
"""

__all__ = [
    "DeepmineError", "InvalidParameterError", "DataError", "DivergenceError",
    "ModelFileError", "MissingDependencyError", "NotFittedError", "ConvergenceWarning",
    "DeviceWarning",
    "DataWarning",
]


class DeepmineError(Exception):
    """Base class of all deepmine errors."""


class InvalidParameterError(DeepmineError, ValueError, TypeError):
    """A hyperparameter or function argument has an invalid value."""


class DataError(DeepmineError, ValueError):
    """Input data cannot be used: wrong shape, NaN, empty, unknown items."""


class DivergenceError(DeepmineError, FloatingPointError):
    """The training loss became NaN or infinite."""


class ModelFileError(DeepmineError, ValueError):
    """A saved model file is malformed or was not written by deepmine."""


class MissingDependencyError(DeepmineError, ImportError):
    """An optional package that a feature needs is not installed; the message names the extra."""


class DeviceWarning(UserWarning):
    """A requested device is not available and another one is used."""


class DataWarning(UserWarning):
    """Input data was used but looks suspicious."""


def __getattr__(name):
    # scikit-learn's own classes (so ``except NotFittedError`` catches what sklearn raises),
    # imported on first use: importing scikit-learn takes about a second.
    if name in ("NotFittedError", "ConvergenceWarning"):
        import sklearn.exceptions

        return getattr(sklearn.exceptions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
