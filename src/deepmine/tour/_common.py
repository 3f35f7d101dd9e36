"""What several chapters share: the digit colour map, image grids, robust axis limits, the
sentence that names an offline substitute."""

import numpy as np

DIGIT_CMAP = "gray_r"  # every digit of the tour: ink dark on white, as on paper


def image_grid(images, titles=None, *, ncols=None, panel=2.0, cmap=DIGIT_CMAP, vmin=None,
               vmax=None, suptitle=None):
    """Images in a grid of ``panel``-inch squares (2 in at 130 dpi: 260 px per panel).

    Grey images use ``cmap`` (the digit map unless told), colour images are shown as they are.
    """
    import matplotlib.pyplot as plt

    n = len(images)
    ncols = ncols or n
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel * ncols, panel * nrows + 0.35 * nrows),
                             squeeze=False, layout="constrained")
    for ax in axes.ravel():
        ax.set_axis_off()
    for i, (ax, img) in enumerate(zip(axes.ravel(), images)):
        img = np.asarray(img)
        if img.dtype == np.uint8:
            img = img / 255.0
        if img.ndim == 3 and img.shape[0] in (1, 3) and img.shape[-1] not in (1, 3):
            img = img.transpose(1, 2, 0)
        if img.ndim == 3 and img.shape[-1] == 1:
            img = img[..., 0]
        if img.ndim == 3:
            ax.imshow(np.clip(img, 0, 1))
        else:
            ax.imshow(img, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=10)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def robust_limits(values, q=(1, 99), margin=0.08):
    """Axis limits holding the central ``q`` percentiles (plus a margin), and the outside mask.

    Far points would otherwise squash the bulk of a scatter into a corner.
    """
    values = np.asarray(values, dtype=float)
    lo, hi = np.percentile(values, q)
    pad = (hi - lo) * margin or 1.0
    lo, hi = lo - pad, hi + pad
    return (lo, hi), (values < lo) | (values > hi)


def scatter_2d(ax, xy, c, *, cmap="tab10", s=10, **kw):
    """Scatter whose limits hold the bulk; points beyond them are drawn on the edge as open marks."""
    (x0, x1), out_x = robust_limits(xy[:, 0])
    (y0, y1), out_y = robust_limits(xy[:, 1])
    out = out_x | out_y
    sc = ax.scatter(xy[~out, 0], xy[~out, 1], c=np.asarray(c)[~out], cmap=cmap, s=s,
                    vmin=np.min(c), vmax=np.max(c), **kw)
    if out.any():
        clipped = np.c_[np.clip(xy[out, 0], x0, x1), np.clip(xy[out, 1], y0, y1)]
        ax.scatter(clipped[:, 0], clipped[:, 1], marker="^", facecolors="none", edgecolors="k",
                   s=30, label=f"{int(out.sum())} points beyond the limits (on the edge)")
        ax.legend(loc="lower right", fontsize=8, framealpha=0.8)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return sc



def offline_note(section, substitute, real, assets, *, here=False):
    """State plainly that the chapter runs an offline substitute, and what shows the real one.

    Parameters
    ----------
    section : Section
    substitute : str
        What runs here, e.g. "the digits CNN on 8x8 images".
    real : str
        What the lecture shows, e.g. "GoogLeNet's inception layers on china.jpg".
    assets : list of str
        Names of the pretrained assets the lecture's version needs.
    here : bool, default=False
        True when this chapter itself runs the real version once the assets are cached;
        False when the showpieces chapter does.
    """
    from deepmine.datasets import is_cached

    names = " ".join(assets)
    showpieces = "this chapter" if here else "the chapter \u201cThe lecture's showpieces\u201d"
    if all(is_cached(name) for name in assets):
        verb = "is" if len(assets) == 1 else "are"
        how = f"{', '.join(assets)} {verb} cached, so {showpieces} runs it"
    else:
        how = (f"`deepmine download {names}` fetches {'it' if len(assets) == 1 else 'them'} "
               f"(`deepmine tour --download` fetches everything the tour can use), and then "
               f"{showpieces} runs it")
    section.text(f"Offline substitute: this chapter runs {substitute}. The lecture shows "
                 f"{real}, which needs pretrained weights ({', '.join(assets)}); {how}.",
                 note=True)
