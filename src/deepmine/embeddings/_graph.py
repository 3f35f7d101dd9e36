"""Graphs as CSR arrays: the one representation every walk in deepmine runs on.

Nodes are renumbered ``0..n-1`` from any hashable labels; the out-edges of node
``v`` are ``indices[indptr[v]:indptr[v + 1]]``, sorted, so an edge test is one
binary search over ``edge_keys`` (``source * n + target``). Optional per-edge
``weights`` (for weighted sampling) and ``edge_types`` (RDF predicates).
"""

import os

import numpy as np
import pandas as pd

from deepmine.exceptions import DataError

__all__ = ["CSRGraph", "id_dtype"]


def id_dtype(n):
    """int32 for ids below ``n`` when ``n <= 2**31``, else int64."""
    return np.int32 if n <= 2**31 else np.int64


class CSRGraph:
    """A directed multigraph in compressed sparse row form.

    Build it with :meth:`from_edges`, :meth:`from_networkx`, :meth:`from_edge_list`,
    :meth:`from_adjacency` or :meth:`read_edge_list`;
    an undirected graph stores each edge in both directions.

    Parameters
    ----------
    indptr : ndarray of shape (n_nodes + 1,), int64
    indices : ndarray of shape (n_edges,), int32 (int64 past 2**31 nodes)
        Targets, sorted within each row.
    labels : ndarray of shape (n_nodes,), object
        The original node labels.
    weights : ndarray of shape (n_edges,), float64, default=None
    edge_types : ndarray of shape (n_edges,), int32, default=None
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
        n = len(labels)
        ids = id_dtype(n)
        src = np.asarray(src, dtype=ids)
        dst = np.asarray(dst, dtype=ids)
        if weights is not None:
            weights = np.asarray(weights, dtype=np.float64)
            if weights.shape != src.shape or not np.all(np.isfinite(weights)) or np.any(weights <= 0):
                raise DataError("Edge weights must be finite and positive, one per edge.")
        if edge_types is not None:
            edge_types = np.asarray(edge_types)
            edge_types = edge_types.astype(id_dtype(int(edge_types.max(initial=0)) + 1), copy=False)
        if not directed:
            loops = src == dst
            src, dst = np.concatenate([src, dst[~loops]]), np.concatenate([dst, src[~loops]])
            if weights is not None:
                weights = np.concatenate([weights, weights[~loops]])
            if edge_types is not None:
                edge_types = np.concatenate([edge_types, edge_types[~loops]])
        if n < 2**31:  # one int64 key sorts faster than lexsort over two columns (same stable order)
            key = src.astype(np.int64)
            key *= n
            key += dst
            order = np.argsort(key, kind="stable")
            del key
        else:
            order = np.lexsort((dst, src))
        dst = dst[order]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        del src
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
        if isinstance(edges, np.ndarray) and edges.ndim == 2 and edges.shape[1] in (2, 3):
            return cls._from_columns(edges[:, 0], edges[:, 1],
                                     edges[:, 2] if edges.shape[1] == 3 else None, directed, nodes)
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
    def _from_columns(cls, us, vs, weights, directed, nodes):
        """Number the labels of two edge columns (first appearance, ``nodes`` first) in bulk."""
        head = np.asarray(list(nodes) if nodes is not None else [], dtype=object)
        if not len(us) and not len(head):
            raise DataError("The graph has no edges and no nodes.")
        ends = np.concatenate([us, vs])
        if len(head):
            ends = np.concatenate([head, ends.astype(object)])
        codes, uniques = pd.factorize(ends, sort=False)
        k, m = len(head), len(us)
        labels = np.empty(len(uniques), dtype=object)
        labels[:] = np.asarray(uniques).tolist()  # Python ints/strs, as from a list of edges
        return cls.from_edges(codes[k:k + m], codes[k + m:], labels, weights=weights,
                              directed=directed)

    @classmethod
    def read_edge_list(cls, path, *, directed=False):
        """Read a text edge list: one ``u v`` or ``u v weight`` a line, whitespace-separated.

        Lines starting with ``#`` are comments. Node labels that are all integers are
        read as ints, else as strings. Parsing is pandas' C reader, in bulk.

        Parameters
        ----------
        path : str or path-like
        directed : bool, default=False

        Examples
        --------
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "g.edg")
        >>> with open(path, "w") as f:
        ...     _ = f.write("# u v\\n1\\t2\\n2\\t3\\n")
        >>> g = CSRGraph.read_edge_list(path)
        >>> g.n_nodes, g.n_edges, list(g.neighbors(2))
        (3, 4, [1, 3])
        """
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"Edge list {path!r} does not exist; pass the path of a text "
                                    f"file with one 'u v' or 'u v weight' a line.")
        try:
            frame = pd.read_csv(path, sep=r"\s+", header=None, comment="#", engine="c")
        except pd.errors.EmptyDataError:
            raise DataError(f"{path}: the edge list is empty.") from None
        except pd.errors.ParserError as exc:
            raise DataError(f"{path}: not an edge list ({str(exc).strip()}); each line must be "
                            f"'u v' or 'u v weight'.") from None
        if frame.shape[1] not in (2, 3):
            raise DataError(f"{path}: each line must be 'u v' or 'u v weight', got "
                            f"{frame.shape[1]} columns.")
        cols = [frame[c].to_numpy() for c in frame.columns]
        if cols[0].dtype != cols[1].dtype:  # e.g. one column all digits: labels are strings then
            cols[0], cols[1] = cols[0].astype(str).astype(object), cols[1].astype(str).astype(object)
        return cls._from_columns(cols[0], cols[1], cols[2] if len(cols) == 3 else None, directed,
                                 None)

    @classmethod
    def from_networkx(cls, graph, *, weight="weight"):
        """Build from a networkx (Di)Graph; ``weight`` names the edge attribute (None: unweighted)."""
        from itertools import chain
        from operator import itemgetter

        nodes = list(graph.nodes())
        index = {v: i for i, v in enumerate(nodes)}
        m = graph.number_of_edges()
        ids = id_dtype(len(nodes))
        ends = np.fromiter(map(index.__getitem__, chain.from_iterable(graph.edges())), dtype=ids,
                           count=2 * m)
        weights = None
        if weight:
            weights = np.fromiter(map(itemgetter(2), graph.edges(data=weight, default=1.0)),
                                  dtype=np.float64, count=m)
            if np.all(weights == 1.0):
                weights = None
        labels = np.empty(len(nodes), dtype=object)
        labels[:] = nodes
        return cls.from_edges(ends[0::2], ends[1::2], labels, weights=weights,
                              directed=graph.is_directed())

    @classmethod
    def from_adjacency(cls, matrix, *, directed=False):
        """Build from a square adjacency matrix (scipy sparse or dense) over nodes ``0..n-1``.

        Parameters
        ----------
        matrix : scipy sparse matrix or array-like of shape (n_nodes, n_nodes)
            Nonzero entries are the edges, their values the weights (none when all are 1).
        directed : bool, default=False
            False reads a symmetric matrix as an undirected graph (an asymmetric one is
            refused); True reads entry ``(u, v)`` as the edge ``u -> v``.

        Examples
        --------
        >>> import numpy as np
        >>> g = CSRGraph.from_adjacency(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]))
        >>> g.n_nodes, g.n_edges, list(g.neighbors(1)), g.weights is None
        (3, 4, [0, 2], True)
        """
        import scipy.sparse

        A = scipy.sparse.coo_matrix(matrix)
        if A.shape[0] != A.shape[1]:
            raise DataError(f"An adjacency matrix must be square; got shape {A.shape}.")
        A.sum_duplicates()
        A.eliminate_zeros()
        if not directed:
            if (abs(A - A.T) > 1e-12 * max(abs(A).max(), 1)).nnz:
                raise DataError("The adjacency matrix is not symmetric; pass directed=True for a "
                                "directed graph.")
            A = scipy.sparse.triu(A).tocoo()  # each undirected edge once; from_edges mirrors it
        data = np.asarray(A.data, dtype=np.float64)
        return cls.from_edges(A.row, A.col, np.arange(A.shape[0]),
                              weights=None if np.all(data == 1) else data, directed=directed)

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
        q = np.asarray(src, dtype=np.int64) * self.n_nodes + dst
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
