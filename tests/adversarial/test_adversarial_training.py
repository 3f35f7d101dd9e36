"""Adversarial training of deepmine's classifiers through the engine (adversarial=, adversarial_eps=)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from deepmine.adversarial import fgsm, pgd
from deepmine.exceptions import InvalidParameterError
from deepmine.tabular import MLPClassifier


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


def _fit(adversarial, digits, max_epochs=12, **kw):
    Xtr, _, ytr, _ = digits
    return MLPClassifier((64,), max_epochs=max_epochs, learning_rate=3e-3, adversarial=adversarial,
                         adversarial_eps=0.1, random_state=0, device="cpu", **kw).fit(Xtr, ytr)


def test_fgsm_training_makes_the_mlp_more_robust(digits):
    """adversarial="fgsm" raises accuracy under FGSM (eps=0.1) by >= 10 points, keeping clean accuracy."""
    _, Xte, _, yte = digits
    plain, robust = _fit(None, digits), _fit("fgsm", digits)
    assert robust.score(Xte, yte) >= 0.9
    acc_plain = plain.score(fgsm(plain, Xte, yte, 0.1, clip=(0, 1)), yte)
    acc_robust = robust.score(fgsm(robust, Xte, yte, 0.1, clip=(0, 1)), yte)
    assert acc_robust >= acc_plain + 0.10


def test_pgd_training_makes_the_mlp_more_robust_to_pgd(digits):
    """adversarial="pgd" raises accuracy under PGD (eps=0.1) compared with plain training."""
    _, Xte, _, yte = digits
    plain, robust = _fit(None, digits, max_epochs=6), _fit("pgd", digits, max_epochs=6)
    acc_plain = plain.score(pgd(plain, Xte, yte, 0.1, clip=(0, 1), random_state=0), yte)
    acc_robust = robust.score(pgd(robust, Xte, yte, 0.1, clip=(0, 1), random_state=0), yte)
    assert acc_robust >= acc_plain + 0.10


def test_adversarial_params_follow_the_sklearn_contract(digits):
    """The two parameters are stored unchanged, cloned, and validated in fit."""
    clf = MLPClassifier(adversarial="pgd", adversarial_eps=0.05)
    assert clone(clf).get_params()["adversarial"] == "pgd"
    assert clf.get_params()["adversarial_eps"] == 0.05
    Xtr, _, ytr, _ = digits
    with pytest.raises(InvalidParameterError, match="adversarial"):
        MLPClassifier(adversarial="cw", max_epochs=1).fit(Xtr, ytr)
    with pytest.raises(InvalidParameterError, match="adversarial_eps"):
        MLPClassifier(adversarial="fgsm", adversarial_eps=0.0, max_epochs=1).fit(Xtr, ytr)


def test_validation_loss_is_the_clean_loss(digits):
    """With a validation split, valid_loss is recorded (computed without gradients, on clean data)."""
    clf = _fit("fgsm", digits, max_epochs=2, validation_fraction=0.2)
    assert all(np.isfinite(row["valid_loss"]) for row in clf.history_)
