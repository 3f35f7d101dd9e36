"""FGSM, PGD, robustness curves and substitute attacks on a digits CNN and on deepmine estimators."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import train_test_split
from torch import nn

from deepmine.adversarial import fgsm, pgd, robustness_curve, substitute_attack
from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.nn import Trainer
from deepmine.tabular import MLPClassifier


def _accuracy(net, X, y):
    with torch.no_grad():
        return float((net(torch.as_tensor(X)).argmax(1).numpy() == y).mean())


@pytest.fixture(scope="module")
def digits_cnn():
    """A small CNN trained once on scikit-learn's 8x8 digits scaled to [0, 1]."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32).reshape(-1, 1, 8, 8)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
                            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(16 * 16, 10))
        loss = lambda m, b: nn.functional.cross_entropy(m(b[0]), b[1])  # noqa: E731
        Trainer(max_epochs=15, learning_rate=1e-2, batch_size=128, random_state=0).fit(
            net, (torch.as_tensor(Xtr), torch.as_tensor(ytr)), compute_loss=loss)
    net.eval()
    return net, Xte, yte


def test_fgsm_breaks_the_digits_cnn(digits_cnn):
    """FGSM with eps=0.2 takes a >= 97% digits CNN below 20% test accuracy."""
    net, X, y = digits_cnn
    assert _accuracy(net, X, y) >= 0.97
    assert _accuracy(net, fgsm(net, X, y, 0.2, clip=(0, 1)), y) < 0.20


def test_pgd_at_least_as_strong_as_fgsm(digits_cnn):
    """PGD with the same eps leaves no more accuracy than FGSM."""
    net, X, y = digits_cnn
    for eps in (0.1, 0.2):
        acc_fgsm = _accuracy(net, fgsm(net, X, y, eps, clip=(0, 1)), y)
        acc_pgd = _accuracy(net, pgd(net, X, y, eps, clip=(0, 1), random_state=0), y)
        assert acc_pgd <= acc_fgsm


@pytest.mark.parametrize("attack", ["fgsm", "pgd", "fgsm_targeted", "pgd_targeted"])
def test_adversarial_examples_stay_in_eps_ball_and_clip_range(digits_cnn, attack):
    """Every adversarial example is within eps of its input (infinity norm) and inside clip."""
    net, X, y = digits_cnn
    X, y, eps = X[:100], y[:100], 0.15
    kw = {"target": (y + 1) % 10} if attack.endswith("targeted") else {}
    if attack.startswith("pgd"):
        adv = pgd(net, X, y, eps, steps=5, step_size=0.1, clip=(0, 1), random_state=0, **kw)
    else:
        adv = fgsm(net, X, y, eps, clip=(0, 1), **kw)
    assert adv.shape == X.shape and adv.dtype == np.float32
    assert np.abs(adv - X).max() <= eps + 1e-6
    assert adv.min() >= 0 and adv.max() <= 1
    assert np.abs(adv - X).max() > eps / 2  # it did move


def test_fgsm_equals_hand_coded_step():
    """FGSM on a linear softmax model equals x + eps * sign(W^T (softmax(Wx + b) - onehot(y)))."""
    rng = np.random.default_rng(0)
    net = nn.Linear(5, 3)
    X = rng.normal(size=(20, 5)).astype(np.float32)
    y = rng.integers(0, 3, size=20)
    W, b = net.weight.detach().numpy().astype(np.float64), net.bias.detach().numpy()
    z = X @ W.T + b
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    grad = (p - np.eye(3)[y]) @ W
    np.testing.assert_allclose(fgsm(net, X, y, 0.3), X + 0.3 * np.sign(grad), atol=1e-6)
    np.testing.assert_allclose(fgsm(net, X, None, 0.3, target=y), X - 0.3 * np.sign(grad),
                               atol=1e-6)


def test_targeted_pgd_reaches_the_target_class(digits_cnn):
    """Targeted PGD makes the CNN predict the chosen class for most digits."""
    net, X, y = digits_cnn
    X, y = X[:200], y[:200]
    target = (y + 3) % 10
    adv = pgd(net, X, y, 0.3, steps=20, target=target, clip=(0, 1), random_state=0)
    with torch.no_grad():
        pred = net(torch.as_tensor(adv)).argmax(1).numpy()
    assert (pred == target).mean() > 0.8


def test_attack_restores_training_mode_and_leaves_weights(digits_cnn):
    """The attack runs in eval mode and restores each submodule's mode; weights do not change."""
    net, X, y = digits_cnn
    before = [p.detach().clone() for p in net.parameters()]
    net.zero_grad(set_to_none=True)
    net.train()
    net[0].eval()
    try:
        fgsm(net, X[:10], y[:10], 0.1)
        assert net.training and not net[0].training and net[1].training
    finally:
        net.eval()
    assert all(torch.equal(a, p) for a, p in zip(before, net.parameters()))
    assert all(p.grad is None for p in net.parameters())


def test_y_none_attacks_the_predicted_labels(digits_cnn):
    """y=None uses the model's predictions as labels."""
    net, X, _ = digits_cnn
    with torch.no_grad():
        pred = net(torch.as_tensor(X[:50])).argmax(1).numpy()
    np.testing.assert_array_equal(fgsm(net, X[:50], None, 0.1), fgsm(net, X[:50], pred, 0.1))


@pytest.fixture(scope="module")
def iris_mlp():
    X, y = load_iris(return_X_y=True, as_frame=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y.to_numpy()]
    clf = MLPClassifier((16,), max_epochs=150, learning_rate=0.01, random_state=0,
                        device="cpu").fit(X, names)
    return clf, X, names


def test_mlpclassifier_with_string_labels_and_per_feature_clip(iris_mlp):
    """Attacks work on a fitted MLPClassifier: its labels, DataFrames, per-feature ranges."""
    clf, X, names = iris_mlp
    lo, hi = X.min().to_numpy(), X.max().to_numpy()
    adv = fgsm(clf, X, names, 0.5, clip=(lo, hi))
    assert adv.shape == X.shape
    assert np.all(adv >= lo.astype(np.float32)) and np.all(adv <= hi.astype(np.float32))
    adv = pd.DataFrame(adv, columns=X.columns)
    assert clf.score(adv, names) < clf.score(X, names) - 0.2
    adv_pgd = pd.DataFrame(pgd(clf, X, names, 0.5, clip=(lo, hi), random_state=0),
                           columns=X.columns)
    assert clf.score(adv_pgd, names) < clf.score(X, names) - 0.2


def test_robustness_curve_table(digits_cnn):
    """robustness_curve gives one row per attack and eps; eps=0 is the clean accuracy."""
    net, X, y = digits_cnn
    curve = robustness_curve(net, X, y, eps=[0, 0.1, 0.3], attack=["fgsm", "pgd"], clip=(0, 1),
                             random_state=0)
    assert isinstance(curve, pd.DataFrame)
    assert list(curve.columns) == ["attack", "eps", "accuracy"] and len(curve) == 6
    clean = curve[curve.eps == 0].accuracy.to_numpy()
    np.testing.assert_allclose(clean, _accuracy(net, X, y))
    for _, part in curve.groupby("attack"):
        assert part.accuracy.iloc[-1] < part.accuracy.iloc[0] - 0.5
    assert curve.set_index(["attack", "eps"]).accuracy[("pgd", 0.3)] <= \
        curve.set_index(["attack", "eps"]).accuracy[("fgsm", 0.3)]


def test_substitute_attack_transfers_better_than_noise(digits_cnn):
    """Black-box FGSM through a substitute fools the oracle far more often than random signs."""
    net, X, y = digits_cnn

    def oracle(A):
        with torch.no_grad():
            return net(torch.as_tensor(A, dtype=torch.float32)).argmax(1).numpy()

    seed, attack = X[:100], X[100:400]
    res = substitute_attack(oracle, seed, attack, eps=0.2, augmentation_rounds=2, clip=(0, 1),
                            random_state=0)
    assert res.X_adv.shape == attack.shape
    assert np.abs(res.X_adv - attack).max() <= 0.2 + 1e-6
    assert res.n_queries == 100 * 2 ** 2 + 2 * len(attack)
    assert list(res.rounds["n_samples"]) == [100, 200, 400]
    noise = np.clip(attack + 0.2 * np.sign(np.random.default_rng(0).normal(size=attack.shape)),
                    0, 1)
    noise_rate = float(np.mean(oracle(noise) != oracle(attack)))
    assert res.success_rate > max(0.3, 2 * noise_rate)


def test_bad_inputs_raise_clear_errors(digits_cnn, iris_mlp):
    """Wrong models, parameters and data raise deepmine's errors with a message."""
    net, X, y = digits_cnn
    with pytest.raises(InvalidParameterError, match="model"):
        fgsm("not a model", X, y, 0.1)
    with pytest.raises(InvalidParameterError, match="eps"):
        fgsm(net, X, y, -0.1)
    with pytest.raises(InvalidParameterError, match="steps"):
        pgd(net, X, y, 0.1, steps=0)
    with pytest.raises(InvalidParameterError, match="attack"):
        robustness_curve(net, X, y, attack="cw")
    with pytest.raises(DataError, match="labels"):
        fgsm(net, X, y[:-1], 0.1)
    with pytest.raises(DataError, match="NaN"):
        fgsm(net, np.full((2, 1, 8, 8), np.nan), [0, 1], 0.1)
    with pytest.raises(DataError, match="class indices"):
        fgsm(net, X[:2], [0, 10], 0.1)
    with pytest.raises(DataError, match="cannot run"):
        fgsm(net, np.zeros((2, 3, 5)), [0, 1], 0.1)
    with pytest.raises(InvalidParameterError, match="clip"):
        fgsm(net, X, y, 0.1, clip=(1, 0))
    clf, Xi, names = iris_mlp
    with pytest.raises(DataError, match="does not know"):
        fgsm(clf, Xi, np.full(len(Xi), "rose"), 0.1)
    with pytest.raises(NotFittedError):
        fgsm(MLPClassifier(), Xi, names, 0.1)
    with pytest.raises(InvalidParameterError, match="oracle_predict"):
        substitute_attack("oracle", X[:10])


def test_attacks_refuse_models_whose_output_they_cannot_use():
    """A one-logit module and a regressor are refused instead of returning X unchanged."""
    from deepmine.tabular import MLPRegressor

    X = np.random.RandomState(0).rand(20, 3).astype(np.float32)
    one_logit = nn.Linear(3, 1)
    for attack in (fgsm, pgd):
        with pytest.raises(InvalidParameterError, match="returns 1 output per sample"):
            attack(one_logit, X, None, 0.1)
    with pytest.raises(InvalidParameterError, match="at least 2 classes"):
        robustness_curve(one_logit, X, np.zeros(20, dtype=int))
    reg = MLPRegressor(hidden_layer_sizes=(4,), max_epochs=2, random_state=0).fit(X, X[:, 0])
    with pytest.raises(InvalidParameterError, match="attacks classifiers; MLPRegressor has no"):
        fgsm(reg, X, None, 0.1)
    two_logits = nn.Linear(3, 2)   # the same model with two outputs is attacked: X moves by eps
    assert np.abs(fgsm(two_logits, X, None, 0.1) - X).max() == pytest.approx(0.1, abs=1e-6)
