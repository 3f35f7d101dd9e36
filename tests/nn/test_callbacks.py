"""Callbacks: Checkpoint on disk, CSVLogger, EpochScoring, LRMonitor, monitor keys, convergence, seeds."""

import csv

import pytest
import torch
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from deepmine.exceptions import InvalidParameterError, ModelFileError
from deepmine.nn import Checkpoint, CSVLogger, EarlyStopping, EpochScoring, LRMonitor, Trainer
from deepmine.tabular import MLPClassifier


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=200, n_features=6, n_informative=4, random_state=0)
    return X, y


def _mse(module, batch):
    return torch.nn.functional.mse_loss(module(batch[0]), batch[1])


def _tensors(n=64):
    X = torch.randn(n, 3, generator=torch.Generator().manual_seed(0))
    return X, X.sum(1, keepdim=True)


def test_checkpoint_keeps_the_best_epoch_by_a_score_and_writes_it(tmp_path, data):
    """monitor='valid_score' is maximised; best.safetensors holds the restored weights."""
    from safetensors.torch import load_file

    X, y = data
    cp = Checkpoint(tmp_path, monitor="valid_score")
    clf = MLPClassifier((8,), max_epochs=8, validation_fraction=0.3, random_state=0,
                        callbacks=[cp]).fit(X, y)
    scores = clf.history_["valid_score"]
    assert cp.best_ == max(scores)
    assert cp.best_epoch_ == scores.index(max(scores)) + 1
    saved = load_file(str(tmp_path / "best.safetensors"))
    for key, value in clf.module_.state_dict().items():
        torch.testing.assert_close(saved[key], value)


def test_resume_from_a_foreign_file_is_refused(tmp_path):
    """A checkpoint of another network fails with ModelFileError, not a torch traceback."""
    X, y = _tensors()
    Trainer(max_epochs=1, callbacks=[Checkpoint(tmp_path)], random_state=0).fit(
        torch.nn.Linear(3, 1), (X, y), compute_loss=_mse)
    with pytest.raises(ModelFileError, match="do not fit this network"):
        Trainer(max_epochs=2, callbacks=[Checkpoint(tmp_path, resume=True)]).fit(
            torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1)), (X, y),
            compute_loss=_mse)


def test_csv_logger_writes_one_row_per_epoch(tmp_path, data):
    """CSVLogger: a header with the history's keys, then one row per epoch (append adds rows)."""
    X, y = data
    path = tmp_path / "log.csv"
    clf = MLPClassifier((4,), max_epochs=3, validation_fraction=0.2, random_state=0,
                        callbacks=[CSVLogger(path)]).fit(X, y)
    rows = list(csv.DictReader(path.read_text().splitlines()))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    assert float(rows[-1]["valid_loss"]) == pytest.approx(clf.history_[-1]["valid_loss"])
    MLPClassifier((4,), max_epochs=2, random_state=0,
                  callbacks=[CSVLogger(path, append=True)]).fit(X, y)
    assert len(list(csv.DictReader(path.read_text().splitlines()))) == 5
    from sklearn.base import clone

    clone(clf)  # the logger keeps no open file


def test_epoch_scoring_uses_a_sklearn_scorer_on_the_validation_rows(data):
    """EpochScoring('accuracy') on the held-out rows equals the engine's own accuracy."""
    X, y = data
    clf = MLPClassifier((8,), max_epochs=4, validation_fraction=0.25, random_state=0,
                        callbacks=[EpochScoring("accuracy"), EpochScoring("roc_auc")]).fit(X, y)
    assert clf.history_["valid_accuracy"] == pytest.approx(clf.history_["valid_score"])
    assert all(0.5 < v <= 1 for v in clf.history_["valid_roc_auc"])


def test_epoch_scoring_without_a_split_says_how_to_get_one(data):
    X, y = data
    with pytest.raises(InvalidParameterError, match="validation_fraction"):
        MLPClassifier((4,), max_epochs=1, callbacks=[EpochScoring("f1")]).fit(X, y)


def test_early_stopping_can_monitor_an_epoch_score(data):
    """EarlyStopping(monitor=<score>) maximises it."""
    X, y = data
    es = EarlyStopping(monitor="valid_f1", patience=2, min_delta=0.0)
    clf = MLPClassifier((8,), max_epochs=60, validation_fraction=0.25, random_state=0,
                        callbacks=[EpochScoring("f1"), es]).fit(X, y)
    scores = clf.history_["valid_f1"]
    assert len(scores) < 60
    assert es.best_ == max(scores) and scores[es.best_epoch_ - 1] == es.best_


def test_lr_monitor_logs_the_rate_each_epoch_used():
    X, y = _tensors()
    h = Trainer(max_epochs=6, optimizer="momentum", learning_rate=0.1, lr_schedule="step",
                callbacks=[LRMonitor()], random_state=0).fit(torch.nn.Linear(3, 1), (X, y),
                                                             compute_loss=_mse)
    assert h["lr_0"] == pytest.approx(h["lr"])
    assert h["lr_0"] == pytest.approx([0.1, 0.1, 0.01, 0.01, 0.001, 0.001])
    assert h["momentum_0"] == [0.9] * 6


@pytest.mark.parametrize("callback", [EarlyStopping(monitor="val_loss"),
                                      Checkpoint(monitor="val_loss")])
def test_unknown_monitor_key_warns_with_the_available_keys(callback):
    X, y = _tensors()
    with pytest.warns(UserWarning, match=r"'val_loss'.*available keys are 'epoch', 'train_loss'"):
        Trainer(max_epochs=3, callbacks=[callback], random_state=0).fit(
            torch.nn.Linear(3, 1), (X, y), compute_loss=_mse)


def test_convergence_warning_only_while_the_loss_still_improves():
    """max_epochs ending mid-descent warns; a converged run (or an early stop) does not."""
    X, y = _tensors()
    with pytest.warns(ConvergenceWarning, match="max_epochs=5 while the train_loss"):
        Trainer(max_epochs=5, learning_rate=0.001, random_state=0).fit(
            torch.nn.Linear(3, 1), (X, y), compute_loss=_mse)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        Trainer(max_epochs=300, learning_rate=0.05, random_state=0).fit(
            torch.nn.Linear(3, 1), (X, y), compute_loss=_mse)
        Trainer(max_epochs=500, learning_rate=0.05, early_stopping=True, random_state=0).fit(
            torch.nn.Linear(3, 1), (X, y), compute_loss=_mse)


def test_random_state_none_is_unseeded():
    """Trainer(random_state=None) shuffles differently on each fit; an int repeats itself."""
    X, y = _tensors()

    def weights(seed):
        torch.manual_seed(0)
        net = torch.nn.Linear(3, 1)
        Trainer(max_epochs=2, batch_size=8, random_state=seed).fit(net, (X, y), compute_loss=_mse)
        return net.weight.detach().clone()

    assert torch.equal(weights(5), weights(5))
    assert not torch.equal(weights(None), weights(None))


def test_bf16_mixed_precision_is_close_to_float32(data):
    """precision='bf16-mixed' on the CPU trains to nearly the same model as float32."""
    X, y = data
    Xt = torch.as_tensor(X, dtype=torch.float32)
    yt = torch.as_tensor(y)

    def fit(precision):
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
        ce = lambda m, b: torch.nn.functional.cross_entropy(m(b[0]), b[1])  # noqa: E731
        h = Trainer(max_epochs=20, learning_rate=0.01, precision=precision, random_state=0).fit(
            net, (Xt, yt), compute_loss=ce)
        with torch.no_grad():
            return h, torch.softmax(net(Xt), 1)

    (h32, p32), (h16, p16) = fit("32"), fit("bf16-mixed")
    assert h16[-1]["train_loss"] == pytest.approx(h32[-1]["train_loss"], rel=0.05)
    assert (p16 - p32).abs().max() < 0.05
    assert ((p16.argmax(1) == p32.argmax(1)).float().mean()) > 0.97


def test_float16_mixed_precision_scales_the_loss():
    """precision='16-mixed' uses a GradScaler; an unknown precision is refused."""
    X, y = _tensors()
    trainer = Trainer(max_epochs=3, batch_size=8, learning_rate=0.05, precision="16-mixed",
                      random_state=0)
    history = trainer.fit(torch.nn.Linear(3, 1), (X, y), compute_loss=_mse)
    assert trainer.precision_.scaler is not None
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    with pytest.raises(InvalidParameterError, match="'precision' parameter must be one of"):
        Trainer(max_epochs=1, precision="fp8").fit(torch.nn.Linear(3, 1), (X, y),
                                                   compute_loss=_mse)
