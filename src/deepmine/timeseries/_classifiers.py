"""Time-series classifiers on panels ``(n_series, n_channels, n_timesteps)``: CNNs and an LSTM.

The networks are in :mod:`deepmine.timeseries._architectures`; training follows
Fawaz et al. 2019 ("Deep learning for time series classification: a review"):
no validation data is taken from the small training sets, and the weights kept
are those of the epoch with the lowest loss on the training set measured in
eval mode (:class:`deepmine.nn.Checkpoint`), so the batch-norm statistics
belong to the kept weights.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from deepmine.base import (ENGINE_DEFAULTS, ENGINE_PARAMS_DOC, BaseDeepEstimator,
                           DeepClassifierMixin)
from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.nn import Checkpoint, EarlyStopping
from deepmine.timeseries._architectures import FCN, MCDCNN, LSTMNet
from deepmine.timeseries._validation import check_panel

__all__ = ["CNNTimeSeriesClassifier", "LSTMClassifier"]


def best_train_loss_checkpoint():
    """Keep the weights of the epoch with the lowest training loss (never stops early)."""
    return EarlyStopping(monitor="train_loss", patience=2**31, min_delta=0.0,
                         restore_best_weights=True)


#: ``normalize="auto"`` scales each series on its own when, in some channel, more than
#: this share of the series would be nearly flat after channel scaling (their standard
#: deviation below ``_FLAT_RATIO`` times the channel's): raw counts spanning decades.
_FLAT_SHARE, _FLAT_RATIO = 0.5, 0.05


#: ``recipe="fawaz2019"``: Fawaz et al. 2019's training settings (the batch size depends on the data).
_RECIPES = {"fawaz2019": dict(optimizer="adam", learning_rate=1e-3, max_epochs=2000, lr_schedule=(
    "plateau", {"factor": 0.5, "patience": 50, "min_lr": 1e-4}))}


def _with_signature_defaults(cls):
    """Make the documented engine defaults of ``cls`` those of its ``__init__``."""
    import inspect

    doc = cls.__doc__
    for name, param in inspect.signature(cls.__init__).parameters.items():
        start = doc.find(f"\n    {name} : ")
        if name not in ENGINE_DEFAULTS or start < 0 or param.default == ENGINE_DEFAULTS[name]:
            continue
        end = doc.index("\n", start + 1)
        line = doc[start:end]
        value = f'"{param.default}"' if isinstance(param.default, str) else repr(param.default)
        doc = doc[:start] + line[:line.rindex("default=")] + f"default={value}" + doc[end:]
    cls.__doc__ = doc
    return cls


class _PanelClassifier(DeepClassifierMixin, ClassifierMixin, BaseDeepEstimator):
    """Shared: panel validation, per-channel or per-series scaling, padding of unequal lengths."""

    _pad_start = False

    _parameter_constraints = {
        **BaseDeepEstimator._parameter_constraints,
        "normalize": [StrOptions({"auto", "channel", "series", "none"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def _default_callbacks(self):
        # early stopping restores its own best (validation-loss) weights; otherwise keep
        # the epoch with the lowest validation loss, or eval-mode training loss without one
        return [] if self.early_stopping else [Checkpoint(compute_loss=self._compute_loss)]

    def _length_agnostic(self):
        return True

    def _check_input(self, X, y, reset):
        """-> (X float64 (n, C, T), lengths or None, y); 2-D tables go through scikit-learn's checks."""
        if not reset:
            X = self._as_series_list(X)
        if _is_table(X):                 # (n_series, n_timesteps): univariate series as rows
            from sklearn.utils.validation import validate_data

            kw = dict(reset=reset, dtype=np.float64)
            if y is None:
                X = validate_data(self, X, **kw)
            else:
                X, y = validate_data(self, X, y, **kw)
            if reset:
                self.unequal_length_ = False
            return X[:, None, :], None, y
        X, lengths = check_panel(X)
        if reset:
            self.n_features_in_ = X.shape[2] if X.shape[1] == 1 else X.shape[1] * X.shape[2]
            self.__dict__.pop("feature_names_in_", None)
            self.unequal_length_ = lengths is not None
        elif lengths is None and getattr(self, "unequal_length_", False):
            lengths = np.full(len(X), X.shape[2])    # any length, as in training
        return X, lengths, y

    def _as_series_list(self, X):
        """At predict time, read one series or a 2-D array as the fitted model's kind of input.

        A model fitted on unequal-length series takes any length: a 2-D array is
        then a list of univariate series (or one ``(n_channels, length)`` series),
        a 1-D array one univariate series. A multichannel model also reads a 2-D
        ``(n_channels, length)`` array as one series.
        """
        C = getattr(self, "n_channels_in_", 1)
        if isinstance(X, (list, tuple)):
            if getattr(self, "unequal_length_", False) and all(np.ndim(x) == 1 for x in X):
                return [np.asarray(x)[None, :] for x in X]       # never a table
            return X
        if hasattr(X, "columns") or not hasattr(X, "ndim"):
            return X
        if X.ndim == 2 and C > 1 and X.shape[0] == C:
            return [X]
        if getattr(self, "unequal_length_", False):
            if X.ndim == 1 and C == 1:
                return [X[None, :]]
            if X.ndim == 2:
                return list(X[:, None, :]) if C == 1 else [X]
        return X

    def _resolve_normalize(self, X, mask):
        """The scaling ``normalize="auto"`` stands for on this training panel."""
        if self.normalize != "auto":
            return self.normalize
        w = np.ones(X.shape, dtype=bool) if mask is None else np.broadcast_to(mask, X.shape)
        n = w.sum(axis=2)                                            # (n, C)
        mean = np.where(w, X, 0).sum(axis=2) / n
        series_sd = np.sqrt((np.where(w, X - mean[:, :, None], 0) ** 2).sum(axis=2) / n)
        total = (X * w).sum(axis=(0, 2)) / n.sum(axis=0)
        channel_sd = np.sqrt(((X - total[None, :, None]) ** 2 * w).sum(axis=(0, 2)) / n.sum(axis=0))
        flat = (series_sd < _FLAT_RATIO * channel_sd[None, :]).mean(axis=0)
        return "series" if (flat > _FLAT_SHARE).any() else "channel"

    def _panel(self, X, lengths, reset):
        """Scale, pad and align a checked panel; returns float32 ``(n, C, T)``."""
        mask = None
        if lengths is not None:
            mask = np.arange(X.shape[2])[None, None, :] < lengths[:, None, None]
        if reset:
            self.n_channels_in_, self.n_timesteps_in_ = X.shape[1], X.shape[2]
            self.normalize_ = self._resolve_normalize(X, mask)
            for name in ("channel_mean_", "channel_scale_"):
                self.__dict__.pop(name, None)
            if self.normalize_ == "channel":
                w = np.ones_like(X) if mask is None else np.broadcast_to(mask, X.shape)
                n = w.sum(axis=(0, 2))
                self.channel_mean_ = (X * w).sum(axis=(0, 2)) / n
                var = (((X - self.channel_mean_[None, :, None]) ** 2) * w).sum(axis=(0, 2)) / n
                self.channel_scale_ = np.where(var > 1e-24, np.sqrt(var), 1.0)
        else:
            if X.shape[1] != self.n_channels_in_:
                raise DataError(f"X has {X.shape[1]} channels, but {type(self).__name__} was fitted "
                                f"on {self.n_channels_in_} channels.")
            T = self.n_timesteps_in_
            if lengths is not None and self._length_agnostic():
                T = max(T, X.shape[2])       # ragged input: any length the network can read
            if X.shape[2] != T and (lengths is None or X.shape[2] > T):
                raise DataError(f"X has {X.shape[2]} features, but {type(self).__name__} is "
                                f"expecting {T} features as input (series of {T} time steps; "
                                f"resample or pad the series to that length).")
            if X.shape[2] < T:
                X = np.concatenate([X, np.zeros(X.shape[:2] + (T - X.shape[2],))], axis=2)
                mask = np.concatenate([mask, np.zeros(mask.shape[:2] + (T - mask.shape[2],),
                                                      dtype=bool)], axis=2)
        normalize = getattr(self, "normalize_", self.normalize)
        if normalize == "channel":
            X = (X - self.channel_mean_[None, :, None]) / self.channel_scale_[None, :, None]
        elif normalize == "series":
            m = np.ones_like(X, dtype=bool) if mask is None else np.broadcast_to(mask, X.shape)
            n = m.sum(axis=2, keepdims=True)
            mean = np.where(m, X, 0).sum(axis=2, keepdims=True) / n
            sd = np.sqrt((np.where(m, X - mean, 0) ** 2).sum(axis=2, keepdims=True) / n)
            X = (X - mean) / np.where(sd > 1e-12, sd, 1.0)
        if mask is not None:
            X = np.where(mask, X, 0.0)
            if self._pad_start:       # recurrent nets read the padding first, the data last
                X = _right_align(X, mask)
        return X.astype(np.float32)

    def _validate_fit(self, X, y, reset):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        X, lengths, y = self._check_input(X, y, reset)
        classes = getattr(self, "_pending_classes", None)
        kw = {"classes": classes} if classes is not None else {}
        y = self._encode_targets(y, reset, **kw)
        if len(y) != len(X):
            raise DataError(f"X has {len(X)} series but y has {len(y)} labels.")
        return self._panel(X, lengths, reset), y

    def _validate_predict(self, X):
        X, lengths, _ = self._check_input(X, None, reset=False)
        return self._panel(X, lengths, reset=False)

    def _compute_loss(self, module, batch):
        X, y = batch                                   # X: (B, C, T), y: (B,)
        return self._classification_loss(module(X), y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


def _is_table(X):
    """True for 2-D tables (and anything scikit-learn should reject); False for 3-D or ragged panels."""
    import scipy.sparse

    if scipy.sparse.issparse(X) or hasattr(X, "columns"):
        return True
    if isinstance(X, (list, tuple)) and X and all(hasattr(x, "__len__") for x in X):
        if len({len(x) for x in X}) > 1 or any(np.ndim(x) == 2 for x in X):
            return False
    try:
        return np.ndim(X) <= 2
    except ValueError:               # ragged nested lists
        return False
    except TypeError:                # array-likes that refuse NumPy functions
        return True


def _right_align(X, mask):
    """Move every padded series' values to the end of its row (padding first)."""
    out = np.zeros_like(X)
    lengths = mask[:, 0, :].sum(axis=1)
    T = X.shape[2]
    for i, L in enumerate(lengths):
        out[i, :, T - L:] = X[i, :, :L]
    return out


_COMMON_DOC = """normalize : {"auto", "channel", "series", "none"}, default="auto"
        ``"channel"``: standardize each channel with training-set statistics;
        ``"series"``: z-normalize every series on its own (keeps only shape);
        ``"none"``: use the values as given (UCR data are already z-normalized);
        ``"auto"``: ``"series"`` when, in some channel, more than half of the
        training series would be nearly flat after channel scaling (standard
        deviation below 5% of the channel's, as with raw counts spanning several
        decades), else ``"channel"``; the choice is stored in ``normalize_``.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss."""


@_with_signature_defaults
class CNNTimeSeriesClassifier(_PanelClassifier):
    __doc__ = f"""Convolutional time-series classifier: FCN (default) or MC-DCNN.

    The weights kept at the end are those of the epoch with the lowest loss on
    the training set measured in eval mode after the epoch (batch norm with its
    running statistics), or with the lowest validation loss when
    ``validation_fraction`` holds data out; ``early_stopping=True`` also stops
    when that loss stops improving. The defaults (200 epochs, batch 16, Adam at
    1e-3) take @GP_S@ of one CPU thread on GunPoint (50 series of 150 steps)
    and reach @GP_ACC@ test accuracy there (seeds 0-4), @IPD_ACC@ on
    ItalyPowerDemand. ``recipe="fawaz2019"`` trains with the full recipe of
    Fawaz et al. 2019 instead (2000 epochs, batch ``min(16, n_series // 10)``,
    Adam at 1e-3 halved after 50 epochs without a lower training loss, down to
    1e-4), which took about 10 minutes of one CPU thread on GunPoint and 3.5 on
    ItalyPowerDemand; they feed the multivariate sets of their MTS archive
    unscaled (``normalize="none"``).

    Parameters
    ----------
    architecture : {{"fcn", "mcdcnn"}}, default="fcn"
        ``"fcn"``: Wang et al. 2017 (conv 128/256/128, kernels 8/5/3, batch norm,
        global average pooling); ``"mcdcnn"``: Zheng et al. 2014 (a conv tower
        per channel, then a 732-unit dense layer).
    filters : tuple of int or None, default=None
        FCN filter counts (None: (128, 256, 128)); for MC-DCNN, the first value
        is the filters per channel (None: 8).
    recipe : {{"fawaz2019"}} or None, default=None
        ``"fawaz2019"`` replaces ``optimizer``, ``learning_rate``, ``max_epochs``,
        ``batch_size`` and ``lr_schedule`` at fit time by Fawaz et al. 2019's
        settings (above); None uses the parameters as given.
    {_COMMON_DOC}
    {ENGINE_PARAMS_DOC}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    module_ : torch.nn.Module
    history_ : deepmine.nn.History
    n_channels_in_, n_timesteps_in_ : int
    n_features_in_ : int
        Time steps (univariate) or channels x time steps.
    channel_mean_, channel_scale_ : ndarray of shape (n_channels,)
        Only with ``normalize="channel"``.
    n_iter_ : int
    loss_curve_ : list of float
    device_ : torch.device

    Examples
    --------
    >>> from deepmine.timeseries import CNNTimeSeriesClassifier, load_gunpoint
    >>> X, y = load_gunpoint(split="train")
    >>> clf = CNNTimeSeriesClassifier(filters=(8, 16, 8), max_epochs=3, random_state=0).fit(X, y)
    >>> clf.predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints = {
        **_PanelClassifier._parameter_constraints,
        "architecture": [StrOptions({"fcn", "mcdcnn"})],
        "filters": [tuple, list, None],
        "recipe": [StrOptions({"fawaz2019"}), None],
    }

    def __init__(self, architecture="fcn", *, filters=None, recipe=None, normalize="auto",
                 class_weight=None, optimizer="adam", learning_rate=None, momentum=0.9, weight_decay=0.0,
                 lr_schedule="constant", batch_size=16, max_epochs=200, early_stopping=False,
                 validation_fraction=None, patience=10, tol=1e-4, callbacks=None, device="auto",
                 random_state=None, verbose=0, warm_start=False):
        self.architecture = architecture
        self.filters = filters
        self.recipe = recipe
        self.normalize = normalize
        self.class_weight = class_weight
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.tol = tol
        self.callbacks = callbacks
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    def _fit(self, X, y, *, partial):
        if self.recipe is None or partial:
            return super()._fit(X, y, partial=partial)
        self._check_params()
        settings = dict(_RECIPES[self.recipe], batch_size=max(1, min(16, len(X) // 10)))
        given = {name: getattr(self, name) for name in settings}
        self.__dict__.update(settings)
        try:
            return super()._fit(X, y, partial=partial)
        finally:
            self.__dict__.update(given)      # parameters stay as the user set them

    def _build_module(self):
        n_classes = len(self.classes_)
        if self.architecture == "fcn":
            filters = tuple(self.filters) if self.filters else (128, 256, 128)
            if len(filters) != 3:
                raise InvalidParameterError(f"FCN has 3 convolution blocks: filters must hold 3 "
                                            f"ints; got {self.filters!r}.")
            return FCN(self.n_channels_in_, n_classes, filters=filters)
        per_channel = self.filters[0] if self.filters else 8
        return MCDCNN(self.n_channels_in_, self.n_timesteps_in_, n_classes, filters=per_channel)

    def _length_agnostic(self):
        return self.architecture == "fcn"

    def class_activation(self, X, target=None):
        """Class activation map over time (Zhou et al. 2016; FCN only).

        Parameters
        ----------
        X : array-like of shape (n_series, n_channels, n_timesteps)
        target : label or None, default=None
            Class whose map is returned; None means each series' predicted class.

        Returns
        -------
        cam : ndarray of shape (n_series, n_timesteps)
            How much each time step pushes the score of the class up.
        """
        check_is_fitted(self, "module_")
        if self.architecture != "fcn":
            raise InvalidParameterError("class_activation needs architecture='fcn' (global "
                                        "average pooling); MC-DCNN has a dense layer instead.")
        Xt = torch.as_tensor(self._validate_predict(X))
        device = next(self.module_.parameters()).device
        was_training = self.module_.training
        self.module_.eval()
        with torch.no_grad():
            cams = self.module_.class_activation(Xt.to(device)).cpu().numpy()
        self.module_.train(was_training)
        if target is None:
            idx = cams.mean(axis=2).argmax(axis=1)
        else:
            if target not in self.classes_:
                raise DataError(f"target {target!r} is not one of classes_ {self.classes_.tolist()}.")
            idx = np.full(len(cams), int(np.searchsorted(self.classes_, target)))
        return cams[np.arange(len(cams)), idx]


@_with_signature_defaults
class LSTMClassifier(_PanelClassifier):
    __doc__ = f"""LSTM time-series classifier: the last hidden state, then a linear layer.

    Unequal-length series are padded at the start, so the LSTM reads the
    padding first and ends on the real data.

    Parameters
    ----------
    hidden_size : int, default=64
    num_layers : int, default=1
    dropout : float, default=0.0
        Dropout between stacked LSTM layers.
    {_COMMON_DOC}
    {ENGINE_PARAMS_DOC}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    module_ : torch.nn.Module
    history_ : deepmine.nn.History
    n_channels_in_, n_timesteps_in_ : int
    n_features_in_ : int
    n_iter_ : int
    loss_curve_ : list of float
    device_ : torch.device

    Examples
    --------
    >>> from deepmine.timeseries import LSTMClassifier, load_italy_power_demand
    >>> X, y = load_italy_power_demand(split="train")
    >>> clf = LSTMClassifier(hidden_size=8, max_epochs=3, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _pad_start = True

    _parameter_constraints = {
        **_PanelClassifier._parameter_constraints,
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(self, hidden_size=64, *, num_layers=1, dropout=0.0, normalize="auto",
                 class_weight=None, optimizer="adam", learning_rate=None, momentum=0.9,
                 weight_decay=0.0, lr_schedule="constant", batch_size=16, max_epochs=200,
                 early_stopping=False, validation_fraction=None, patience=10, tol=1e-4,
                 callbacks=None, device="auto", random_state=None, verbose=0, warm_start=False):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.normalize = normalize
        self.class_weight = class_weight
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.tol = tol
        self.callbacks = callbacks
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    def _build_module(self):
        return LSTMNet(self.n_channels_in_, len(self.classes_), hidden_size=self.hidden_size,
                       num_layers=self.num_layers, dropout=self.dropout)
