"""Intermediate activations by forward hooks, and images <-> tensors.

Forward hooks record the output of named layers; once every requested layer
has fired, the forward pass is cut short, so a network with a dense head still
accepts images of any size (DeepDream octaves, style transfer).
"""

import numpy as np
import torch
from torch import nn

from deepmine.exceptions import DataError, InvalidParameterError


class _Done(Exception):
    """Raised inside a hook when every requested layer has been recorded."""


def resolve_layers(module, layers, caller):
    """Layer names or modules -> list of (name, module) of ``module``'s named submodules."""
    named = dict(module.named_modules())
    by_id = {id(m): n for n, m in named.items()}
    out = []
    for layer in layers:
        if isinstance(layer, nn.Module):
            if id(layer) not in by_id:
                raise InvalidParameterError(f"The layer passed to {caller} is not part of the model.")
            out.append((by_id[id(layer)], layer))
        elif isinstance(layer, str) and layer in named:
            out.append((layer, named[layer]))
        else:
            choices = [n for n, m in named.items() if n and not list(m.children())]
            raise InvalidParameterError(
                f"The model of {caller} has no layer {layer!r}; its layers are {choices[:40]}.")
    return out


def last_conv(module, caller):
    """Name of the last ``Conv2d`` of ``module``."""
    convs = [n for n, m in module.named_modules() if isinstance(m, nn.Conv2d)]
    if not convs:
        raise InvalidParameterError(
            f"{caller} found no Conv2d layer in the model; pass layer= (a module name).")
    return convs[-1]


def activations(module, x, names):
    """Run ``module`` on ``x`` just far enough to record the outputs of ``names`` (dict name -> tensor)."""
    named = dict(module.named_modules())
    found, handles = {}, []

    def hook_for(name):
        def hook(mod, inputs, output):
            found[name] = output
            if len(found) == len(names):
                raise _Done
        return hook

    for name in set(names):
        handles.append(named[name].register_forward_hook(hook_for(name)))
    try:
        module(x)
    except _Done:
        pass
    finally:
        for h in handles:
            h.remove()
    missing = [n for n in names if n not in found]
    if missing:
        raise InvalidParameterError(f"Layers {missing} were not used by the model's forward pass.")
    return found


def first_conv_channels(module):
    """``in_channels`` of the first Conv2d, or None."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            return m.in_channels
    return None


def image_to_tensor(image, channels, caller, device="cpu"):
    """(H, W) or (H, W, C) array (uint8 or float in [0, 1]) -> (1, channels, H, W) float tensor.

    Returns the tensor and a function turning a (1, C, H, W) tensor back into the
    caller's layout (channels last, grayscale as (H, W)).
    """
    arr = np.asarray(image)
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (1, 3, 4)):
        raise DataError(f"{caller} needs an image of shape (H, W) or (H, W, C) with C in "
                        f"{{1, 3, 4}}; got shape {arr.shape}.")
    if arr.dtype == np.uint8:
        arr = arr.astype(np.float32) / 255.0
    else:
        arr = arr.astype(np.float32)
        if not np.isfinite(arr).all():
            raise DataError(f"The image passed to {caller} contains NaN or infinity.")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    arr = arr[:, :, :3]
    if channels is not None and arr.shape[2] != channels:
        if channels == 1:
            arr = arr.mean(axis=2, keepdims=True)
        elif arr.shape[2] == 1:
            arr = np.repeat(arr, channels, axis=2)
        else:
            raise DataError(f"The model of {caller} takes {channels}-channel images; got "
                            f"{arr.shape[2]} channels.")
    t = torch.as_tensor(np.ascontiguousarray(arr.transpose(2, 0, 1)))[None].to(device)
    gray = t.shape[1] == 1

    def back(x):
        out = x.detach().cpu()[0].numpy().transpose(1, 2, 0)
        return out[:, :, 0] if gray else out

    return t, back


def resize(x, size):
    """Bilinear resize of a (N, C, H, W) tensor to ``size`` = (H, W)."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return nn.functional.interpolate(x, size=tuple(size), mode="bilinear", align_corners=False)
