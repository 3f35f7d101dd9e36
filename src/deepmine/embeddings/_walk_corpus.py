"""Walks as a word2vec corpus: walk files, the streaming corpus, and training on them.

Walks (matrices of node ids from :mod:`deepmine.embeddings._walks`) are written to a
text file that gensim reads with its fast ``corpus_file`` path, or streamed from
memory; the vectors come back keyed by the nodes' names.
"""

import os

import numpy as np

__all__ = ["WalkCorpus", "WalkWriter", "write_walk_file", "relabel_vectors", "fit_on_walks",
           "fit_on_walk_chunks"]


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
