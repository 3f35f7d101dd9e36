"""Matplotlib figures for attacks and visualisations (matplotlib is imported only when called)."""

import numpy as np
import torch

from deepmine.exceptions import DataError
from deepmine.nn._inference import eval_mode
from deepmine.nn._model_view import ModelView

__all__ = ["plot_images", "plot_adversarial", "plot_robustness_curve", "plot_saliency"]


def _as_images(X, image_shape):
    """Rows or image arrays (possibly of different sizes, uint8 or float) -> 2-D or (H, W, 3) arrays."""
    out = []
    for img in (X if isinstance(X, (list, tuple)) else np.asarray(X)):
        img = np.asarray(img)
        img = img.astype(np.float32) / 255 if img.dtype == np.uint8 else img.astype(np.float32)
        if image_shape is not None:
            img = img.reshape(image_shape)
        if img.ndim == 3 and img.shape[0] in (1, 3) and img.shape[-1] not in (1, 3):
            img = img.transpose(1, 2, 0)
        if img.ndim == 3 and img.shape[-1] == 1:
            img = img[:, :, 0]
        if img.ndim == 1:
            side = int(round(np.sqrt(img.size)))
            if side * side != img.size:
                raise DataError(f"Cannot show rows of {img.size} values as images; pass image_shape.")
            img = img.reshape(side, side)
        out.append(img)
    return out


def _grid(n, ncols, size=1.8):
    import matplotlib.pyplot as plt

    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    return fig, axes.ravel()


def plot_images(images, titles=None, *, image_shape=None, ncols=10, cmap="gray"):
    """Show images (class prototypes, dreams, saliency maps) in a grid.

    Parameters
    ----------
    images : array-like of shape (n, H, W), (n, H, W, C), (n, C, H, W) or (n, n_pixels)
        Or a list of images of different sizes; uint8 images are read as 0..255.
    titles : sequence of str or None, default=None
    image_shape : tuple of int or None, default=None
        Shape of one image when ``images`` holds flat rows that are not square.
    ncols : int, default=10
    cmap : str, default="gray"

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.visualize import plot_images
    >>> fig = plot_images(np.zeros((3, 8, 8)), titles=["a", "b", "c"])
    >>> len(fig.axes)
    3
    """
    imgs = _as_images(images, image_shape)
    fig, axes = _grid(len(imgs), ncols)
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        ax.imshow(np.clip(img, 0, 1) if img.ndim == 3 else img, cmap=cmap)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=9)
    fig.tight_layout()
    return fig


def _proba(view, X):
    xt = view.to_tensor(X)
    with torch.no_grad(), eval_mode(view.module):
        return torch.softmax(view.forward(xt).double(), dim=1).cpu().numpy()


def plot_adversarial(model, X, X_adv, *, image_shape=None, n=3, cmap="gray"):
    """The lecture's triptych: image, sign of the perturbation, adversarial image, with predictions.

    Parameters
    ----------
    model : fitted deepmine classifier or torch.nn.Module
    X, X_adv : array-like of shape (n_samples, ...)
        Clean inputs and their adversarial versions (e.g. from :func:`deepmine.adversarial.fgsm`).
    image_shape : tuple of int or None, default=None
        Shape of one image when rows are flat and not square.
    n : int, default=3
        Number of examples (rows of the figure).
    cmap : str, default="gray"

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np, torch
    >>> from deepmine.adversarial import fgsm
    >>> from deepmine.visualize import plot_adversarial
    >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 2))
    >>> X = np.random.default_rng(0).random((2, 1, 4, 4)).astype("float32")
    >>> fig = plot_adversarial(net, X, fgsm(net, X, None, 0.1), n=2)
    >>> len(fig.axes)
    6
    """
    import matplotlib.pyplot as plt

    view = ModelView(model, "plot_adversarial")
    n = min(n, len(X))
    X, X_adv = np.asarray(X)[:n], np.asarray(X_adv)[:n]
    p, p_adv = _proba(view, X), _proba(view, X_adv)
    imgs, advs = _as_images(X, image_shape), _as_images(X_adv, image_shape)
    fig, axes = plt.subplots(n, 3, figsize=(6, 2.1 * n), squeeze=False)
    for i in range(n):
        k, j = p[i].argmax(), p_adv[i].argmax()
        delta = advs[i] - imgs[i]
        lim = float(np.abs(delta).max()) or 1.0
        panels = [(imgs[i], f"{view.class_label(k)} ({p[i, k]:.0%})", cmap, None),
                  (delta, f"perturbation (max {lim:.2g})", "coolwarm", (-lim, lim)),
                  (advs[i], f"{view.class_label(j)} ({p_adv[i, j]:.0%})", cmap, None)]
        for ax, (img, title, cm, rng) in zip(axes[i], panels):
            kw = {} if rng is None else {"vmin": rng[0], "vmax": rng[1]}
            ax.imshow(img, cmap=cm, **kw)
            ax.set_title(title, fontsize=9)
            ax.axis("off")
    fig.tight_layout()
    return fig


def plot_robustness_curve(curve, *, title=None):
    """Accuracy against eps, one line per attack (and per ``model`` column, when present).

    Parameters
    ----------
    curve : pandas.DataFrame
        Output of :func:`deepmine.adversarial.robustness_curve`, possibly several
        concatenated with an extra ``model`` column.
    title : str or None, default=None

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from deepmine.visualize import plot_robustness_curve
    >>> df = pd.DataFrame({"attack": ["fgsm"] * 2, "eps": [0, 0.1], "accuracy": [0.9, 0.4]})
    >>> len(plot_robustness_curve(df).axes[0].lines)
    1
    """
    import matplotlib.pyplot as plt

    missing = {"attack", "eps", "accuracy"} - set(curve.columns)
    if missing:
        raise DataError(f"plot_robustness_curve needs columns attack, eps, accuracy; "
                        f"missing {sorted(missing)}.")
    keys = ["model", "attack"] if "model" in curve.columns else ["attack"]
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for key, part in curve.groupby(keys, sort=False):
        label = " / ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
        part = part.sort_values("eps")
        ax.plot(part["eps"], part["accuracy"], marker="o", label=label)
    ax.set_xlabel("eps (infinity norm)")
    ax.set_ylabel("accuracy")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_saliency(X, saliency, *, image_shape=None, n=5, cmap="gray"):
    """Images (top row) above their saliency maps (bottom row, channels reduced by max).

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
    saliency : array-like, same shape as X
        Output of :func:`deepmine.visualize.saliency_map`.
    image_shape : tuple of int or None, default=None
    n : int, default=5
    cmap : str, default="gray"

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.visualize import plot_saliency
    >>> len(plot_saliency(np.zeros((2, 8, 8)), np.ones((2, 8, 8))).axes)
    4
    """
    import matplotlib.pyplot as plt

    n = min(n, len(X))
    imgs = _as_images(np.asarray(X)[:n], image_shape)
    sal = _as_images(np.abs(np.asarray(saliency)[:n]), image_shape)
    fig, axes = plt.subplots(2, n, figsize=(1.8 * n, 3.8), squeeze=False)
    for i in range(n):
        axes[0, i].imshow(imgs[i], cmap=cmap)
        s = sal[i].max(axis=-1) if sal[i].ndim == 3 else sal[i]
        axes[1, i].imshow(s, cmap="hot")
        axes[0, i].axis("off")
        axes[1, i].axis("off")
    fig.tight_layout()
    return fig
