"""Restartable corpora: what every gensim-trained estimator reads.

gensim reads a corpus once to build the vocabulary and once per epoch, so a corpus
must start over each time it is iterated (gensim's ``LineSentence``); a generator
cannot. :func:`check_corpus` turns the inputs users have (a file path, a list of
strings, a list of token lists, any restartable iterable) into such a corpus and
rejects the others with a message that says what to pass instead.
"""

import os
import re

from deepmine.exceptions import DataError
from deepmine.utils._optional import optional_from

__all__ = ["TokenCorpus", "check_corpus", "simple_tokenize"]

_TOKEN = re.compile(r"\w+", re.UNICODE)


def simple_tokenize(text):
    """Lowercase ``text`` and split it into runs of word characters.

    Examples
    --------
    >>> simple_tokenize("The King's speech, 1939.")
    ['the', 'king', 's', 'speech', '1939']
    """
    return _TOKEN.findall(text.lower())


class TokenCorpus:
    """A restartable iterable of token lists over documents that may be strings.

    Parameters
    ----------
    documents : restartable iterable
        Each item is a string (tokenized by ``tokenizer``) or an iterable of tokens.
    tokenizer : callable, default=None
        ``str -> list of str``; :func:`simple_tokenize` when None.

    Examples
    --------
    >>> list(TokenCorpus(["Hello world", ["already", "split"]]))
    [['hello', 'world'], ['already', 'split']]
    """

    def __init__(self, documents, tokenizer=None):
        self.documents = documents
        self.tokenizer = tokenizer

    def __iter__(self):
        tokenize = self.tokenizer or simple_tokenize
        for doc in self.documents:
            yield tokenize(doc) if isinstance(doc, str) else list(doc)


def _is_path(X):
    return isinstance(X, (str, os.PathLike))


def check_corpus(X, *, owner, tokenizer=None, allow_path=True):
    """Validate a corpus and return a restartable iterable of token lists.

    Parameters
    ----------
    X : path, list of str, list of token lists, or restartable iterable
        A path (str or path-like) is read line by line, one whitespace-tokenized
        sentence a line (gensim ``LineSentence``; ``.gz`` and ``.bz2`` work), and
        never held in memory.
    owner : str
        Name used in error messages, e.g. ``"Word2Vec.fit"``.
    tokenizer : callable, default=None
        Tokenizer for string documents.
    allow_path : bool, default=True

    Returns
    -------
    corpus : iterable of list of str

    Raises
    ------
    FileNotFoundError
        A path that does not exist.
    DataError
        A one-shot iterator, an empty corpus, or items that are not documents.
    """
    if _is_path(X) and allow_path:
        path = os.fspath(X)
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"{owner} got the string {path!r}, which is not an existing file. Pass a path to "
                "a text file (one sentence a line) or a list of token lists.")
        LineSentence = optional_from(
            "gensim.models.word2vec", "LineSentence", feature="Reading a corpus file")

        return LineSentence(path)
    if getattr(X, "is_token_corpus", False):
        return X  # a deepmine corpus (walks) already yields token lists
    if isinstance(X, (str, bytes)):
        raise DataError(f"{owner} expects a collection of documents, got a single string.")
    try:
        iterator = iter(X)
    except TypeError:
        raise DataError(f"{owner} expects an iterable of documents, got {type(X).__name__}.") from None
    if iterator is X:
        raise DataError(
            f"{owner} reads the corpus several times (vocabulary, then once per epoch), but got a "
            f"one-shot {type(X).__name__}. Pass a list, a path to a text file, or an object whose "
            "__iter__ starts over (see gensim's LineSentence).")
    first = next(iterator, None)
    if first is None:
        raise DataError(f"{owner} got an empty corpus.")
    if not isinstance(first, str):
        try:
            first = list(first)
        except TypeError:
            raise DataError(
                f"{owner} expects documents as strings or lists of tokens, got an item of type "
                f"{type(first).__name__}.") from None
        if isinstance(X, list) and all(isinstance(d, list) for d in X):
            return X  # fast path: gensim reads the list itself
    return TokenCorpus(X, tokenizer)
