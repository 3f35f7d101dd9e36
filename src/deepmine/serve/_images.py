"""The image page: decode an upload safely, classify it, DeepDream and class prototypes.

The classifier is a pretrained torchvision network when its weights are in
torchvision's cache (``deepmine download googlenet``), else the user's image
model, else the shipped digit network (the photo is seen as an 8x8 grey digit).
"""

import base64
import io
import os
import threading
import warnings

import numpy as np
import torch
from torch import nn

from deepmine.serve._limits import BadInput, lock_for
from deepmine.utils._optional import optional_from

#: Pretrained networks looked for in torchvision's cache, in this order.
PRETRAINED = ("googlenet", "resnet18", "mobilenet_v3_small", "resnet50", "vgg16", "vgg19")
_DREAM_SIDE = 160
_PROTOTYPE_SIDE = 128


def decode_image(data, max_pixels, mode="RGB"):
    """Bytes of an image file as an (H, W, C) float32 array in [0, 1], refusing bombs and non-images."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.width * img.height > max_pixels:
                raise BadInput(f"The image declares {img.width}x{img.height} pixels, more than "
                               f"the {max_pixels:,} this server decodes; send a smaller image.")
            img = img.convert(mode)
            img.load()
    except BadInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadInput("The image declares more pixels than can be decoded safely (a "
                       "decompression bomb?); send a smaller image.") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise BadInput("The uploaded file is not an image Pillow can read (PNG, JPEG, GIF, "
                       "BMP, WebP, ...).") from None
    arr = np.asarray(img, dtype=np.float32) / 255.0
    return arr[:, :, None] if arr.ndim == 2 else arr


def _resize(arr, h, w):
    from PIL import Image

    chans = [np.asarray(Image.fromarray(arr[:, :, k], mode="F").resize((w, h), Image.BILINEAR))
             for k in range(arr.shape[2])]
    return np.stack(chans, axis=2).astype(np.float32)


def png_data_url(arr):
    """An (H, W) or (H, W, C) array in [0, 1] as a PNG data URL."""
    from PIL import Image

    a = np.clip(np.asarray(arr, dtype=np.float32), 0, 1)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    buf = io.BytesIO()
    Image.fromarray((a * 255).round().astype(np.uint8)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


class _Pixels(nn.Module):
    """ImageNet normalisation in front of a torchvision network, so it takes [0, 1] pixels."""

    def __init__(self, net, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))
        self.net = net

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


def cached_pretrained(names=PRETRAINED):
    """The first of ``names`` whose default weights are in torchvision's cache, or None."""
    try:
        get_model_weights = optional_from(
            "torchvision.models", "get_model_weights", feature="The image page")
    except ImportError:
        return None
    folder = os.path.join(torch.hub.get_dir(), "checkpoints")
    for name in names:
        try:
            url = get_model_weights(name).DEFAULT.url
        except (ValueError, KeyError, AttributeError):
            continue
        if os.path.exists(os.path.join(folder, os.path.basename(url))):
            return name
    return None


class ImageClassifier:
    """The model behind the image page, seen as ``[0, 1]`` pixels -> logits."""

    def __init__(self, module, labels, shape, note, lock=None):
        self.module, self.labels, self.shape, self.note = module.eval(), list(labels), shape, note
        self.lock = lock or threading.Lock()

    @classmethod
    def choose(cls, store):
        """Pretrained if cached, else the user's image model, else the digit network."""
        name = cached_pretrained()
        if name is not None:
            get_model, get_model_weights = optional_from(
                "torchvision.models", "get_model", "get_model_weights", feature="The image page")

            from deepmine.vision._zoo import preprocessing

            w = get_model_weights(name).DEFAULT
            # as torchvision builds it for its weights (GoogLeNet's own input transform on)
            net = get_model(name, weights=None, **({"aux_logits": False, "init_weights": False,
                                                    "transform_input": True}
                                                   if name == "googlenet" else {}))
            state = w.get_state_dict(progress=False, check_hash=True)
            if name == "googlenet":
                state = {k: v for k, v in state.items() if not k.startswith("aux")}
            net.load_state_dict(state)
            _, crop, mean, std = preprocessing(name)
            return cls(_Pixels(net, mean, std), w.meta["categories"], (3, crop, crop),
                       f"torchvision's {name} pretrained on ImageNet (from its cache)")
        model = store.image_model
        note = "your image model"
        if model is None:
            model = store.digits.get()
            note = (f"the digit network, as no pretrained network is in torchvision's cache: "
                    f"the photo is seen as a grey {model.image_shape_[1]}x"
                    f"{model.image_shape_[2]} digit ('deepmine download googlenet' gets one)")
        lo, hi = getattr(model, "pixel_range_", (0.0, 1.0))
        return cls(_Scaled(model.module_, lo, hi), [str(c) for c in model.classes_],
                   tuple(int(v) for v in model.image_shape_), note, lock_for(model.module_))

    def prepare(self, arr):
        """An (H, W, C) upload -> (C, H', W') input of the model's shape (grey if it has one channel)."""
        c, h, w = self.shape
        if c == 1 and arr.shape[2] == 3:
            arr = arr.mean(axis=2, keepdims=True)
        elif c == 3 and arr.shape[2] == 1:
            arr = np.repeat(arr, 3, axis=2)
        if c == 1 and h <= 28:  # digit models learnt white ink on black
            arr = 1.0 - arr if arr.mean() > 0.5 else arr
        return _resize(arr, h, w).transpose(2, 0, 1)

    def classify(self, arr, topn=5):
        x = self.prepare(arr)
        with self.lock, torch.no_grad():
            p = torch.softmax(self.module(torch.as_tensor(x)[None]), dim=1)[0].numpy()
        order = np.argsort(-p)[:topn]
        return {"top": [{"label": self.labels[i], "p": round(float(p[i]), 4), "index": int(i)}
                        for i in order],
                "input": png_data_url(x.transpose(1, 2, 0)), "note": self.note,
                "classes": self.labels if len(self.labels) <= 100 else None}

    def dream(self, arr):
        from deepmine.visualize import deep_dream

        h, w = arr.shape[:2]
        side = _DREAM_SIDE if self.shape[1] >= 64 else max(64, 4 * self.shape[1])
        f = side / max(h, w)
        arr = _resize(arr, max(8, round(h * f)), max(8, round(w * f)))
        if self.shape[0] == 1:
            arr = arr.mean(axis=2)
        with self.lock:
            out = deep_dream(self.module, arr, octaves=3, steps=8, random_state=0)
        return {"image": png_data_url(out), "note": self.note}

    def prototype(self, index):
        from deepmine.visualize import class_prototype

        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self.labels):
            raise BadInput(f"class must be an index in 0..{len(self.labels) - 1}; got {index!r}.")
        c, h, w = self.shape
        big = h >= 64
        shape = (c, _PROTOTYPE_SIDE, _PROTOTYPE_SIDE) if big else (c, h, w)
        with self.lock:
            proto = class_prototype(self.module, index, shape, steps=40 if big else 200,
                                    random_state=0)
        return {"image": png_data_url(np.asarray(proto).transpose(1, 2, 0)),
                "label": self.labels[index], "note": self.note}


class _Scaled(nn.Module):
    """A deepmine network that takes ``[lo, hi]`` pixels, fed ``[0, 1]`` pixels."""

    def __init__(self, net, lo, hi):
        super().__init__()
        self.net, self.lo, self.scale = net, float(lo), float(hi) - float(lo)

    def forward(self, x):
        return self.net(self.lo + self.scale * x)
