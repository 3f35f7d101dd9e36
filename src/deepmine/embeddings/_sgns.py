"""deepmine's own skip-gram trainer in PyTorch, with the structured (order-aware) skip-gram.

gensim has no structured skip-gram (Ling et al. 2015), in which each context
position ``-window..-1, 1..window`` has its own output matrix, so the model knows
*where* a context token stands; RDF2Vec_oa (Portisch & Paulheim 2021) trains it on
walks. :class:`SkipGram` implements skip-gram with negative sampling as
word2vec does it -- negatives from the unigram^0.75 table, frequent-word
subsampling, a reduced window drawn per word (the full window for the
structured skip-gram, as in Ling et al.'s wang2vec), learning rate decaying
linearly from ``alpha`` to ``min_alpha`` -- with ``order_aware=False`` (plain
skip-gram) or ``True`` (structured). Training is vectorised: each pass subsamples
the corpus and builds all (center, context, position) pairs of a chunk with
NumPy, shuffles them, draws all their negatives at once, then applies word2vec's
SGD update to batches of pairs with hand-written gradients and ``index_add_``
(only the touched rows change; no autograd, no optimizer state). Within a batch
all pairs see the same parameters (Hogwild-style, as word2vec's threads do); the
shuffle spreads the pairs of one entity's walks (or one sentence) over many
batches instead of crowding a few.
"""

import time
from collections import Counter
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from deepmine.embeddings._base import EmbeddingEstimator
from deepmine.embeddings._corpora import check_corpus
from deepmine.embeddings._word2vec import EPOCHS_CONSTRAINT, _QueryMixin, resolve_epochs
from deepmine.exceptions import DataError, InvalidParameterError, NotFittedError
from deepmine.utils import resolve_seed

__all__ = ["SkipGram"]

_TABLE_SIZE = 10_000_000  #: entries of the unigram^0.75 negative-sampling table (at most)
_CHUNK_TOKENS = 65_536  #: tokens whose pairs are built at once
_MAX_EXP = 6.0  #: gensim's MAX_EXP: a pair whose score is beyond +-6 gets no update


def _keep_probability(counts, sample):
    """word2vec's (and gensim's) probability of keeping each occurrence of a word."""
    if not sample:
        return np.ones(len(counts))
    threshold = sample * counts.sum()
    return np.minimum(1.0, (np.sqrt(counts / threshold) + 1.0) * threshold / counts)


def _noise_table(counts, power=0.75):
    """Word ids repeated in proportion to ``count ** 0.75`` (word2vec's ``unigram_table``)."""
    weights = counts.astype(np.float64) ** power
    size = int(min(_TABLE_SIZE, max(1_000_000, 100 * len(counts))))
    cum = np.cumsum(weights) / weights.sum()
    return np.searchsorted(cum, (np.arange(size) + 0.5) / size).astype(np.int64)


def _sgns_step(w_in, w_out, center, rows, step, labels):
    """word2vec's SGD step on a batch of pairs, in place (hand-written gradients, no autograd).

    ``rows`` holds each pair's target row then its negative rows of ``w_out``;
    ``step`` is the learning rate of each entry (0 for a skipped negative).
    """
    import torch

    n, k1 = rows.shape
    flat = rows.reshape(-1)
    h = w_in.index_select(0, center)  # (B, d)
    out = w_out.index_select(0, flat).view(n, k1, -1)  # (B, 1 + k, d)
    score = (out * h[:, None, :]).sum(2)
    # as gensim: no update where the score is beyond +-6 (this also keeps stale sums in check)
    g = (labels - torch.sigmoid(score)).mul_(step).masked_fill_(score.abs() >= _MAX_EXP, 0.0)
    w_in.index_add_(0, center, torch.bmm(g[:, None, :], out).squeeze(1))
    w_out.index_add_(0, flat, (g[:, :, None] * h[:, None, :]).view(n * k1, -1))


def _pairs(ids, sent, window, rng, shrink=True):
    """(center, context, position) index arrays of one chunk, ordered by center token.

    With ``shrink``, each center draws its reduced window ``r`` uniformly from
    ``1..window`` (word2vec's skip-gram); else ``r = window`` (the structured
    skip-gram of Ling et al.'s wang2vec uses the full window). A
    context at offset ``d`` (same sentence, ``|d| <= r``) gets position
    ``d + window`` for ``d < 0`` and ``d + window - 1`` for ``d > 0``.
    """
    n = len(ids)
    r = window - rng.integers(0, window, n) if shrink else np.full(n, window)
    offsets = np.r_[np.arange(-window, 0), np.arange(1, window + 1)]
    j = np.arange(n)[:, None] + offsets[None, :]
    inside = (j >= 0) & (j < n)
    jc = np.clip(j, 0, n - 1)
    ok = inside & (sent[jc] == sent[:, None]) & (np.abs(offsets)[None, :] <= r[:, None])
    rows, cols = np.nonzero(ok)
    return ids[rows], ids[jc[rows, cols]], cols


class SkipGram(_QueryMixin, EmbeddingEstimator):
    """Skip-gram with negative sampling in PyTorch; ``order_aware=True`` is the structured skip-gram.

    Parameters
    ----------
    vector_size : int, default=100
    window : int, default=5
        Largest distance between a word and a context word (the reduced window
        of each word is drawn from ``1..window``, as in word2vec; with
        ``order_aware`` every position up to ``window`` is used, as in wang2vec).
    negative : int, default=5
        Negative samples per positive pair, drawn from the unigram^0.75 distribution.
    min_count : int, default=5
    sample : float, default=1e-3
        Subsampling threshold of frequent words (0 disables it).
    epochs : int or "auto", default="auto"
        As :class:`Word2Vec`: "auto" makes ``ceil(2e6 / n_tokens)`` passes, clipped to [5, 100].
    alpha : float, default=0.025
        Initial learning rate; it decays linearly to ``min_alpha`` over all passes.
    min_alpha : float, default=1e-4
    order_aware : bool, default=False
        One output matrix per context position (``2 * window`` of them): Ling et
        al.'s structured skip-gram. False is word2vec's skip-gram.
    batch_size : int, default=256
        (center, context) pairs per update, drawn from the shuffled pairs. On
        AIFB's walks (RDF2Vec, 50 walks of depth 4, 10 epochs, seed 0) the SVC's
        test accuracy was 77.8 % with 256 and with 1024 (gensim's skip-gram:
        80.6 %); on CPU the speed hardly depends on it (a GPU wants larger batches).
    device : str, default="cpu"
        Torch device of the parameters ("cuda" to train on a GPU).
    random_state : int, RandomState instance or None, default=None

    Attributes
    ----------
    wv_ : gensim.models.KeyedVectors
        Input vectors of the vocabulary (most frequent first).
    output_vectors_ : ndarray of shape (n_positions, n_words, vector_size)
        Output (context) vectors, one matrix per position when ``order_aware``.
    counts_ : ndarray of int
        Occurrences of each vocabulary word.
    epochs_, corpus_total_words_, n_pairs_ : int
        Passes made, tokens per pass (in the vocabulary), pairs trained on.
    train_seconds_ : float

    Examples
    --------
    >>> from gensim.test.utils import common_texts
    >>> sg = SkipGram(vector_size=8, min_count=1, epochs=2, order_aware=True, random_state=0)
    >>> sg.fit(common_texts).wv_["computer"].shape
    (8,)
    >>> sg.output_vectors_.shape[0]  # one output matrix per context position
    10
    """

    _parameter_constraints = {
        "vector_size": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left")],
        "negative": [Interval(Integral, 1, None, closed="left")],
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "sample": [Interval(Real, 0, 1, closed="both")],
        "epochs": EPOCHS_CONSTRAINT,
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "min_alpha": [Interval(Real, 0, None, closed="left")],
        "order_aware": ["boolean"],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str],
        "random_state": ["random_state"],
    }

    def __init__(self, *, vector_size=100, window=5, negative=5, min_count=5, sample=1e-3,
                 epochs="auto", alpha=0.025, min_alpha=1e-4, order_aware=False, batch_size=256,
                 device="cpu", random_state=None):
        self.vector_size = vector_size
        self.window = window
        self.negative = negative
        self.min_count = min_count
        self.sample = sample
        self.epochs = epochs
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.order_aware = order_aware
        self.batch_size = batch_size
        self.device = device
        self.random_state = random_state

    # -- corpus -> ids ---------------------------------------------------------------------------
    def _encode(self, corpus, index):
        """Flat token ids (words outside ``index`` dropped) and the sentence number of each."""
        ids, lengths = [], []
        get = index.get
        for sentence in corpus:
            row = [i for i in map(get, sentence) if i is not None]
            ids.extend(row)
            lengths.append(len(row))
        ids = np.asarray(ids, dtype=np.int64)
        sent = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        return ids, sent

    def fit(self, X, y=None):
        """Build the vocabulary and train on a corpus.

        Parameters
        ----------
        X : path, list of token lists, list of str, or restartable iterable
        y : None
            Ignored.

        Returns
        -------
        self : SkipGram
        """
        import torch

        self._check_params()
        if str(self.device).startswith("cuda") and not torch.cuda.is_available():
            raise InvalidParameterError(f"SkipGram(device={self.device!r}) needs a CUDA GPU and "
                                        "none is available; use device='cpu'.")
        corpus = check_corpus(X, owner="SkipGram.fit")
        counter = Counter()
        for sentence in corpus:
            counter.update(sentence)
        vocab = [(w, c) for w, c in counter.items() if c >= self.min_count]
        if not vocab:
            raise DataError(f"SkipGram.fit: no token occurs at least min_count={self.min_count} "
                            "times; lower min_count or pass a larger corpus.")
        vocab.sort(key=lambda wc: -wc[1])  # stable: ties keep their first appearance
        words = [w for w, _ in vocab]
        self.counts_ = np.array([c for _, c in vocab], dtype=np.int64)
        seed = resolve_seed(self.random_state)
        self._rng = np.random.default_rng(seed)
        gen = torch.Generator().manual_seed(seed)
        v, d = len(words), self.vector_size
        n_pos = 2 * self.window if self.order_aware else 1
        self._w_in = ((torch.rand(v, d, generator=gen) - 0.5) / d).to(self.device)
        self._w_out = torch.zeros(n_pos, v, d, device=self.device)
        self._words = words
        self._train(corpus, {w: i for i, w in enumerate(words)})
        return self

    def update(self, X, epochs=None):
        """Add the new words of ``X`` to the vocabulary and train on ``X`` only (no refit).

        Known words keep their vectors as the starting point; new words get fresh
        random input vectors and zero output vectors; counts are summed.

        Parameters
        ----------
        X : list of token lists or restartable iterable
        epochs : int, default=None
            Passes over ``X``; ``epochs_`` of ``fit`` when None.

        Returns
        -------
        self : SkipGram
        """
        import torch

        if not hasattr(self, "_w_in"):
            raise NotFittedError("SkipGram.update needs a fitted model; call fit first.")
        corpus = check_corpus(X, owner="SkipGram.update")
        counter = Counter()
        for sentence in corpus:
            counter.update(sentence)
        index = {w: i for i, w in enumerate(self._words)}
        new = [w for w, c in counter.items() if w not in index and c >= self.min_count]
        counts = self.counts_.copy()
        for w, c in counter.items():
            if w in index:
                counts[index[w]] += c
        if new:
            d = self.vector_size
            gen = torch.Generator().manual_seed(int(self._rng.integers(2**31)))
            fresh = ((torch.rand(len(new), d, generator=gen) - 0.5) / d).to(self.device)
            self._w_in = torch.cat([self._w_in, fresh])
            self._w_out = torch.cat([self._w_out, torch.zeros(
                self._w_out.shape[0], len(new), d, device=self.device)], dim=1)
            counts = np.r_[counts, [counter[w] for w in new]]
            self._words = self._words + new
        self.counts_ = counts
        self._train(corpus, {w: i for i, w in enumerate(self._words)},
                    epochs=self.epochs_ if epochs is None else epochs)
        return self

    # -- training -------------------------------------------------------------------------------
    def _train(self, corpus, index, epochs=None):
        import torch

        start = time.perf_counter()
        ids, sent = self._encode(corpus, index)
        if len(ids) == 0:
            raise DataError("SkipGram: the corpus has no token of the vocabulary.")
        self.epochs_ = resolve_epochs(self.epochs, len(ids)) if epochs is None else int(epochs)
        self.corpus_total_words_ = int(len(ids))
        keep_p = _keep_probability(self.counts_.astype(np.float64), self.sample)
        table = torch.from_numpy(_noise_table(self.counts_)).to(self.device)
        gen = torch.Generator(device=self.device).manual_seed(int(self._rng.integers(2**31)))
        rng, window, k, bs, dev = self._rng, self.window, self.negative, self.batch_size, self.device
        w_in, w_out = self._w_in, self._w_out.view(-1, self.vector_size)
        v = self._w_in.shape[0]
        total = self.epochs_ * len(ids)
        labels = torch.zeros(1, k + 1, device=dev)
        labels[0, 0] = 1.0
        done, n_pairs = 0, 0
        for _ in range(self.epochs_):
            for lo in range(0, len(ids), _CHUNK_TOKENS):
                c_ids, c_sent = ids[lo:lo + _CHUNK_TOKENS], sent[lo:lo + _CHUNK_TOKENS]
                keep = rng.random(len(c_ids)) < keep_p[c_ids]
                center, context, pos = _pairs(c_ids[keep], c_sent[keep], window, rng,
                                              shrink=not self.order_aware)
                m = len(center)
                if m == 0:
                    done += len(c_ids)
                    continue
                # shuffled, so that a batch mixes pairs from all over the chunk: in corpus order
                # one entity's walks (or one sentence's words) would crowd a batch
                perm = rng.permutation(m)
                center, context, pos = center[perm], context[perm], pos[perm]
                if not self.order_aware:
                    pos[:] = 0
                center, rows, mask = self._chunk_tensors(center, context, pos * v, table, gen)
                for b in range(0, m, bs):
                    lr = max(self.min_alpha, self.alpha - (self.alpha - self.min_alpha) * (
                        done + len(c_ids) * b / m) / total)
                    _sgns_step(w_in, w_out, center[b:b + bs], rows[b:b + bs],
                               mask[b:b + bs] * lr, labels)
                n_pairs += m
                done += len(c_ids)
        self.n_pairs_ = int(n_pairs)
        self.train_seconds_ = time.perf_counter() - start
        self.wv_ = self._keyed_vectors()
        self.output_vectors_ = self._w_out.cpu().numpy()

    def _chunk_tensors(self, center, context, offset, table, gen):
        """Centers, output rows (target, then negatives) and a 0/1 mask of one chunk.

        The mask is 0 for a negative equal to the target (word2vec skips it).
        """
        import torch

        dev, k = self.device, self.negative
        m = len(center)
        neg = table[torch.randint(len(table), (m, k), generator=gen, device=dev)]
        ctx = torch.from_numpy(context).to(dev)
        off = torch.from_numpy(offset).to(dev)
        rows = torch.cat([(ctx + off)[:, None], neg + off[:, None]], dim=1)  # (m, 1 + k)
        mask = torch.ones(m, k + 1, device=dev)
        mask[:, 1:] = neg != ctx[:, None]
        return torch.from_numpy(center).to(dev), rows, mask

    def _keyed_vectors(self):
        from gensim.models import KeyedVectors

        kv = KeyedVectors(self.vector_size)
        kv.add_vectors(self._words, self._w_in.cpu().numpy())
        for w, c in zip(self._words, self.counts_.tolist()):
            kv.set_vecattr(w, "count", c)
        return kv

    def __getstate__(self):
        state = self.__dict__.copy()
        for key in ("_w_in", "_w_out"):
            if key in state:
                state[key] = state[key].cpu()
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags

    def _require_fitted(self):
        if not hasattr(self, "wv_"):
            raise NotFittedError("This SkipGram is not fitted yet; call fit first.")
