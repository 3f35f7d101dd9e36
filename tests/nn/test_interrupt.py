"""Ctrl-C: the first KeyboardInterrupt ends a fit, keeps the weights and says so."""

import _thread
import signal
import time

import numpy as np
import pytest
from sklearn.datasets import load_iris

from deepmine.autoencoders import StackedAutoEncoder
from deepmine.nn import Callback
from deepmine.tabular import MLPClassifier


class InterruptAt(Callback):
    """Raise KeyboardInterrupt (as SIGINT does) at the end of the ``at``-th epoch seen."""

    def __init__(self, at):
        self.at, self.seen, self.fired = at, 0, False

    def on_epoch_end(self, trainer, logs):
        self.seen += 1
        if self.seen == self.at and not self.fired:
            self.fired = True
            raise KeyboardInterrupt


def test_engine_keeps_weights_and_flags_the_interruption():
    """An estimator fit stops at the interrupt with its weights, a warning and ``interrupted_``."""
    X, y = load_iris(return_X_y=True)
    with pytest.warns(UserWarning, match="interrupted during epoch 3; keeping the weights"):
        clf = MLPClassifier(max_epochs=50, callbacks=[InterruptAt(3)], random_state=0).fit(X, y)
    assert clf.interrupted_ and clf.n_iter_ == 3
    assert clf.predict(X).shape == (150,)
    assert not MLPClassifier(max_epochs=2, random_state=0).fit(X, y).interrupted_


def test_stacked_autoencoder_stops_at_the_first_interrupt():
    """Interrupted in layer 1: layer 2 never trains and there is no fine-tuning."""
    X, _ = load_iris(return_X_y=True)
    stop = InterruptAt(2)
    with pytest.warns(UserWarning, match="pretraining layer 1 of 2"):
        sae = StackedAutoEncoder((4, 2), max_epochs=10, callbacks=[stop], random_state=0).fit(X)
    assert stop.seen == 2                       # no epoch of layer 2 or of fine-tuning ran
    assert sae.interrupted_
    assert [len(h) for h in sae.pretrain_history_] == [2]
    assert sae.n_iter_ == 0 and sae.transform(X).shape == (150, 2)
    full = StackedAutoEncoder((4, 2), max_epochs=3, random_state=0).fit(X)
    assert not full.interrupted_ and [len(h) for h in full.pretrain_history_] == [3, 3]


def test_stacked_autoencoder_interrupted_while_fine_tuning():
    """An interrupt during fine-tuning keeps the pretrained and partly tuned weights."""
    X, _ = load_iris(return_X_y=True)
    with pytest.warns(UserWarning, match="interrupted during epoch 1"):
        sae = StackedAutoEncoder((4, 2), max_epochs=3, callbacks=[InterruptAt(7)],
                                 random_state=0).fit(X)
    assert sae.interrupted_ and sae.n_iter_ == 1


@pytest.fixture
def default_sigint():
    """Python's own SIGINT handler: a process started in the background inherits SIGINT ignored,
    and ``interrupt_main`` then does nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_word2vec_keeps_the_partial_model_at_the_first_interrupt(monkeypatch, default_sigint):
    """Ctrl-C at the end of epoch 2 of 30: fit returns at once with the vectors trained so far."""
    from gensim.models import word2vec as gensim_w2v

    from deepmine.embeddings import Word2Vec

    words_per_epoch = []
    original = gensim_w2v.Word2Vec._train_epoch

    def train_epoch(self, data_iterable, cur_epoch=0, **kw):
        out = original(self, data_iterable, cur_epoch=cur_epoch, **kw)
        words_per_epoch.append(out[2])
        if cur_epoch == 1:
            _thread.interrupt_main()        # what SIGINT does to the main thread
            for _ in range(1000):           # let the main thread take it before epoch 3 starts
                if data_iterable.stop:
                    break
                time.sleep(0.01)
        return out

    monkeypatch.setattr(gensim_w2v.Word2Vec, "_train_epoch", train_epoch)
    rng = np.random.RandomState(0)
    corpus = [[f"w{i}" for i in rng.randint(0, 50, 10)] for _ in range(300)]
    with pytest.warns(UserWarning, match="Word2Vec interrupted during epoch 2 of 30; keeping"):
        w2v = Word2Vec(vector_size=8, min_count=1, epochs=30, random_state=0).fit(corpus)
    assert w2v.interrupted_
    assert sum(n > 0 for n in words_per_epoch) == 2        # epochs 3..30 saw an empty corpus
    assert w2v.wv_["w1"].shape == (8,) and len(w2v.most_similar("w1", topn=2)) == 2
    monkeypatch.undo()
    assert not Word2Vec(vector_size=8, min_count=1, epochs=2, random_state=0).fit(corpus).interrupted_


class _InterruptedThread:
    """A thread whose ``start`` and first ``is_alive`` take a Ctrl-C, as the main thread may."""

    def __init__(self, target):
        import threading

        self.thread = threading.Thread(target=target, daemon=True)
        self.alive_calls = 0

    def start(self):
        self.thread.start()
        raise KeyboardInterrupt

    def is_alive(self):
        self.alive_calls += 1
        if self.alive_calls == 1:
            raise KeyboardInterrupt
        return self.thread.is_alive()

    def join(self, timeout):
        self.thread.join(timeout)


def test_an_interrupt_outside_join_still_stops_the_feed():
    """Ctrl-C taken in ``start`` or ``is_alive`` (not only in ``join``) stops the feed and waits."""
    from deepmine.embeddings._interrupt import _Stoppable, _wait_interruptibly

    feed = _Stoppable([["a"]])
    done = []

    def work():
        while not feed.stop:
            time.sleep(0.01)
        done.append(True)

    thread = _InterruptedThread(work)
    _wait_interruptibly(thread, feed)
    assert feed.stop and done == [True] and thread.alive_calls >= 2
