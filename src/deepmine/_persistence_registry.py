"""The classes a deepmine model file may name, and the fields each of them may restore.

A model file names a class as ``"module:QualName"``. Only the classes listed
here can appear: the estimators that ``save()`` writes, the helper objects they
hold (the table encoder, callbacks) and the scikit-learn regressors and
preprocessors a :class:`~deepmine.timeseries.WindowForecaster` may wrap. A name
is resolved by importing the listed public module and taking one attribute of
it, never by following a dotted chain from the file; the class found must carry
exactly the name written in the file.

The fields of an object are its constructor parameters plus its fitted state:
names ending in ``_`` (not dunder names) and the few private names listed in
``_EXTRA_FIELDS``. A field that would shadow a method, property or class
attribute is refused.
"""

import inspect
import keyword

#: public module -> classes of it that a model file may name
_ALLOWED = {
    "deepmine.tabular": ("MLPClassifier", "MLPRegressor", "Perceptron"),
    "deepmine.autoencoders": ("AutoEncoder", "StackedAutoEncoder", "AutoEncoderOutlierDetector"),
    "deepmine.vision": ("ConvNetClassifier",),
    "deepmine.timeseries": ("CNNTimeSeriesClassifier", "LSTMClassifier", "LSTMForecaster",
                            "WindowForecaster", "NaiveForecaster"),
    "deepmine.utils._table": ("TableEncoder",),
    "deepmine.nn": ("EarlyStopping", "ProgressBar"),
    "sklearn.linear_model": ("LinearRegression", "Ridge", "RidgeCV", "Lasso", "ElasticNet",
                             "SGDRegressor", "BayesianRidge", "HuberRegressor"),
    "sklearn.svm": ("SVR", "LinearSVR"),
    "sklearn.dummy": ("DummyRegressor",),
    "sklearn.preprocessing": ("StandardScaler", "MinMaxScaler", "LabelEncoder"),
    "sklearn.pipeline": ("Pipeline",),
}

#: classes that may be the top-level object of a model file (the rest only appear inside one)
_TOP_LEVEL = {name for mod, names in _ALLOWED.items() if mod.split(".")[1] in
              ("tabular", "autoencoders", "vision", "timeseries") for name in names}

#: private fitted fields (not ending in ``_``) that a class writes, by class name
_EXTRA_FIELDS = {
    "MLPRegressor": {"_y_1d"},
    "Lasso": {"l1_ratio"},
    "SVR": {"nu", "probability", "class_weight", "random_state", "_sparse",
            "_effective_probability", "_gamma", "_n_support", "_probA", "_probB", "_num_iter"},
}

_cache = {}


def class_name(cls):
    """The name a model file uses for ``cls``: ``"module:QualName"``."""
    return f"{cls.__module__}:{cls.__qualname__}"


def resolve(name):
    """The registered class written as ``name``, or None when ``name`` is not registered."""
    if not isinstance(name, str) or name.count(":") != 1:
        return None
    if name in _cache:
        return _cache[name]
    qualname = name.partition(":")[2]
    import importlib

    for module_name, names in _ALLOWED.items():
        if qualname in names:
            cls = vars(importlib.import_module(module_name)).get(qualname)
            if isinstance(cls, type) and class_name(cls) == name:
                _cache[name] = cls
                return cls
    return None


def is_registered(cls):
    """Whether instances of ``cls`` may be written to (and read from) a model file."""
    return isinstance(cls, type) and resolve(class_name(cls)) is cls


def is_top_level(cls):
    """Whether ``cls`` is an estimator that a model file may hold at its root."""
    return is_registered(cls) and cls.__qualname__ in _TOP_LEVEL


def params_of(cls):
    """Constructor parameter names of ``cls`` (its ``get_params`` keys for an estimator)."""
    if cls.__init__ is object.__init__:
        return ()
    sig = inspect.signature(cls.__init__)
    return tuple(p.name for p in sig.parameters.values()
                 if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


def field_problem(cls, key):
    """Why ``key`` cannot be restored on ``cls`` (a short phrase), or None when it can."""
    if not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key):
        return f"field {key!r} is not a valid attribute name"
    if key.startswith("__"):
        return f"field {key!r} is a special name"
    if any(key in vars(k) for k in cls.__mro__):
        return f"field {key!r} would shadow {cls.__qualname__}.{key}"
    if key in params_of(cls) or key.endswith("_") or key in _EXTRA_FIELDS.get(cls.__qualname__, ()):
        return None
    return f"field {key!r} is neither a parameter nor fitted state of {cls.__qualname__}"
