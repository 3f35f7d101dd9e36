"""deepmine: deep learning for data mining, on PyTorch, with the scikit-learn API.

The package follows the chapters of a data-mining lecture on deep learning:

- :mod:`deepmine.tabular` -- perceptron and multi-layer networks,
- :mod:`deepmine.autoencoders` -- autoencoders and outlier detection,
- :mod:`deepmine.vision` -- convolutional networks and pretrained features,
- :mod:`deepmine.adversarial`, :mod:`deepmine.visualize` -- attacking and looking inside networks,
- :mod:`deepmine.timeseries` -- sliding windows, LSTMs and CNNs for series,
- :mod:`deepmine.embeddings` -- word2vec and "anything2vec".

Every neural estimator trains through one engine, :mod:`deepmine.nn`.
Subpackages are imported lazily, so ``import deepmine`` stays cheap.
"""

import importlib

from deepmine._version import __version__

_SUBPACKAGES = {
    "nn", "tabular", "autoencoders", "vision", "adversarial", "visualize",
    "timeseries", "embeddings", "datasets", "tour", "serve", "cli", "report", "utils",
    "base", "exceptions",
}

__all__ = ["__version__", "load", *sorted(_SUBPACKAGES)]


def load(path, trusted_modules=None):
    """Load an estimator written by ``estimator.save(path)``.

    The file holds a JSON description and the weights in safetensors format.
    Loading reads data only: no pickle, and the file can name only the classes
    deepmine writes (its estimators, their table encoder and callbacks, and the
    scikit-learn regressors and scalers a ``WindowForecaster`` may wrap), each
    restored through its parameters and fitted attributes. The archive's sizes,
    the JSON nesting depth and the weights' names, shapes and dtypes are checked
    before the model is built.

    Parameters
    ----------
    path : str or path-like
        File written by :meth:`deepmine.base.BaseDeepEstimator.save`.
    trusted_modules : list of classes or None, default=None
        Your own network classes that the file may name, for a
        :class:`deepmine.nn.NeuralNetClassifier` (or regressor, transformer)
        saved with ``module=MyNet``: ``deepmine.load(path, trusted_modules=[MyNet])``.
        The network is rebuilt by calling the class with the saved ``module__*``
        parameters, so pass only classes you trust with the file's values. A
        file naming any other class (besides torch's optimizers and losses and
        deepmine's own) is refused.

    Returns
    -------
    estimator : fitted estimator

    Raises
    ------
    deepmine.exceptions.ModelFileError
        The file is not a deepmine model, is damaged, or names a class or field
        that deepmine does not write; the message says which.

    Examples
    --------
    >>> import deepmine, tempfile, os
    >>> from deepmine.tabular import Perceptron
    >>> from deepmine.datasets import load_credit
    >>> df = load_credit()
    >>> X, y = df.drop(columns=["Person", "Get Credit"]), df["Get Credit"]
    >>> p = Perceptron(random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "credit.dm")
    >>> p.save(path)
    >>> (deepmine.load(path).predict(X) == p.predict(X)).all()
    np.True_
    """
    from deepmine._persistence import load_estimator

    return load_estimator(path, trusted_modules)


def __getattr__(name):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"deepmine.{name}")
    raise AttributeError(f"module 'deepmine' has no attribute {name!r}")
