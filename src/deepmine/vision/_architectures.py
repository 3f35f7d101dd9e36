"""Plain ``nn.Module`` building blocks of the vision estimators.

The convolutional network follows LeCun et al. (1998), "Gradient-based learning
applied to document recognition": blocks of convolution, non-linearity and
pooling, then fully connected layers.
"""

import math

import numpy as np

import torch
import torch.nn.functional as F
from torch import nn

from deepmine.exceptions import InvalidParameterError
from deepmine.nn import get_activation, make_mlp

POOLINGS = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}


class Normalize(nn.Module):
    """Per-channel ``(x - mean) / std`` with the statistics kept as buffers (saved with the weights).

    Parameters
    ----------
    mean, std : sequence of float
        One value per channel.
    """

    def __init__(self, mean, std):
        super().__init__()
        # torch.tensor copies: buffers must not share memory with the estimator's arrays
        self.register_buffer("mean", torch.tensor(np.asarray(mean), dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(np.asarray(std), dtype=torch.float32).view(1, -1, 1, 1))

    def forward(self, x):  # (N, C, H, W) -> (N, C, H, W)
        return (x - self.mean) / self.std


class ConvNet(nn.Module):
    """Normalisation, convolution blocks, then a fully connected classifier.

    Parameters
    ----------
    image_shape : tuple of int
        ``(C, H, W)`` of the input.
    conv_layers : sequence of (int, int)
        ``(filters, kernel_size)`` per block; each block is convolution
        ("same" padding), optional batch normalisation, activation, then
        pooling by 2 along every axis longer than 1.
    hidden_layer_sizes : sequence of int
    n_outputs : int
    pooling : {"max", "avg"}, default="max"
    activation : str, default="relu"
    dropout : float, default=0.0
        Drop rate of the fully connected hidden layers.
    batch_norm : bool, default=False
    mean, std : sequence of float or None
        Input normalisation per channel (identity when None).

    Examples
    --------
    >>> import torch
    >>> from deepmine.vision._architectures import ConvNet
    >>> net = ConvNet((1, 8, 8), [(4, 3)], (16,), 10)
    >>> net(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 10])
    """

    def __init__(self, image_shape, conv_layers, hidden_layer_sizes, n_outputs, *, pooling="max",
                 activation="relu", dropout=0.0, batch_norm=False, mean=None, std=None):
        super().__init__()
        c, h, w = image_shape
        self.normalize = Normalize(mean if mean is not None else [0.0] * c,
                                   std if std is not None else [1.0] * c)
        blocks = []
        for filters, kernel in conv_layers:
            layers = [nn.Conv2d(c, int(filters), int(kernel), padding="same")]
            if batch_norm:
                layers.append(nn.BatchNorm2d(int(filters)))
            layers.append(get_activation(activation))
            pool = (2 if h >= 2 else 1, 2 if w >= 2 else 1)
            if pool != (1, 1):
                layers.append(POOLINGS[pooling](pool))
                h, w = h // pool[0], w // pool[1]
            blocks.append(nn.Sequential(*layers))
            c = int(filters)
        self.features = nn.Sequential(*blocks)
        self.classifier = make_mlp(c * h * w, list(hidden_layer_sizes), n_outputs,
                                   activation=activation, dropout=dropout)

    def forward(self, x):  # (N, C, H, W) -> (N, n_outputs)
        x = self.features(self.normalize(x))
        return self.classifier(torch.flatten(x, 1))


class BackboneNet(nn.Module):
    """A torchvision backbone (head removed) with a new linear head.

    Input pixels are scaled to [0, 1] with ``pixel_range``, grey images are
    repeated to three channels, images smaller than ``min_size`` are enlarged,
    then the backbone's own normalisation applies.
    """

    def __init__(self, backbone, n_features, n_outputs, *, in_channels, pixel_range, mean, std,
                 min_size=32, dropout=0.0):
        super().__init__()
        lo, hi = pixel_range
        self.in_channels = in_channels
        self.min_size = min_size
        scale = [hi - lo if hi > lo else 1.0]
        self.to_unit = Normalize([lo], scale)
        self.normalize = Normalize(mean, std)
        self.backbone = backbone
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(n_features, n_outputs)) if dropout \
            else nn.Linear(n_features, n_outputs)

    frozen_batch_norm = False

    def train(self, mode=True):
        """Set training mode; a frozen backbone keeps its batch-norm statistics (eval mode)."""
        super().train(mode)
        if self.frozen_batch_norm:
            self.backbone.eval()
        return self

    def forward(self, x):  # (N, C, H, W) -> (N, n_outputs)
        x = self.to_unit(x)
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        if min(x.shape[-2:]) < self.min_size:
            factor = self.min_size / min(x.shape[-2:])
            size = (math.ceil(x.shape[-2] * factor), math.ceil(x.shape[-1] * factor))
            x = F.interpolate(x, size=size, mode="bilinear", align_corners=False)
        return self.head(self.backbone(self.normalize(x)))


def random_affine(X, shift=0.0, rotation=0.0):
    """Shift and rotate every image of a batch by its own random amount (bilinear, zero fill).

    torchvision's ``transforms.v2.RandomAffine`` draws one transform per call,
    so a batch would share it; here each image gets its own matrix and the
    whole batch is warped by one ``grid_sample`` call.

    Parameters
    ----------
    X : torch.Tensor of shape (N, C, H, W)
    shift : float, default=0.0
        Largest shift as a fraction of the image's height/width.
    rotation : float, default=0.0
        Largest rotation in degrees (either direction).

    Returns
    -------
    torch.Tensor of shape (N, C, H, W)

    Examples
    --------
    >>> import torch
    >>> from deepmine.vision._architectures import random_affine
    >>> random_affine(torch.rand(4, 1, 8, 8), shift=0.125, rotation=10).shape
    torch.Size([4, 1, 8, 8])
    """
    n = X.shape[0]
    angle = (torch.rand(n, device=X.device) * 2 - 1) * math.radians(rotation)
    t = (torch.rand(n, 2, device=X.device) * 2 - 1) * (2 * shift)  # grid coordinates span [-1, 1]
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cos, -sin, t[:, 0]], 1),
                         torch.stack([sin, cos, t[:, 1]], 1)], 1)  # (N, 2, 3)
    grid = F.affine_grid(theta.to(X.dtype), list(X.shape), align_corners=False)
    return F.grid_sample(X, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def check_conv_layers(conv_layers):
    """Validate a ``conv_layers`` spec and return it as a list of ``(filters, kernel_size)``."""
    try:
        spec = [(int(f), int(k)) for f, k in conv_layers]
    except (TypeError, ValueError):
        spec = None
    if not spec or any(f < 1 or k < 1 for f, k in spec):
        raise InvalidParameterError(
            f"The 'conv_layers' parameter must be a non-empty sequence of (filters, kernel_size) "
            f"pairs of positive ints, e.g. ((32, 3), (64, 3)). Got {conv_layers!r}.")
    return spec
