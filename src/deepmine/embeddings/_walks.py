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

import os
import weakref

import numpy as np

from deepmine.embeddings._graph import CSRGraph

__all__ = ["walk_edges", "random_walks", "WalkCorpus", "WalkWriter", "write_walk_file",
           "relabel_vectors", "fit_on_walks", "fit_on_walk_chunks"]


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


class WalkWriter:
    """Append id walks to a binary file as text, one walk a line, ids in decimal.

    Every id is written with the same number of digits (zero-padded, e.g. ``007``
    among 1,000 ids) and a space, so a chunk of walks is one gather from a table of
    these byte records; the last space of each walk becomes a newline. Only NumPy
    runs per token. ``counts`` accumulates how often each id was written.

    Parameters
    ----------
    f : binary file object
    n_ids : int
        Ids are ``0..n_ids-1``; ``-1`` pads a walk at its end.
    """

    def __init__(self, f, n_ids):
        self.f = f
        digits = len(str(max(int(n_ids) - 1, 0)))
        self.record = digits + 1
        table = np.zeros((n_ids + 1, self.record), dtype=np.uint8)  # the last row: id -1, no bytes
        v = np.arange(n_ids, dtype=np.int64)
        for j in range(digits):
            table[:n_ids, digits - 1 - j] = 48 + v // 10**j % 10
        table[:n_ids, -1] = ord(" ")
        self.table = table.view(f"V{self.record}").ravel()
        self.counts = np.zeros(n_ids, dtype=np.int64)
        self.n_walks = 0

    def write(self, ids):
        """Write the rows of ``ids`` (shape (n_walks, length), ``-1`` padded); empty rows are skipped."""
        if ids.size == 0:
            return
        lengths = (ids >= 0).sum(axis=1)
        if lengths.min() == 0:
            ids, lengths = ids[lengths > 0], lengths[lengths > 0]
        text = self.table[ids].view(np.uint8).reshape(len(ids), -1)
        text[np.arange(len(ids)), lengths * self.record - 1] = ord("\n")
        full = bool((lengths == ids.shape[1]).all())
        text = text.ravel()
        self.f.write(text.data if full else text[text != 0].data)  # padding: the zero bytes
        self.counts += np.bincount(ids.ravel() if full else ids[ids >= 0], minlength=len(self.counts))
        self.n_walks += len(ids)

    @property
    def n_tokens(self):
        return int(self.counts.sum())

    def vocabulary(self):
        """``{token: count}`` of the ids written, tokens as they are in the file."""
        used = np.flatnonzero(self.counts)
        width = self.record - 1
        return {f"{i:0{width}d}": c for i, c in zip(used.tolist(), self.counts[used].tolist())}


def write_walk_file(path, chunks, n_ids):
    """Write id walks that arrive in chunks to ``path`` (:class:`WalkWriter`'s format).

    Returns the writer, whose ``counts``, ``n_walks`` and :meth:`~WalkWriter.vocabulary`
    describe the file.
    """
    with open(os.fspath(path), "wb") as f:
        writer = WalkWriter(f, n_ids)
        for ids in chunks:
            writer.write(ids)
    return writer


class WalkCorpus:
    """Walks as a restartable corpus of token lists, converted chunk by chunk.

    The walks stay one int matrix; each iteration maps a chunk of rows to token
    strings with one fancy-indexing call, so gensim reads them without a Python
    list of every walk being kept in memory.

    Parameters
    ----------
    ids : ndarray of shape (n_walks, max_length), int64
        Token ids, ``-1`` padded at the end of each row.
    table : ndarray of object
        ``table[i]`` is the token (a str) of id ``i``.
    chunk_size : int, default=16384

    Examples
    --------
    >>> import numpy as np
    >>> c = WalkCorpus(np.array([[0, 1, -1], [1, 0, 1]]), np.array(["a", "b"], dtype=object))
    >>> list(c)
    [['a', 'b'], ['b', 'a', 'b']]
    """

    is_token_corpus = True

    def __init__(self, ids, table, chunk_size=16384):
        self.ids = ids
        self.table = table
        self.chunk_size = chunk_size

    def __len__(self):
        return len(self.ids)

    def lengths(self):
        """Number of tokens of each walk."""
        return (self.ids >= 0).sum(axis=1)

    def __iter__(self):
        table = np.append(self.table, None)  # id -1 -> None, cut off below
        lengths = self.lengths()
        width = self.ids.shape[1]
        for lo in range(0, len(self.ids), self.chunk_size):
            rows = table[self.ids[lo:lo + self.chunk_size]].tolist()
            lens = lengths[lo:lo + self.chunk_size].tolist()
            for row, n in zip(rows, lens):
                yield row if n == width else row[:n]

    def to_list(self):
        """All walks as a list of token lists (built with the cyclic GC paused: 2-3x faster)."""
        import gc

        enabled = gc.isenabled()
        gc.freeze()  # the objects alive now are never scanned again
        gc.disable()
        try:
            return list(self)
        finally:
            if enabled:
                gc.enable()
            gc.unfreeze()

    def write(self, path, chunk_size=65536):
        """Write the walks as text, one walk a line, tokens as their ids (``table`` indices).

        Ids are zero-padded to one width (:class:`WalkWriter`).

        Ids instead of the tokens themselves keep tokens with spaces intact and the
        file small; :func:`relabel_vectors` maps the trained vectors back. The text
        is assembled as bytes with NumPy, ``chunk_size`` walks at a time, so no
        Python string is built per token.
        """
        write_walk_file(path, (self.ids[lo:lo + chunk_size]
                               for lo in range(0, len(self.ids), chunk_size)), len(self.table))
        return path

    def token_counts(self):
        """How often each id occurs in the walks (ndarray of int64, one per ``table`` entry)."""
        ids = self.ids[self.ids >= 0]
        return np.bincount(ids, minlength=len(self.table))

    def for_training(self, max_tokens=10_000_000):
        """The walks as a list when small (gensim trains about 25 % faster on one), else ``self``."""
        return self.to_list() if int((self.ids >= 0).sum()) <= max_tokens else self


def relabel_vectors(wv, table):
    """Rename the keys of gensim ``KeyedVectors`` trained on :meth:`WalkCorpus.write` ids to tokens."""
    keys = [table[int(k)] for k in wv.index_to_key]
    wv.index_to_key = keys
    wv.key_to_index = {k: i for i, k in enumerate(keys)}
    return wv


def fit_on_walks(embedder, corpus, walks_path=None):
    """Fit ``embedder`` on the walks of ``corpus`` and return its ``wv_`` keyed by the tokens.

    With ``walks_path`` the walks are written there first (:meth:`WalkCorpus.write`)
    and the embedder reads the file, so no token list of the corpus is built; a
    :class:`~deepmine.embeddings.Word2Vec` with ``workers > 1`` then trains in
    gensim's corpus_file mode. Without it the embedder gets ``corpus.for_training()``.
    """
    if walks_path is None:
        embedder.fit(corpus.for_training())
        return embedder.wv_
    import os

    path = corpus.write(os.fspath(walks_path))
    table = corpus.table
    embedder.fit(path)
    return relabel_vectors(embedder.wv_, table)


def fit_on_walk_chunks(embedder, chunks, table, walks_path=None, *, owner="DeepWalk.fit"):
    """Fit ``embedder`` on id walks that arrive in chunks; return its ``wv_`` keyed by ``table``.

    A :class:`~deepmine.embeddings.Word2Vec` embedder gets the walks as a text file
    (``walks_path``, else a temporary file removed afterwards), written chunk by
    chunk by :class:`WalkWriter`, and trains on it in gensim's corpus_file mode
    with the vocabulary counted while writing: no Python object is made per token
    and the walks are never all in memory. Another embedder gets ``walks_path``
    when given, else the walks as a :class:`WalkCorpus`.
    """
    import tempfile

    from deepmine.embeddings._word2vec import Word2Vec, train_gensim_word2vec

    if not isinstance(embedder, Word2Vec):
        if walks_path is None:
            return fit_on_walks(embedder, WalkCorpus(np.concatenate(list(chunks)), table))
        write_walk_file(walks_path, chunks, len(table))
        embedder.fit(os.fspath(walks_path))
        return relabel_vectors(embedder.wv_, table)
    embedder._check_params()
    if walks_path is None:
        fd, path = tempfile.mkstemp(prefix="deepmine-walks-", suffix=".txt")
        os.close(fd)
    else:
        path = os.fspath(walks_path)
    try:
        writer = write_walk_file(path, chunks, len(table))
        model = train_gensim_word2vec(embedder, path, owner=owner,
                                      counts=(writer.vocabulary(), writer.n_walks))
    finally:
        if walks_path is None:
            os.remove(path)
    embedder.wv_ = relabel_vectors(model.wv, table)
    return embedder.wv_
