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
    "deepmine.nn._net": ("NeuralNetClassifier", "NeuralNetRegressor"),
    "deepmine.nn._net_transformer": ("NeuralNetTransformer",),
    "sklearn.linear_model": ("LinearRegression", "Ridge", "RidgeCV", "Lasso", "ElasticNet",
                             "SGDRegressor", "BayesianRidge", "HuberRegressor"),
    "sklearn.svm": ("SVR", "LinearSVR"),
    "sklearn.dummy": ("DummyRegressor",),
    "sklearn.preprocessing": ("StandardScaler", "MinMaxScaler", "LabelEncoder"),
    "sklearn.pipeline": ("Pipeline",),
}

#: classes that may be the top-level object of a model file (the rest only appear inside one)
_TOP_LEVEL = {name for mod, names in _ALLOWED.items() if mod.split(".")[1] in
              ("tabular", "autoencoders", "vision", "timeseries") for name in names} | {
    "NeuralNetClassifier", "NeuralNetRegressor", "NeuralNetTransformer"}

#: prefixes of the routed parameters (``module__hidden``) of the generic nets
_ROUTED = ("module__", "optimizer__", "criterion__")

#: private fitted fields (not ending in ``_``) that a class writes, by class name
_EXTRA_FIELDS = {
    "MLPRegressor": {"_y_1d"}, "NeuralNetRegressor": {"_y_1d"},
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


def is_routed(cls, key):
    """Whether ``key`` is a routed parameter (``module__hidden``) of a generic net ``cls``."""
    return (cls.__module__ in ("deepmine.nn._net", "deepmine.nn._net_transformer")
            and key.startswith(_ROUTED)
            and key not in _ROUTED and key.isidentifier())


# ---- classes as parameter values (``module=MyNet``, ``optimizer=torch.optim.SGD``) ---------
def _safe_classes():
    """The classes a file may name as a parameter value without the caller trusting them."""
    import torch

    from deepmine.nn import _modules, _optim

    found = [c for c in vars(torch.optim).values()
             if isinstance(c, type) and issubclass(c, torch.optim.Optimizer)]
    found += [c for c in vars(torch.nn).values()
              if isinstance(c, type) and issubclass(c, torch.nn.modules.loss._Loss)]
    found += [c for c, _ in _optim.OPTIMIZERS.values()] + [_modules.MLPModule,
                                                       _modules.AutoEncoderModule]
    return {class_name(c): c for c in found}


def importable(cls):
    """Whether ``cls`` can be named again as ``module:QualName``: not local to a function.

    A class of ``__main__`` (a script, a notebook) counts: loading never imports a
    user class, it compares the name with the classes passed as ``trusted_modules``,
    so the script that defines the class again finds it.
    """
    import importlib
    import sys

    if "<locals>" in cls.__qualname__:
        return False
    try:
        obj = sys.modules["__main__"] if cls.__module__ == "__main__" else \
            importlib.import_module(cls.__module__)
        for part in cls.__qualname__.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        return False
    return obj is cls


def resolve_class(name, trusted=()):
    """The class a file names as a parameter value: a torch optimizer or loss, deepmine's module
    classes, or one of ``trusted`` (classes the caller passed); None otherwise.

    The name is only compared with those classes: nothing is imported because a file says so.
    """
    if not isinstance(name, str):
        return None
    for cls in trusted:
        if isinstance(cls, type) and class_name(cls) == name:
            return cls
    if "safe" not in _cache:
        _cache["safe"] = _safe_classes()
    return _cache["safe"].get(name)


def field_problem(cls, key):
    """Why ``key`` cannot be restored on ``cls`` (a short phrase), or None when it can."""
    if not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key):
        return f"field {key!r} is not a valid attribute name"
    if key.startswith("__"):
        return f"field {key!r} is a special name"
    if any(key in vars(k) for k in cls.__mro__):
        return f"field {key!r} would shadow {cls.__qualname__}.{key}"
    if key in params_of(cls) or is_routed(cls, key) or key.endswith("_") or key in _EXTRA_FIELDS.get(cls.__qualname__, ()):
        return None
    return f"field {key!r} is neither a parameter nor fitted state of {cls.__qualname__}"


# ---- fitted state that predictions rely on ------------------------------------------------
_DEEP = {"module_", "device_", "history_", "loss_curve_", "n_iter_"}
_NET = _DEEP | {"input_shape_", "n_inputs_"}
_TABULAR = _DEEP | {"encoder_", "n_features_in_", "n_inputs_"}
_PANEL = _DEEP | {"classes_", "class_weight_", "channel_mean_", "channel_scale_",
                  "n_channels_in_", "n_features_in_", "n_timesteps_in_"}
_SERIES = {"y_", "y_name_", "index_kind_", "index_freq_", "index_last_"}
_AE = _TABULAR | {"mean_", "scale_", "data_min_", "data_max_"}

#: fitted fields a file must hold for each class (a fitted estimator always writes them)
REQUIRED = {
    "MLPClassifier": _TABULAR | {"classes_", "class_weight_"},
    "Perceptron": _TABULAR | {"classes_", "class_weight_"},
    "MLPRegressor": _TABULAR | {"_y_1d", "n_outputs_", "y_mean_", "y_scale_"},
    "AutoEncoder": _AE, "StackedAutoEncoder": _AE | {"pretrain_history_"},
    "AutoEncoderOutlierDetector": _TABULAR | {"mean_", "scale_", "offset_"},
    "ConvNetClassifier": _DEEP | {"classes_", "class_weight_", "channel_mean_", "channel_std_",
                                  "conv_layers_", "image_shape_", "n_features_in_",
                                  "pixel_range_"},
    "CNNTimeSeriesClassifier": _PANEL, "LSTMClassifier": _PANEL,
    "LSTMForecaster": _DEEP | _SERIES | {"mean_", "scale_", "sequence_length_"},
    "WindowForecaster": _SERIES | {"estimators_", "mean_", "scale_"},
    "NaiveForecaster": _SERIES,
    "NeuralNetClassifier": _NET | {"classes_", "class_weight_"},
    "NeuralNetRegressor": _NET | {"_y_1d", "n_outputs_", "y_mean_", "y_scale_"},
    "NeuralNetTransformer": _NET | {"n_components_"},
    "TableEncoder": {"columns_", "kinds_", "categories_", "output_names_"},
    **dict.fromkeys(["LinearRegression", "Ridge", "RidgeCV", "Lasso", "ElasticNet", "SGDRegressor",
                     "BayesianRidge", "HuberRegressor", "LinearSVR"],
                    {"coef_", "intercept_", "n_features_in_"}),
}

#: the kind of value each fitted field of a deepmine class holds (fields not listed: any)
KINDS = {
    **dict.fromkeys(["n_features_in_", "n_inputs_", "n_outputs_", "n_channels_in_",
                     "n_timesteps_in_", "sequence_length_", "n_components_"], "count"),
    **dict.fromkeys(["classes_", "channel_mean_", "channel_scale_", "channel_std_", "data_min_",
                     "data_max_", "y_mean_", "y_scale_", "y_"], "array"),
    "mean_": "number, array or None",
    "scale_": "positive scale or None",
    **dict.fromkeys(["offset_"], "number"),
    "index_kind_": "string or None",
    **dict.fromkeys(["index_freq_", "index_last_", "y_name_"], "label or None"),
    **dict.fromkeys(["estimators_", "loss_curve_", "conv_layers_", "pretrain_history_"], "list"),
    **dict.fromkeys(["columns_", "kinds_", "output_names_"], "list of strings"),
    "categories_": "list of lists",
    **dict.fromkeys(["image_shape_", "pixel_range_", "input_shape_"], "tuple"),
    "n_iter_": "count or None", "device_": "device", "history_": "history", "module_": "network",
    "encoder_": "TableEncoder or None", "_y_1d": "bool", "_flat_input_": "bool",
}

#: the same for the scikit-learn classes (whose other fields vary between versions)
_SKLEARN_KINDS = {"coef_": "array", "intercept_": "number or array", "n_features_in_": "count"}


def kind_of(cls, key):
    """The declared kind of field ``key`` of ``cls`` (a key of ``KINDS``' values) or None."""
    if cls.__module__.startswith("deepmine."):
        return KINDS.get(key)
    return _SKLEARN_KINDS.get(key)
