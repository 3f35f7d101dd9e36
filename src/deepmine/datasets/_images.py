"""Image datasets: scikit-learn's 8x8 digits as images, MNIST (IDX files, cached download), image folders."""

import numpy as np


def load_digits_images(*, return_X_y=False):
    """Load scikit-learn's handwritten digits as ``(n, 1, 8, 8)`` float32 images in [0, 1].

    The 1,797 digits of :func:`sklearn.datasets.load_digits` (values 0..16),
    divided by 16 and shaped as one-channel images.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``images`` of shape (1797, 1, 8, 8), ``target`` of shape (1797,),
        ``target_names`` and ``DESCR``.
    (images, target) : tuple if ``return_X_y`` is True

    Examples
    --------
    >>> from deepmine.datasets import load_digits_images
    >>> X, y = load_digits_images(return_X_y=True)
    >>> X.shape, float(X.max())
    ((1797, 1, 8, 8), 1.0)
    """
    from sklearn.datasets import load_digits
    from sklearn.utils import Bunch

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    target = digits.target.astype(np.int64)
    if return_X_y:
        return images, target
    return Bunch(images=images, target=target, target_names=digits.target_names,
                 DESCR=digits.DESCR)
