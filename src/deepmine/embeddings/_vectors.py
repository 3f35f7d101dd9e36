"""Queries and evaluation over word vectors (gensim ``KeyedVectors``), and loading pretrained files.

The analogy "a is to b as c is to ?" is answered by the word closest to
``b - a + c`` (3CosAdd, Mikolov et al. 2013) or by the multiplicative
objective 3CosMul of Levy & Goldberg (2014). Every function accepts a
``KeyedVectors`` or a fitted deepmine estimator that holds one in ``wv_``.
"""

import os

import numpy as np
import pandas as pd

from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.utils._optional import optional_from

__all__ = ["analogy", "most_similar", "similarity", "doesnt_match", "evaluate_analogies",
           "evaluate_similarity", "load_vectors"]


def as_keyed_vectors(vectors):
    """Return the ``KeyedVectors`` held by ``vectors`` (itself, ``.wv_`` or ``.wv``)."""
    KeyedVectors = optional_from("gensim.models", "KeyedVectors", feature="Word vectors")

    if isinstance(vectors, KeyedVectors):
        return vectors
    estimator = hasattr(vectors, "get_params")
    # an estimator's ``wv`` is a property that comes back here: look at ``wv_`` only
    for attr in ("wv_",) if estimator else ("wv_", "wv"):
        kv = getattr(vectors, attr, None)
        if isinstance(kv, KeyedVectors):
            return kv
    if estimator:
        from sklearn.exceptions import NotFittedError

        raise NotFittedError(f"This {type(vectors).__name__} instance is not fitted yet; "
                             "call 'fit' before querying its vectors.")
    raise InvalidParameterError(
        f"Expected gensim KeyedVectors or a fitted deepmine embedding, got {type(vectors).__name__}.")


def check_words(kv, words):
    """Raise :class:`DataError` naming every word of ``words`` missing from ``kv``."""
    missing = [w for w in words if w not in kv.key_to_index]
    if missing:
        hint = ""
        lower = [w for w in missing if isinstance(w, str) and w.lower() in kv.key_to_index]
        if lower:
            hint = f" ({lower} are known in lower case)"
        raise DataError(f"{missing} not in the vocabulary of {len(kv)} words{hint}.")


def analogy(vectors, a, b, c, *, topn=1, method="3cosadd", restrict_vocab=None):
    """Answer "``a`` is to ``b`` as ``c`` is to ?".

    Parameters
    ----------
    vectors : KeyedVectors or fitted estimator with ``wv_``
    a, b, c : str
        "man", "king", "woman" asks for the word that is to "woman" what "king" is to "man".
    topn : int, default=1
    method : {"3cosadd", "3cosmul"}, default="3cosadd"
        Additive (Mikolov et al. 2013) or multiplicative (Levy & Goldberg 2014) objective.
    restrict_vocab : int, default=None
        Search only the most frequent words.

    Returns
    -------
    list of (str, float)
        The ``topn`` answers with their scores, best first; ``a``, ``b``, ``c`` are excluded.

    Examples
    --------
    >>> from gensim.models import KeyedVectors
    >>> kv = KeyedVectors(2)
    >>> kv.add_vectors(["man", "king", "woman", "queen", "apple"],
    ...                [[1, 0], [1, 1], [-1, 0], [-1, 1], [0, -1]])
    >>> analogy(kv, "man", "king", "woman")[0][0]
    'queen'
    """
    kv = as_keyed_vectors(vectors)
    check_words(kv, [a, b, c])
    if method == "3cosadd":
        return kv.most_similar(positive=[b, c], negative=[a], topn=topn, restrict_vocab=restrict_vocab)
    if method == "3cosmul":
        return kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=topn,
                                      restrict_vocab=restrict_vocab)
    raise InvalidParameterError(f"The 'method' parameter of analogy must be '3cosadd' or '3cosmul'. "
                                f"Got {method!r} instead.")


def most_similar(vectors, word, *, topn=10):
    """The ``topn`` words closest to ``word`` by cosine similarity, as ``(word, score)`` pairs.

    Examples
    --------
    >>> from gensim.models import KeyedVectors
    >>> kv = KeyedVectors(2)
    >>> kv.add_vectors(["a", "b", "c"], [[1, 0], [0.9, 0.1], [-1, 0]])
    >>> most_similar(kv, "a", topn=1)[0][0]
    'b'
    """
    kv = as_keyed_vectors(vectors)
    check_words(kv, [word])
    return kv.most_similar(word, topn=topn)


def similarity(vectors, word1, word2):
    """Cosine similarity of two words.

    Examples
    --------
    >>> from gensim.models import KeyedVectors
    >>> kv = KeyedVectors(2)
    >>> kv.add_vectors(["a", "b"], [[1, 0], [0, 1]])
    >>> round(similarity(kv, "a", "b"), 3)
    0.0
    """
    kv = as_keyed_vectors(vectors)
    check_words(kv, [word1, word2])
    return float(kv.similarity(word1, word2))


def doesnt_match(vectors, words):
    """The word of ``words`` furthest from the mean of the others.

    Examples
    --------
    >>> from gensim.models import KeyedVectors
    >>> kv = KeyedVectors(2)
    >>> kv.add_vectors(["a", "b", "c"], [[1, 0], [0.9, 0.1], [-1, 0]])
    >>> doesnt_match(kv, ["a", "b", "c"])
    'c'
    """
    kv = as_keyed_vectors(vectors)
    words = list(words)
    check_words(kv, words)
    return kv.doesnt_match(words)


def _test_data(name):
    datapath = optional_from("gensim.test.utils", "datapath", feature="Word vectors")

    return datapath(name)


def evaluate_analogies(vectors, path=None, *, restrict_vocab=300_000, method="3cosadd",
                       case_insensitive=True):
    """Accuracy on analogy questions in the Google ``questions-words.txt`` format.

    Questions with a word outside the (restricted) vocabulary are skipped, as in
    Mikolov's ``compute-accuracy`` tool.

    Parameters
    ----------
    vectors : KeyedVectors or fitted estimator with ``wv_``
    path : str or path-like, default=None
        Lines ``a b c d``, sections opened by ``: name``. None uses the copy in gensim's test data.
    restrict_vocab : int, default=300000
    method : {"3cosadd", "3cosmul"}, default="3cosadd"
    case_insensitive : bool, default=True

    Returns
    -------
    accuracy : float
        Over all covered questions (0.0 when none is covered).
    sections : pandas.DataFrame
        One row per section and a last row ``"Total accuracy"``: columns ``section``,
        ``correct``, ``incorrect``, ``accuracy``.

    Examples
    --------
    >>> from gensim.models import KeyedVectors
    >>> import tempfile, pathlib
    >>> kv = KeyedVectors(2)
    >>> kv.add_vectors(["man", "king", "woman", "queen"], [[1, 0], [1, 1], [-1, 0], [-1, 1]])
    >>> path = pathlib.Path(tempfile.mkdtemp(), "q.txt")
    >>> _ = path.write_text(": royal\\nman king woman queen\\n")
    >>> acc, sections = evaluate_analogies(kv, path)
    >>> acc
    1.0
    """
    kv = as_keyed_vectors(vectors)
    path = _test_data("questions-words.txt") if path is None else os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Analogy file {path!r} does not exist.")
    similarity_function = {"3cosadd": "most_similar", "3cosmul": "most_similar_cosmul"}.get(method)
    if similarity_function is None:
        raise InvalidParameterError(f"The 'method' parameter of evaluate_analogies must be '3cosadd' "
                                    f"or '3cosmul'. Got {method!r} instead.")
    score, sections = kv.evaluate_word_analogies(
        path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
        similarity_function=similarity_function)
    rows = []
    for s in sections:
        c, i = len(s["correct"]), len(s["incorrect"])
        rows.append({"section": s["section"], "correct": c, "incorrect": i,
                     "accuracy": c / (c + i) if c + i else np.nan})
    return float(score), pd.DataFrame(rows, columns=["section", "correct", "incorrect", "accuracy"])


def evaluate_similarity(vectors, path=None, *, restrict_vocab=300_000, case_insensitive=True):
    """Correlation of cosine similarities with human judgements (WordSim-353 format).

    Parameters
    ----------
    vectors : KeyedVectors or fitted estimator with ``wv_``
    path : str or path-like, default=None
        Tab-separated ``word1 word2 score`` lines, ``#`` comments. None uses
        ``wordsim353.tsv`` from gensim's test data.
    restrict_vocab : int, default=300000
    case_insensitive : bool, default=True

    Returns
    -------
    dict
        ``pearson``, ``spearman`` (over the pairs whose words are known) and
        ``oov_fraction`` (share of pairs skipped).

    Examples
    --------
    >>> from gensim.models import KeyedVectors
    >>> import tempfile, pathlib
    >>> kv = KeyedVectors(2)
    >>> kv.add_vectors(["a", "b", "c"], [[1, 0], [0.9, 0.2], [-1, 0.1]])
    >>> path = pathlib.Path(tempfile.mkdtemp(), "sim.tsv")
    >>> _ = path.write_text("a\\tb\\t9\\na\\tc\\t1\\nb\\tc\\t2\\n")
    >>> evaluate_similarity(kv, path)["spearman"]
    1.0
    """
    import warnings

    kv = as_keyed_vectors(vectors)
    path = _test_data("wordsim353.tsv") if path is None else os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Similarity file {path!r} does not exist.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns on constant input of tiny vocabularies
        pearson, spearman, oov = kv.evaluate_word_pairs(
            path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive)
    return {"pearson": float(pearson[0]), "spearman": float(spearman[0]),
            "oov_fraction": float(oov) / 100.0}


def _sniff_format(path):
    """Return ``(binary, no_header)`` for a word2vec/GloVe vector file."""
    utils = optional_from("gensim", "utils", feature="Word vectors")

    with utils.open(path, "rb") as f:
        header = f.readline()
        chunk = f.read(4096)
    parts = header.split()
    no_header = not (len(parts) == 2 and all(p.isdigit() for p in parts))
    if no_header:
        return False, True
    dim = int(parts[1])
    first = chunk.split(b"\n", 1)[0]
    try:
        fields = first.decode("utf-8").split()
        [float(v) for v in fields[-dim:]]
        return len(fields) < dim + 1, False
    except (UnicodeDecodeError, ValueError):
        return True, False


#: largest expansion assumed for a compressed vector file (deflate's limit is about 1032:1)
_MAX_EXPANSION = 1100


def _check_header(path, binary, limit):
    """Refuse a ``count dim`` header that the file is too small to hold, before allocating."""
    utils = optional_from("gensim", "utils", feature="Word vectors")

    with utils.open(path, "rb") as f:
        header = f.readline()
    count, dim = (int(p) for p in header.split())
    n = count if limit is None else min(count, int(limit))
    # text: a word and dim numbers, each at least one byte plus a separator;
    # binary: a word, a space and dim float32 values
    need = n * (dim * 4 + 2) if binary else n * (2 * dim + 2) - 1
    size = os.path.getsize(path)
    compressed = path.endswith((".gz", ".bz2"))
    room = (size * _MAX_EXPANSION if compressed else size) - len(header)
    if n > 0 and need > room:
        raise DataError(
            f"Cannot read {path!r}: its header {header.strip().decode('ascii', 'replace')!r} "
            f"promises {count} vectors of {dim} values (at least {need} bytes), but the file has "
            f"{size} bytes{' compressed' if compressed else ''}; the header or the file is damaged.")


def _load_headerless(path, limit):
    """GloVe-style text: ``word v1 ... vd`` lines without a count header."""
    utils = optional_from("gensim", "utils", feature="Word vectors")
    KeyedVectors = optional_from("gensim.models", "KeyedVectors", feature="Word vectors")

    words, rows = [], []
    with utils.open(path, "rb") as f:
        for line in f:
            if limit is not None and len(words) >= limit:
                break
            parts = line.decode("utf-8", "replace").rstrip().split(" ")
            words.append(parts[0])
            rows.append(np.asarray(parts[1:], dtype=np.float32))
    if not rows or len({len(r) for r in rows}) != 1:
        raise ValueError("lines have different numbers of values")
    kv = KeyedVectors(len(rows[0]))
    kv.add_vectors(words, np.vstack(rows))
    return kv


def load_vectors(path, binary=None, limit=None):
    """Load pretrained vectors in word2vec binary or text format (or headerless GloVe text).

    Parameters
    ----------
    path : str or path-like
        E.g. ``GoogleNews-vectors-negative300.bin.gz``; ``.gz``/``.bz2`` are read directly.
    binary : bool, default=None
        None detects the format from the file's first bytes.
    limit : int, default=None
        Read only the first ``limit`` vectors (the most frequent words in the usual files).

    Returns
    -------
    gensim.models.KeyedVectors

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> kv = load_vectors(datapath("euclidean_vectors.bin"), limit=10)
    >>> len(kv)
    10
    """
    KeyedVectors = optional_from("gensim.models", "KeyedVectors", feature="Word vectors")

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Vector file {path!r} does not exist.")
    if os.path.getsize(path) == 0:
        raise DataError(f"Vector file {path!r} is empty.")
    sniffed, no_header = _sniff_format(path)
    binary = sniffed if binary is None else bool(binary)
    if not no_header:
        _check_header(path, binary, limit)
    try:
        if no_header and not binary:
            return _load_headerless(path, limit)
        return KeyedVectors.load_word2vec_format(path, binary=binary, limit=limit,
                                                 unicode_errors="replace")
    except (ValueError, EOFError, UnicodeDecodeError) as exc:
        kind = "binary" if binary else "text"
        raise DataError(f"Cannot read {path!r} as word2vec {kind} vectors: {exc}") from None
