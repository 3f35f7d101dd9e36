"""The walk engine: every walk of every graph method, advanced together with vectorised NumPy.

A batch of walks is a matrix of node ids (``-1`` after a walk stops at a node
without out-edges). Each step draws the next edge of *all* live walks at once:
uniformly (``start + floor(u * degree)``) or by weight (binary search in the
running sum of edge weights). node2vec's second-order bias (Grover & Leskovec
2016) is applied on the fly by rejection sampling, as in KnightKing (Yang et al.
2019): propose a neighbour ``x`` of the current node, accept it with probability
``alpha(prev, x) / max(1/p, 1, 1/q)`` where ``alpha`` is ``1/p`` for a return,
``1`` when ``x`` is also a neighbour of ``prev`` (one vectorised binary search
over the sorted edge keys) and ``1/q`` otherwise. No transition table is stored,
so memory stays O(edges) on any graph.
"""

import weakref

import numpy as np

from deepmine.embeddings._graph import CSRGraph

__all__ = ["walk_edges", "random_walks"]


def _sample_edges(g, cur, rng, cum=None, start=None, deg=None):
    """One out-edge of each node in ``cur`` (all must have out-degree > 0).

    ``cum`` (running sum of per-edge weights) overrides the graph's own weights;
    ``start``/``deg`` (``indptr[cur]`` and the degrees of ``cur``) when already known.
    """
    if start is None:
        start = g.indptr[cur]
        deg = g.indptr[cur + 1] - start
    if cum is None:
        cum = g.cumulative_weights
    if cum is None:
        return start + (rng.random(len(cur)) * deg).astype(np.int64)
    base = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
    total = cum[start + deg - 1] - base
    e = np.searchsorted(cum, base + rng.random(len(cur)) * total, side="right")
    return np.clip(e, start, start + deg - 1)


def _biased_edges(g, prev, cur, p, q, rng):
    """node2vec step by rejection sampling (no precomputed transition probabilities)."""
    out = np.empty(len(cur), dtype=np.int64)
    todo = np.arange(len(cur))
    inv_p, inv_q = 1.0 / p, 1.0 / q
    top = max(inv_p, 1.0, inv_q)
    while len(todo):
        e = _sample_edges(g, cur[todo], rng)
        x = g.indices[e]
        t = prev[todo]
        u = rng.random(len(todo)) * top
        back = x == t
        accept = np.where(back, u < inv_p, u < min(1.0, inv_q))
        # the edge test decides only where u falls between the "far" and "common" weights
        ask = ~back & (u >= min(1.0, inv_q)) & (u < max(1.0, inv_q))
        if ask.any():
            linked = g.has_edges(t[ask], x[ask])
            accept[ask] = linked if inv_q < 1.0 else ~linked
        out[todo[accept]] = e[accept]
        todo = todo[~accept]
    return out


def walk_edges(g, starts, n_steps, rng, *, p=1.0, q=1.0, weights=None, jump=None, edges=True):
    """Advance one walk from each start node for ``n_steps`` steps.

    Parameters
    ----------
    g : CSRGraph
    starts : ndarray of int64
    n_steps : int
    rng : numpy.random.Generator
    p, q : float, default=1.0
        node2vec return and in-out parameters (1, 1 is a uniform walk).
    weights : ndarray of shape (n_edges,), default=None
        Non-negative edge weights used instead of ``g.weights`` (first-order
        samplers); a step takes edge ``e`` of node ``v`` with probability
        ``weights[e] / sum(weights[out-edges of v])``.
    jump : callable, default=None
        ``jump(nodes, rng) -> nodes`` moves the walkers after each step (community
        hops); the traversed edge is still recorded.
    edges : bool, default=True
        Also return the traversed edges (False: only ``nodes`` is built and returned).

    Returns
    -------
    nodes : ndarray of shape (n_walks, n_steps + 1), int32 (int64 past 2**31 nodes)
        Visited nodes, ``-1`` after a walk stopped.
    edges : ndarray of shape (n_walks, n_steps), int64
        Index of each traversed edge in ``g.indices`` (``-1`` after a stop).
    """
    starts = np.asarray(starts, dtype=np.int64)
    m = len(starts)
    # built step-major (one contiguous row per step), returned walk-major
    nodes = np.full((n_steps + 1, m), -1, dtype=g.indices.dtype)
    keep_edges = edges
    edges = np.full((n_steps, m), -1, dtype=np.int64) if keep_edges else None
    nodes[0] = starts
    alive = None  # None: every walk is still going
    cur = starts
    prev = None
    biased = p != 1.0 or q != 1.0
    cum = None if weights is None else np.cumsum(np.asarray(weights, dtype=np.float64))
    if biased and cum is not None:
        raise ValueError("walk_edges: node2vec p/q and per-edge weights cannot be combined.")
    degree = g.degree
    # a walk can only stop at a node without out-edges: at its start, or later where the
    # graph is directed and has such nodes (an undirected walk arrives over an edge back)
    sinks = jump is not None or (g.directed and not degree.all())
    for t in range(n_steps):
        deg = degree[cur]
        if (t == 0 or sinks) and not (ok := deg > 0).all():
            alive = np.flatnonzero(ok) if alive is None else alive[ok]
            cur, deg = cur[ok], deg[ok]
            prev = None if prev is None else prev[ok]
            if len(cur) == 0:
                break
        if biased and prev is not None:
            e = _biased_edges(g, prev, cur, p, q, rng)
        else:
            e = _sample_edges(g, cur, rng, cum, g.indptr[cur], deg)
        prev, cur = cur, g.indices[e]
        if jump is not None:
            cur = jump(cur, rng)
        if alive is None:
            if keep_edges:
                edges[t] = e
            nodes[t + 1] = cur
        else:
            if keep_edges:
                edges[t, alive] = e
            nodes[t + 1, alive] = cur
    nodes = np.ascontiguousarray(nodes.T)
    return (nodes, np.ascontiguousarray(edges.T)) if keep_edges else nodes


def random_walks(g, starts, length, rng, *, p=1.0, q=1.0):
    """Node-id walks of ``length`` nodes (``-1`` padded, int32 below 2**31 nodes), uniform or biased."""
    return walk_edges(g, starts, length - 1, rng, p=p, q=q, edges=False)


def unique_rows(ids):
    """Drop duplicate walks, keeping the first occurrence and the original order."""
    if len(ids) < 2:
        return ids
    return ids[first_unique(ids)]


def first_unique(ids):
    """Sorted indices of the first occurrence of each distinct row of ``ids``."""
    if len(ids) < 2:
        return np.arange(len(ids))
    order = np.lexsort(ids.T[::-1])  # stable: the first of equal rows has the smallest index
    ranked = ids[order]
    new = np.ones(len(ids), dtype=bool)
    new[1:] = (ranked[1:] != ranked[:-1]).any(axis=1)
    return np.sort(order[new])


def ragged_arange(counts):
    """``concatenate([arange(c) for c in counts])`` without the Python loop."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    ends = np.cumsum(counts)
    return np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts)


def all_paths(g, starts, n_steps, *, max_rows=20_000_000, jump=None, rng=None):
    """Every walk of ``n_steps`` steps from each start (shorter where it reaches a dead end).

    Breadth first, all walks at once: each step repeats a row once per out-edge of
    its last node. Rows stay grouped by start, in the order of ``starts``.

    Returns
    -------
    nodes, edges : ndarray
        As :func:`walk_edges`.
    origin : ndarray of int64
        Index in ``starts`` of each row's start.

    Raises
    ------
    ValueError
        When the walks would exceed ``max_rows`` rows.
    """
    nodes = np.asarray(starts, dtype=np.int64)[:, None]
    edges = np.empty((len(nodes), 0), dtype=np.int64)
    origin = np.arange(len(nodes))
    deg = g.degree
    for _ in range(n_steps):
        cur = nodes[:, -1]
        d = np.where(cur >= 0, deg[np.maximum(cur, 0)], 0)
        reps = np.maximum(d, 1)
        total = int(reps.sum())
        if total > max_rows:
            raise ValueError(f"all walks of {n_steps} steps would be over {max_rows:,} rows")
        row = np.repeat(np.arange(len(nodes)), reps)
        live = np.repeat(d > 0, reps)
        e = np.full(total, -1, dtype=np.int64)
        e[live] = g.indptr[cur[row[live]]] + ragged_arange(d[d > 0])
        nxt = np.where(live, g.indices[np.maximum(e, 0)], -1)
        if jump is not None and live.any():
            nxt[live] = jump(nxt[live], rng)
        nodes = np.column_stack([nodes[row], nxt])
        edges = np.column_stack([edges[row], e])
        origin = origin[row]
    return nodes, edges, origin


_REVERSED = weakref.WeakKeyDictionary()


def reversed_graph(g):
    """The graph with every edge reversed (cached per graph); ``edge_types`` and weights follow."""
    rev = _REVERSED.get(g)
    if rev is None:
        src = np.repeat(np.arange(g.n_nodes, dtype=np.int64), g.degree)
        rev = CSRGraph.from_edges(g.indices, src, g.labels, weights=g.weights,
                                  edge_types=g.edge_types, directed=True)
        _REVERSED[g] = rev
    return rev
