"""Shared parts of the autoencoders: the network, input scaling, denoising noise, inference.

An autoencoder (Rumelhart, Hinton & Williams 1986; Hinton & Salakhutdinov 2006) is
a network trained to copy its input through a narrow code layer; denoising
autoencoders (Vincent et al. 2008) corrupt the input during training and keep
the target clean.
"""

from numbers import Real

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from torch import nn

from deepmine.base import BaseDeepEstimator
from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.nn import make_mlp
from deepmine.nn._inference import batched_forward
from deepmine.nn._layers import ACTIVATIONS
from deepmine.utils._param_validation import Interval, StrOptions
from deepmine.utils.validation import check_is_fitted, check_table

NOISES = ("gaussian", "masking", "salt_pepper")


class AutoEncoderNet(nn.Module):
    """An encoder and a decoder; ``forward`` returns the reconstruction.

    Parameters
    ----------
    encoder, decoder : torch.nn.Module
    """

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, x):  # (N, d) -> (N, d)
        return self.decoder(self.encoder(x))


def build_autoencoder(n_inputs, encoder_sizes, code_size, *, activation="relu", dropout=0.0,
                      code_activation=False):
    """Mirror-symmetric fully connected autoencoder with a linear output layer.

    Parameters
    ----------
    n_inputs : int
    encoder_sizes : sequence of int
        Hidden layers between the input and the code; the decoder mirrors them.
    code_size : int
    activation : str, default="relu"
    dropout : float or sequence of float, default=0.0
    code_activation : bool, default=False
        Apply ``activation`` to the code too (the layers of a stacked autoencoder).

    Returns
    -------
    AutoEncoderNet

    Examples
    --------
    >>> from deepmine.autoencoders._base import build_autoencoder
    >>> net = build_autoencoder(8, (4,), 2)
    >>> [m.out_features for m in net.encoder if hasattr(m, "out_features")]
    [4, 2]
    """
    sizes = tuple(encoder_sizes)
    rates = dropout
    back = tuple(reversed(rates)) if isinstance(rates, (list, tuple)) else rates
    encoder = make_mlp(n_inputs, sizes, code_size, activation=activation, dropout=rates,
                       output_activation=activation if code_activation else None)
    decoder = make_mlp(code_size, tuple(reversed(sizes)), n_inputs, activation=activation,
                       dropout=back)
    return AutoEncoderNet(encoder, decoder)


def corrupt(X, noise, level, low=None, high=None):
    """Corrupt a batch for denoising training (the clean batch stays the target).

    Parameters
    ----------
    X : torch.Tensor of shape (N, d)
    noise : {"gaussian", "masking", "salt_pepper"}
        Additive Gaussian noise of standard deviation ``level``; setting a
        share ``level`` of the entries to 0; or setting a share ``level`` to the
        feature's minimum or maximum (``low``/``high``, tensors of shape (d,)).
    level : float

    Returns
    -------
    torch.Tensor of shape (N, d)

    Examples
    --------
    >>> import torch
    >>> from deepmine.autoencoders._base import corrupt
    >>> x = torch.ones(1000, 4)
    >>> share = float((corrupt(x, "masking", 0.25) == 0).float().mean())
    >>> abs(share - 0.25) < 0.05
    True
    """
    if noise == "gaussian":
        return X + level * torch.randn_like(X)
    hit = torch.rand_like(X) < level
    if noise == "masking":
        return X.masked_fill(hit, 0.0)
    salt = torch.rand_like(X) < 0.5
    extreme = torch.where(salt, high.expand_as(X), low.expand_as(X))
    return torch.where(hit, extreme, X)


def fit_scaler(X, scale):
    """Mean and standard deviation per column; constant columns get scale 1."""
    if not scale:
        return np.zeros(X.shape[1]), np.ones(X.shape[1])
    mean = X.mean(axis=0, dtype=np.float64)
    std = X.std(axis=0, dtype=np.float64)
    std = np.where(std > 1e-12 * np.maximum(1.0, np.abs(mean)), std, 1.0)
    return mean, std


#: Smallest robust scale, as a share of the column's standard deviation.
MAD_FLOOR = 0.1


def robust_scaler(X):
    """Median and normal-consistent MAD per column, floored at ``MAD_FLOOR`` x the standard deviation.

    The scale is ``max(1.4826 * MAD, 0.1 * std)``: a column that is mostly one
    value (a blank pixel, a rare flag) has a MAD of zero or near zero, and
    dividing by it would blow its other values up to thousands; with the floor
    a scaled value is at most 10 x (its standard score + 1) in absolute value
    (the median lies within one standard deviation of the mean). Constant
    columns get scale 1.

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.autoencoders._base import robust_scaler
    >>> X = np.r_[np.zeros((90, 1)), np.ones((10, 1))] + 1e-9 * np.arange(100)[:, None]
    >>> centre, scale = robust_scaler(X)
    >>> bool(np.isclose(scale[0], 0.1 * X.std()))
    True
    """
    centre = np.median(X, axis=0)
    mad = 1.4826 * np.median(np.abs(X - centre), axis=0)
    scale = np.maximum(mad, MAD_FLOOR * X.std(axis=0))
    scale = np.where(scale > 1e-12 * np.maximum(1.0, np.abs(centre)), scale, 1.0)
    return centre.astype(np.float64), scale.astype(np.float64)


class _BaseAutoEncoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseDeepEstimator):
    """Validation, scaling, noise, loss and inference shared by the autoencoders."""

    _parameter_constraints = {
        **BaseDeepEstimator._parameter_constraints,
        "activation": [StrOptions(set(ACTIVATIONS))],
        "noise": [StrOptions(set(NOISES)), None],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "scale": ["boolean"],
    }
    _code_activation = False

    def _check_params(self):
        super()._check_params()
        if self.noise in ("masking", "salt_pepper") and not self.noise_level < 1:
            raise InvalidParameterError(
                f"The 'noise_level' parameter of {type(self).__name__} is the share of corrupted "
                f"entries for noise={self.noise!r} and must be in [0, 1); got {self.noise_level!r}.")

    # ---- engine hooks --------------------------------------------------------------------
    def _validate_fit(self, X, y, reset, context=None):
        X = check_table(self, X, reset=reset)
        if reset:
            self.mean_, self.scale_ = fit_scaler(X, self.scale)
        Xs = self._scale(X)
        if reset:
            self.data_min_, self.data_max_ = Xs.min(axis=0), Xs.max(axis=0)
        return Xs, None

    def _validate_predict(self, X):
        return self._scale(check_table(self, X, reset=False))

    def _scale(self, X):
        return ((X - self.mean_) / self.scale_).astype(np.float32)

    def _compute_loss(self, module, batch):
        X = batch[0]  # (N, d), already scaled
        inputs = X
        if module.training and self.noise is not None and self.noise_level > 0:
            low = high = None
            if self.noise == "salt_pepper":
                low = torch.as_tensor(self.data_min_, device=X.device)
                high = torch.as_tensor(self.data_max_, device=X.device)
            inputs = corrupt(X, self.noise, self.noise_level, low, high)
        return torch.nn.functional.mse_loss(module(inputs), X)

    def _forward(self, module, X):
        code = module.encoder(X)  # (N, k)
        rec = module.decoder(code)  # (N, d)
        return torch.cat([code, (rec - X) ** 2], dim=1)

    # ---- public API ----------------------------------------------------------------------
    @property
    def _n_features_out(self):
        if not self._is_fitted():
            raise AttributeError("_n_features_out")
        return self._code_size()

    def transform(self, X):
        """Encode ``X``: the codes, shape (n_samples, code size)."""
        return self._predict_raw(X)[:, :self._code_size()].astype(np.float64)

    def inverse_transform(self, X):
        """Decode codes back to the input space (original units).

        Parameters
        ----------
        X : array-like of shape (n_samples, code size)
            Codes, e.g. from :meth:`transform`.

        Returns
        -------
        ndarray of shape (n_samples, n_inputs)
            The reconstruction; for a DataFrame with text columns, in the encoded
            (one-hot) columns.
        """
        check_is_fitted(self, "module_")
        k = self._code_size()
        codes = np.asarray(X, dtype=np.float32)
        if codes.ndim != 2 or codes.shape[1] != k:
            raise DataError(f"inverse_transform expects codes of shape (n_samples, {k}); "
                            f"got an array of shape {codes.shape}.")
        module = self.module_
        rec = batched_forward(module, torch.as_tensor(codes), module.decoder).numpy()
        return rec.astype(np.float64) * self.scale_ + self.mean_

    def reconstruction_error(self, X, per_feature=False):
        """Squared reconstruction error of each sample, measured on the scaled inputs.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        per_feature : bool, default=False
            Return the error of every sample and input column instead of the mean
            over the columns.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_inputs)
        """
        sq = self._predict_raw(X)[:, self._code_size():].astype(np.float64)
        return sq if per_feature else sq.mean(axis=1)

    def encoder_layers(self):
        """The encoder's ``torch.nn.Linear`` layers in order, ready to initialise a network.

        The input scaling is folded into the first layer, so the layers act on
        the raw (unscaled) inputs, as :meth:`deepmine.tabular.MLPClassifier.fit`
        (``init=``) receives them. Copies are returned; the model is unchanged.
        A network initialised from them applies its activation after every
        layer: that matches :class:`StackedAutoEncoder`, whose code has the
        activation, while :class:`AutoEncoder`'s code layer is linear.

        Returns
        -------
        list of torch.nn.Linear
        """
        check_is_fitted(self, "module_")
        layers = [m for m in self.module_.encoder.modules() if isinstance(m, nn.Linear)]
        out = []
        for i, layer in enumerate(layers):
            new = nn.Linear(layer.in_features, layer.out_features)
            W = layer.weight.detach().cpu().double()
            b = layer.bias.detach().cpu().double()
            if i == 0:
                scale = torch.as_tensor(self.scale_, dtype=torch.float64)
                mean = torch.as_tensor(self.mean_, dtype=torch.float64)
                W = W / scale
                b = b - W @ mean
            with torch.no_grad():
                new.weight.copy_(W.float())
                new.bias.copy_(b.float())
            out.append(new)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags
