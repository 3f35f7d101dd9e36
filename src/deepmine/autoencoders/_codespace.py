"""The outlier detector's code-space distance: how far a row's code lies from the training codes.

Reconstruction error alone misses outliers that lie between clusters of
inliers, on the stretch of the code manifold that joins them: the
autoencoder reconstructs them well. Their codes are far from the training
rows' codes, so the squared distance to the ``n_neighbors``-th nearest
training code (in units of each member's typical such distance) flags them.
Used by :class:`~deepmine.autoencoders.AutoEncoderOutlierDetector`.
"""

import copy

import numpy as np
import torch
from sklearn.utils import check_random_state

from deepmine.nn._inference import batched_forward

#: Rows kept (at most) as the reference codes of the code-space neighbour distance.
REFERENCE_ROWS = 2048


def member_codes(module, Xs):
    """Every member's code of the scaled rows ``Xs``, in float64 on the CPU: (K, N, code_size).

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.autoencoders._codespace import member_codes
    >>> from deepmine.autoencoders._ensemble import EnsembleAutoEncoderNet
    >>> member_codes(EnsembleAutoEncoderNet(5, (4,), 2, n_members=3), np.zeros((7, 5))).shape
    (3, 7, 2)
    """
    net = copy.deepcopy(module).cpu().double()
    return batched_forward(net, torch.as_tensor(Xs, dtype=torch.float64), net.encode,
                           dim=1).numpy()


def neighbor_distances(reference_codes, neighbor_scale, codes, n_neighbors):
    """Each member's distance from every code to its ``n_neighbors``-th nearest reference code,
    divided by the member's typical such distance ``neighbor_scale`` (K,): (K, N).

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.autoencoders._codespace import neighbor_distances
    >>> ref = np.array([[[0.0], [1.0], [3.0]]])  # one member, three 1-d codes
    >>> neighbor_distances(ref, np.array([2.0]), np.array([[[0.0], [5.0]]]), 2)
    array([[0.5, 2. ]])
    """
    from sklearn.neighbors import KDTree

    k = min(n_neighbors, reference_codes.shape[1])
    dist = np.stack([KDTree(r).query(c, k=k)[0][:, -1] for r, c in zip(reference_codes, codes)])
    return dist / neighbor_scale[:, None]


def fit_reference(module, Xs, n_neighbors, random_state):
    """The reference codes of the scaled training rows ``Xs`` (at most ``REFERENCE_ROWS`` of
    them, drawn from ``random_state``) and each member's median distance of those rows to
    their ``n_neighbors``-th nearest reference code: ``(reference_codes, neighbor_scale)``.

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.autoencoders._codespace import fit_reference
    >>> from deepmine.autoencoders._ensemble import EnsembleAutoEncoderNet
    >>> net = EnsembleAutoEncoderNet(5, (4,), 2, n_members=3)
    >>> codes, scale = fit_reference(net, np.random.RandomState(0).normal(size=(50, 5)), 5, 0)
    >>> codes.shape, scale.shape
    ((3, 50, 2), (3,))
    """
    if len(Xs) > REFERENCE_ROWS:
        rows = check_random_state(random_state).choice(len(Xs), REFERENCE_ROWS, replace=False)
        Xs = Xs[np.sort(rows)]
    codes = member_codes(module, Xs)
    dist = neighbor_distances(codes, np.ones(len(codes)), codes, n_neighbors)  # (K, m)
    typical = np.median(dist, axis=1)
    typical = np.where(typical > 1e-9, typical, dist.mean(axis=1))  # mostly duplicate rows
    return codes, np.maximum(typical, 1e-9)
