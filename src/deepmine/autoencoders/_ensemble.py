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


class BatchedLinear(nn.Module):
    """``K`` independent linear layers applied to ``K`` stacks of rows at once.

    Parameters
    ----------
    n_members : int
    in_features, out_features : int

    Examples
    --------
    >>> import torch
    >>> from deepmine.autoencoders._ensemble import BatchedLinear
    >>> BatchedLinear(3, 4, 2)(torch.zeros(3, 5, 4)).shape
    torch.Size([3, 5, 2])
    """

    def __init__(self, n_members, in_features, out_features):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1.0 / math.sqrt(in_features)  # nn.Linear's default initialisation
        self.weight = nn.Parameter(torch.empty(n_members, in_features, out_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(n_members, 1, out_features).uniform_(-bound, bound))

    def forward(self, x):  # (K, N, in) -> (K, N, out)
        return torch.baddbmm(self.bias, x, self.weight)


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

    Examples
    --------
    >>> import torch
    >>> from deepmine.autoencoders._ensemble import EnsembleAutoEncoderNet
    >>> EnsembleAutoEncoderNet(6, (4,), 2, n_members=3)(torch.zeros(10, 6)).shape
    torch.Size([3, 10, 6])
    """

    def __init__(self, n_inputs, encoder_sizes, code_size, n_members, *, activation="relu",
                 dropout=0.0):
        super().__init__()
        widths = [n_inputs, *encoder_sizes, code_size, *reversed(tuple(encoder_sizes)), n_inputs]
        layers = []
        for i in range(len(widths) - 1):
            layers.append(BatchedLinear(n_members, widths[i], widths[i + 1]))
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

    def forward(self, x):  # (N, d) -> (K, N, d)
        return self.layers(x.unsqueeze(0).expand(self.n_members, -1, -1))

    def encode(self, x):  # (N, d) -> (K, N, code_size)
        """Every member's code of ``x``."""
        return self.layers[:self.n_encoder_modules](x.unsqueeze(0).expand(self.n_members, -1, -1))

    def errors(self, x):
        """Squared error per member, sample and feature, each member on its own scale: (K, N, d)."""
        return (self(x) - x) ** 2 / self.member_scale.view(-1, 1, 1)
