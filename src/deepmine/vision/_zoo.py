"""torchvision's model zoo, offline first: weights from torchvision's cache or a local file.

Never silently random: missing weights raise an error that says how to get
them, unless the caller asks for ``weights=None``.
"""

import os
import warnings

import torch
from torch import nn

from deepmine.exceptions import InvalidParameterError, ModelFileError
from deepmine.utils._optional import import_optional, optional_from

_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)
_AUX = {"googlenet": {"aux_logits": True, "init_weights": False},
        "inception_v3": {"aux_logits": True, "init_weights": False}}


def _check_name(name):
    tvm = import_optional("torchvision.models", "Pretrained networks")

    names = tvm.list_models(module=tvm)
    if name not in names:
        import difflib

        close = difflib.get_close_matches(str(name), names, n=3)
        hint = f" Did you mean {close}?" if close else ""
        raise InvalidParameterError(
            f"{name!r} is not a torchvision classification model.{hint} Choose e.g. 'resnet18', "
            f"'resnet50', 'googlenet', 'vgg16', 'efficientnet_b0', 'mobilenet_v3_small'.")


def preprocessing(name):
    """Return ``(resize_size, crop_size, mean, std)`` of the model's default torchvision weights."""
    get_model_weights = optional_from(
        "torchvision.models", "get_model_weights", feature="Pretrained networks")

    try:
        t = get_model_weights(name).DEFAULT.transforms()
        resize = t.resize_size[0] if isinstance(t.resize_size, (list, tuple)) else t.resize_size
        crop = t.crop_size[0] if isinstance(t.crop_size, (list, tuple)) else t.crop_size
        return int(resize), int(crop), tuple(t.mean), tuple(t.std)
    except (AttributeError, ValueError, KeyError):
        return 256, 224, _IMAGENET_MEAN, _IMAGENET_STD


def _cached_weights(name, weights, download):
    get_model_weights = optional_from(
        "torchvision.models", "get_model_weights", feature="Pretrained networks")

    enum = get_model_weights(name)
    try:
        w = enum.DEFAULT if weights in ("DEFAULT", True) else enum[str(weights)]
    except KeyError:
        raise InvalidParameterError(
            f"{weights!r} is not a weights name of {name}; choose one of "
            f"{['DEFAULT', *[m.name for m in enum]]} or None.") from None
    cache = os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(w.url))
    if not os.path.exists(cache) and not download:
        raise FileNotFoundError(
            f"The pretrained weights of {name!r} ({w.name}) are not in torchvision's cache "
            f"({cache}) and download=False. Get them once while online with "
            f"`python -c \"import torchvision; torchvision.models.get_model('{name}', "
            f"weights='DEFAULT')\"` (or pass download=True), or give a local state_dict file as "
            f"weights_path=...; weights=None uses random weights.")
    return w.get_state_dict(progress=False, check_hash=True)


def _read_state_dict(path):
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"weights_path {path!r} does not exist.")
    try:
        if path.endswith(".safetensors"):
            from safetensors.torch import load_file

            state = load_file(path)
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch and safetensors raise many error types for bad files
        raise ModelFileError(f"weights_path {path!r} cannot be read as a state_dict ({exc}).") from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise ModelFileError(f"weights_path {path!r} does not hold a state_dict (a dict of tensors).")
    return state


def strip_head(model):
    """Replace the classification head of a torchvision model by the identity.

    Returns
    -------
    n_features : int
        Width of the penultimate layer (the features the head received).
    """
    classifier = getattr(model, "classifier", None)
    if isinstance(classifier, nn.Sequential) and any(isinstance(m, nn.Conv2d) for m in classifier):
        conv = next(m for m in classifier if isinstance(m, nn.Conv2d))  # SqueezeNet
        model.classifier = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
        return conv.in_channels
    linears = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise InvalidParameterError(f"Cannot find the head of {type(model).__name__}.")
    name, last = linears[-1]
    parent = model
    *path, leaf = name.split(".")
    for part in path:
        parent = getattr(parent, part)
    setattr(parent, leaf, nn.Identity())
    return last.in_features


def load_backbone(name, *, weights="DEFAULT", weights_path=None, download=False):
    """Build a torchvision model without its head, with the requested weights.

    Parameters
    ----------
    name : str
        torchvision model name, e.g. ``"resnet18"``.
    weights : str or None, default="DEFAULT"
        Weights of torchvision (from its cache); None means random weights.
        Ignored when ``weights_path`` is given.
    weights_path : path-like or None, default=None
        A ``state_dict`` saved with ``torch.save`` or safetensors.
    download : bool, default=False
        Let torchvision download missing weights.

    Returns
    -------
    model : torch.nn.Module
        Maps ``(N, 3, H, W)`` normalised images to ``(N, n_features)``.
    n_features : int
    """
    get_model = optional_from("torchvision.models", "get_model", feature="Pretrained networks")

    _check_name(name)
    kwargs = dict(_AUX.get(name, {}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torchvision's notes on init of old models
        model = get_model(name, weights=None, **kwargs)
    state = None
    if weights_path is not None:
        state = _read_state_dict(weights_path)
    elif weights is not None:
        state = _cached_weights(name, weights, download)
    if state is not None:
        try:
            model.load_state_dict(state)
        except RuntimeError as exc:
            raise ModelFileError(
                f"The weights do not fit torchvision's {name!r}: {str(exc).splitlines()[0]}") from None
    if name in _AUX:
        model.aux_logits = False
        model.aux1 = model.aux2 = None
        if hasattr(model, "AuxLogits"):
            model.AuxLogits = None
    n_features = strip_head(model)
    return model, n_features
