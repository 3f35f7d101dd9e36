"""The weight-counting argument for convolutions: how many weights a layer needs on an image.

A fully connected layer from a 3840x2160 image (8 million inputs) to 8 million
hidden units needs 8M x 8M = 64 trillion weights; a 16x16 convolution with 256
filters needs 16*16*256 = 65,536, because one kernel is shared by all positions
(without sharing, a "locally connected" layer, about half a trillion).
"""

import math

import torch

from deepmine.exceptions import InvalidParameterError

_KINDS = {"dense": 2, "conv": 3, "pool": 2}


def _parse(layer):
    if isinstance(layer, str):
        layer = (layer,)
    if not isinstance(layer, (tuple, list)) or not layer or layer[0] not in _KINDS:
        raise InvalidParameterError(
            f"Each layer must be ('dense', units), ('conv', filters, kernel_size) or "
            f"('pool', size); got {layer!r}.")
    if len(layer) != _KINDS[layer[0]] or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in layer[1:]):
        raise InvalidParameterError(
            f"Layer {layer!r} must be ('dense', units), ('conv', filters, kernel_size) or "
            f"('pool', size) with positive ints.")
    return tuple(layer)


def count_weights(layers, input_shape=None, *, weight_sharing=True, bias=False, per_layer=False):
    """Count the weights of a network described layer by layer, on an input of a given shape.

    Parameters
    ----------
    layers : tuple or list of tuples, or torch.nn.Module, or fitted estimator
        One layer or a sequence of layers: ``("dense", units)``,
        ``("conv", filters, kernel_size)`` (stride 1, "same" padding) and
        ``("pool", size)``. A module or a fitted estimator with ``module_``
        returns its number of trainable and frozen parameters (biases included).
    input_shape : tuple of int
        ``(H, W)``, ``(H, W, C)`` or ``(n_features,)``; required for a layer description.
    weight_sharing : bool, default=True
        False counts a convolution as a locally connected layer: a separate
        kernel at every output position.
    bias : bool, default=False
        Also count one bias per unit (per filter, or per filter and position
        without sharing), as ``torch`` does.
    per_layer : bool, default=False
        Return a DataFrame (layer, output_shape, weights) instead of the total.

    Returns
    -------
    int or pandas.DataFrame

    Examples
    --------
    >>> from deepmine.vision import count_weights
    >>> count_weights(("dense", 8_000_000), (8_000_000,))  # 64 trillion
    64000000000000
    >>> count_weights(("conv", 256, 16), (2160, 3840))
    65536
    >>> count_weights(("conv", 256, 16), (2160, 3840), weight_sharing=False)
    543581798400
    """
    if isinstance(layers, torch.nn.Module) or hasattr(layers, "module_"):
        module = layers if isinstance(layers, torch.nn.Module) else layers.module_
        return int(sum(p.numel() for p in module.parameters()))
    if hasattr(layers, "get_params"):
        from sklearn.exceptions import NotFittedError

        raise NotFittedError(f"This {type(layers).__name__} instance is not fitted yet; call 'fit' first.")
    if input_shape is None:
        raise InvalidParameterError("count_weights needs input_shape for a layer description, "
                                    "e.g. input_shape=(2160, 3840).")
    spec = [_parse(layers)] if isinstance(layers, (str, tuple)) and layers and isinstance(
        layers[0], str) else [_parse(layer) for layer in layers]
    shape = tuple(int(s) for s in input_shape)
    if len(shape) not in (1, 2, 3) or min(shape) < 1:
        raise InvalidParameterError(f"input_shape must be (H, W), (H, W, C) or (n_features,) "
                                    f"with positive sizes; got {input_shape!r}.")
    if len(shape) == 2:
        shape = (*shape, 1)
    rows = []
    for layer in spec:
        kind = layer[0]
        if kind == "dense":
            n_in, units = math.prod(shape), layer[1]
            w = n_in * units + (units if bias else 0)
            shape = (units,)
        elif len(shape) != 3:
            raise InvalidParameterError(f"{layer!r} needs an image (H, W[, C]) as input, but the "
                                        f"previous layer outputs {shape}.")
        elif kind == "conv":
            h, wd, c = shape
            filters, k = layer[1], layer[2]
            per_kernel = k * k * c * filters
            positions = 1 if weight_sharing else h * wd
            w = positions * (per_kernel + (filters if bias else 0))
            shape = (h, wd, filters)
        else:
            h, wd, c = shape
            size = layer[1]
            w, shape = 0, (max(1, h // size), max(1, wd // size), c)
        rows.append({"layer": layer, "output_shape": shape, "weights": int(w)})
    if per_layer:
        import pandas as pd

        return pd.DataFrame(rows)
    return int(sum(r["weights"] for r in rows))
