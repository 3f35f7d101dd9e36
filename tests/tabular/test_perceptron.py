"""The perceptron learns threshold ("m of n") rules exactly."""

import numpy as np
import pytest

from deepmine.datasets import load_credit, make_m_of_n
from deepmine.tabular import Perceptron


def test_credit_rule_is_learned():
    """On the lecture's table the perceptron learns 'at least two of three' with 100% accuracy."""
    df = load_credit()
    X, y = df[["Employed", "Owns House", "Balanced Account"]], df["Get Credit"]
    p = Perceptron(random_state=0).fit(X, y)
    assert p.score(X, y) == 1.0
    # the learned unit fires exactly when two or more inputs are "yes"
    grid = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)], dtype=float)
    fires = grid @ p.coef_.ravel() + p.intercept_[0] >= 0
    assert np.array_equal(fires, grid.sum(axis=1) >= 2)
    assert list(p.feature_names_in_) == ["Employed", "Owns House", "Balanced Account"]


def test_m_of_n_with_eleven_parameters():
    """'At least 5 of 10' is learned exactly by one unit: 10 weights and a bias."""
    X, y = make_m_of_n(600, 10, 5, random_state=0)
    p = Perceptron(random_state=0, max_epochs=200).fit(X, y)
    assert p.coef_.size + p.intercept_.size == 11
    assert p.score(X, y) == 1.0


def test_classic_rule_single_update():
    """One misclassified sample moves the weights by exactly eta * (t - o) * x (raw inputs)."""
    X = np.array([[1.0, 2.0], [0.0, 0.0]])
    y = np.array([0, 1])
    p = Perceptron(scale=False, max_epochs=1, shuffle=False, learning_rate=0.5).fit(X, y)
    # start at zero: sample 1 (t=0) fires (net 0 >= 0) -> w -= 0.5*x, b -= 0.5;
    # sample 2 (t=1): net = -0.5 < 0 -> w += 0.5*0, b += 0.5
    assert np.allclose(p.coef_, [[-0.5, -1.0]]) and np.allclose(p.intercept_, [0.0])


def test_multiclass_is_one_vs_rest():
    """More than two classes train one unit per class."""
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    p = Perceptron(random_state=0, batch_size=8).fit(X, y)
    assert p.coef_.shape == (3, 4)
    assert p.score(X, y) > 0.7


def test_requires_two_classes():
    """A single-class target gives a clear error."""
    with pytest.raises(ValueError, match="at least 2 classes"):
        Perceptron().fit(np.ones((4, 2)), [1, 1, 1, 1])


def test_only_mistakes_update_the_weights():
    """The rule changes w only on a misclassified sample: correct ones take no optimizer step."""
    from sklearn.datasets import load_breast_cancer
    from torch.optim.optimizer import register_optimizer_step_post_hook

    X, y = load_breast_cancer(return_X_y=True)
    steps = []
    handle = register_optimizer_step_post_hook(lambda *a: steps.append(1))
    try:
        p = Perceptron(random_state=0).fit(X, y)
    finally:
        handle.remove()
    assert p.score(X, y) > 0.95
    # far fewer steps than presented samples: a few dozen mistakes per epoch at most
    assert 0 < len(steps) < 0.2 * p.n_iter_ * len(X)
