"""A bag of small autoencoders trained side by side as one batched network.

Member ``k`` has its own weights, initialisation and bootstrap weights of the
rows (online bagging, Oza & Russell 2001), so the ensemble costs one pass of
the engine instead of one per member. Used by
:class:`~deepmine.autoencoders.AutoEncoderOutlierDetector`.
"""

import math

import torch
from torch import nn

from deepmine.nn import get_activation


def cell_errors(recon, x, kind="squared"):
    """Error of each reconstructed cell, in scaled units.

    ``"squared"``: ``e**2``. ``"huber"``: Huber's error with delta 1 as twice
    its usual value, ``e**2`` for ``|e| <= 1`` and ``2|e| - 1`` beyond, so the
    two agree up to one standard deviation and one column far off cannot
    outweigh many a little off.

    Examples
    --------
    >>> import torch
    >>> from deepmine.autoencoders._ensemble import cell_errors
    >>> cell_errors(torch.tensor([0.5, 3.0]), torch.zeros(2), "huber")
    tensor([0.2500, 5.0000])
    >>> cell_errors(torch.tensor([0.5, 3.0]), torch.zeros(2))
    tensor([0.2500, 9.0000])
    """
    diff = recon - x
    if kind == "squared":
        return diff ** 2
    a = diff.abs()
    return torch.where(a <= 1.0, a ** 2, 2.0 * a - 1.0)


class BatchedLinear(nn.Module):
    """``K`` independent linear layers applied to ``K`` stacks of rows at once.

    Parameters
    ----------
    n_members : int
    in_features, out_features : int
    mask : tensor of shape (n_members, in_features, out_features) or None, default=None
        Fixed 0/1 mask on the weights (randomly dropped connections); None keeps them all.

    Examples
    --------
    >>> import torch
    >>> from deepmine.autoencoders._ensemble import BatchedLinear
    >>> BatchedLinear(3, 4, 2)(torch.zeros(3, 5, 4)).shape
    torch.Size([3, 5, 2])
    """

    def __init__(self, n_members, in_features, out_features, mask=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1.0 / math.sqrt(in_features)  # nn.Linear's default initialisation
        self.weight = nn.Parameter(torch.empty(n_members, in_features, out_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(n_members, 1, out_features).uniform_(-bound, bound))
        if mask is not None:
            self.register_buffer("mask", torch.as_tensor(mask, dtype=torch.float32))

    def forward(self, x):  # (K, N, in) -> (K, N, out)
        weight = self.weight * self.mask if hasattr(self, "mask") else self.weight
        return torch.baddbmm(self.bias, x, weight)


class EnsembleAutoEncoderNet(nn.Module):
    """``n_members`` mirror-symmetric autoencoders; ``forward`` gives every member's reconstruction.

    Parameters
    ----------
    n_inputs : int
    encoder_sizes : sequence of int
    code_size : int
    n_members : int
    activation : str, default="relu"
    dropout : float, default=0.0
    feature_mask : tensor of shape (n_members, n_inputs) or None, default=None
        0/1 per member and input column: member ``k`` sees only its columns (the
        others are set to 0) and its error is the mean over them. None: every
        member sees every column.
    connection_masks : list of tensors or None, default=None
        One fixed 0/1 weight mask per linear layer (see :class:`BatchedLinear`).

    Examples
    --------
    >>> import torch
    >>> from deepmine.autoencoders._ensemble import EnsembleAutoEncoderNet
    >>> EnsembleAutoEncoderNet(6, (4,), 2, n_members=3)(torch.zeros(10, 6)).shape
    torch.Size([3, 10, 6])
    """

    def __init__(self, n_inputs, encoder_sizes, code_size, n_members, *, activation="relu",
                 dropout=0.0, feature_mask=None, connection_masks=None):
        super().__init__()
        widths = [n_inputs, *encoder_sizes, code_size, *reversed(tuple(encoder_sizes)), n_inputs]
        layers = []
        for i in range(len(widths) - 1):
            mask = None if connection_masks is None else connection_masks[i]
            layers.append(BatchedLinear(n_members, widths[i], widths[i + 1], mask))
            last, code = i == len(widths) - 2, i == len(encoder_sizes)
            if code:
                self.n_encoder_modules = len(layers)  # layers[:n] map the input to the code
            if not last and not code:
                layers.append(get_activation(activation))
                if dropout:
                    layers.append(nn.Dropout(dropout))
        self.layers = nn.Sequential(*layers)
        self.n_members = n_members
        # Typical training error of each member: errors are divided by it before averaging.
        self.register_buffer("member_scale", torch.ones(n_members))
        mask = torch.ones(n_members, n_inputs) if feature_mask is None else feature_mask
        self.register_buffer("feature_mask", torch.as_tensor(mask, dtype=torch.float32))

    def _inputs(self, x):  # (N, d) -> (K, N, d), each member's columns
        x = x.unsqueeze(0).expand(self.n_members, -1, -1)
        return x * self.feature_mask.to(x.dtype).unsqueeze(1)

    def forward(self, x):  # (N, d) -> (K, N, d)
        return self.layers(self._inputs(x))

    def encode(self, x):  # (N, d) -> (K, N, code_size)
        """Every member's code of ``x``."""
        return self.layers[:self.n_encoder_modules](self._inputs(x))

    def column_weights(self):
        """(K, d): 0 off a member's columns, ``d / n_columns`` on them, so that a mean over all
        columns of weighted errors is the mean over the member's own columns."""
        m = self.feature_mask
        return m * (m.shape[1] / m.sum(dim=1, keepdim=True).clamp_min(1.0))

    def errors(self, x, kind="squared"):
        """Error (:func:`cell_errors`) per member, sample and feature, each member on its own
        scale and columns (weighted by :meth:`column_weights`): (K, N, d)."""
        return self.scaled_errors(self(x), x, self.member_scale, kind)

    def scaled_errors(self, recon, x, member_scale, kind="squared"):
        """:meth:`errors` of the reconstructions ``recon`` (K, N, d) of ``x`` (N, d)."""
        w = self.column_weights().to(x.dtype).unsqueeze(1)
        return cell_errors(recon, x, kind) * w / member_scale.view(-1, 1, 1)
