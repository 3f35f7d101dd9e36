"""Columns of the outlier detector: their robust scale, and each member's random subset of them.

Feature bagging (Lazarevic & Kumar 2005, "Feature bagging for outlier
detection") gives each member of an ensemble its own random subset of the
columns; an outlier that stands out in a few columns is not diluted by the
others in the members that see those columns, and the members differ more
than bootstrap weights alone make them. Used by
:class:`~deepmine.autoencoders.AutoEncoderOutlierDetector`.
"""

from numbers import Integral

import numpy as np

from deepmine.autoencoders._base import fit_scaler, robust_scaler


def detector_robust_scaler(X):
    """Median and MAD scale per column, kept between 0.1 and 1 standard deviation; for
    ``scaling="robust"``.

    The MAD scale (:func:`~deepmine.autoencoders._base.robust_scaler`: 1.4826 x
    MAD, floored at 0.1 x the standard deviation) shrinks the scale of a
    heavy-tailed column so that its extreme rows stand out. It is never wider
    than the standard deviation (a column with two modes has a MAD above it),
    and a column whose MAD is zero (more than half its rows at one value: a
    blank pixel, a flag) keeps its standard deviation: its MAD says nothing
    about its spread, and the floor would weigh its rare values ten times.
    Constant columns get scale 1.

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.autoencoders._columns import detector_robust_scaler
    >>> rng = np.random.RandomState(0)
    >>> X = np.c_[rng.normal(size=100), np.r_[np.zeros(60), np.ones(40)]]
    >>> X[:5, 0] = 100.0  # extreme rows
    >>> _, scale = detector_robust_scaler(X)
    >>> bool(scale[0] < 0.1 * X[:, 0].std() * 1.5), bool(np.isclose(scale[1], X[:, 1].std()))
    (True, True)
    """
    centre, scale = robust_scaler(X)
    _, sd = fit_scaler(X, True)
    tied = np.median(np.abs(X - centre), axis=0) <= 1e-6 * X.std(axis=0)
    return centre, np.where(tied, sd, np.minimum(scale, sd))


def subset_size(max_features, n_inputs, min_size=1):
    """Columns per member: ``max_features`` as a count or a share of ``n_inputs`` (rounded), at
    least ``min_size`` and at most ``n_inputs``.

    Examples
    --------
    >>> from deepmine.autoencoders._columns import subset_size
    >>> subset_size(0.75, 30), subset_size(0.75, 4, min_size=3), subset_size(5, 3)
    (22, 3, 3)
    """
    size = max_features if isinstance(max_features, Integral) else round(max_features * n_inputs)
    return int(min(n_inputs, max(size, min_size)))


def column_masks(n_members, n_inputs, size, rng):
    """0/1 array of shape (n_members, n_inputs): each member's ``size`` columns, drawn without
    replacement from ``rng`` (a ``numpy.random.RandomState``).

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.autoencoders._columns import column_masks
    >>> column_masks(3, 8, 6, np.random.RandomState(0)).sum(axis=1)
    array([6., 6., 6.], dtype=float32)
    """
    masks = np.zeros((n_members, n_inputs), np.float32)
    for k in range(n_members):
        masks[k, rng.choice(n_inputs, size, replace=False)] = 1.0
    return masks
