"""Walkers that rewrite random RDF walks: anonymous, walklets, n-grams, HALK and split.

Each draws the walks of :class:`RandomWalker` (same ``depth``, ``walks_per_entity``,
``sampler``, ``with_reverse``, ``mid_walks``) and then rewrites all of them at once
with array operations, following pyRDF2Vec's walkers of the same names; where
pyRDF2Vec's code departs from its own description the description is followed,
and each such place is named in the class docstring.
"""

import itertools
import re
from numbers import Integral

import numpy as np

from deepmine.embeddings._rdf_walkers import RandomWalker
from deepmine.exceptions import DataError
from deepmine.utils._param_validation import Interval

__all__ = ["AnonymousWalker", "WalkletWalker", "NGramWalker", "HALKWalker", "SplitWalker"]

_CHUNK = 1 << 22  # cells per chunk of the (walks x width x width) comparisons


def _compact(ids, keep):
    """Keep the cells ``keep`` of each row, shifted left in order; the rest becomes -1."""
    order = np.argsort(~keep, axis=1, kind="stable")
    return np.take_along_axis(np.where(keep, ids, -1), order, axis=1)


def _first_in_row(ids):
    """Per cell: is it the first occurrence of its value in its row (-1 cells are False)."""
    order = np.argsort(ids, axis=1, kind="stable")
    ranked = np.take_along_axis(ids, order, axis=1)
    new = np.ones(ids.shape, dtype=bool)
    new[:, 1:] = ranked[:, 1:] != ranked[:, :-1]
    first = np.empty_like(new)
    np.put_along_axis(first, order, new, axis=1)
    return first & (ids >= 0)


def _strip(ids):
    """Drop all -1 columns at the right."""
    used = (ids >= 0).any(axis=0)
    return ids[:, :used.nonzero()[0].max() + 1] if used.any() else ids[:, :1]


class _Rewriting(RandomWalker):
    """A RandomWalker whose walks are rewritten by ``_rewrite(kg, ids, group, root_pos, roots)``."""

    def _extract(self, kg, ids, rng):
        walks, group, root_pos = self._walks(kg, ids, rng)
        return self._rewrite(kg, walks, group, root_pos, np.asarray(ids)[group])


class AnonymousWalker(_Rewriting):
    """Anonymous walks (Ivanov & Burnaev 2018): each token but the entity becomes a position.

    A node or predicate is written as the index of its first occurrence in the walk,
    so ``a p b p a`` and ``a q c q a`` are both ``a 1 2 1 a``: walks keep the shape of
    the neighbourhood, not the names (pyRDF2Vec's ``AnonymousWalker``).

    Parameters
    ----------
    depth, walks_per_entity, with_duplicates, sampler, with_reverse, mid_walks
        As in :class:`RandomWalker`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deepmine.embeddings import KnowledgeGraph
    >>> path = pathlib.Path(tempfile.mkdtemp(), "g.nt")
    >>> _ = path.write_text("<http://x/a> <http://x/p> <http://x/b> .\\n"
    ...                     "<http://x/b> <http://x/p> <http://x/a> .\\n")
    >>> kg = KnowledgeGraph.load(path)
    >>> list(AnonymousWalker(depth=2).extract(kg, ["http://x/a"]))
    [['http://x/a', '1', '2', '1', 'http://x/a']]
    """

    def __init__(self, depth=4, walks_per_entity=500, *, with_duplicates=False, sampler=None,
                 with_reverse=False, mid_walks=False):
        super().__init__(depth, walks_per_entity, with_duplicates=with_duplicates,
                         sampler=sampler, with_reverse=with_reverse, mid_walks=mid_walks)

    def _rewrite(self, kg, ids, group, root_pos, roots):
        table = self._base_table(kg)
        width = ids.shape[1]
        out = np.empty_like(ids)
        step = max(1, _CHUNK // (width * width))
        for lo in range(0, len(ids), step):
            block = ids[lo:lo + step]
            first = (block[:, :, None] == block[:, None, :]).argmax(axis=2)
            out[lo:lo + step] = len(table) + first
        is_root = ids == roots[:, None]
        out = np.where(is_root, ids, np.where(ids >= 0, out, -1))
        return out, np.concatenate([table, np.array([str(i) for i in range(width)], dtype=object)])


class WalkletWalker(_Rewriting):
    """Walklets (Perozzi et al. 2017): each walk becomes the pairs ``(entity, token)``.

    Every node and predicate met on a walk gives one two-token walk with the
    entity, so word2vec sees the entity next to everything within ``depth`` hops
    (pyRDF2Vec's ``WalkletWalker``). With ``with_reverse`` the pairs are
    ``(token, entity)``, one for every token but the entity itself (pyRDF2Vec
    there skips the first token of the walk and pairs the entity with itself).

    Parameters
    ----------
    depth, walks_per_entity, with_duplicates, sampler, with_reverse, mid_walks
        As in :class:`RandomWalker`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deepmine.embeddings import KnowledgeGraph
    >>> path = pathlib.Path(tempfile.mkdtemp(), "g.nt")
    >>> _ = path.write_text("<http://x/a> <http://x/p> <http://x/b> .\\n")
    >>> kg = KnowledgeGraph.load(path)
    >>> sorted(WalkletWalker(depth=1).extract(kg, ["http://x/a"]))
    [['http://x/a', 'http://x/b'], ['http://x/a', 'http://x/p']]
    """

    def __init__(self, depth=4, walks_per_entity=500, *, with_duplicates=False, sampler=None,
                 with_reverse=False, mid_walks=False):
        super().__init__(depth, walks_per_entity, with_duplicates=with_duplicates,
                         sampler=sampler, with_reverse=with_reverse, mid_walks=mid_walks)

    def _rewrite(self, kg, ids, group, root_pos, roots):
        cols = np.arange(ids.shape[1])
        other = (ids >= 0) & (cols != root_pos[:, None])
        r, c = np.nonzero(other)
        pairs = np.column_stack([roots[r], ids[r, c]])
        if self.with_reverse:
            pairs = pairs[:, ::-1]
        alone = ~other.any(axis=1)
        single = np.column_stack([roots[alone], np.full(alone.sum(), -1)])
        return np.concatenate([pairs, single]), self._base_table(kg)


class NGramWalker(_Rewriting):
    """N-gram walks (Vandewiele et al. 2020): each node is relabelled by the n-gram ending at it.

    From the ``grams``-th token on, every node (not the entity, not predicates)
    is replaced by one token per distinct sequence of the ``grams`` tokens that end
    at it, so two walks share a token only if they share the last ``grams`` steps.
    ``wildcards=[k, ...]`` adds, for every walk, its copies with each choice of ``k``
    non-entity positions written ``*`` (pyRDF2Vec's ``NGramWalker``).

    Parameters
    ----------
    depth, walks_per_entity, with_duplicates, sampler, with_reverse, mid_walks
        As in :class:`RandomWalker`.
    grams : int, default=3
    wildcards : list of int, default=None

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deepmine.embeddings import KnowledgeGraph
    >>> path = pathlib.Path(tempfile.mkdtemp(), "g.nt")
    >>> _ = path.write_text("<http://x/a> <http://x/p> <http://x/b> .\\n"
    ...                     "<http://x/b> <http://x/p> <http://x/c> .\\n")
    >>> kg = KnowledgeGraph.load(path)
    >>> list(NGramWalker(depth=2, grams=2).extract(kg, ["http://x/a"]))
    [['http://x/a', 'http://x/p', 'ngram_0', 'http://x/p', 'ngram_1']]
    """

    _parameter_constraints = {**RandomWalker._parameter_constraints,
                              "grams": [Interval(Integral, 1, None, closed="left")],
                              "wildcards": [list, tuple, None]}

    def __init__(self, depth=4, walks_per_entity=500, *, grams=3, wildcards=None,
                 with_duplicates=False, sampler=None, with_reverse=False, mid_walks=False):
        super().__init__(depth, walks_per_entity, with_duplicates=with_duplicates,
                         sampler=sampler, with_reverse=with_reverse, mid_walks=mid_walks)
        self.grams = grams
        self.wildcards = wildcards

    def _rewrite(self, kg, ids, group, root_pos, roots):
        table = self._base_table(kg)
        star = len(table)
        width = ids.shape[1]
        lengths = (ids >= 0).sum(axis=1)
        variants, positions = [ids], [root_pos]
        # non-entity positions of each row: k -> k, or k + 1 from the entity's column on
        slots = np.arange(width - 1) + (np.arange(width - 1) >= root_pos[:, None])
        for k in self.wildcards or ():
            if not 1 <= k < width:
                continue
            for combo in itertools.combinations(range(width - 1), k):
                cols = slots[:, list(combo)]
                ok = cols.max(axis=1) < lengths
                v = ids[ok].copy()
                np.put_along_axis(v, cols[ok], star, axis=1)
                variants.append(v)
                positions.append(root_pos[ok])
        walks = np.concatenate(variants)
        root_pos = np.concatenate(positions)
        cols = np.arange(width)
        g = self.grams
        mask = (cols % 2 == 0) & (cols >= g) & (cols != root_pos[:, None]) & (walks >= 0)
        r, c = np.nonzero(mask)
        out = walks.copy()
        uniq = []
        if len(r):
            windows = walks[r[:, None], c[:, None] - g + 1 + np.arange(g)]
            uniq, inverse = np.unique(windows, axis=0, return_inverse=True)
            out[r, c] = star + 1 + inverse.ravel()
        names = np.array(["*"] + [f"ngram_{i}" for i in range(len(uniq))], dtype=object)
        return out, np.concatenate([table, names])


class HALKWalker(_Rewriting):
    """HALK walks (Schatz et al. 2021): random walks without their rare hops.

    A predicate is rare when it occurs in fewer than ``threshold`` of all walks;
    every hop along a rare predicate is cut out of the walks (the walk goes on
    with its next hop), walks left with only the entity are dropped and an entity
    left without walks keeps the walk of itself alone. Each threshold of
    ``freq_thresholds`` gives one round of walks (pyRDF2Vec's ``HALKWalker``; its
    code attaches the wrong object to the third and later hops, which here keep
    their own object).

    Parameters
    ----------
    depth, walks_per_entity, with_duplicates, sampler, with_reverse, mid_walks
        As in :class:`RandomWalker`.
    freq_thresholds : list of float, default=(0.01,)

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deepmine.embeddings import KnowledgeGraph
    >>> path = pathlib.Path(tempfile.mkdtemp(), "g.nt")
    >>> _ = path.write_text("<http://x/a> <http://x/p> <http://x/b> .\\n"
    ...                     "<http://x/b> <http://x/q> <http://x/c> .\\n"
    ...                     "<http://x/a> <http://x/p> <http://x/d> .\\n")
    >>> kg = KnowledgeGraph.load(path)
    >>> sorted(HALKWalker(depth=2, freq_thresholds=[0.6]).extract(kg, ["http://x/a"]))
    [['http://x/a', 'http://x/p', 'http://x/b'], ['http://x/a', 'http://x/p', 'http://x/d']]
    """

    _parameter_constraints = {**RandomWalker._parameter_constraints,
                              "freq_thresholds": [list, tuple]}

    def __init__(self, depth=4, walks_per_entity=500, *, freq_thresholds=(0.01,),
                 with_duplicates=False, sampler=None, with_reverse=False, mid_walks=False):
        super().__init__(depth, walks_per_entity, with_duplicates=with_duplicates,
                         sampler=sampler, with_reverse=with_reverse, mid_walks=mid_walks)
        self.freq_thresholds = freq_thresholds

    def _rewrite(self, kg, ids, group, root_pos, roots):
        n_nodes = kg.graph.n_nodes
        cols = np.arange(ids.shape[1])
        is_pred = (cols % 2 == 1) & (ids >= 0)
        r, c = np.nonzero(is_pred)
        pairs = np.unique(r * (len(kg.predicates) + 1) + (ids[r, c] - n_nodes))
        share = np.bincount(pairs % (len(kg.predicates) + 1),
                            minlength=len(kg.predicates)) / max(len(ids), 1)
        rounds = []
        n_groups = int(group.max()) + 1 if len(group) else 0
        for threshold in self.freq_thresholds:
            rare = np.zeros(ids.shape, dtype=bool)
            rare[r, c] = share[ids[r, c] - n_nodes] < threshold
            # a hop is (predicate, following node) after the entity, (node, predicate) before
            after = cols > root_pos[:, None]
            cut = rare.copy()
            cut[:, 1:] |= rare[:, :-1] & after[:, :-1]
            cut[:, :-1] |= rare[:, 1:] & ~after[:, 1:]
            out = _compact(ids, (ids >= 0) & ~cut)
            long = (out >= 0).sum(axis=1) >= 3
            kept = np.zeros(n_groups, dtype=bool)
            kept[group[long]] = True
            first = np.r_[True, group[1:] != group[:-1]] if len(group) else np.zeros(0, bool)
            lone = first & ~kept[group]
            single = np.full((lone.sum(), ids.shape[1]), -1, dtype=np.int64)
            single[:, 0] = roots[lone]
            rounds.extend([out[long], single])
        if not rounds:
            raise DataError("HALKWalker needs at least one value in freq_thresholds.")
        return _strip(np.concatenate(rounds)), self._base_table(kg)


def _lexical(label):
    """The lexical form of a literal in N-Triples form (``"0.1"^^<...>`` -> ``0.1``)."""
    end = label.rfind('"')
    return label[1:end] if label.startswith('"') and end > 0 else label


def split_label(name, is_predicate):
    """pyRDF2Vec's split of one label into lower-case words (``hasBond`` -> ``has``, ``bond``).

    Examples
    --------
    >>> split_label("http://dl-learner.org/carcinogenesis#hasBond", True)
    ['has', 'bond']
    >>> split_label("http://dl-learner.org/carcinogenesis#bond3209", False)
    ['bond', '3209']
    >>> split_label("0.5", False)
    ['0.5']
    """
    pieces = " ".join(name.split("#")).split() if "http" in name else []
    name = pieces[-1] if pieces else name
    words = [w for w in re.split(r"([A-Z][a-z]*)", name) if w]
    if not is_predicate:
        try:
            words = [str(float(name))]
        except ValueError:
            words = re.sub("[^A-Za-z0-9]+", " ", name).split()
            if len(words) == 1:
                match = re.match(r"([a-z]+)([0-9]+)", words[0], re.I)
                if match:
                    words = list(match.groups())
    return [w.lower() for w in words]


class SplitWalker(_Rewriting):
    """Split walks (Vandewiele et al. 2020): every token but the entity becomes its words.

    Each node and predicate is cut at ``#``, capitals and non-alphanumerics
    (``.../carcinogenesis#hasBond`` -> ``has bond``, ``#bond3209`` -> ``bond 3209``;
    numbers stay whole) and each word is kept once per walk, in order
    (pyRDF2Vec's ``SplitWalker.basic_split``; literals are split by their value;
    pyRDF2Vec's code leaves the entity out of the walks unless ``with_reverse``,
    here it always stays, unsplit, so that it gets an embedding).

    Parameters
    ----------
    depth, walks_per_entity, with_duplicates, sampler, with_reverse, mid_walks
        As in :class:`RandomWalker`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deepmine.embeddings import KnowledgeGraph
    >>> path = pathlib.Path(tempfile.mkdtemp(), "g.nt")
    >>> _ = path.write_text("<http://x#d1> <http://x#hasBond> <http://x#bond7> .\\n")
    >>> kg = KnowledgeGraph.load(path)
    >>> list(SplitWalker(depth=1).extract(kg, ["http://x#d1"]))
    [['http://x#d1', 'has', 'bond', '7']]
    """

    def __init__(self, depth=4, walks_per_entity=500, *, with_duplicates=False, sampler=None,
                 with_reverse=False, mid_walks=False):
        super().__init__(depth, walks_per_entity, with_duplicates=with_duplicates,
                         sampler=sampler, with_reverse=with_reverse, mid_walks=mid_walks)

    def _rewrite(self, kg, ids, group, root_pos, roots):
        table = self._base_table(kg)
        n_nodes = kg.graph.n_nodes
        used, rank = np.unique(ids, return_inverse=True)
        rank = rank.reshape(ids.shape)
        vocab, lists = {}, []
        for i in used.tolist():
            if i < 0:
                lists.append([])
                continue
            name = table[i]
            if i < n_nodes and kg.is_literal[i]:
                name = _lexical(name)
            lists.append([vocab.setdefault(w, len(vocab)) for w in split_label(name, i >= n_nodes)])
        k = max(1, max(map(len, lists)))
        pieces = np.full((len(lists), k), -1, dtype=np.int64)
        for j, words in enumerate(lists):
            pieces[j, :len(words)] = np.asarray(words, dtype=np.int64) + len(table)
        is_root = np.arange(ids.shape[1]) == root_pos[:, None]
        out = []
        step = max(1, _CHUNK // (ids.shape[1] * k))
        for lo in range(0, len(ids), step):
            block = pieces[rank[lo:lo + step]]  # (rows, width, k)
            root_cell = np.full(k, -1, dtype=np.int64)
            block = np.where(is_root[lo:lo + step, :, None], root_cell, block)
            block[..., 0] = np.where(is_root[lo:lo + step], ids[lo:lo + step], block[..., 0])
            flat = block.reshape(len(block), -1)
            out.append(_compact(flat, _first_in_row(flat)))
        words = np.array(list(vocab), dtype=object)
        return _strip(np.concatenate(out)), np.concatenate([table, words])


#: Louvain partitions of the last graphs seen (by content), so refits and grid searches reuse them
