"""word2vec: skip-gram and CBOW with negative sampling (Mikolov et al. 2013), trained by gensim.

gensim's ``Word2Vec`` is the mature, fast CPU implementation; deepmine wraps it
as a scikit-learn estimator with string options and a restartable-corpus check,
and adds analogy and evaluation methods. The learned vectors are a gensim
``KeyedVectors`` in ``wv_``, the object the ecosystem already knows.
:class:`SequenceEmbedder` applies the same pipeline to any sequences of hashable
items ("anything2vec": chords, k-mers, product ids, graph walks).
"""

import math
import os
import time
import warnings
from numbers import Integral

import numpy as np

from deepmine.embeddings import _vectors
from deepmine.embeddings._base import WORD2VEC_CONSTRAINTS, EmbeddingEstimator, word2vec_kwargs
from deepmine.embeddings._corpora import check_corpus
from deepmine.embeddings._interrupt import train_interruptibly
from deepmine.exceptions import DataError
from deepmine.utils._param_validation import Interval, StrOptions
from deepmine.utils._optional import optional_from
from deepmine.utils._warnings import user_stacklevel

__all__ = ["Word2Vec", "SequenceEmbedder", "train_gensim_word2vec", "resolve_epochs"]

#: ``epochs="auto"``: enough passes to train on this many tokens, within [AUTO_MIN, AUTO_MAX] passes
AUTO_TOKENS, AUTO_MIN_EPOCHS, AUTO_MAX_EPOCHS = 2_000_000, 5, 100

#: the "epochs" constraint of the estimators that accept ``epochs="auto"``
EPOCHS_CONSTRAINT = [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})]


def resolve_epochs(epochs, n_tokens):
    """Training passes: ``epochs`` itself, or for "auto" ``ceil(2e6 / n_tokens)`` clipped to [5, 100]."""
    if epochs != "auto":
        return int(epochs)
    wanted = math.ceil(AUTO_TOKENS / max(int(n_tokens), 1))
    return int(min(AUTO_MAX_EPOCHS, max(AUTO_MIN_EPOCHS, wanted)))


def train_gensim_word2vec(est, corpus, *, owner, counts=None):
    """Build the vocabulary and train a gensim Word2Vec with ``est``'s hyperparameters.

    ``counts`` (with ``corpus`` a file path) is ``(token -> count dict, sentences)``
    of that file, known to whoever wrote it: the vocabulary is then built from it
    instead of a pass of gensim's Python reader over the file.
    """
    GensimWord2Vec = optional_from("gensim.models", "Word2Vec", feature="Word2Vec")

    kw = word2vec_kwargs(est)
    kw["epochs"] = resolve_epochs(est.epochs, 0)  # "auto" is resolved once the corpus is counted
    model = GensimWord2Vec(**kw)
    start = time.perf_counter()
    if counts is not None:
        model.build_vocab_from_freq(counts[0], corpus_count=counts[1])
        model.corpus_total_words = sum(counts[0].values())
    elif isinstance(corpus, str):  # a plain text file: gensim's multi-core corpus_file mode
        model.build_vocab(corpus_file=corpus)
    else:
        model.build_vocab(corpus)
    if len(model.wv) == 0:
        raise DataError(f"{owner}: no token occurs at least min_count={est.min_count} times; "
                        "lower min_count or pass a larger corpus.")
    model.epochs = est.epochs_ = resolve_epochs(est.epochs, model.corpus_total_words)
    epoch = train_interruptibly(model, corpus)
    est.interrupted_ = epoch is not None
    if est.interrupted_:
        warnings.warn(f"{owner.split('.')[0]} interrupted during epoch {epoch} of {model.epochs}; "
                      f"keeping the vectors trained so far.",
                      UserWarning, stacklevel=user_stacklevel())
    est.train_seconds_ = time.perf_counter() - start
    est.corpus_total_words_ = int(model.corpus_total_words)
    return model


class _QueryMixin:
    """Vector queries shared by the word-level estimators (they delegate to :mod:`_vectors`)."""

    @property
    def wv(self):
        """The fitted ``KeyedVectors`` (alias of ``wv_``, gensim's name)."""
        return _vectors.as_keyed_vectors(self)

    def most_similar(self, word, topn=10):
        """The ``topn`` nearest words of ``word`` as ``(word, cosine)`` pairs."""
        return _vectors.most_similar(self, word, topn=topn)

    def similarity(self, word1, word2):
        """Cosine similarity of two words."""
        return _vectors.similarity(self, word1, word2)

    def doesnt_match(self, words):
        """The word of ``words`` that fits least with the others."""
        return _vectors.doesnt_match(self, words)

    def analogy(self, a, b, c, topn=1, method="3cosadd"):
        """Answer "``a`` is to ``b`` as ``c`` is to ?"; see :func:`deepmine.embeddings.analogy`."""
        return _vectors.analogy(self, a, b, c, topn=topn, method=method)

    def evaluate_analogies(self, path=None, **kwargs):
        """Accuracy on ``questions-words.txt``; see :func:`deepmine.embeddings.evaluate_analogies`."""
        return _vectors.evaluate_analogies(self, path, **kwargs)

    def evaluate_similarity(self, path=None, **kwargs):
        """Correlation with WordSim-353; see :func:`deepmine.embeddings.evaluate_similarity`."""
        return _vectors.evaluate_similarity(self, path, **kwargs)

    def save_vectors(self, path, binary=True):
        """Write the vectors in the original word2vec format (binary or text)."""
        _vectors.as_keyed_vectors(self).save_word2vec_format(str(path), binary=binary)


class Word2Vec(_QueryMixin, EmbeddingEstimator):
    """Word vectors by skip-gram or CBOW with negative sampling (gensim's engine).

    Parameters
    ----------
    mode : {"skipgram", "cbow"}, default="skipgram"
        Predict the context from the word (skip-gram) or the word from the mean
        of its context (CBOW, faster, a little weaker on rare words).
    vector_size : int, default=100
        Dimension of the vectors.
    window : int, default=5
        Largest distance between a word and a context word.
    negative : int, default=5
        Negative samples per positive pair.
    min_count : int, default=5
        Items seen fewer times are dropped from the vocabulary.
    sample : float, default=1e-3
        Down-sampling threshold of frequent items (0 disables it).
    epochs : int or "auto", default="auto"
        Passes over the corpus. "auto" makes enough passes to train on about two
        million tokens: ``ceil(2e6 / n_tokens)`` clipped to [5, 100], where
        ``n_tokens`` is the corpus length. Corpora of 400,000 tokens or more get 5
        passes (gensim's default); small corpora get more (see Notes). The number
        used is ``epochs_``.
    alpha : float, default=0.025
        Initial learning rate (decays linearly to 0.0001).
    workers : int, default=1
        Training threads. With one worker and an int ``random_state`` training is
        reproducible; more workers are faster but not deterministic.
    random_state : int, RandomState instance or None, default=None
        Seed of the vector initialisation and of the negative sampling.

    Attributes
    ----------
    wv_ : gensim.models.KeyedVectors
        The word vectors (``wv`` is an alias).
    epochs_ : int
        Passes made (``epochs`` resolved).
    corpus_total_words_ : int
        Tokens in the corpus (one pass).
    train_seconds_ : float
        Wall time of vocabulary building and training.
    interrupted_ : bool
        True when Ctrl-C stopped training: the first interrupt ends ``fit`` within
        the batches already queued and keeps the partially trained vectors (with a
        warning). An interrupt while the vocabulary is being built, or before the
        first epoch begins, raises ``KeyboardInterrupt`` and no new model is kept.

    Notes
    -----
    Five passes, enough on large corpora, leave a small corpus undertrained. On
    gensim's Lee corpus (300 news articles, 61,260 tokens; "auto" makes 33
    passes), mean of seeds 0-2, one worker: WordSim-353 Spearman on the 60 pairs
    in vocabulary 0.227 with the defaults against -0.170 with ``epochs=5``
    (gensim's CBOW defaults: 0.119); Lee document similarity of the mean word
    vectors (Pearson) 0.322 against 0.040 (gensim: 0.007). CBOW with "auto"
    scored 0.054 and 0.215. On gensim's ``head500.noblanks.cor`` (336,876
    tokens; 6 passes, 18% more CPU time than 5) WordSim-353 (97 pairs) rose
    from 0.360 to 0.424 (gensim's CBOW defaults: 0.079).

    See Also
    --------
    SequenceEmbedder : the same model over any hashable items.
    load_vectors : read pretrained vectors (Google News) instead of training.

    Examples
    --------
    >>> from gensim.test.utils import common_texts
    >>> w2v = Word2Vec(vector_size=8, min_count=1, epochs=2, random_state=0).fit(common_texts)
    >>> w2v.wv_["computer"].shape
    (8,)
    >>> len(w2v.most_similar("computer", topn=3))
    3
    """

    _parameter_constraints = {**WORD2VEC_CONSTRAINTS, "epochs": EPOCHS_CONSTRAINT}

    def __init__(self, mode="skipgram", *, vector_size=100, window=5, negative=5, min_count=5,
                 sample=1e-3, epochs="auto", alpha=0.025, workers=1, random_state=None):
        self.mode = mode
        self.vector_size = vector_size
        self.window = window
        self.negative = negative
        self.min_count = min_count
        self.sample = sample
        self.epochs = epochs
        self.alpha = alpha
        self.workers = workers
        self.random_state = random_state

    def fit(self, X, y=None):
        """Train on a corpus.

        Parameters
        ----------
        X : path, list of token lists, list of str, or restartable iterable
            A path is streamed line by line (one whitespace-tokenized sentence a
            line), so corpora larger than memory work; with ``workers > 1`` an
            uncompressed file is read by gensim's corpus_file mode, where every
            worker thread reads its own part of the file. Strings are lowercased
            and split into word characters.
        y : None
            Ignored.

        Returns
        -------
        self : Word2Vec
        """
        self._check_params()
        corpus = check_corpus(X, owner="Word2Vec.fit")
        if self.workers > 1 and _is_text_file(X):
            corpus = os.fspath(X)  # gensim's corpus_file mode: no GIL-bound reader thread
        self.wv_ = train_gensim_word2vec(self, corpus, owner="Word2Vec.fit").wv
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags


def _is_text_file(X):
    """An uncompressed file path (gensim's corpus_file mode reads only plain text)."""
    return (isinstance(X, (str, os.PathLike)) and os.path.isfile(X)
            and not os.fspath(X).lower().endswith((".gz", ".bz2")))


class SequenceEmbedder(_QueryMixin, EmbeddingEstimator):
    """Vectors for the items of any sequences: "everything that is a sequence can be embedded".

    The word2vec pipeline with items in place of words: music chords, amino-acid
    k-mers, product ids in sessions, emoji, nodes on graph walks. Items may be any
    hashable objects; a string sequence is a sequence of characters.

    Parameters
    ----------
    mode : {"skipgram", "cbow"}, default="skipgram"
        Predict the context from the word (skip-gram) or the word from the mean
        of its context (CBOW, faster, a little weaker on rare words).
    vector_size : int, default=100
        Dimension of the vectors.
    window : int, default=5
        Largest distance between a word and a context word.
    negative : int, default=5
        Negative samples per positive pair.
    min_count : int, default=1
        Items seen fewer times are dropped from the vocabulary.
    sample : float, default=1e-3
        Down-sampling threshold of frequent items (0 disables it).
    epochs : int, default=10
        Passes over the corpus.
    alpha : float, default=0.025
        Initial learning rate (decays linearly to 0.0001).
    workers : int, default=1
        Training threads. With one worker and an int ``random_state`` training is
        reproducible; more workers are faster but not deterministic.
    random_state : int, RandomState instance or None, default=None
        Seed of the vector initialisation and of the negative sampling.

    Attributes
    ----------
    items_ : list
        The vocabulary, most frequent first; row ``i`` of ``vectors_`` belongs to ``items_[i]``.
    vectors_ : ndarray of shape (n_items, vector_size)
    wv_ : gensim.models.KeyedVectors
        The same vectors keyed by ``str(item)``.

    Examples
    --------
    >>> sessions = [["C", "G", "Am", "F"], ["C", "Am", "F", "G"], ["Dm", "G", "C"]] * 20
    >>> emb = SequenceEmbedder(vector_size=8, window=2, random_state=0).fit(sessions)
    >>> emb.transform(["C", "G"]).shape
    (2, 8)
    """

    _parameter_constraints = dict(WORD2VEC_CONSTRAINTS)

    def __init__(self, mode="skipgram", *, vector_size=100, window=5, negative=5, min_count=1,
                 sample=1e-3, epochs=10, alpha=0.025, workers=1, random_state=None):
        self.mode = mode
        self.vector_size = vector_size
        self.window = window
        self.negative = negative
        self.min_count = min_count
        self.sample = sample
        self.epochs = epochs
        self.alpha = alpha
        self.workers = workers
        self.random_state = random_state

    def fit(self, X, y=None):
        """Learn item vectors from sequences.

        Parameters
        ----------
        X : list (or restartable iterable) of sequences of hashable items
        y : None
            Ignored.

        Returns
        -------
        self : SequenceEmbedder
        """
        self._check_params()
        sequences = check_corpus(X, owner="SequenceEmbedder.fit", allow_path=False,
                                 tokenizer=list)
        token_of = {}
        for seq in sequences:
            for item in seq:
                if item not in token_of:
                    token_of[item] = str(item)
        tokens = set(token_of.values())
        if len(tokens) != len(token_of):
            raise DataError("SequenceEmbedder.fit: distinct items share a string form (e.g. 1 and "
                            "'1'); map them to distinct strings first.")
        corpus = sequences if all(type(k) is str for k in token_of) else _MappedCorpus(sequences, token_of)
        self.wv_ = train_gensim_word2vec(self, corpus, owner="SequenceEmbedder.fit").wv
        item_of = {tok: item for item, tok in token_of.items()}
        self.items_ = [item_of[tok] for tok in self.wv_.index_to_key]
        self.vectors_ = self.wv_.vectors
        self._token_of = {item: token_of[item] for item in self.items_}
        return self

    def transform(self, X):
        """Vectors of the items ``X``.

        Parameters
        ----------
        X : sequence of items

        Returns
        -------
        ndarray of shape (len(X), vector_size)
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "wv_")
        items = list(X)
        missing = [x for x in items if x not in self._token_of]
        if missing:
            raise DataError(f"Items {missing[:10]} were not seen in fit (or fell under min_count).")
        idx = [self.wv_.key_to_index[self._token_of[x]] for x in items]
        return self.vectors_[np.asarray(idx, dtype=np.int64)].copy()

    def most_similar(self, item, topn=10):
        """The ``topn`` nearest items of ``item`` as ``(item, cosine)`` pairs."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "wv_")
        if item not in self._token_of:
            raise DataError(f"Item {item!r} was not seen in fit (or fell under min_count).")
        pairs = self.wv_.most_similar(self._token_of[item], topn=topn)
        return [(self.items_[self.wv_.key_to_index[tok]], score) for tok, score in pairs]


class _MappedCorpus:
    """Restartable view of sequences with every item replaced by its token string."""

    def __init__(self, sequences, token_of):
        self.sequences = sequences
        self.token_of = token_of

    def __iter__(self):
        t = self.token_of
        for seq in self.sequences:
            yield [t[x] for x in seq]
