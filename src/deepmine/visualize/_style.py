"""Neural style transfer (Gatys, Ecker & Bethge 2015): optimise an image, not the network.

The content loss compares feature maps of one deep layer with those of the
content image; the style loss compares Gram matrices (channel correlations)
of several layers with those of the style image. torchvision's VGG-19 is used
when its ImageNet weights are already in the torch hub cache (nothing is ever
downloaded); otherwise a fixed, randomly initialised VGG-like network, whose
random features still capture texture statistics (Ustyuzhaninov et al. 2016).
"""

import copy
import logging
import os
from numbers import Integral, Real

import numpy as np
import torch
from torch import nn

from deepmine.exceptions import InvalidParameterError
from deepmine.nn._model_view import check_params
from deepmine.utils import resolve_seed
from deepmine.utils._param_validation import Interval, StrOptions
from deepmine.visualize._features import (activations, first_conv_channels, image_to_tensor,
                                          resize, resolve_layers)
from deepmine.utils._optional import optional_from

__all__ = ["style_transfer", "vgg19_features", "random_features"]

logger = logging.getLogger(__name__)

#: conv1_1 .. conv5_1 (after ReLU) for style, conv4_2 (after ReLU) for content, as in Gatys et al.
VGG19_STYLE_LAYERS = ("1", "6", "11", "20", "29")
VGG19_CONTENT_LAYERS = ("22",)


class _Normalize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


def vgg19_features():
    """torchvision's ImageNet VGG-19 convolutional part, if its weights are in the hub cache.

    Returns
    -------
    torch.nn.Sequential or None
        ImageNet normalisation followed by ``vgg19().features[:30]``; None when
        the weights are not cached (they are never downloaded here).
    """
    VGG19_Weights, vgg19 = optional_from(
        "torchvision.models", "VGG19_Weights", "vgg19", feature="Style transfer")

    url = VGG19_Weights.IMAGENET1K_V1.url
    path = os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(url))
    if not os.path.exists(path):
        return None
    net = vgg19(weights=None)
    net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    body = net.features[:30]
    return nn.Sequential(_Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]), *body)


def random_features(in_channels=3, *, random_state=0):
    """A fixed, randomly initialised VGG-like feature network (3 blocks of 3x3 conv + ReLU).

    Parameters
    ----------
    in_channels : int, default=3
    random_state : int, default=0
        Seed of the weights.

    Returns
    -------
    torch.nn.Sequential

    Examples
    --------
    >>> from deepmine.visualize import random_features
    >>> len(random_features())
    12
    """
    gen = torch.Generator().manual_seed(resolve_seed(random_state))
    layers, c = [], in_channels
    for i, width in enumerate((32, 64, 128)):
        if i:
            layers.append(nn.AvgPool2d(2))
        for _ in range(1 if i == 2 else 2):
            conv = nn.Conv2d(c, width, 3, padding=1)
            with torch.no_grad():
                conv.weight.normal_(0, (2 / (9 * c)) ** 0.5, generator=gen)
                conv.bias.zero_()
            layers += [conv, nn.ReLU()]
            c = width
    return nn.Sequential(*layers)


def _default_layers(net):
    """ReLU (else Conv2d) layer names: up to five spread out for style, one deep one for content."""
    names = [n for n, m in net.named_modules() if isinstance(m, nn.ReLU)] or \
        [n for n, m in net.named_modules() if isinstance(m, nn.Conv2d)]
    if not names:
        raise InvalidParameterError("style_transfer found no ReLU or Conv2d layer in feature_net; "
                                    "pass content_layers= and style_layers=.")
    pick = sorted(set(np.linspace(0, len(names) - 1, min(5, len(names))).round().astype(int)))
    return [names[i] for i in pick], [names[int(round(0.75 * (len(names) - 1)))]]


def _gram(f):
    """(1, C, H, W) -> (C, C) channel correlations, normalised by the number of values."""
    _, c, h, w = f.shape
    f = f.reshape(c, h * w)
    return f @ f.T / (c * h * w)


def _prepare(feature_net, random_state):
    """The network to use, its name, and whether defaults are Gatys' VGG-19 layers."""
    if feature_net is None:
        vgg = vgg19_features()
        if vgg is not None:
            return vgg, "VGG-19 (ImageNet weights from the torch hub cache)", True
        seed = 0 if random_state is None else random_state
        return random_features(3, random_state=seed), \
            "random VGG-like network (no cached VGG-19 weights)", False
    if not isinstance(feature_net, nn.Module):
        raise InvalidParameterError(
            "The 'feature_net' parameter of style_transfer must be a torch.nn.Module or None. "
            f"Got {type(feature_net).__name__}.")
    return copy.deepcopy(feature_net), type(feature_net).__name__, False


def style_transfer(content, style, *, feature_net=None, content_layers=None, style_layers=None,
                   content_weight=1.0, style_weight=1e5, steps=100, optimizer="lbfgs",
                   max_size=256, random_state=None, return_info=False):
    """Paint ``content`` in the style of ``style`` (Gatys, Ecker & Bethge 2015).

    Minimises ``content_weight * L_content + style_weight * L_style`` over the
    pixels of an image that starts as the content image: ``L_content`` is the
    mean squared difference of the feature maps of ``content_layers``,
    ``L_style`` the summed squared differences of the Gram matrices of
    ``style_layers``. The feature network's weights are frozen.

    Parameters
    ----------
    content, style : ndarray of shape (H, W) or (H, W, C)
        uint8 (0..255) or float in [0, 1]; the style image is resized to the
        content image's size.
    feature_net : torch.nn.Module or None, default=None
        Any convolutional feature network (e.g. an ``nn.Sequential`` of conv/ReLU
        layers). None uses torchvision's VGG-19 when its weights are in the torch
        hub cache, otherwise :func:`random_features`; the choice is logged and
        returned in ``info["feature_net"]``.
    content_layers, style_layers : sequence of str or None, default=None
        Layer names from ``feature_net.named_modules()``. None: Gatys et al.'s
        conv4_2 / conv1_1..conv5_1 for VGG-19; otherwise a deep ReLU for content
        and up to five ReLUs spread over the depth for style.
    content_weight : float, default=1.0
    style_weight : float, default=1e5
    steps : int, default=100
        L-BFGS function evaluations or Adam steps.
    optimizer : {"lbfgs", "adam"}, default="lbfgs"
        L-BFGS with a strong-Wolfe line search (as Gatys et al.), pixels clipped
        to [0, 1] at the end; or Adam (step 0.02), clipped after every step.
    max_size : int, default=256
        Longer side of the working resolution (the content image is shrunk to it).
    random_state : int, RandomState instance or None, default=None
        Seed of the random feature network (when it is used).
    return_info : bool, default=False
        Also return a dict with ``feature_net``, the layers and the final losses.

    Returns
    -------
    image : ndarray of float32 in [0, 1] of shape (H', W', C)
    info : dict
        Only with ``return_info=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.visualize import style_transfer
    >>> rng = np.random.default_rng(0)
    >>> out = style_transfer(rng.random((16, 16, 3)), rng.random((16, 16, 3)), steps=3,
    ...                      random_state=0)
    >>> out.shape
    (16, 16, 3)
    """
    check_params({
        "content_layers": [list, tuple, None], "style_layers": [list, tuple, None],
        "content_weight": [Interval(Real, 0, None, closed="left")],
        "style_weight": [Interval(Real, 0, None, closed="left")],
        "steps": [Interval(Integral, 1, None, closed="left")],
        "optimizer": [StrOptions({"lbfgs", "adam"})],
        "max_size": [Interval(Integral, 8, None, closed="left")],
        "random_state": ["random_state"], "return_info": ["boolean"],
    }, dict(content_layers=content_layers, style_layers=style_layers,
            content_weight=content_weight, style_weight=style_weight, steps=steps,
            optimizer=optimizer, max_size=max_size, random_state=random_state,
            return_info=return_info), "style_transfer")
    net, name, is_vgg = _prepare(feature_net, random_state)
    net.eval().requires_grad_(False)
    for m in net.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False
    d_style, d_content = (VGG19_STYLE_LAYERS, VGG19_CONTENT_LAYERS) if is_vgg else \
        _default_layers(net)
    s_names = [n for n, _ in resolve_layers(net, style_layers or d_style, "style_transfer")]
    c_names = [n for n, _ in resolve_layers(net, content_layers or d_content, "style_transfer")]
    logger.info("style_transfer uses %s; style layers %s, content layers %s", name, s_names, c_names)
    device = next(iter(net.parameters()), torch.zeros(0)).device
    channels = first_conv_channels(net) or 3
    c_img, back = image_to_tensor(content, channels, "style_transfer", device)
    s_img, _ = image_to_tensor(style, channels, "style_transfer", device)
    h, w = c_img.shape[-2:]
    scale = min(1.0, max_size / max(h, w))
    size = (max(1, round(h * scale)), max(1, round(w * scale)))
    c_img, s_img = resize(c_img, size), resize(s_img, size)
    names = list(dict.fromkeys(s_names + c_names))
    with torch.no_grad():
        c_target = {n: f.detach() for n, f in activations(net, c_img, names).items() if n in c_names}
        s_target = {n: _gram(f) for n, f in activations(net, s_img, names).items() if n in s_names}
    x = c_img.clone().requires_grad_(True)
    losses = {}

    def objective():
        feats = activations(net, x, names)
        lc = sum(torch.nn.functional.mse_loss(feats[n], c_target[n]) for n in c_names)
        ls = sum(((_gram(feats[n]) - s_target[n]) ** 2).sum() for n in s_names)
        losses.update(content=float(lc.detach()), style=float(ls.detach()))
        return content_weight * lc + style_weight * ls

    if optimizer == "lbfgs":
        opt = torch.optim.LBFGS([x], lr=1.0, max_iter=steps, max_eval=steps,
                                tolerance_grad=0.0, tolerance_change=0.0, history_size=20,
                                line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = objective()
            loss.backward()
            return loss

        opt.step(closure)
    else:
        opt = torch.optim.Adam([x], lr=0.02)
        for _ in range(steps):
            opt.zero_grad()
            objective().backward()
            opt.step()
            with torch.no_grad():
                x.clamp_(0, 1)
    with torch.no_grad():
        x.clamp_(0, 1)
    out = back(x).astype(np.float32)
    if out.ndim == 2:
        out = out[:, :, None]
    if not return_info:
        return out
    return out, {"feature_net": name, "style_layers": s_names, "content_layers": c_names,
                 "content_loss": losses.get("content"), "style_loss": losses.get("style"),
                 "size": size}
