"""Document vectors: Doc2Vec (Le & Mikolov 2014) and averaged word vectors, as scikit-learn transformers.

gensim's ``infer_vector`` starts from a vector seeded by Python's salted ``hash``
and samples negatives from the model's shared RNG, so the same document gets a
different vector in every process and on every call. :class:`Doc2Vec` runs the
same inference steps (gensim's compiled routines) from a seed derived from
``random_state`` and the document's words, so ``transform`` is deterministic.
"""

import warnings
import zlib

import numpy as np
from sklearn.base import TransformerMixin
from sklearn.utils.validation import check_is_fitted

from numbers import Integral

from deepmine.embeddings._base import WORD2VEC_CONSTRAINTS, EmbeddingEstimator, word2vec_kwargs
from deepmine.embeddings._corpora import check_corpus, simple_tokenize
from deepmine.embeddings._vectors import as_keyed_vectors
from deepmine.embeddings._interrupt import train_interruptibly
from deepmine.embeddings._word2vec import EPOCHS_CONSTRAINT, resolve_epochs
from deepmine.exceptions import DataError
from deepmine.utils import resolve_seed
from deepmine.utils._param_validation import Interval, StrOptions
from deepmine.utils._optional import optional_from
from deepmine.utils._warnings import user_stacklevel

__all__ = ["Doc2Vec", "MeanEmbeddingVectorizer"]


def _tokens(docs, tokenizer, owner):
    if isinstance(docs, (str, bytes)):
        raise DataError(f"{owner} expects a list of documents, got a single string.")
    tok = tokenizer or simple_tokenize
    return [tok(d) if isinstance(d, str) else [str(t) for t in d] for d in docs]


class _Tagged:
    def __init__(self, corpus):
        self.corpus = corpus

    def __iter__(self):
        TaggedDocument = optional_from(
            "gensim.models.doc2vec", "TaggedDocument", feature="Doc2Vec")

        for i, words in enumerate(self.corpus):
            yield TaggedDocument(words, [i])


def infer_vector(model, words, seed, epochs):
    """gensim's ``Doc2Vec.infer_vector``, seeded: same words and seed give the same vector."""
    matutils = optional_from("gensim", "matutils", feature="Doc2Vec")
    train_document_dbow, train_document_dm, train_document_dm_concat = optional_from(
        "gensim.models.doc2vec_inner", "train_document_dbow", "train_document_dm",
        "train_document_dm_concat", feature="Doc2Vec")

    size = model.dv.vector_size
    vec = ((np.random.default_rng(seed).random(size, dtype=np.float32) - 0.5) / size)[None, :]
    lockf = np.ones(1, dtype=np.float32)
    work = np.zeros(model.layer1_size, dtype=np.float32)
    neu1 = matutils.zeros_aligned(model.layer1_size, dtype=np.float32)
    model.random = np.random.RandomState(seed)  # drives negative sampling and window shrinking
    alpha, delta = model.alpha, (model.alpha - model.min_alpha) / max(epochs - 1, 1)
    kw = dict(learn_words=False, learn_hidden=False, doctag_vectors=vec, doctags_lockf=lockf)
    for _ in range(epochs):
        if model.sg:
            train_document_dbow(model, words, [0], alpha, work, **kw)
        elif model.dm_concat:
            train_document_dm_concat(model, words, [0], alpha, work, neu1, **kw)
        else:
            train_document_dm(model, words, [0], alpha, work, neu1, **kw)
        alpha -= delta
    return vec[0]


class Doc2Vec(TransformerMixin, EmbeddingEstimator):
    """Paragraph vectors (PV-DM or PV-DBOW) as a transformer from documents to vectors.

    Parameters
    ----------
    mode : {"dm", "dbow"}, default="dbow"
        Distributed bag of words (the document vector predicts its words; no word
        vectors unless ``dbow_words=True``) or distributed memory (the document
        vector helps predict a word from its context; word vectors too).
    vector_size : int, default=100
    window : int, default=5
    negative : int, default=5
    min_count : int, default=2
    sample : float, default=1e-3
    epochs : int or "auto", default="auto"
        Training passes; inference runs ``infer_epochs`` passes per document.
        "auto" makes enough passes to train on about two million tokens:
        ``ceil(2e6 / n_tokens)`` clipped to [5, 100] (``n_tokens``: the corpus
        length), so corpora of 400,000 tokens or more get 5. The number used is
        ``epochs_``.
    alpha : float, default=0.025
    dbow_words : bool, default=False
        In "dbow" mode, also train word vectors by skip-gram (slower, often better).
    infer_epochs : int, default=None
        Inference passes per document in ``transform`` (``epochs_`` when None).
    tokenizer : callable, default=None
        ``str -> list of str`` for string documents (lowercased word characters when None).
    workers : int, default=1
    random_state : int, RandomState instance or None, default=None
        With an int, ``fit`` (one worker) and ``transform`` are reproducible.

    Attributes
    ----------
    model_ : gensim.models.Doc2Vec
    epochs_ : int
        Training passes made (``epochs`` resolved).
    document_vectors_ : ndarray of shape (n_documents, vector_size)
        Vectors learned for the training documents (``transform`` infers new ones).
    interrupted_ : bool
        True when Ctrl-C stopped training (the partially trained model is kept).
    wv_ : gensim.models.KeyedVectors
        Word vectors (trained in "dm" mode, or "dbow" with ``dbow_words=True``).

    Notes
    -----
    The defaults were chosen on gensim's Lee corpus (300 news articles, 61,260
    tokens; "auto" makes 33 passes): Pearson correlation of the inferred vectors'
    cosines with human similarity judgements of the 50 documents of ``lee.cor``,
    mean of seeds 0-2, one worker: 0.470 with the defaults, 0.292 with "dm" and
    "auto", 0.027 with "dm" and 10 passes, 0.326 with the settings of gensim's
    Lee tutorial ("dm", ``vector_size=50, epochs=40``) and 0.034 with gensim's
    defaults.

    Examples
    --------
    >>> docs = ["the cat sat on the mat", "a dog sat on a log", "cats and dogs"] * 5
    >>> d2v = Doc2Vec(vector_size=8, min_count=1, epochs=5, random_state=0).fit(docs)
    >>> X = d2v.transform(["the cat sat"])
    >>> X.shape, bool((X == d2v.transform(["the cat sat"])).all())
    ((1, 8), True)
    """

    _parameter_constraints = {
        **WORD2VEC_CONSTRAINTS,
        "epochs": EPOCHS_CONSTRAINT,
        "mode": [StrOptions({"dm", "dbow"})],
        "dbow_words": ["boolean"],
        "infer_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "tokenizer": [callable, None],
    }

    def __init__(self, mode="dbow", *, vector_size=100, window=5, negative=5, min_count=2,
                 sample=1e-3, epochs="auto", alpha=0.025, dbow_words=False, infer_epochs=None,
                 tokenizer=None, workers=1, random_state=None):
        self.mode = mode
        self.vector_size = vector_size
        self.window = window
        self.negative = negative
        self.min_count = min_count
        self.sample = sample
        self.epochs = epochs
        self.alpha = alpha
        self.dbow_words = dbow_words
        self.infer_epochs = infer_epochs
        self.tokenizer = tokenizer
        self.workers = workers
        self.random_state = random_state

    def fit(self, X, y=None):
        """Learn word and document vectors from documents (strings or token lists)."""
        GensimDoc2Vec = optional_from("gensim.models.doc2vec", "Doc2Vec", feature="Doc2Vec")

        self._check_params()
        corpus = check_corpus(X, owner="Doc2Vec.fit", tokenizer=self.tokenizer, allow_path=False)
        self.seed_ = resolve_seed(self.random_state)
        kw = word2vec_kwargs(self, self.seed_)
        kw.pop("sg")
        kw["epochs"] = resolve_epochs(self.epochs, 0)  # "auto" is resolved once the corpus is counted
        model = GensimDoc2Vec(dm=int(self.mode == "dm"), dbow_words=int(self.dbow_words), **kw)
        tagged = _Tagged(corpus)
        model.build_vocab(tagged)
        if len(model.wv) == 0:
            raise DataError(f"Doc2Vec.fit: no word occurs at least min_count={self.min_count} times.")
        model.epochs = self.epochs_ = resolve_epochs(self.epochs, model.corpus_total_words)
        epoch = train_interruptibly(model, tagged)  # Ctrl-C keeps the partially trained model
        self.interrupted_ = epoch is not None
        if self.interrupted_:
            warnings.warn(f"Doc2Vec interrupted during epoch {epoch} of {model.epochs}; keeping "
                          f"the vectors trained so far.",
                          UserWarning, stacklevel=user_stacklevel())
        self.model_ = model
        self.wv_ = model.wv
        self.document_vectors_ = model.dv.vectors
        self.n_features_out_ = self.vector_size
        return self

    def transform(self, X):
        """Infer one vector per document (deterministic when ``random_state`` is an int).

        Parameters
        ----------
        X : list of str or list of token lists

        Returns
        -------
        ndarray of shape (n_documents, vector_size), float32
        """
        check_is_fitted(self, "model_")
        docs = _tokens(X, self.tokenizer, "Doc2Vec.transform")
        epochs = self.infer_epochs or getattr(self, "epochs_", self.epochs)  # older pickles lack epochs_
        out = np.empty((len(docs), self.vector_size), dtype=np.float32)
        for i, words in enumerate(docs):
            seed = (self.seed_ + zlib.crc32(" ".join(words).encode())) % (2**32)
            out[i] = infer_vector(self.model_, words, seed, epochs)
        return out

    def get_feature_names_out(self, input_features=None):
        """Names ``doc2vec0 ... doc2vec{n-1}`` of the output columns."""
        check_is_fitted(self, "model_")
        return np.asarray([f"doc2vec{i}" for i in range(self.vector_size)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags


class MeanEmbeddingVectorizer(TransformerMixin, EmbeddingEstimator):
    """Documents to the mean of their word vectors, optionally TF-IDF weighted.

    Parameters
    ----------
    keyed_vectors : KeyedVectors or fitted Word2Vec
        Pretrained or trained vectors. They are shared, not copied, by ``clone``.
    weighting : {"uniform", "tfidf"}, default="uniform"
        "tfidf" weighs each occurrence by the word's inverse document frequency
        learned in ``fit`` (unseen words get the largest idf).
    tokenizer : callable, default=None
        ``str -> list of str`` (lowercased word characters when None).

    Attributes
    ----------
    idf_ : dict or None
        Word -> idf (``weighting="tfidf"``).
    n_features_out_ : int

    Examples
    --------
    >>> from gensim.models import KeyedVectors
    >>> kv = KeyedVectors(2)
    >>> kv.add_vectors(["good", "bad"], [[1, 0], [-1, 0]])
    >>> MeanEmbeddingVectorizer(kv).fit_transform(["good good", "bad", "unknown"])
    array([[ 1.,  0.],
           [-1.,  0.],
           [ 0.,  0.]], dtype=float32)
    """

    _parameter_constraints = {
        "keyed_vectors": "no_validation",
        "weighting": [StrOptions({"uniform", "tfidf"})],
        "tokenizer": [callable, None],
    }

    def __init__(self, keyed_vectors=None, *, weighting="uniform", tokenizer=None):
        self.keyed_vectors = keyed_vectors
        self.weighting = weighting
        self.tokenizer = tokenizer

    def __sklearn_clone__(self):
        return type(self)(**self.get_params(deep=False))  # share the (large, read-only) vectors

    def fit(self, X, y=None):
        """Check the vectors and, for TF-IDF weighting, learn the idf of each word."""
        self._check_params()
        kv = as_keyed_vectors(self.keyed_vectors)
        docs = _tokens(X, self.tokenizer, "MeanEmbeddingVectorizer.fit")
        self.idf_ = None
        if self.weighting == "tfidf":
            df = {}
            for words in docs:
                for w in set(words):
                    df[w] = df.get(w, 0) + 1
            n = len(docs)
            self.idf_ = {w: float(np.log((1 + n) / (1 + c)) + 1) for w, c in df.items()}
            self.default_idf_ = float(np.log(1 + n) + 1)
        self.n_features_out_ = kv.vector_size
        return self

    def transform(self, X):
        """Average (weighted) vectors of the known words; zeros for a document with none.

        Returns
        -------
        ndarray of shape (n_documents, vector_size), float32
        """
        from scipy import sparse

        check_is_fitted(self, "n_features_out_")
        kv = as_keyed_vectors(self.keyed_vectors)
        docs = _tokens(X, self.tokenizer, "MeanEmbeddingVectorizer.transform")
        index = kv.key_to_index
        rows, cols, vals = [], [], []
        for r, words in enumerate(docs):
            for w in words:
                j = index.get(w)
                if j is not None:
                    rows.append(r)
                    cols.append(j)
                    vals.append(1.0 if self.idf_ is None else self.idf_.get(w, self.default_idf_))
        W = sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(kv)), dtype=np.float64)
        total = np.asarray(W.sum(axis=1)).ravel()
        out = np.asarray(W @ kv.vectors, dtype=np.float64)
        out[total > 0] /= total[total > 0, None]
        return out.astype(np.float32)

    def get_feature_names_out(self, input_features=None):
        """Names ``mean0 ... mean{n-1}`` of the output columns."""
        check_is_fitted(self, "n_features_out_")
        return np.asarray([f"mean{i}" for i in range(self.n_features_out_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags
