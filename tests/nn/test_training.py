"""The training engine: optimizers, schedules, early stopping, history, seeds, divergence, devices."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification

from deepmine.exceptions import DeviceWarning, DivergenceError, InvalidParameterError
from deepmine.nn import OPTIMIZERS, Trainer, get_optimizer, get_scheduler, make_mlp
from deepmine.tabular import MLPClassifier, MLPRegressor


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=300, n_features=8, n_informative=5, random_state=0)
    return X.astype(np.float32), y


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_lowers_the_loss(name, data):
    """Each optimizer by name trains: the last epoch's loss is below the first's."""
    X, y = data
    epochs = 40 if name == "sgd" else 15  # plain SGD at its default rate 0.01 is the slowest
    clf = MLPClassifier((16,), optimizer=name, max_epochs=epochs, random_state=0).fit(X, y)
    assert clf.history_[-1]["train_loss"] < 0.8 * clf.history_[0]["train_loss"]


def test_optimizer_names_map_to_torch():
    """'momentum' and 'nesterov' are SGD with momentum; default learning rates follow the optimizer."""
    params = list(torch.nn.Linear(2, 1).parameters())
    assert get_optimizer("momentum", params).defaults["momentum"] == 0.9
    assert get_optimizer("nesterov", params).defaults["nesterov"] is True
    assert get_optimizer("adadelta", params).defaults["lr"] == 1.0
    with pytest.raises(InvalidParameterError, match="choose one of"):
        get_optimizer("adamm", params)


def test_step_schedule_divides_the_learning_rate(data):
    """The 'step' schedule divides the rate by 10 every third of training."""
    X, y = data
    clf = MLPClassifier((8,), lr_schedule="step", learning_rate=0.01, max_epochs=6,
                        random_state=0).fit(X, y)
    assert clf.history_["lr"] == pytest.approx([0.01, 0.01, 0.001, 0.001, 1e-4, 1e-4])


@pytest.mark.parametrize("name", ["exponential", "cosine", "plateau"])
def test_schedules_never_raise_the_rate(name):
    """Exponential, cosine and plateau schedules only lower the learning rate."""
    opt = get_optimizer("sgd", torch.nn.Linear(2, 1).parameters(), learning_rate=0.1)
    sched = get_scheduler(name, opt, max_epochs=12)
    rates = []
    for _ in range(12):
        opt.step()
        sched.step(1.0) if name == "plateau" else sched.step()
        rates.append(opt.param_groups[0]["lr"])
    assert rates[-1] < 0.1 and all(b <= a + 1e-12 for a, b in zip(rates, rates[1:]))


def test_schedule_options_reach_the_scheduler(data):
    """A (name, options) pair sets the torch scheduler's arguments, e.g. StepLR's step and factor."""
    X, y = data
    clf = MLPClassifier((8,), lr_schedule=("step", {"step_size": 1, "gamma": 0.5}),
                        learning_rate=0.01, max_epochs=3, random_state=0).fit(X, y)
    assert clf.history_["lr"] == pytest.approx([0.01, 0.005, 0.0025])
    loaded = pickle.loads(pickle.dumps(clone(clf)))
    assert loaded.get_params()["lr_schedule"] == ("step", {"step_size": 1, "gamma": 0.5})


@pytest.mark.parametrize("schedule, message", [
    ("warmup", "must be a str among .* Got 'warmup'"),
    (("warmup", {}), "Unknown lr_schedule 'warmup'"),
    (("plateau", {"patience": 50}, 1), "a name or a \\(name, options\\) pair"),
    (("plateau", {"patiense": 50}), "Invalid options .* for lr_schedule 'plateau'"),
    (("constant", {"gamma": 0.5}), "'constant' takes no options"),
])
def test_bad_schedules_are_clear_errors(data, schedule, message):
    """Unknown names, malformed pairs and options the scheduler does not take fail before training."""
    X, y = data
    with pytest.raises(InvalidParameterError, match=message):
        MLPClassifier((8,), lr_schedule=schedule, max_epochs=2).fit(X, y)


def test_early_stopping_stops_and_restores_best(data):
    """With early stopping, training ends before max_epochs and keeps the best validation loss."""
    X, y = data
    clf = MLPClassifier((64,), early_stopping=True, patience=3, max_epochs=300,
                        learning_rate=0.05, random_state=0).fit(X, y)
    valid = clf.history_["valid_loss"]
    assert clf.n_iter_ < 300
    assert all(v is not None for v in valid)
    assert all(0 <= s <= 1 for s in clf.history_["valid_score"])
    assert valid.index(min(valid)) < len(valid) - 1


def test_early_stopping_restores_the_best_weights():
    """After early stopping, the kept network has the lowest validation loss of all epochs."""
    torch.manual_seed(0)
    X, y = torch.randn(80, 5), torch.randint(0, 2, (80,))        # pure noise: the model overfits
    Xv, yv = torch.randn(80, 5), torch.randint(0, 2, (80,))
    net = make_mlp(5, (64,), 2)
    ce = lambda m, b: torch.nn.functional.cross_entropy(m(b[0]), b[1])  # noqa: E731
    history = Trainer(max_epochs=200, learning_rate=0.01, early_stopping=True, patience=5,
                      random_state=0).fit(net, (X, y), (Xv, yv), compute_loss=ce)
    with torch.no_grad():
        kept = float(ce(net, (Xv, yv)))
    assert len(history) < 200
    assert kept == pytest.approx(min(history["valid_loss"]), rel=1e-5)
    assert kept < history[-1]["valid_loss"]


def test_history_is_usable_for_plots(data):
    """history_ has one row per epoch, and to_frame gives a DataFrame with the loss columns."""
    X, y = data
    clf = MLPClassifier((8,), max_epochs=4, validation_fraction=0.2, random_state=0).fit(X, y)
    frame = clf.history_.to_frame()
    assert list(frame["epoch"]) == [1, 2, 3, 4]
    assert {"train_loss", "valid_loss", "valid_score", "lr"} <= set(frame.columns)
    assert clf.loss_curve_ == list(frame["train_loss"])


def test_same_seed_is_bit_identical_and_leaves_global_rng(data):
    """random_state gives identical weights on the CPU and does not touch torch's global RNG."""
    X, y = data
    state = torch.random.get_rng_state()
    a = MLPClassifier((16,), dropout=0.2, max_epochs=3, random_state=3).fit(X, y)
    b = MLPClassifier((16,), dropout=0.2, max_epochs=3, random_state=3).fit(X, y)
    c = MLPClassifier((16,), dropout=0.2, max_epochs=3, random_state=4).fit(X, y)
    assert torch.equal(torch.random.get_rng_state(), state)
    for wa, wb in zip(a.coefs_, b.coefs_):
        assert np.array_equal(wa, wb)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_divergence_names_epoch_and_suggests_lower_rate():
    """A loss that becomes NaN stops training with a message naming the epoch and the fix."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5)) * 1e3
    y = X @ rng.normal(size=5)
    with pytest.raises(DivergenceError, match=r"diverged at epoch \d+.*Lower the learning rate"):
        MLPRegressor((32,), optimizer="sgd", learning_rate=10.0, max_epochs=20,
                     random_state=0).fit(X, y)


def test_progress_bar_only_when_verbose(data, capsys):
    """verbose=1 draws a tqdm bar on stderr; verbose=0 prints nothing."""
    X, y = data
    MLPClassifier((4,), max_epochs=2, random_state=0).fit(X, y)
    assert capsys.readouterr().err == ""
    MLPClassifier((4,), max_epochs=2, random_state=0, verbose=1).fit(X, y)
    assert "epoch" in capsys.readouterr().err


def test_warm_start_and_partial_fit_continue_training(data):
    """warm_start keeps the weights and appends to history; partial_fit runs one epoch per call."""
    X, y = data
    clf = MLPClassifier((8,), max_epochs=3, warm_start=True, random_state=0).fit(X, y)
    first = clf.coefs_[0].copy()
    clf.fit(X, y)
    assert clf.n_iter_ == 6 and not np.array_equal(first, clf.coefs_[0])
    inc = MLPClassifier((8,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        inc.partial_fit(X[:50], y[:50])
    for start in range(0, 300, 100):
        inc.partial_fit(X[start:start + 100], y[start:start + 100], classes=[0, 1])
    assert inc.n_iter_ == 3 and list(inc.classes_) == [0, 1]


def test_unavailable_device_falls_back_with_warning(data):
    """Asking for CUDA on a machine without it warns and trains on the CPU."""
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    X, y = data
    with pytest.warns(DeviceWarning, match="not available"):
        clf = MLPClassifier((4,), max_epochs=1, device="cuda", random_state=0).fit(X, y)
    assert clf.device_.type == "cpu"


def test_invalid_hyperparameter_is_reported_at_fit(data):
    """A bad hyperparameter raises InvalidParameterError naming it, at fit, not at construction."""
    X, y = data
    clf = MLPClassifier(optimizer="adamm")
    with pytest.raises(InvalidParameterError, match="optimizer"):
        clf.fit(X, y)


def test_trainer_works_on_any_module():
    """Trainer trains a bare nn.Module with a user loss (level 4 of progressive disclosure)."""
    torch.manual_seed(0)
    X = torch.randn(128, 3)
    y = (X[:, :1] > 0).float()
    net = make_mlp(3, (8,), 1)
    bce = lambda m, b: torch.nn.functional.binary_cross_entropy_with_logits(m(b[0]), b[1])  # noqa: E731
    history = Trainer(max_epochs=60, learning_rate=0.02, random_state=0).fit(net, (X, y), compute_loss=bce)
    assert ((net(X) > 0).float() == y).float().mean() > 0.95
    assert len(history) == 60


def test_a_batch_without_gradient_is_skipped():
    """A loss that needs no gradient takes no step; the other batches train as usual."""
    X = torch.randn(8, 2)
    y = X @ torch.tensor([[1.0], [-1.0]])
    net = torch.nn.Linear(2, 1)

    def loss(module, batch):
        value = torch.nn.functional.mse_loss(module(batch[0]), batch[1])
        return value.detach() if batch[0][0, 0] > 0 else value

    from torch.optim.optimizer import register_optimizer_step_post_hook

    steps = []
    handle = register_optimizer_step_post_hook(lambda *a: steps.append(1))
    try:
        Trainer(max_epochs=3, batch_size=1, shuffle=False, random_state=0).fit(
            net, (X, y), compute_loss=loss)
    finally:
        handle.remove()
    assert len(steps) == 3 * int((X[:, 0] <= 0).sum())


def test_a_loss_that_no_parameter_affects_is_a_clear_error():
    """A loss cut off from the network, or a frozen network, fails with a sentence naming the cause."""
    X, y = torch.randn(8, 2), torch.randn(8, 1)

    def cut(module, batch):
        return torch.nn.functional.mse_loss(module(batch[0]).detach(), batch[1])

    with pytest.raises(RuntimeError, match="does not depend on any trainable parameter"):
        Trainer(max_epochs=2, random_state=0).fit(torch.nn.Linear(2, 1), (X, y), compute_loss=cut)
    frozen = torch.nn.Linear(2, 1).requires_grad_(False)
    with pytest.raises(InvalidParameterError, match="no trainable parameters"):
        Trainer(max_epochs=2, random_state=0).fit(frozen, (X, y), compute_loss=cut)
