"""Gradient ascent on the input: class prototypes and DeepDream.

"Turning a network upside down": keep the weights fixed and optimise the
image instead. :func:`class_prototype` maximises one class score (Simonyan et
al. 2014) under a prior that neighbouring pixels correlate -- total variation
(Mahendran & Vedaldi 2015), periodic blurring or random jitter (Yosinski et al.
2015); :func:`deep_dream` amplifies whatever a layer responds to, over several
scales (Mordvintsev, Olah & Tyka 2015).
"""

from numbers import Integral, Real

import numpy as np
import torch

from deepmine.exceptions import InvalidParameterError
from deepmine.nn._inference import eval_mode
from deepmine.nn._model_view import ModelView, check_params
from deepmine.utils import resolve_seed
from deepmine.utils._param_validation import Interval, StrOptions
from deepmine.visualize._features import (activations, first_conv_channels, image_to_tensor,
                                          last_conv, resize, resolve_layers)

__all__ = ["class_prototype", "deep_dream"]

PRIORS = ("total_variation", "blur", "jitter")
_DEFAULT_STRENGTH = {"total_variation": 0.5, "blur": 0.5, "jitter": None}


def _input_fn(view, image_shape, caller):
    """Image shape and ``images -> module input`` for an estimator or a bare module."""
    est = view.estimator
    if image_shape is None:
        image_shape = getattr(est, "image_shape_", None)
        if image_shape is None:
            raise InvalidParameterError(f"{caller} needs image_shape, e.g. (1, 8, 8) for a CNN "
                                        f"on 8x8 digits or (8, 8) for an MLP on flat pixels.")
    image_shape = tuple(int(s) for s in image_shape)
    if len(image_shape) < 2 or min(image_shape) < 1:
        raise InvalidParameterError(f"The 'image_shape' parameter of {caller} must hold at least "
                                    f"(height, width); got {image_shape}.")
    size = int(np.prod(image_shape))
    if est is not None and hasattr(est, "n_inputs_"):
        target_shape = (est.n_inputs_,)
    elif est is not None and hasattr(est, "image_shape_"):
        target_shape = tuple(est.image_shape_)
    else:
        target_shape = image_shape
    if int(np.prod(target_shape)) != size:
        raise InvalidParameterError(f"image_shape={image_shape} has {size} values but the model "
                                    f"takes {int(np.prod(target_shape))} per sample.")
    return image_shape, (lambda x: x.reshape(x.shape[0], *target_shape))


def _total_variation(x4):
    """Sum of squared differences between neighbouring pixels, per image. x4: (T, C, H, W)."""
    dh = (x4[:, :, 1:, :] - x4[:, :, :-1, :]).pow(2).sum(dim=(1, 2, 3))
    dw = (x4[:, :, :, 1:] - x4[:, :, :, :-1]).pow(2).sum(dim=(1, 2, 3))
    return dh + dw


def _gaussian_blur(x4, sigma):
    radius = max(1, int(round(2 * sigma)))
    k = torch.arange(-radius, radius + 1, dtype=x4.dtype, device=x4.device)
    k = torch.exp(-k ** 2 / (2 * sigma ** 2))
    k = k / k.sum()
    c = x4.shape[1]
    pad = torch.nn.functional.pad(x4, (radius, radius, radius, radius), mode="replicate")
    out = torch.nn.functional.conv2d(pad, k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    return torch.nn.functional.conv2d(out, k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def class_prototype(model, target, image_shape=None, *, prior="total_variation", steps=200,
                    learning_rate=0.05, prior_strength=None, clip=(0.0, 1.0), random_state=None):
    """The input that a network finds most typical of a class: gradient ascent on the class score.

    Starting from faint noise, Adam maximises the unnormalised score (logit) of
    ``target`` with respect to the image while the weights stay fixed. On its
    own this finds high-frequency noise that the network loves; a prior that
    neighbouring pixels correlate turns it into a recognisable prototype.

    Parameters
    ----------
    model : fitted deepmine classifier or torch.nn.Module
        A module receives a batch of shape ``(n, *image_shape)``; estimators get
        their own layout (flat rows for tabular ones).
    target : label or array-like of labels
        Class(es) to visualise (the estimator's labels, or indices for a module).
    image_shape : tuple of int or None, default=None
        ``(C, H, W)`` or ``(H, W)``; None takes a CNN estimator's ``image_shape_``.
    prior : {"total_variation", "blur", "jitter"} or None, default="total_variation"
        Penalise squared differences of neighbouring pixels; blur the image
        with a Gaussian after every step; shift it randomly before every step;
        or nothing (noise-like result).
    steps : int, default=200
        Gradient-ascent steps.
    learning_rate : float, default=0.05
        Adam's step size, in pixel units.
    prior_strength : float or None, default=None
        Weight of the total variation (default 0.5), blur sigma in pixels
        (0.5), or largest jitter in pixels (an eighth of the width).
    clip : tuple (low, high) or None, default=(0.0, 1.0)
        Valid pixel range kept during the ascent.
    random_state : int, RandomState instance or None, default=None
        Seed of the starting noise and the jitter.

    Returns
    -------
    prototype : ndarray of float32
        Shape ``image_shape`` for one target, ``(n_targets, *image_shape)`` for several.

    Examples
    --------
    >>> import torch
    >>> from deepmine.visualize import class_prototype
    >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 2))
    >>> class_prototype(net, 1, (4, 4), steps=5, random_state=0).shape
    (4, 4)
    """
    check_params({
        "prior": [StrOptions(set(PRIORS)), None],
        "steps": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "prior_strength": [Interval(Real, 0, None, closed="left"), None],
        "clip": [tuple, list, None], "random_state": ["random_state"],
    }, dict(prior=prior, steps=steps, learning_rate=learning_rate, prior_strength=prior_strength,
            clip=clip, random_state=random_state), "class_prototype")
    view = ModelView(model, "class_prototype")
    image_shape, to_input = _input_fn(view, image_shape, "class_prototype")
    single = np.ndim(target) == 0
    targets = np.atleast_1d(np.asarray(target))
    idx = view.labels(targets, len(targets), name="target")
    strength = prior_strength if prior_strength is not None else _DEFAULT_STRENGTH.get(prior)
    h, w = image_shape[-2:]
    if prior == "jitter" and strength is None:
        strength = max(1, w // 8)
    low, high = (None, None) if clip is None else (float(clip[0]), float(clip[1]))
    mid = 0.5 * (low + high) if clip is not None else 0.0
    gen = torch.Generator().manual_seed(resolve_seed(random_state))
    x = (mid + 0.01 * torch.randn((len(targets), *image_shape), generator=gen)).to(view.device)
    x.requires_grad_(True)
    opt = torch.optim.Adam([x], lr=learning_rate)
    with eval_mode(view.module):
        for _ in range(steps):
            x4 = x.reshape(len(targets), -1, h, w)
            if prior == "jitter":
                dy, dx = (int(v) for v in torch.randint(-int(strength), int(strength) + 1, (2,),
                                                         generator=gen))
                x4 = torch.roll(x4, shifts=(dy, dx), dims=(2, 3))
            logits = view.forward(to_input(x4.reshape(x.shape)))
            loss = -logits.gather(1, idx[:, None]).sum()
            if prior == "total_variation":
                loss = loss + strength * _total_variation(x4).sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                if prior == "blur" and strength > 0:
                    x.copy_(_gaussian_blur(x.reshape(len(targets), -1, h, w), strength)
                            .reshape(x.shape))
                if clip is not None:
                    x.clamp_(low, high)
    out = x.detach().cpu().numpy().astype(np.float32)
    return out[0] if single else out


def deep_dream(model, image, layer=None, *, octaves=3, octave_scale=1.4, steps=10,
               step_size=0.02, jitter=2, random_state=None):
    """DeepDream: amplify what a layer sees in an image, from coarse to fine scales.

    The image is shrunk ``octaves - 1`` times by ``octave_scale``; starting at the
    smallest, gradient ascent on the mean squared activation of ``layer``
    (normalised steps, random jitter) adds detail, which is carried up to the next
    scale (Mordvintsev, Olah & Tyka 2015).

    Parameters
    ----------
    model : fitted deepmine CNN estimator or torch.nn.Module
        The network's layers up to ``layer`` must accept images of any size
        (convolutions and pooling); the rest of the network is not run.
    image : ndarray of shape (H, W) or (H, W, C)
        uint8 (0..255) or float in [0, 1], e.g. ``sklearn.datasets.load_sample_image``.
        Colour images are averaged to grey for a one-channel network.
    layer : str, torch.nn.Module or None, default=None
        Name (from ``module.named_modules()``) or module of the layer to
        amplify; None takes the last convolution layer.
    octaves : int, default=3
        Number of scales.
    octave_scale : float, default=1.4
        Size ratio between consecutive scales.
    steps : int, default=10
        Ascent steps per scale.
    step_size : float, default=0.02
        Step in pixel units (the gradient is normalised by its mean magnitude).
    jitter : int, default=2
        Largest random shift in pixels before each step.
    random_state : int, RandomState instance or None, default=None
        Seed of the jitter.

    Returns
    -------
    dream : ndarray of float32 in [0, 1]
        (H, W) for a one-channel network, else (H, W, C).

    Examples
    --------
    >>> import numpy as np, torch
    >>> from deepmine.visualize import deep_dream
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU())
    >>> img = np.random.default_rng(0).random((32, 32, 3))
    >>> deep_dream(net, img, octaves=2, steps=2, random_state=0).shape
    (32, 32, 3)
    """
    check_params({
        "octaves": [Interval(Integral, 1, None, closed="left")],
        "octave_scale": [Interval(Real, 1, None, closed="left")],
        "steps": [Interval(Integral, 1, None, closed="left")],
        "step_size": [Interval(Real, 0, None, closed="neither")],
        "jitter": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    }, dict(octaves=octaves, octave_scale=octave_scale, steps=steps, step_size=step_size,
            jitter=jitter, random_state=random_state), "deep_dream")
    view = ModelView(model, "deep_dream")
    module = view.module
    name = last_conv(module, "deep_dream") if layer is None else \
        resolve_layers(module, [layer], "deep_dream")[0][0]
    x, back = image_to_tensor(image, first_conv_channels(module), "deep_dream", view.device)
    size = np.array(x.shape[-2:])
    shapes = [tuple(np.maximum((size / octave_scale ** i).round().astype(int), 1))
              for i in range(octaves)][::-1]
    gen = torch.Generator().manual_seed(resolve_seed(random_state))
    base = x
    detail = torch.zeros_like(resize(base, shapes[0]))
    with eval_mode(module):
        for shape in shapes:
            octave_base = resize(base, shape)
            img = (octave_base + resize(detail, shape)).clamp(0, 1)
            for _ in range(steps):
                dy, dx = (int(v) for v in torch.randint(-jitter, jitter + 1, (2,), generator=gen))
                img = img.detach().requires_grad_(True)
                act = activations(module, torch.roll(img, (dy, dx), dims=(2, 3)), [name])[name]
                (grad,) = torch.autograd.grad(act.pow(2).mean(), img)
                with torch.no_grad():
                    img = (img + step_size * grad / (grad.abs().mean() + 1e-8)).clamp(0, 1)
            detail = img.detach() - octave_base
    return back(img).astype(np.float32)
