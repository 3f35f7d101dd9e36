"""RDF walks for RDF2Vec (Ristoski & Paulheim 2016): ``entity, predicate, object, predicate, ...``.

:class:`RandomWalker` draws ``walks_per_entity`` random walks of ``depth`` hops from
each entity, all entities at once on the CSR walk engine, and by default keeps each
distinct walk once (as pyRDF2Vec does); ``walks_per_entity=None`` enumerates every
walk instead (pyRDF2Vec's ``max_walks=None``). ``with_reverse`` walks both ways so that
the entity sits in the middle of each walk (pyRDF2Vec), ``mid_walks`` puts it at a
random place (jRDF2Vec's mid walks), and a ``sampler`` weights the hops
(``ObjFreqSampler``, ``PageRankSampler``, ...). :class:`WLWalker` adds the
Weisfeiler-Lehman variant: the same walks with every non-root node replaced by its WL
label at iterations ``1..wl_iterations`` (node names at iteration 0). ``AnonymousWalker``,
``WalkletWalker``, ``NGramWalker``, ``HALKWalker``, ``SplitWalker`` and
``CommunityWalker`` rewrite these walks.
"""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator
from deepmine.utils._param_validation import HasMethods, Interval, validate_params

from deepmine.embeddings._walk_corpus import WalkCorpus
from deepmine.embeddings._walks import (all_paths, first_unique, ragged_arange, reversed_graph,
                                        unique_rows, walk_edges)
from deepmine.embeddings._wl import mix64, wl_iterations
from deepmine.exceptions import DataError

__all__ = ["RandomWalker", "WLWalker"]

#: without duplicates, up to this many times ``walks_per_entity`` walks are drawn per entity and
#: the first ``walks_per_entity`` distinct ones kept (pyRDF2Vec's sampler also avoids repeats)
_OVERSAMPLE = 4
#: ``walks_per_entity=None`` refuses to enumerate more walks than this
_MAX_ROWS = 20_000_000


def _half_tokens(g, nodes, edges):
    """Token ids ``node, predicate, node, ...`` of one-directional walks (``-1`` padded)."""
    ok = edges >= 0
    ids = np.full((len(nodes), 2 * edges.shape[1] + 1), -1, dtype=np.int64)
    ids[:, 0] = nodes[:, 0]
    ids[:, 1::2] = np.where(ok, g.n_nodes + g.edge_types[np.maximum(edges, 0)], -1)
    ids[:, 2::2] = np.where(ok, nodes[:, 1:], -1)
    return ids


def _join(back, fwd):
    """Backward half reversed, then the forward half: rows left-aligned; returns (ids, root_pos)."""
    if back is None:
        return fwd, np.zeros(len(fwd), dtype=np.int64)
    pre = back[:, :0:-1]
    root_pos = (pre >= 0).sum(axis=1)
    full = np.concatenate([pre, fwd], axis=1)
    cols = np.arange(full.shape[1]) + (pre.shape[1] - root_pos)[:, None]
    inside = cols < full.shape[1]
    out = np.where(inside, np.take_along_axis(full, np.minimum(cols, full.shape[1] - 1), 1), -1)
    return out, root_pos


def _truncate(ids, hops):
    """Cut each walk after ``hops[i]`` hops."""
    return np.where(np.arange(ids.shape[1]) <= 2 * hops[:, None], ids, -1)


def _cross(group_b, back, group_f, fwd, n_groups):
    """Every (backward, forward) pair of rows of the same group, grouped in order."""
    cf = np.bincount(group_f, minlength=n_groups)
    fstart = np.cumsum(cf) - cf
    reps = cf[group_b]
    bi = np.repeat(np.arange(len(back)), reps)
    fi = np.repeat(fstart[group_b], reps) + ragged_arange(reps)
    return group_b[bi], back[bi], fwd[fi]


class RandomWalker(BaseEstimator):
    """Random RDF walks of ``depth`` hops (uniform over each node's out-edges by default).

    Parameters
    ----------
    depth : int, default=4
        Hops per walk (per direction with ``with_reverse``); a walk has up to
        ``2 * depth + 1`` tokens.
    walks_per_entity : int or None, default=500
        Distinct walks per entity (fewer when its neighbourhood has fewer): up to
        four times as many are drawn and the first distinct ones kept. None: every
        walk of ``depth`` hops (shorter ones where a walk reaches a node without
        out-edges), enumerated breadth first; the sampler then plays no part.
    with_duplicates : bool, default=False
        Keep repeated walks (weights frequent paths more, trains slower).
    sampler : sampler, default=None
        Weights of the hops, e.g. ``PageRankSampler()`` or ``ObjFreqSampler(inverse=True)``;
        None is uniform. Each step draws an out-edge with probability proportional to its
        weight; the weights are computed once per graph. A skewed sampler repeats its
        likely walks, so fewer than ``walks_per_entity`` distinct ones may be found
        (pyRDF2Vec instead bars last hops already taken, and returns more, rarer walks).
    with_reverse : bool, default=False
        Also walk ``depth`` hops against the edges and join both halves, so the
        entity is in the middle: ``..., subject, predicate, entity, predicate,
        object, ...``. With ``walks_per_entity=None`` every backward walk is joined
        with every forward walk (as pyRDF2Vec); otherwise each walk joins one random
        backward and one random forward half.
    mid_walks : bool, default=False
        jRDF2Vec's mid walks: each of the ``depth`` hops extends the walk at its
        end or, with probability 1/2, at its start (against an edge), so the entity
        is at a random place of the walk. Exclusive with ``with_reverse``.

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
    >>> list(RandomWalker(depth=1, with_reverse=True).extract(kg, ["http://x/b"]))
    [['http://x/a', 'http://x/p', 'http://x/b', 'http://x/q', 'http://x/c']]
    """

    _parameter_constraints = {
        "depth": [Interval(Integral, 1, None, closed="left")],
        "walks_per_entity": [Interval(Integral, 1, None, closed="left"), None],
        "with_duplicates": ["boolean"],
        "sampler": [HasMethods(["edge_weights"]), None],
        "with_reverse": ["boolean"],
        "mid_walks": ["boolean"],
    }

    def __init__(self, depth=4, walks_per_entity=500, *, with_duplicates=False, sampler=None,
                 with_reverse=False, mid_walks=False):
        self.depth = depth
        self.walks_per_entity = walks_per_entity
        self.with_duplicates = with_duplicates
        self.sampler = sampler
        self.with_reverse = with_reverse
        self.mid_walks = mid_walks

    # -- the walks, as token ids -------------------------------------------------------------

    def _jump(self, kg):
        """A callable that moves walkers after each hop (community walks), or None."""
        return None

    def _weights(self, kg, reverse):
        return None if self.sampler is None else self.sampler.edge_weights(kg, reverse=reverse)

    def _halves(self, kg, starts, rng, reverse):
        """One-directional walks from ``starts`` as token ids, and each row's index in ``starts``."""
        g = reversed_graph(kg.graph) if reverse else kg.graph
        jump = self._jump(kg)
        if self.walks_per_entity is None:
            try:
                nodes, edges, origin = all_paths(g, starts, self.depth, max_rows=_MAX_ROWS,
                                                 jump=jump, rng=rng)
            except ValueError as exc:
                raise DataError(f"walks_per_entity=None: {exc}; set walks_per_entity to sample "
                                f"walks instead.") from None
        else:
            nodes, edges = walk_edges(g, starts, self.depth, rng,
                                      weights=self._weights(kg, reverse), jump=jump)
            origin = np.arange(len(starts))
        return _half_tokens(g, nodes, edges), origin

    def _walks(self, kg, entity_ids, rng, node_token=None):
        """Distinct walks per entity: ``(ids, group, root_pos)``, rows grouped by entity.

        ``ids`` holds node ids (``< n_nodes``) and ``n_nodes + predicate`` ids, ``-1``
        padded; ``group[i]`` indexes ``entity_ids``; ``root_pos[i]`` is the entity's column.
        ``node_token`` relabels the nodes other than the entity (before duplicates go).
        """
        if self.with_reverse and self.mid_walks:
            raise DataError("with_reverse and mid_walks exclude each other; choose one.")
        entity_ids = np.asarray(entity_ids, dtype=np.int64)
        n = len(entity_ids)
        both = self.with_reverse or self.mid_walks
        if self.walks_per_entity is None:
            fwd, gf = self._halves(kg, entity_ids, rng, False)
            if not both:
                ids, group, root_pos = fwd, gf, np.zeros(len(fwd), dtype=np.int64)
            else:
                back, gb = self._halves(kg, entity_ids, rng, True)
                parts = []
                d = self.depth
                for kf, kb in [(d, d)] if self.with_reverse else [(k, d - k) for k in range(d + 1)]:
                    f, fg = _dedupe(_truncate(fwd, np.full(len(fwd), kf)), gf)
                    b, bg = _dedupe(_truncate(back, np.full(len(back), kb)), gb)
                    grp, bb, ff = _cross(bg, b, fg, f, n)
                    parts.append((grp, *_join(bb, ff)))
                group = np.concatenate([p[0] for p in parts])
                order = np.argsort(group, kind="stable")
                group = group[order]
                ids = np.concatenate([p[1] for p in parts])[order]
                root_pos = np.concatenate([p[2] for p in parts])[order]
        else:
            draws = self.walks_per_entity * (1 if self.with_duplicates else _OVERSAMPLE)
            group = np.repeat(np.arange(n), draws)
            starts = entity_ids[group]
            fwd = self._halves(kg, starts, rng, False)[0]
            back = self._halves(kg, starts, rng, True)[0] if both else None
            if self.mid_walks:
                kf = rng.binomial(self.depth, 0.5, size=len(starts))
                fwd, back = _truncate(fwd, kf), _truncate(back, self.depth - kf)
            ids, root_pos = _join(back, fwd)
        if node_token is not None:
            cols = np.arange(ids.shape[1])
            nodes = (cols % 2 == 0) & (cols != root_pos[:, None]) & (ids >= 0)
            ids = np.where(nodes, node_token[np.where(nodes, ids, 0)], ids)
        if self.with_duplicates and self.walks_per_entity is not None:
            return ids, group, root_pos
        keep = first_unique(np.column_stack([group, root_pos, ids]))
        ids, group, root_pos = ids[keep], group[keep], root_pos[keep]
        if self.walks_per_entity is not None:
            keep = _rank_in_group(group) < self.walks_per_entity
            ids, group, root_pos = ids[keep], group[keep], root_pos[keep]
        return ids, group, root_pos

    def _walk_ids(self, kg, entity_ids, rng, node_token=None):
        """Token-id matrix of one round of walks; ``node_token`` relabels non-root nodes."""
        return self._walks(kg, entity_ids, rng, node_token)[0]

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
        if self.sampler is not None and hasattr(self.sampler, "_parameter_constraints"):
            validate_params(self.sampler)
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


def _rank_in_group(group):
    """Position of each row among the rows of its group (rows grouped)."""
    first = np.r_[True, group[1:] != group[:-1]]
    idx = np.arange(len(group))
    return idx - np.maximum.accumulate(np.where(first, idx, 0))


def _dedupe(ids, group):
    keep = first_unique(np.column_stack([group, ids]))
    return ids[keep], group[keep]


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
    walks_per_entity : int or None, default=500
        Per WL iteration.
    wl_iterations : int, default=4
    with_duplicates, sampler, with_reverse, mid_walks
        As in :class:`RandomWalker`.

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

    def __init__(self, depth=4, walks_per_entity=500, *, wl_iterations=4, with_duplicates=False,
                 sampler=None, with_reverse=False, mid_walks=False):
        super().__init__(depth=depth, walks_per_entity=walks_per_entity,
                         with_duplicates=with_duplicates, sampler=sampler,
                         with_reverse=with_reverse, mid_walks=mid_walks)
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
