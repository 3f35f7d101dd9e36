"""Input standardization of the table networks: learned in ``fit``, applied by the network's first layer.

The statistics come from :func:`deepmine.utils._table.standard_scaling` (0/1
columns and constant columns are left unscaled) and are kept twice: as the
fitted attributes ``mean_`` and ``scale_`` and as buffers of a
:class:`Standardize` layer at the front of ``module_``. Because the network
itself standardizes, ``module_`` takes raw columns, and so do the attacks and
visualisations that work on it; weights reported to the user (``coef_``,
``coefs_``) are folded back to raw units.
"""

import numpy as np
import torch

from deepmine.utils._table import standard_scaling


class Standardize(torch.nn.Module):
    """``(x - mean) / scale`` per column, with fixed (non-trained) statistics.

    Parameters
    ----------
    mean, scale : array-like of shape (n_inputs,)

    Examples
    --------
    >>> import torch
    >>> from deepmine.tabular._scaling import Standardize
    >>> Standardize([1.0, 0.0], [2.0, 1.0])(torch.tensor([[3.0, 5.0]]))
    tensor([[1., 5.]])
    """

    def __init__(self, mean, scale):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(np.asarray(mean, dtype=np.float32)))
        self.register_buffer("scale", torch.as_tensor(np.asarray(scale, dtype=np.float32)))

    def forward(self, x):  # (N, d) -> (N, d)
        return (x - self.mean) / self.scale


def learn_scaling(estimator, X):
    """Set ``estimator.mean_`` and ``scale_`` from the encoded training matrix (None when ``scale=False``)."""
    if estimator.scale:
        estimator.mean_, estimator.scale_ = standard_scaling(X)
    else:
        estimator.mean_ = estimator.scale_ = None


def with_scaling(estimator, module):
    """``module`` preceded by the estimator's :class:`Standardize` layer (unchanged without scaling)."""
    if getattr(estimator, "mean_", None) is None:
        return module
    layers = list(module) if isinstance(module, torch.nn.Sequential) else [module]
    return torch.nn.Sequential(Standardize(estimator.mean_, estimator.scale_), *layers)


def fold_into_first(estimator, weight, bias):
    """Weights ``(n_out, n_in)`` and bias of a layer that sees standardized inputs, in raw units.

    ``W (x - m) / s + b = (W / s) x + (b - (W / s) m)``.
    """
    mean = getattr(estimator, "mean_", None)
    if mean is None:
        return weight, bias
    w = weight.astype(np.float64) / estimator.scale_
    b = bias.astype(np.float64) - w @ mean
    return w.astype(weight.dtype), b.astype(bias.dtype)


def unfold_into_first(estimator, weight, bias):
    """The inverse of :func:`fold_into_first`: raw-unit weights for a layer after ``Standardize``."""
    mean = getattr(estimator, "mean_", None)
    if mean is None:
        return weight, bias
    w = weight.double() * torch.as_tensor(estimator.scale_, dtype=torch.float64)
    b = bias.double() + weight.double() @ torch.as_tensor(mean, dtype=torch.float64)
    return w.float(), b.float()
