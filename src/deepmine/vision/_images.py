"""Image input validation: flat rows, ``(n, H, W)``, ``(n, C, H, W)`` or ``(n, H, W, C)`` -> ``(n, C, H, W)``."""

import math

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.utils.validation import explaining_missing, first_bad_row

__all__ = ["check_images", "check_image_size", "to_channels_first", "MAX_IMAGE_SIDE",
           "MAX_IMAGE_PIXELS"]

#: Largest side and pixel count of a resize target (larger ones are refused before any work).
MAX_IMAGE_SIDE = 4096
MAX_IMAGE_PIXELS = 16 * 1024 * 1024


def check_image_size(size, name="image_size"):
    """Validate a resize target ``(H, W)``: positive ints, at most 4096 per side and 16 Mpx.

    Parameters
    ----------
    size : (int, int) or None
    name : str, default="image_size"
        The parameter's name in the error message.

    Returns
    -------
    (int, int) or None

    Examples
    --------
    >>> check_image_size((28, 28))
    (28, 28)
    >>> check_image_size((5000, 10))
    Traceback (most recent call last):
    ...
    deepmine.exceptions.InvalidParameterError: The 'image_size' parameter must be (H, W) with at most 4096 pixels per side and 16777216 in all; got (5000, 10). Resize the images to a smaller size.
    """
    if size is None:
        return None
    try:
        h, w = (int(s) for s in size)
        ok = h == float(size[0]) and w == float(size[1])
    except (TypeError, ValueError):
        ok = False
    if not ok or min(h, w) < 1:
        raise InvalidParameterError(f"The {name!r} parameter must be (H, W) with positive integer "
                                    f"sizes; got {size!r}.")
    if max(h, w) > MAX_IMAGE_SIDE or h * w > MAX_IMAGE_PIXELS:
        raise InvalidParameterError(
            f"The {name!r} parameter must be (H, W) with at most {MAX_IMAGE_SIDE} pixels per side "
            f"and {MAX_IMAGE_PIXELS} in all; got {tuple(size)}. Resize the images to a smaller "
            f"size.")
    return h, w


def _flat_shape(image_shape, n_features):
    """Shape ``(C, H, W)`` and reshape order of flat rows of ``n_features`` values."""
    if image_shape is None:
        side = math.isqrt(n_features)
        if side * side == n_features:
            return (1, side, side), "first"
        return (1, 1, n_features), "first"
    shape = tuple(int(s) for s in image_shape)
    if len(shape) not in (2, 3) or min(shape) < 1:
        raise InvalidParameterError(
            f"The 'image_shape' parameter must be (H, W) or (H, W, C) with positive sizes. "
            f"Got {image_shape!r}.")
    if math.prod(shape) != n_features:
        raise DataError(
            f"X has {n_features} features per row but image_shape={shape} needs "
            f"{math.prod(shape)}; pass the image_shape the rows were flattened from.")
    if len(shape) == 2:
        return (1, *shape), "first"
    return (shape[2], shape[0], shape[1]), "last"


def _ndim(X):
    shape = getattr(X, "shape", None)
    if shape is not None:
        return len(shape)
    try:
        return np.asarray(X).ndim
    except (ValueError, TypeError):
        return 2  # ragged or odd input: scikit-learn's validation explains the problem


def to_channels_first(X, channels="auto"):
    """Return a 4-D float32 array ``(n, C, H, W)`` from 3-D or 4-D image arrays.

    Parameters
    ----------
    X : ndarray of shape (n, H, W), (n, C, H, W) or (n, H, W, C)
    channels : {"auto", "first", "last"}, default="auto"
        Where the channel axis of 4-D input is; ``"auto"`` takes the last axis
        when it has at most 4 entries and the second axis has more, else the second.

    Returns
    -------
    ndarray of shape (n, C, H, W)

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.vision._images import to_channels_first
    >>> to_channels_first(np.zeros((2, 32, 32, 3))).shape
    (2, 3, 32, 32)
    """
    X = np.asarray(X)
    if X.ndim == 3:
        return X[:, None, :, :]
    if X.ndim != 4:
        raise DataError(f"Images must be a 3-D or 4-D array; got {X.ndim} dimensions.")
    if channels == "auto":
        channels = "last" if X.shape[3] <= 4 < X.shape[1] else "first"
    if channels == "last":
        X = X.transpose(0, 3, 1, 2)
    return X


def check_images(estimator, X, *, reset, image_shape=None, channels="auto"):
    """Validate images for ``estimator`` and return a C-contiguous float32 ``(n, C, H, W)`` array.

    Flat 2-D rows (arrays or DataFrames) go through scikit-learn's
    ``validate_data`` (``n_features_in_``, ``feature_names_in_``) and are
    reshaped with ``image_shape``; without it, rows of a square number of
    values are square one-channel images and other rows one-pixel-high images.
    On ``reset`` the estimator's ``image_shape_`` becomes ``(C, H, W)``;
    afterwards every input must have that shape.

    Parameters
    ----------
    estimator : estimator instance
    X : array-like
    reset : bool
        True in ``fit``.
    image_shape : tuple or None, default=None
        ``(H, W)`` or ``(H, W, C)`` of flat rows.
    channels : {"auto", "first", "last"}, default="auto"

    Returns
    -------
    ndarray of float32, shape (n, C, H, W)
    """
    if channels not in ("auto", "first", "last"):
        raise InvalidParameterError(
            f"The 'channels' parameter must be 'auto', 'first' or 'last'. Got {channels!r}.")
    ndim = _ndim(X)
    if ndim <= 2 or hasattr(X, "columns"):
        fitted_flat = getattr(estimator, "_flat_input_", True)
        with explaining_missing(lambda: first_bad_row(X, "image")):
            if reset or fitted_flat:
                X = validate_data(estimator, X, reset=reset, dtype=np.float32)
            else:
                X = check_array(X, dtype=np.float32)
        if reset or image_shape is not None:
            shape, order = _flat_shape(image_shape, X.shape[1])
        else:
            shape, order = tuple(estimator.image_shape_), "first"
            if math.prod(shape) != X.shape[1]:
                raise DataError(f"X has {X.shape[1]} features per row, but "
                                f"{type(estimator).__name__} was fitted on images of shape "
                                f"(C, H, W) = {shape}.")
        if order == "last":
            X = X.reshape(len(X), shape[1], shape[2], shape[0]).transpose(0, 3, 1, 2)
        else:
            X = X.reshape(len(X), *shape)
        flat = True
    else:
        with explaining_missing(lambda: first_bad_row(X, "image")):
            X = check_array(X, allow_nd=True, dtype=np.float32, ensure_min_features=1)
        if X.ndim > 4:
            raise DataError(f"Images must be 2-D (flat rows), 3-D (n, H, W) or 4-D; got an array "
                            f"of shape {X.shape}.")
        X = to_channels_first(X, channels)
        flat = False
        if reset:
            estimator.n_features_in_ = int(math.prod(X.shape[1:]))
            estimator.__dict__.pop("feature_names_in_", None)
    if reset:
        estimator.image_shape_ = tuple(int(s) for s in X.shape[1:])
        estimator._flat_input_ = flat
    elif tuple(X.shape[1:]) != tuple(estimator.image_shape_):
        raise DataError(f"X holds images of shape (C, H, W) = {tuple(X.shape[1:])}, but "
                        f"{type(estimator).__name__} was fitted on {tuple(estimator.image_shape_)}.")
    return np.ascontiguousarray(X, dtype=np.float32)
