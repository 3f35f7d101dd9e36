"""Weisfeiler-Lehman relabelling (Shervashidze et al. 2011), vectorised with 64-bit hashes.

A node's label at iteration ``i + 1`` hashes its label at ``i`` with the
order-free sum of the hashed labels of its neighbours (each combined with the
edge type, for RDF). Hashes are deterministic (SplitMix64 finaliser, no Python
``hash``), so the same subtree gets the same label in every graph and process --
what graph2vec needs to treat labels as words across graphs.
"""

import hashlib

import numpy as np

__all__ = ["mix64", "stable_hash", "wl_iterations"]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)


def mix64(x):
    """SplitMix64 finaliser over a uint64 array (wrap-around arithmetic)."""
    z = np.asarray(x, dtype=np.uint64) + _GOLD
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def stable_hash(values):
    """uint64 hashes of the strings ``str(v)`` (blake2b, stable across processes)."""
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(str(v).encode(), digest_size=8).digest(), "little")
         for v in values), dtype=np.uint64, count=len(values))


def wl_iterations(labels, src, dst, n_iter, *, edge_types=None, as_set=False):
    """Labels of every node after 0..n_iter Weisfeiler-Lehman iterations.

    Parameters
    ----------
    labels : ndarray of uint64, shape (n_nodes,)
        Initial labels (hashes).
    src, dst : ndarray of int64
        Edges; node ``dst`` aggregates the labels of its sources ``src``
        (give both directions for an undirected graph).
    n_iter : int
    edge_types : ndarray of int64, default=None
        Edge type (predicate) hashed into each neighbour's contribution.
    as_set : bool, default=False
        Count each distinct (type, neighbour label) once (RDF2Vec's WL) instead of
        as a multiset (the WL subtree kernel, graph2vec).

    Returns
    -------
    list of ndarray of uint64
        ``n_iter + 1`` label arrays; the first is ``labels``.
    """
    out = [np.asarray(labels, dtype=np.uint64)]
    typ = None if edge_types is None else mix64(np.asarray(edge_types, dtype=np.uint64) + _M2)
    for _ in range(n_iter):
        cur = out[-1]
        contrib = cur[src] if typ is None else mix64(cur[src] ^ typ)
        d = dst
        if as_set and len(d):
            _, keep = np.unique(mix64(contrib ^ mix64(d.astype(np.uint64))), return_index=True)
            contrib, d = contrib[keep], d[keep]
        agg = np.zeros(len(cur), dtype=np.uint64)
        np.add.at(agg, d, mix64(contrib))
        out.append(mix64(mix64(cur) ^ agg))
    return out
