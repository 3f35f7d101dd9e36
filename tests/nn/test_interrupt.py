"""Ctrl-C: the first KeyboardInterrupt ends a fit, keeps the weights and says so."""

import _thread

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
