"""A module with an encoder behind scikit-learn's transformer API: trained to reconstruct X."""

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin

from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.nn._inference import batched_forward
from deepmine.nn._modules import AutoEncoderModule
from deepmine.nn._net import _NeuralNet, _doc

__all__ = ["NeuralNetTransformer"]


class NeuralNetTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, _NeuralNet):
    __doc__ = f"""Transformer around a module with an encoder: trained to reconstruct X, ``transform`` encodes.

    The module is trained as an autoencoder (``criterion(module(X), X)``);
    ``transform`` returns the output of its ``encode`` method (or of its
    ``encoder`` submodule), flattened to one row per sample, and
    ``inverse_transform`` that of ``decode`` (or ``decoder``) when it has one.

    Parameters
    ----------
    {_doc("the width of X", "the mean squared reconstruction error",
          ":class:`AutoEncoderModule` (codes of 2 values)")}

    Attributes
    ----------
    module_ : torch.nn.Module
    criterion_ : callable
    n_components_ : int
        Width of the codes.
    history_ : deepmine.nn.History
    n_features_in_ : int
    input_shape_ : tuple of int
    n_iter_ : int
    loss_curve_ : list of float
    device_ : torch.device

    Examples
    --------
    >>> import numpy as np, torch
    >>> from deepmine.nn import NeuralNetTransformer
    >>> class AE(torch.nn.Module):
    ...     def __init__(self, n_inputs, code=2):
    ...         super().__init__()
    ...         self.encoder = torch.nn.Linear(n_inputs, code)
    ...         self.decoder = torch.nn.Linear(code, n_inputs)
    ...     def forward(self, x):
    ...         return self.decoder(self.encoder(x))
    >>> X = np.random.RandomState(0).normal(size=(100, 5))
    >>> NeuralNetTransformer(AE, max_epochs=5, random_state=0).fit_transform(X).shape
    (100, 2)
    """

    _default_module = AutoEncoderModule

    def _n_out(self):
        return self.n_inputs_

    def _default_criterion(self):
        return torch.nn.functional.mse_loss

    def _validate_fit(self, X, y, reset, context=None):
        X = self._check_input(X, reset)
        if context is not None:  # checked on the new network in _build_module
            context.sample = X[:2]
        return X, None

    def fit(self, X, y=None):
        """Train the module to reconstruct ``X``; return the fitted transformer."""
        return self._fit(X, None, partial=False)

    def partial_fit(self, X, y=None):
        """Train one epoch on ``X``, keeping weights and optimizer state between calls."""
        return self._fit(X, None, partial=True)

    def _part(self, module, names, what):
        for name in names:
            part = getattr(module, name, None)
            if callable(part):
                return part
        raise InvalidParameterError(f"{type(self).__name__}.{what} needs a module with a "
                                    f"{' or '.join(names)} method or submodule; "
                                    f"{type(module).__name__} has none.")

    def _check_new_module(self, module, sample):
        encode = self._part(module, ("encode", "encoder"), "transform")
        out = self._check_output(module, sample, None, "")
        code = batched_forward(module, torch.as_tensor(sample), encode)
        self.n_components_ = int(np.prod(code.shape[1:]))
        if out.shape[1:] != sample.shape[1:]:
            raise DataError(f"The module of {type(self).__name__} returns outputs of shape "
                            f"{tuple(out.shape[1:])} per sample; reconstructing X needs "
                            f"{tuple(sample.shape[1:])}.")

    @property
    def _n_features_out(self):
        return self.n_components_

    def transform(self, X):
        """Codes of ``X``, shape (n_samples, n_components_)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "module_")
        (Xt,) = self._make_tensors(self._validate_predict(X), None)
        encode = self._part(self.module_, ("encode", "encoder"), "transform")
        codes = batched_forward(self.module_, Xt, encode)
        return codes.reshape(codes.shape[0], -1).cpu().numpy()

    def inverse_transform(self, X):
        """Reconstructions of codes ``X`` by the module's decoder."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "module_")
        decode = self._part(self.module_, ("decode", "decoder"), "inverse_transform")
        codes = torch.as_tensor(np.asarray(X, dtype=np.float32))
        return batched_forward(self.module_, codes, decode).cpu().numpy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
