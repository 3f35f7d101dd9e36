"""Samplers for RDF walks: how likely each hop ``(predicate, object)`` is (Cochez et al. 2017).

A sampler turns the knowledge graph into one weight per edge, once; the walk
engine then draws every step of every walk by binary search in the running sum
of those weights (:func:`~deepmine.embeddings._walks.walk_edges`), so no
per-node transition table is built and a step costs the same as a uniform one.
The weights follow pyRDF2Vec's samplers: from node ``v`` the hop to ``x`` by
predicate ``p`` weighs

* :class:`UniformSampler`: 1;
* :class:`ObjFreqSampler`: the in-degree of ``x`` (triples with ``x`` as object);
* :class:`PredFreqSampler`: the number of triples with predicate ``p``;
* :class:`ObjPredFreqSampler`: the number of triples with predicate ``p`` and object ``x``;
* :class:`PageRankSampler`: the PageRank of ``x`` on the graph of subjects and objects;
* :class:`WideSampler`: ``(1 + out-degree of x) * (1 + triples with p) / 2``, pyRDF2Vec's
  "wide" weight (neighbour counts of the predicate, which is 1, and of ``x``, times the
  mean occurrence count of ``p`` and of ``x``, which is 1).

``inverse=True`` replaces each weight ``w`` among the out-edges of ``v`` by
``max + min - w`` (rare hops first); ``split=True`` then divides it by the number of
edges that arrive at ``x``, as in pyRDF2Vec.

Walking against the edges (``with_reverse``, mid walks), the hop goes from ``v``
back to a subject ``x``; node and predicate statistics stay those of the graph,
except the two that would be undefined there in pyRDF2Vec: the pair count of
:class:`ObjPredFreqSampler` counts triples with subject ``x`` and predicate ``p``,
and ``split`` divides by the out-degree of ``x`` (the edges that arrive at ``x``
walking backwards). A node whose hops all weigh 0 is left uniform.
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator
from deepmine.utils._param_validation import Interval, validate_params

from deepmine.embeddings._walks import reversed_graph

__all__ = ["UniformSampler", "ObjFreqSampler", "PredFreqSampler", "ObjPredFreqSampler",
           "PageRankSampler", "WideSampler", "pagerank"]


def pagerank(g, *, alpha=0.85, tol=1e-6, max_iter=100):
    """PageRank of every node of ``g`` as :func:`networkx.pagerank` computes it.

    Parallel edges count once; a node without out-edges spreads its rank over all
    nodes; the power iteration stops when the L1 change is below ``n_nodes * tol``.

    Examples
    --------
    >>> from deepmine.embeddings import CSRGraph
    >>> g = CSRGraph.from_edge_list([("a", "b"), ("b", "a")], directed=True)
    >>> pagerank(g).round(3).tolist()
    [0.5, 0.5]
    """
    n = g.n_nodes
    src = np.repeat(np.arange(n, dtype=np.int64), g.degree)
    keys = np.unique(src * n + g.indices)
    s, d = keys // n, keys % n
    out = np.bincount(s, minlength=n).astype(np.float64)
    dangling = out == 0
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        share = np.where(dangling, 0.0, x / np.maximum(out, 1))
        new = alpha * np.bincount(d, weights=share[s], minlength=n)
        new += (alpha * x[dangling].sum() + 1.0 - alpha) / n
        done = np.abs(new - x).sum() < n * tol
        x = new
        if done:
            break
    return x


def _rows(g):
    return np.repeat(np.arange(g.n_nodes, dtype=np.int64), g.degree)


class _Sampler(BaseEstimator):
    """Per-edge weights of a walk graph; subclasses give ``_weights(kg, g, reverse)``."""

    def edge_weights(self, kg, *, reverse=False):
        """One non-negative weight per edge of the graph walked.

        Parameters
        ----------
        kg : KnowledgeGraph
        reverse : bool, default=False
            Weights of the reversed graph (walks against the edges).

        Returns
        -------
        ndarray of shape (n_triples,), float64, or None
            Aligned with ``graph.indices`` of ``kg.graph`` (or of its reverse);
            None means uniform.
        """
        validate_params(self)
        g = reversed_graph(kg.graph) if reverse else kg.graph
        w = self._weights(kg, g, reverse)
        if w is None or g.n_edges == 0:
            return w
        w = np.asarray(w, dtype=np.float64)
        starts = g.indptr[:-1][g.degree > 0]
        row = _rows(g)
        if getattr(self, "inverse", False):
            hi = np.maximum.reduceat(w, starts)
            lo = np.minimum.reduceat(w, starts)
            k = np.cumsum(g.degree > 0)[row] - 1
            w = hi[k] + lo[k] - w
        if getattr(self, "split", False):
            w = w / np.bincount(g.indices, minlength=g.n_nodes)[g.indices]
        total = np.add.reduceat(w, starts)
        flat = np.repeat(total <= 0, g.degree[g.degree > 0])
        return np.where(flat, 1.0, w)

    def edge_probabilities(self, kg, *, reverse=False):
        """Probability of each edge given its source node (what one walk step draws)."""
        g = reversed_graph(kg.graph) if reverse else kg.graph
        w = self.edge_weights(kg, reverse=reverse)
        if w is None:
            w = np.ones(g.n_edges)
        total = np.bincount(_rows(g), weights=w, minlength=g.n_nodes)
        return w / total[_rows(g)]


class UniformSampler(_Sampler):
    """Every hop of a node equally likely (RDF2Vec's random walks).

    Examples
    --------
    >>> UniformSampler().edge_weights(None) is None
    True
    """

    _parameter_constraints = {}

    def edge_weights(self, kg, *, reverse=False):
        return None

    def _weights(self, kg, g, reverse):
        return None


class _Frequency(_Sampler):
    _parameter_constraints = {"inverse": ["boolean"], "split": ["boolean"]}

    def __init__(self, inverse=False, split=False):
        self.inverse = inverse
        self.split = split


_FREQ_DOC = """
    Parameters
    ----------
    inverse : bool, default=False
        Weight each hop by ``max + min - w`` over the hops of its node (rare first).
    split : bool, default=False
        Divide each weight by the number of edges that arrive at the hop's node.

    Examples
    --------
    >>> from deepmine.embeddings import RandomWalker
    >>> walker = RandomWalker(depth=2, sampler={name}())
    """


class ObjFreqSampler(_Frequency):
    __doc__ = "Hops weighted by the in-degree of the object (node-centric)." + _FREQ_DOC.format(
        name="ObjFreqSampler")

    def _weights(self, kg, g, reverse):
        return np.bincount(kg.graph.indices, minlength=g.n_nodes)[g.indices]


class PredFreqSampler(_Frequency):
    __doc__ = "Hops weighted by the number of triples with their predicate." + _FREQ_DOC.format(
        name="PredFreqSampler")

    def _weights(self, kg, g, reverse):
        return np.bincount(kg.graph.edge_types, minlength=len(kg.predicates))[g.edge_types]


class ObjPredFreqSampler(_Frequency):
    __doc__ = ("Hops weighted by the number of triples with their (predicate, object) pair."
               + _FREQ_DOC.format(name="ObjPredFreqSampler"))

    def _weights(self, kg, g, reverse):
        _, inv, counts = np.unique(g.edge_types * g.n_nodes + g.indices, return_inverse=True,
                                   return_counts=True)
        return counts[inv]


class PageRankSampler(_Frequency):
    """Hops weighted by the PageRank of the object (on the graph of subjects and objects).

    Parameters
    ----------
    alpha : float, default=0.85
        Damping factor.
    inverse : bool, default=False
    split : bool, default=False

    Examples
    --------
    >>> from deepmine.embeddings import RandomWalker
    >>> walker = RandomWalker(depth=2, sampler=PageRankSampler(alpha=0.9))
    """

    _parameter_constraints = {**_Frequency._parameter_constraints,
                              "alpha": [Interval(Real, 0, 1, closed="both")]}

    def __init__(self, alpha=0.85, inverse=False, split=False):
        super().__init__(inverse=inverse, split=split)
        self.alpha = alpha

    def _weights(self, kg, g, reverse):
        return pagerank(kg.graph, alpha=self.alpha)[g.indices]


class WideSampler(_Frequency):
    __doc__ = ("Hops weighted by ``(1 + out-degree of the object) * (1 + triples with the "
               "predicate) / 2`` (pyRDF2Vec's wide sampling)." + _FREQ_DOC.format(
                   name="WideSampler"))

    def _weights(self, kg, g, reverse):
        out = kg.graph.degree[g.indices]
        pred = np.bincount(kg.graph.edge_types, minlength=len(kg.predicates))[g.edge_types]
        return (1.0 + out) * (pred + 1.0) / 2.0
