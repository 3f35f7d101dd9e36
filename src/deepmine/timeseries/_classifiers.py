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
from sklearn.utils.validation import check_is_fitted

from deepmine.base import engine_params_doc, store_params
from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.nn._inference import batched_forward
from deepmine.timeseries._architectures import FCN, MCDCNN, LSTMNet
from deepmine.timeseries._panel import _PanelClassifier
from deepmine.utils._param_validation import Interval, StrOptions

__all__ = ["CNNTimeSeriesClassifier", "LSTMClassifier"]


#: ``recipe="fawaz2019"``: Fawaz et al. 2019's training settings (the batch size depends on the data).
_RECIPES = {"fawaz2019": dict(optimizer="adam", learning_rate=1e-3, max_epochs=2000, lr_schedule=(
    "plateau", {"factor": 0.5, "patience": 50, "min_lr": 1e-4}))}


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


class CNNTimeSeriesClassifier(_PanelClassifier):
    __doc__ = f"""Convolutional time-series classifier: FCN (default) or MC-DCNN.

    The weights kept at the end are those of the epoch with the lowest loss on
    the training set measured in eval mode after the epoch (batch norm with its
    running statistics), or with the lowest validation loss when
    ``validation_fraction`` holds data out; ``early_stopping=True`` also stops
    when that loss stops improving. The defaults (150 epochs, batch 16, Adam at
    1e-3) took about 33 s of one CPU thread on GunPoint (50 series of 150
    steps; test accuracy 98.0-100% over seeds 0-4, mean 99.1%) and 8 s on
    ItalyPowerDemand (95.8-96.8%, mean 96.5%); on a second machine, whose CPU
    kernels round differently so that the same seed trains differently, 17 s
    and 98.0-99.3% (mean 98.8%), 5 s and 95.8-96.3% (mean 96.2%), and on
    Covid3Month_disc 62.3-67.2% (mean 64.9%; majority class 52.5%), 27 s.
    ``recipe="fawaz2019"`` trains
    with the full recipe of Fawaz et al. 2019 instead (2000 epochs, batch
    ``min(16, n_series // 10)``, Adam at 1e-3 halved after 50 epochs without a
    lower training loss, down to 1e-4), which took about 10 minutes of one CPU
    thread on GunPoint and 3.5 on ItalyPowerDemand; they feed the multivariate
    sets of their MTS archive unscaled (``normalize="none"``).

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
    {engine_params_doc(batch_size=16, max_epochs=150)}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    module_ : torch.nn.Module
    history_ : deepmine.nn.History
    n_channels_in_, n_timesteps_in_ : int
    n_features_in_ : int
        Time steps (univariate) or channels x time steps.
    normalize_ : str
        The scaling used: ``normalize``, or what ``"auto"`` chose.
    unequal_length_ : bool
        Whether the training series had unequal lengths (then any length predicts).
    channel_mean_, channel_scale_ : ndarray of shape (n_channels,)
        Only when ``normalize_`` is ``"channel"``.
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
                 lr_schedule="constant", batch_size=16, max_epochs=150, early_stopping=False,
                 validation_fraction=None, patience=10, tol=1e-4, callbacks=None, device="auto",
                 random_state=None, verbose=0, warm_start=False, devices="auto",
                 strategy=None, precision="32"):
        store_params(self, locals())

    def _fit(self, X, y, *, partial, sample_weight=None, context=None):
        if self.recipe is None or partial:
            return super()._fit(X, y, partial=partial, sample_weight=sample_weight,
                                context=context)
        self._check_params()
        settings = dict(_RECIPES[self.recipe], batch_size=max(1, min(16, len(X) // 10)))
        given = {name: getattr(self, name) for name in settings}
        self.__dict__.update(settings)
        try:
            return super()._fit(X, y, partial=partial, sample_weight=sample_weight,
                                context=context)
        finally:
            self.__dict__.update(given)      # parameters stay as the user set them

    def _build_module(self, context=None):
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
        cams = batched_forward(self.module_, Xt, self.module_.class_activation).numpy()
        if target is None:
            idx = cams.mean(axis=2).argmax(axis=1)
        else:
            if target not in self.classes_:
                raise DataError(f"target {target!r} is not one of classes_ {self.classes_.tolist()}.")
            idx = np.full(len(cams), int(np.searchsorted(self.classes_, target)))
        return cams[np.arange(len(cams)), idx]


class LSTMClassifier(_PanelClassifier):
    __doc__ = f"""LSTM time-series classifier: the last hidden state, then a linear layer.

    Unequal-length series are padded at the start, so the LSTM reads the
    padding first and ends on the real data. The LSTM is initialised as in
    Keras (orthogonal recurrent weights, Xavier-uniform input weights, zero
    biases but a forget-gate bias of 1; Jozefowicz et al. 2015), so that at
    the start the cell state keeps most of what it held one step before;
    with PyTorch's own initialisation (forget gate near 0.5) one seed of five
    stayed at 82% training accuracy on GunPoint. The weights kept are those
    of the epoch with the lowest eval-mode training loss, as for
    :class:`CNNTimeSeriesClassifier`. With the defaults (500 epochs of Adam
    at 1e-3, batch 16) every seed 0-4 reached 100% training accuracy on
    GunPoint. Test accuracy over seeds 0-4 and CPU seconds of one thread per
    fit, on two machines whose CPU kernels round differently (so the same
    seed trains differently), beside 1-NN with the Euclidean distance:

    ======================  ==========================  ==========================  =====
    data                    machine 1                   machine 2                   1-NN
    ======================  ==========================  ==========================  =====
    GunPoint                95.3-97.3% (mean 96.4), 14  93.3-94.7% (mean 94.3), 7   91.3%
    ItalyPowerDemand        94.8-95.6% (mean 95.4), 5   94.8-95.6% (mean 95.3), 3   95.5%
    BasicMotions            92.5-100% (mean 96.5), 10   95.0-100% (mean 98.5), 4    60.0%
    Covid3Month_disc        54.1-63.9% (mean 58.0), 24  50.8-60.7% (mean 55.7), 12  59.0%
    ======================  ==========================  ==========================  =====

    Covid3Month_disc holds raw counts (``normalize_="series"``; majority class
    52.5%). The default :class:`CNNTimeSeriesClassifier` scored 98.0-99.3% on
    GunPoint.

    Parameters
    ----------
    hidden_size : int, default=64
    num_layers : int, default=1
    dropout : float, default=0.0
        Dropout between stacked LSTM layers.
    {_COMMON_DOC}
    {engine_params_doc(batch_size=16, max_epochs=500)}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    module_ : torch.nn.Module
    history_ : deepmine.nn.History
    n_channels_in_, n_timesteps_in_ : int
    n_features_in_ : int
    normalize_ : str
        The scaling used: ``normalize``, or what ``"auto"`` chose.
    unequal_length_ : bool
        Whether the training series had unequal lengths (then any length predicts).
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
                 weight_decay=0.0, lr_schedule="constant", batch_size=16, max_epochs=500,
                 early_stopping=False, validation_fraction=None, patience=10, tol=1e-4,
                 callbacks=None, device="auto", random_state=None, verbose=0, warm_start=False,
                 devices="auto", strategy=None, precision="32"):
        store_params(self, locals())

    def _build_module(self, context=None):
        return LSTMNet(self.n_channels_in_, len(self.classes_), hidden_size=self.hidden_size,
                       num_layers=self.num_layers, dropout=self.dropout, init="keras")
