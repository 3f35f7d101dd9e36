"""Graphs as CSR arrays: the one representation every walk in deepmine runs on.

Nodes are renumbered ``0..n-1`` from any hashable labels; the out-edges of node
``v`` are ``indices[indptr[v]:indptr[v + 1]]``, sorted, so an edge test is one
binary search over ``edge_keys`` (``source * n + target``). Optional per-edge
``weights`` (for weighted sampling) and ``edge_types`` (RDF predicates).
"""

import numpy as np
import pandas as pd

from deepmine.exceptions import DataError

__all__ = ["CSRGraph"]


class CSRGraph:
    """A directed multigraph in compressed sparse row form.

    Build it with :meth:`from_edges`, :meth:`from_networkx` or :meth:`from_edge_list`;
    an undirected graph stores each edge in both directions.

    Parameters
    ----------
    indptr : ndarray of shape (n_nodes + 1,), int64
    indices : ndarray of shape (n_edges,), int64
        Targets, sorted within each row.
    labels : ndarray of shape (n_nodes,), object
        The original node labels.
    weights : ndarray of shape (n_edges,), float64, default=None
    edge_types : ndarray of shape (n_edges,), int64, default=None
    directed : bool, default=True

    Examples
    --------
    >>> g = CSRGraph.from_edge_list([("a", "b"), ("b", "c")], directed=False)
    >>> g.n_nodes, g.n_edges, list(g.neighbors("b"))
    (3, 4, ['a', 'c'])
    """

    def __init__(self, indptr, indices, labels, *, weights=None, edge_types=None, directed=True):
        self.indptr = indptr
        self.indices = indices
        self.labels = labels
        self.weights = weights
        self.edge_types = edge_types
        self.directed = directed
        self._index = None
        self._keys = None
        self._cum = None

    @property
    def n_nodes(self):
        return len(self.indptr) - 1

    @property
    def n_edges(self):
        return len(self.indices)

    @property
    def degree(self):
        """Out-degree of every node (ndarray of int64)."""
        return np.diff(self.indptr)

    @classmethod
    def from_edges(cls, src, dst, labels, *, weights=None, edge_types=None, directed=True):
        """Build from integer edge arrays over nodes ``0..len(labels)-1``."""
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        n = len(labels)
        if weights is not None:
            weights = np.asarray(weights, dtype=np.float64)
            if weights.shape != src.shape or not np.all(np.isfinite(weights)) or np.any(weights <= 0):
                raise DataError("Edge weights must be finite and positive, one per edge.")
        if edge_types is not None:
            edge_types = np.asarray(edge_types, dtype=np.int64)
        if not directed:
            loops = src == dst
            src, dst = np.concatenate([src, dst[~loops]]), np.concatenate([dst, src[~loops]])
            if weights is not None:
                weights = np.concatenate([weights, weights[~loops]])
            if edge_types is not None:
                edge_types = np.concatenate([edge_types, edge_types[~loops]])
        order = np.lexsort((dst, src))
        src, dst = src[order], dst[order]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        return cls(indptr, dst, np.asarray(labels, dtype=object),
                   weights=None if weights is None else weights[order],
                   edge_types=None if edge_types is None else edge_types[order], directed=directed)

    @classmethod
    def from_edge_list(cls, edges, *, directed=False, nodes=None):
        """Build from ``(u, v)`` or ``(u, v, weight)`` rows of any hashable labels.

        Parameters
        ----------
        edges : iterable of tuples or array-like of shape (n_edges, 2 or 3)
        directed : bool, default=False
        nodes : iterable, default=None
            Extra (possibly isolated) nodes; they come first in the numbering.
        """
        rows = list(edges)
        if not rows and nodes is None:
            raise DataError("The graph has no edges and no nodes.")
        widths = {len(r) for r in rows}
        if widths - {2, 3} or len(widths) > 1:
            raise DataError("Each edge must be (u, v) or (u, v, weight).")
        us = [r[0] for r in rows]
        vs = [r[1] for r in rows]
        weights = [r[2] for r in rows] if widths == {3} else None
        head = list(nodes) if nodes is not None else []
        codes, uniques = pd.factorize(pd.Series(head + us + vs, dtype=object), sort=False)
        m = len(rows)
        k = len(head)
        return cls.from_edges(codes[k:k + m], codes[k + m:], uniques.to_numpy(dtype=object),
                              weights=weights, directed=directed)

    @classmethod
    def from_networkx(cls, graph, *, weight="weight"):
        """Build from a networkx (Di)Graph; ``weight`` names the edge attribute (None: unweighted)."""
        nodes = list(graph.nodes())
        index = {v: i for i, v in enumerate(nodes)}
        edges = graph.edges(data=weight, default=1.0) if weight else graph.edges()
        src, dst, w = [], [], []
        for e in edges:
            src.append(index[e[0]])
            dst.append(index[e[1]])
            if weight:
                w.append(e[2])
        weights = np.asarray(w, dtype=np.float64) if weight else None
        if weights is not None and np.all(weights == 1.0):
            weights = None
        labels = np.empty(len(nodes), dtype=object)
        labels[:] = nodes
        return cls.from_edges(src, dst, labels, weights=weights, directed=graph.is_directed())

    def node_ids(self, labels, *, what="Node"):
        """Integer ids of node labels; a :class:`DataError` names the labels not in the graph."""
        if self._index is None:
            self._index = {v: i for i, v in enumerate(self.labels.tolist())}
        ids = [self._index.get(v, -1) for v in labels]
        missing = [v for v, i in zip(labels, ids) if i < 0]
        if missing:
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise DataError(f"{what}(s) {missing[:5]}{more} not in the graph.")
        return np.asarray(ids, dtype=np.int64)

    def neighbors(self, label):
        """Labels of the out-neighbours of the node ``label``."""
        v = self.node_ids([label])[0]
        return self.labels[self.indices[self.indptr[v]:self.indptr[v + 1]]]

    @property
    def edge_keys(self):
        """Sorted ``source * n_nodes + target`` of every edge (for vectorised edge tests)."""
        if self._keys is None:
            src = np.repeat(np.arange(self.n_nodes, dtype=np.int64), self.degree)
            self._keys = src * self.n_nodes + self.indices
        return self._keys

    def has_edges(self, src, dst):
        """Vectorised test: is there an edge ``src[i] -> dst[i]``?"""
        keys = self.edge_keys
        q = src * self.n_nodes + dst
        if len(q) > 256:  # sorted needles make the binary searches walk memory in order (6x faster)
            order = np.argsort(q)
            pos = np.empty(len(q), dtype=np.int64)
            pos[order] = np.searchsorted(keys, q[order])
        else:
            pos = np.searchsorted(keys, q)
        return keys[np.minimum(pos, len(keys) - 1)] == q

    @property
    def cumulative_weights(self):
        """Running sum of edge weights (weighted sampling by binary search); None if unweighted."""
        if self.weights is not None and self._cum is None:
            self._cum = np.cumsum(self.weights)
        return self._cum

    def __getstate__(self):
        state = self.__dict__.copy()
        state.update(_index=None, _keys=None, _cum=None)
        return state

    def __repr__(self):
        kind = "directed" if self.directed else "undirected"
        return f"CSRGraph({kind}, n_nodes={self.n_nodes}, n_edges={self.n_edges})"
