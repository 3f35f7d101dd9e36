"""RDF walks for RDF2Vec (Ristoski & Paulheim 2016): ``entity, predicate, object, predicate, ...``.

:class:`RandomWalker` draws ``walks_per_entity`` random walks of ``depth`` hops from
each entity, all entities at once on the CSR walk engine, and by default keeps each
distinct walk once (as pyRDF2Vec does). :class:`WLWalker` adds the Weisfeiler-Lehman
variant: the same walks with every non-root node replaced by its WL label at
iterations ``1..wl_iterations`` (node names at iteration 0).
"""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator

from deepmine.embeddings._walks import WalkCorpus, unique_rows, walk_edges
from deepmine.embeddings._wl import mix64, wl_iterations
from deepmine.utils._param_validation import Interval, validate_params

__all__ = ["RandomWalker", "WLWalker"]

#: without duplicates, up to this many times ``walks_per_entity`` walks are drawn per entity and
#: the first ``walks_per_entity`` distinct ones kept (pyRDF2Vec's sampler also avoids repeats)
_OVERSAMPLE = 4


class RandomWalker(BaseEstimator):
    """Random RDF walks of ``depth`` hops (uniform over each node's out-edges).

    Parameters
    ----------
    depth : int, default=4
        Hops per walk; a walk has up to ``2 * depth + 1`` tokens.
    walks_per_entity : int, default=500
        Distinct walks per entity (fewer when its neighbourhood has fewer): up to
        four times as many are drawn and the first distinct ones kept.
    with_duplicates : bool, default=False
        Keep repeated walks (weights frequent paths more, trains slower).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deepmine.embeddings import KnowledgeGraph
    >>> path = pathlib.Path(tempfile.mkdtemp(), "g.nt")
    >>> _ = path.write_text("<http://x/a> <http://x/p> <http://x/b> .\\n"
    ...                     "<http://x/b> <http://x/q> <http://x/c> .\\n")
    >>> kg = KnowledgeGraph.load(path)
    >>> walks = RandomWalker(depth=2, walks_per_entity=5).extract(kg, ["http://x/a"], random_state=0)
    >>> list(walks)
    [['http://x/a', 'http://x/p', 'http://x/b', 'http://x/q', 'http://x/c']]
    """

    _parameter_constraints = {
        "depth": [Interval(Integral, 1, None, closed="left")],
        "walks_per_entity": [Interval(Integral, 1, None, closed="left")],
        "with_duplicates": ["boolean"],
    }

    def __init__(self, depth=4, walks_per_entity=500, *, with_duplicates=False):
        self.depth = depth
        self.walks_per_entity = walks_per_entity
        self.with_duplicates = with_duplicates

    def _walk_ids(self, kg, entity_ids, rng, node_token=None):
        """Token-id matrix of one round of walks; ``node_token`` relabels non-root nodes."""
        g = kg.graph
        draws = self.walks_per_entity * (1 if self.with_duplicates else _OVERSAMPLE)
        starts = np.repeat(np.asarray(entity_ids, dtype=np.int64), draws)
        nodes, edges = walk_edges(g, starts, self.depth, rng)
        ok = edges >= 0
        ids = np.full((len(starts), 2 * self.depth + 1), -1, dtype=np.int64)
        ids[:, 0] = nodes[:, 0]
        ids[:, 1::2] = np.where(ok, g.n_nodes + g.edge_types[np.maximum(edges, 0)], -1)
        objs = nodes[:, 1:]
        if node_token is not None:
            objs = np.where(ok, node_token[np.maximum(objs, 0)], -1)
        ids[:, 2::2] = objs
        if self.with_duplicates:
            return ids
        ids = unique_rows(ids)  # keeps the order, so rows stay grouped by root entity
        first = np.r_[True, ids[1:, 0] != ids[:-1, 0]]
        group_start = np.maximum.accumulate(np.where(first, np.arange(len(ids)), 0))
        return ids[np.arange(len(ids)) - group_start < self.walks_per_entity]

    def _base_table(self, kg):
        return np.concatenate([kg.graph.labels, kg.predicates]).astype(object)

    def extract(self, kg, entities, *, random_state=None):
        """Walks from ``entities`` as a restartable corpus of token lists.

        Parameters
        ----------
        kg : KnowledgeGraph
        entities : sequence of str or ndarray of int
            Entity IRIs, or node ids of ``kg.graph``.
        random_state : int, RandomState instance or None, default=None

        Returns
        -------
        WalkCorpus
        """
        from deepmine.utils import resolve_seed

        validate_params(self)
        ids = self._entity_ids(kg, entities)
        rng = np.random.default_rng(resolve_seed(random_state))
        walks, table = self._extract(kg, ids, rng)
        if not self.with_duplicates:
            walks = unique_rows(walks)
        return WalkCorpus(walks, table)

    @staticmethod
    def _entity_ids(kg, entities):
        arr = np.asarray(entities)
        if arr.dtype.kind in "iu":
            return arr.astype(np.int64)
        return kg.graph.node_ids(list(entities), what="Entity")

    def _extract(self, kg, ids, rng):
        return self._walk_ids(kg, ids, rng), self._base_table(kg)


class WLWalker(RandomWalker):
    """Random RDF walks relabelled by Weisfeiler-Lehman subtree labels (RDF2Vec's WL walks).

    For each iteration ``i`` in ``0..wl_iterations`` a fresh round of random walks
    is drawn; at ``i >= 1`` every non-root node is written as its WL label of
    iteration ``i`` (a hash of its name and the set of (predicate, label) pairs of
    its incoming edges, as in pyRDF2Vec), so walks through similar neighbourhoods
    share tokens.

    Parameters
    ----------
    depth : int, default=4
    walks_per_entity : int, default=500
        Per WL iteration.
    wl_iterations : int, default=4
    with_duplicates : bool, default=False

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deepmine.embeddings import KnowledgeGraph
    >>> path = pathlib.Path(tempfile.mkdtemp(), "g.nt")
    >>> _ = path.write_text("<http://x/a> <http://x/p> <http://x/b> .\\n")
    >>> kg = KnowledgeGraph.load(path)
    >>> walks = WLWalker(depth=1, wl_iterations=2).extract(kg, ["http://x/a"], random_state=0)
    >>> len(walks)
    3
    """

    _parameter_constraints = {
        **RandomWalker._parameter_constraints,
        "wl_iterations": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, depth=4, walks_per_entity=500, *, wl_iterations=4, with_duplicates=False):
        super().__init__(depth=depth, walks_per_entity=walks_per_entity,
                         with_duplicates=with_duplicates)
        self.wl_iterations = wl_iterations

    def _extract(self, kg, ids, rng):
        g = kg.graph
        src = np.repeat(np.arange(g.n_nodes, dtype=np.int64), g.degree)
        labels = wl_iterations(mix64(np.arange(g.n_nodes, dtype=np.uint64)), src, g.indices,
                               self.wl_iterations, edge_types=g.edge_types, as_set=True)
        table = [self._base_table(kg)]
        offset = len(table[0])
        rounds = [self._walk_ids(kg, ids, rng)]
        for i in range(1, self.wl_iterations + 1):
            uniq, dense = np.unique(labels[i], return_inverse=True)
            rounds.append(self._walk_ids(kg, ids, rng, node_token=offset + dense))
            table.append(np.array([f"wl{i}_{k}" for k in range(len(uniq))], dtype=object))
            offset += len(uniq)
        return np.concatenate(rounds), np.concatenate(table)
