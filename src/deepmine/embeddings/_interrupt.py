"""Ctrl-C during gensim training: the first interrupt ends ``train`` and keeps what was learned.

gensim trains in worker threads fed by the corpus and has no stop switch; here
the feed runs dry instead, so the workers finish the batches already queued.
"""

from deepmine.utils._optional import optional_from

__all__ = ["train_interruptibly"]


class _Stop(Exception):
    """Raised after an epoch in corpus_file mode once Ctrl-C was pressed."""


class _Stoppable:
    """Restartable view of a corpus that yields nothing more once ``stop`` is set."""

    def __init__(self, corpus):
        self.corpus, self.stop, self.epochs_begun = corpus, False, 0

    def __iter__(self):
        for sentence in self.corpus:
            if self.stop:
                return
            yield sentence


def train_interruptibly(model, corpus):
    """Run gensim's ``train`` so that the first Ctrl-C ends it; return None, or the interrupted epoch.

    gensim trains in threads fed by the corpus; here ``train`` runs in a worker
    thread while the main thread waits. A ``KeyboardInterrupt`` stops the feed, so
    the worker threads finish the few batches already queued and the remaining
    epochs see an empty corpus; the model keeps the vectors trained so far.
    """
    import logging
    import threading

    CallbackAny2Vec = optional_from(
        "gensim.models.callbacks", "CallbackAny2Vec", feature="Word2Vec")

    from_file = isinstance(corpus, str)  # corpus_file mode: an interrupt ends the current epoch
    feed = _Stoppable(None if from_file else corpus)

    class _Count(CallbackAny2Vec):
        def on_epoch_begin(self, model):
            feed.epochs_begun += not feed.stop

        def on_epoch_end(self, model):
            if from_file and feed.stop:
                raise _Stop

    errors = []

    def run():
        source = ({"corpus_file": corpus, "total_words": model.corpus_total_words} if from_file
                  else {"corpus_iterable": feed})
        try:
            model.train(**source, total_examples=model.corpus_count, epochs=model.epochs,
                        callbacks=[_Count()])
        except _Stop:
            pass
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    gensim_log = logging.getLogger("gensim.models.word2vec")
    quiet = lambda record: not feed.stop  # noqa: E731 (no "example count" warnings once stopped)
    gensim_log.addFilter(quiet)
    thread = threading.Thread(target=run, name="deepmine-gensim-train", daemon=True)
    try:
        _wait_interruptibly(thread, feed)
    finally:
        gensim_log.removeFilter(quiet)
    if errors:
        raise errors[0]
    if feed.stop and not feed.epochs_begun:  # stopped before any epoch: nothing was trained
        raise KeyboardInterrupt
    return feed.epochs_begun if feed.stop else None


def _wait_interruptibly(thread, feed):
    """Start ``thread`` and wait for it; a ``KeyboardInterrupt`` anywhere in between stops the feed.

    The interrupt can land in ``start`` or ``is_alive`` as well as in ``join``
    (the main thread takes it at any bytecode), so all three are inside the handler.
    """
    try:
        thread.start()
    except KeyboardInterrupt:
        feed.stop = True
    while True:
        try:
            while thread.is_alive():
                thread.join(0.05)
            return
        except KeyboardInterrupt:
            feed.stop = True
