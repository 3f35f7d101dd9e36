"""Looking inside a convolutional network: the learned kernels and the feature maps of a layer."""

import numpy as np
import torch
from torch import nn

from deepmine.exceptions import InvalidParameterError
from deepmine.vision._images import to_channels_first

_ACTIVATIONS = (nn.ReLU, nn.LeakyReLU, nn.Sigmoid, nn.Tanh, nn.GELU, nn.ELU, nn.SiLU, nn.Hardswish)


def _module_of(model):
    if isinstance(model, nn.Module):
        return model
    module = getattr(model, "module_", None)
    if module is None:
        from sklearn.exceptions import NotFittedError

        if hasattr(model, "get_params"):
            raise NotFittedError(f"This {type(model).__name__} instance is not fitted yet; call "
                                 f"'fit' first.")
        raise InvalidParameterError(
            f"model must be a fitted deepmine estimator or a torch.nn.Module; got {type(model).__name__}.")
    return module


def _find_conv(module, layer):
    convs = [(name, m) for name, m in module.named_modules() if isinstance(m, nn.Conv2d)]
    if isinstance(layer, str):
        named = dict(module.named_modules())
        if layer not in named:
            raise InvalidParameterError(
                f"The network has no layer named {layer!r}; convolution layers: "
                f"{[n for n, _ in convs]}.")
        return layer, named[layer]
    if isinstance(layer, (bool, np.bool_)) or not isinstance(layer, (int, np.integer)):
        raise InvalidParameterError(f"layer must be an int (index among the convolution layers) "
                                    f"or a module name; got {layer!r}.")
    if not -len(convs) <= layer < len(convs):
        raise InvalidParameterError(
            f"layer={layer} is out of range: the network has {len(convs)} convolution layers "
            f"(use 0..{len(convs) - 1} or a negative index).")
    return convs[layer]


def _followers(module, name):
    """Batch-norm and activation modules that directly follow ``name`` inside a Sequential."""
    *path, leaf = name.split(".")
    parent = module
    for part in path:
        parent = getattr(parent, part)
    if not isinstance(parent, nn.Sequential):
        return []
    children = list(parent.named_children())
    idx = [n for n, _ in children].index(leaf)
    out = []
    for _, m in children[idx + 1:]:
        if isinstance(m, (nn.BatchNorm2d, *_ACTIVATIONS)):
            out.append(m)
            if isinstance(m, _ACTIVATIONS):
                return out
        else:
            break
    return []


def filters(model, layer=0):
    """Return the learned kernels of a convolution layer.

    Parameters
    ----------
    model : fitted ConvNetClassifier (or any estimator with ``module_``) or torch.nn.Module
    layer : int or str, default=0
        Index among the network's ``Conv2d`` layers (0 is the first, -1 the
        last) or a module name from ``module.named_modules()``.

    Returns
    -------
    ndarray of shape (n_filters, in_channels, kernel_height, kernel_width)

    Examples
    --------
    >>> import torch
    >>> from deepmine.vision import filters
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU())
    >>> filters(net, 0).shape
    (4, 1, 3, 3)
    """
    _, conv = _find_conv(_module_of(model), layer)
    if not isinstance(conv, nn.Conv2d):
        raise InvalidParameterError(f"layer {layer!r} is a {type(conv).__name__}, not a convolution.")
    return conv.weight.detach().cpu().numpy().copy()


@torch.no_grad()
def feature_maps(model, X, layer=0, *, batch_size=256):
    """Return the activations (feature maps) of a convolution layer for images ``X``.

    When the convolution is followed by batch normalisation and/or a
    non-linearity inside the same ``nn.Sequential`` (as in
    :class:`~deepmine.vision.ConvNetClassifier`), these are applied, so the maps
    are what the next layer sees.

    Parameters
    ----------
    model : fitted ConvNetClassifier (or any estimator with ``module_``) or torch.nn.Module
    X : array-like of images
        Any input the estimator accepts; for a bare module, ``(n, H, W)`` or
        ``(n, C, H, W)``.
    layer : int or str, default=0
        Index among the ``Conv2d`` layers or a module name.
    batch_size : int, default=256

    Returns
    -------
    ndarray of shape (n, n_filters, H_out, W_out)

    Examples
    --------
    >>> import numpy as np, torch
    >>> from deepmine.vision import feature_maps
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU())
    >>> feature_maps(net, np.random.rand(2, 8, 8), 0).shape
    (2, 4, 8, 8)
    """
    module = _module_of(model)
    if isinstance(model, nn.Module):
        X = np.ascontiguousarray(to_channels_first(np.asarray(X, dtype=np.float32)))
    else:
        X = model._validate_predict(X)
    name, target = _find_conv(module, layer)
    after = _followers(module, name) if isinstance(target, nn.Conv2d) else []
    captured = []

    def hook(mod, inputs, output):
        out = output.clone()
        for m in after:
            out = m(out)
        captured.append(out.cpu())

    was_training = module.training
    module.eval()
    device = next(module.parameters()).device
    handle = target.register_forward_hook(hook)
    try:
        for i in range(0, len(X), batch_size):
            n_before = len(captured)
            module(torch.as_tensor(X[i:i + batch_size], device=device))
            del captured[n_before + 1:]  # keep the first call if the module is reused
    finally:
        handle.remove()
        module.train(was_training)
    if not captured:
        return np.zeros((0,), dtype=np.float32)
    return torch.cat(captured).numpy()
