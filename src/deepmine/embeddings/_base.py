"""Shared plumbing of the embedding estimators: parameter checks, tags, gensim keyword arguments."""

from numbers import Integral, Real

from sklearn.base import BaseEstimator

from deepmine.exceptions import InvalidParameterError
from deepmine.utils import resolve_seed
from deepmine.utils._param_validation import Interval, StrOptions, validate_params


#: constraints of the word2vec hyperparameters, shared by every class that trains word2vec
WORD2VEC_CONSTRAINTS = {
    "mode": [StrOptions({"skipgram", "cbow"})],
    "vector_size": [Interval(Integral, 1, None, closed="left")],
    "window": [Interval(Integral, 1, None, closed="left")],
    "negative": [Interval(Integral, 1, None, closed="left")],
    "min_count": [Interval(Integral, 1, None, closed="left")],
    "sample": [Interval(Real, 0, 1, closed="both")],
    "epochs": [Interval(Integral, 1, None, closed="left")],
    "alpha": [Interval(Real, 0, None, closed="neither")],
    "workers": [Interval(Integral, 1, None, closed="left")],
    "random_state": ["random_state"],
}


class EmbeddingEstimator(BaseEstimator):
    """Base of the embedding estimators: validation and tags (inputs are not 2-D arrays)."""

    def _check_params(self):
        try:
            validate_params(self)
        except ValueError as exc:  # sklearn's InvalidParameterError -> deepmine's
            raise InvalidParameterError(str(exc)) from None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.non_deterministic = getattr(self, "workers", 1) > 1
        return tags


def word2vec_kwargs(est, seed=None):
    """gensim ``Word2Vec`` keyword arguments from deepmine's word2vec hyperparameters."""
    return dict(
        sg=int(est.mode == "skipgram"), vector_size=est.vector_size, window=est.window,
        negative=est.negative, hs=0, min_count=est.min_count, sample=est.sample,
        epochs=est.epochs, alpha=est.alpha, workers=est.workers,
        seed=resolve_seed(est.random_state) if seed is None else seed,
    )
