"""The digit pages' computations: a drawing as the network sees it, every layer's response, attacks."""

import numpy as np
import torch
from torch import nn

from deepmine.serve._limits import BadInput, lock_for
from deepmine.serve._models import as_model_pixels, digit_input_shape

#: Side of the square ink grid the page sends (downsampled from its canvas).
GRID = 56
_ACTS = (nn.ReLU, nn.LeakyReLU, nn.Sigmoid, nn.Tanh, nn.GELU, nn.ELU, nn.SiLU)


def _round(a, digits=3):
    return np.round(np.asarray(a, dtype=np.float64), digits).tolist()


def check_grid(pixels):
    """The page's ``GRID x GRID`` ink values in [0, 1] as an array, or a one-sentence error."""
    if not isinstance(pixels, list) or len(pixels) != GRID * GRID:
        raise BadInput(f"The drawing must be a list of {GRID * GRID} ink values ({GRID}x{GRID}); "
                       f"got {type(pixels).__name__} of length "
                       f"{len(pixels) if hasattr(pixels, '__len__') else 'none'}.")
    try:
        grid = np.asarray(pixels, dtype=np.float32).reshape(GRID, GRID)
    except (TypeError, ValueError):
        raise BadInput("The drawing's ink values must be numbers.") from None
    if not np.isfinite(grid).all():
        raise BadInput("The drawing's ink values must be finite numbers.")
    grid = np.clip(grid, 0.0, 1.0)
    if grid.sum() < 1.0:
        raise BadInput("The canvas is empty: draw a digit first.")
    return grid


def to_input(grid, shape):
    """Crop the ink to its bounding box, centre it in a square and resize it to ``shape`` (in [0, 1]).

    The 8x8 digits fill their box (as scikit-learn's bitmaps do); larger inputs
    such as MNIST's 28x28 keep a margin of a seventh of the side on each edge.
    """
    from PIL import Image

    h, w = shape
    rows, cols = np.nonzero(grid > 0.05)
    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    crop = grid[r0:r1, c0:c1]
    side = max(crop.shape)
    square = np.zeros((side, side), dtype=np.float32)
    dr, dc = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[dr:dr + crop.shape[0], dc:dc + crop.shape[1]] = crop
    margin = 0 if max(h, w) <= 12 else round(max(h, w) / 7)
    inner = (max(1, w - 2 * margin), max(1, h - 2 * margin))
    small = np.asarray(Image.fromarray(square, mode="F").resize(inner, Image.BOX), dtype=np.float32)
    out = np.zeros((h, w), dtype=np.float32)
    out[margin:margin + small.shape[0], margin:margin + small.shape[1]] = small
    top = out.max()
    return out / top if top > 0 else out


def _probabilities(model, logits):
    p = torch.softmax(logits, dim=1)[0].detach().cpu().numpy()
    return [{"label": str(c), "p": round(float(v), 4)} for c, v in zip(model.classes_, p)]


@torch.no_grad()
def respond(model, grid):
    """Input, probabilities, feature maps of every convolution and the dense activations."""
    img = to_input(grid, digit_input_shape(model))
    module = model.module_
    records = []

    def hook(mod, inp, out):
        records.append(out.detach())

    with lock_for(module):
        handles = [m.register_forward_hook(hook) for m in module.modules() if isinstance(m, _ACTS)]
        try:
            x = torch.as_tensor(as_model_pixels(model, img))[None, None]
            logits = module(x)
        finally:
            for h in handles:
                h.remove()
    conv, dense = [], []
    for r in records:
        a = r[0].cpu().numpy()
        if a.ndim == 3:  # (channels, H, W) after a convolution's activation
            top = float(np.abs(a).max()) or 1.0
            conv.append({"shape": list(a.shape), "maps": _round(a / top, 2)})
        else:
            top = float(np.abs(a).max()) or 1.0
            dense.append({"units": int(a.size), "values": _round(a / top, 2)})
    proba = _probabilities(model, logits)
    best = max(proba, key=lambda d: d["p"])
    return {"input": _round(img, 2), "probabilities": proba, "prediction": best["label"],
            "conv": conv, "dense": dense}


def sample_digit(store, model, index):
    """The shipped digit ``index`` resized to the model's input (in [0, 1]) and its label."""
    X, y = store.digit_samples()
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(X):
        raise BadInput(f"sample must be an integer in 0..{len(X) - 1}; got {index!r}.")
    img = X[index, 0]
    h, w = digit_input_shape(model)
    if (h, w) != img.shape:
        img = to_input(np.kron(img, np.ones((7, 7), dtype=np.float32)), (h, w))
    return img.astype(np.float32), int(y[index])


def attack(model, img, eps, method):
    """FGSM or PGD on one image in [0, 1]; the perturbation, the new prediction and a saliency map."""
    from deepmine.adversarial import fgsm, pgd
    from deepmine.visualize import saliency_map

    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 <= eps <= 1:
        raise BadInput(f"eps must be a number in [0, 1]; got {eps!r}.")
    if method not in ("fgsm", "pgd"):
        raise BadInput(f"method must be 'fgsm' or 'pgd'; got {method!r}.")
    lo, hi = getattr(model, "pixel_range_", (0.0, 1.0))
    scale = float(hi) - float(lo)
    x = as_model_pixels(model, img)[None, None]
    with lock_for(model.module_):
        if eps == 0:
            x_adv = x.copy()
        elif method == "fgsm":
            x_adv = fgsm(model, x, None, eps * scale, clip=(lo, hi))
        else:
            x_adv = pgd(model, x, None, eps * scale, steps=10, clip=(lo, hi), random_state=0)
        sal = saliency_map(model, x)[0, 0]
        with torch.no_grad():
            before = model.module_(torch.as_tensor(x))
            after = model.module_(torch.as_tensor(np.asarray(x_adv, dtype=np.float32)))
    sal = sal / (sal.max() or 1.0)
    p0, p1 = _probabilities(model, before), _probabilities(model, after)
    adv01 = (np.asarray(x_adv, dtype=np.float32)[0, 0] - lo) / (scale or 1.0)
    return {"input": _round(img, 3), "adversarial": _round(adv01, 3),
            "perturbation": _round(adv01 - img, 3), "saliency": _round(sal, 3),
            "eps": float(eps), "method": method,
            "before": {"prediction": max(p0, key=lambda d: d["p"])["label"], "probabilities": p0},
            "after": {"prediction": max(p1, key=lambda d: d["p"])["label"], "probabilities": p1}}
