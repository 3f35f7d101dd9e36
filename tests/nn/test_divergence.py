"""Training safety: diverged runs leave no model behind; tiny data does not pretend to validate."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes

from deepmine.autoencoders import AutoEncoder, StackedAutoEncoder
from deepmine.datasets import load_credit
from deepmine.exceptions import DataWarning, DivergenceError, NotFittedError
from deepmine.nn import Trainer
from deepmine.tabular import MLPClassifier, MLPRegressor, Perceptron


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def test_exploding_loss_without_nan_is_divergence(diabetes):
    """Adam at lr=1e3 blows the loss up to ~1e15 without NaN: a DivergenceError, not a garbage model."""
    X, y = diabetes
    reg = MLPRegressor(learning_rate=1e3, max_epochs=5, random_state=0)
    with pytest.raises(DivergenceError, match=r"epoch 1: the training loss grew to .* from"):
        reg.fit(X, y)
    # a sane rate on the same data trains without tripping the check
    assert MLPRegressor(max_epochs=5, random_state=0).fit(X, y).n_iter_ == 5


@pytest.mark.parametrize("make", [
    lambda: MLPRegressor(learning_rate=1e3, max_epochs=3, random_state=0),
    lambda: MLPRegressor(optimizer="sgd", learning_rate=1e3, max_epochs=3, random_state=0),
    lambda: MLPClassifier(optimizer="sgd", learning_rate=1e6, max_epochs=3, random_state=0),
    lambda: AutoEncoder(learning_rate=1e4, optimizer="sgd", max_epochs=3, random_state=0),
    lambda: StackedAutoEncoder(learning_rate=1e4, optimizer="sgd", max_epochs=3, random_state=0),
])
def test_diverged_estimator_is_left_unfitted(make, diabetes):
    """After a DivergenceError nothing fitted remains: predict/transform raise NotFittedError."""
    X, y = diabetes
    est = make()
    with pytest.raises(DivergenceError):
        est.fit(X, y > 140) if isinstance(est, MLPClassifier) else est.fit(X, y)
    assert not [k for k in vars(est) if k.endswith("_")]
    with pytest.raises(NotFittedError):
        est.predict(X) if hasattr(est, "predict") else est.transform(X)


def test_warm_start_divergence_also_unfits(diabetes):
    """A model that diverges while continuing (warm_start) is not left half-trained either."""
    X, y = diabetes
    reg = MLPRegressor((8,), max_epochs=2, warm_start=True, random_state=0).fit(X, y)
    with pytest.raises(DivergenceError):
        reg.fit(X * 1e30, y)  # far outside the learned scaling: the loss overflows
    with pytest.raises(NotFittedError):
        reg.predict(X)


def test_growth_check_is_relative_to_the_start():
    """A loss that starts large is not divergence; one that grows 1e4-fold past 1e6 is; None disables it."""
    import torch

    X = torch.randn(64, 2)
    y = X @ torch.tensor([[3e4], [1e4]])  # raw targets: first loss ~1e9, then shrinking
    mse = lambda m, b: torch.nn.functional.mse_loss(m(b[0]), b[1])  # noqa: E731
    Trainer(max_epochs=3, learning_rate=0.1, random_state=0).fit(torch.nn.Linear(2, 1), (X, y),
                                                                 compute_loss=mse)

    def growing():
        calls = []

        def loss(m, b):  # 1e3 at the first batch, x10 per batch after it
            calls.append(0)
            return m(b[0]).sum() * 0 + 1e3 * 10.0 ** len(calls)
        return loss

    with pytest.raises(DivergenceError, match="grew to"):
        Trainer(max_epochs=4, batch_size=16, random_state=0).fit(
            torch.nn.Linear(2, 1), (X, y), compute_loss=growing())
    Trainer(max_epochs=4, batch_size=16, random_state=0, max_loss_growth=None).fit(
        torch.nn.Linear(2, 1), (X, y), compute_loss=growing())


def test_perceptron_margins_are_not_divergence():
    """The perceptron's loss counts margins, which grow on large raw inputs: no false alarm."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5)) * 1e4
    y = (X[:, 0] + rng.normal(size=200) * 1e4 > 0).astype(int)
    p = Perceptron(scale=False, max_epochs=5, random_state=0).fit(X, y)
    assert max(p.loss_curve_) > 1e6 and p.n_iter_ >= 1


def test_early_stopping_on_six_rows_warns_and_trains_on_all():
    """The README's 6-row credit table: no 1-row validation split; a warning, then all rows train."""
    df = load_credit()
    X, y = df[["Employed", "Owns House", "Balanced Account"]], df["Get Credit"]
    clf = MLPClassifier((64,), optimizer="rmsprop", dropout=0.2, early_stopping=True, random_state=0)
    with pytest.warns(DataWarning, match=r"too small for early stopping.*1 of the 6 rows.*all rows"):
        clf.fit(X, y)
    assert clf.score(X, y) == 1.0 and clf.n_iter_ == clf.max_epochs
    assert all(row["valid_loss"] is None for row in clf.history_)


def test_validation_split_that_drops_a_class_is_not_used():
    """A split that leaves a class without training rows is refused with the same warning."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    y = np.array(["a"] * 30 + ["b"] * 29 + ["c"])
    with pytest.warns(DataWarning, match="class without training rows"):
        clf = MLPClassifier((4,), max_epochs=2, validation_fraction=0.5, random_state=0).fit(X, y)
    assert clf.history_[0]["valid_loss"] is None
    # enough rows: the split is used, silently
    clf = MLPClassifier((4,), max_epochs=2, early_stopping=True, random_state=0).fit(X[:59], y[:59])
    assert clf.history_[0]["valid_loss"] is not None
