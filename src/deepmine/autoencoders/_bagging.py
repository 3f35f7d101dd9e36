"""What each member of the outlier detector trains on: its rows, its columns, its connections.

Every member gets Poisson(1) bootstrap weights of one subsample of the rows
(online bagging, Oza & Russell 2001), its own random share of the columns
(feature bagging, :mod:`~deepmine.autoencoders._columns`) and, optionally,
a fixed random mask on its weights (RandNet's dropped connections, Chen et
al. 2017). Used by :class:`~deepmine.autoencoders.AutoEncoderOutlierDetector`.
"""

import numpy as np
import torch
from sklearn.utils import check_random_state

from deepmine.autoencoders._columns import column_masks, subset_size


def draw_rows(n, max_samples, n_members, rng):
    """Rows of one epoch and each member's bootstrap weight of them: ``(rows, weights)``, with
    ``weights`` of shape (len(rows), n_members).

    ``max_samples`` is an int, a share of ``n`` or "auto" (``min(2048, max(n, 1024))``).
    Larger tables are subsampled without replacement; smaller ones are repeated up to that
    size, so every fit takes about the same number of steps.

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.autoencoders._bagging import draw_rows
    >>> rows, weights = draw_rows(10, 25, 4, np.random.RandomState(0))
    >>> rows.shape, weights.shape, int(np.bincount(rows).min())
    ((25,), (25, 4), 2)
    """
    m = max_samples
    if m == "auto":
        m = min(2048, max(n, 1024))
    elif isinstance(m, float):
        m = max(1, int(m * n))
    if m <= n:
        rows = np.sort(rng.choice(n, m, replace=False))
    else:
        rows = np.sort(np.r_[np.tile(np.arange(n), m // n), rng.choice(n, m % n, replace=False)])
    weights = rng.poisson(1.0, size=(m, n_members)).astype(np.float32)
    return rows, weights


def draw_masks(n_inputs, hidden, code_size, n_members, max_features, connection_keep,
               random_state):
    """Each member's 0/1 column mask (K, d), None when every member sees every column; and,
    when ``connection_keep < 1``, one 0/1 weight mask per layer (else None).

    The masks come from a stream of their own, apart from the rows' draw.

    Examples
    --------
    >>> from deepmine.autoencoders._bagging import draw_masks
    >>> columns, weights = draw_masks(8, (4,), 2, 3, 0.75, 0.5, random_state=0)
    >>> tuple(columns.shape), [tuple(w.shape) for w in weights]
    ((3, 8), [(3, 8, 4), (3, 4, 2), (3, 2, 4), (3, 4, 8)])
    """
    rng = np.random.RandomState(check_random_state(random_state).randint(2**31) + 1)
    size = subset_size(max_features, n_inputs, min_size=code_size + 1)
    feature_mask = (None if size == n_inputs
                    else torch.as_tensor(column_masks(n_members, n_inputs, size, rng)))
    masks = None
    if connection_keep < 1.0:
        widths = [n_inputs, *hidden, code_size, *reversed(hidden), n_inputs]
        masks = [torch.as_tensor(rng.binomial(1, connection_keep, size=(n_members, a, b)),
                                 dtype=torch.float32) for a, b in zip(widths[:-1], widths[1:])]
    return feature_mask, masks
