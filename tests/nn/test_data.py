"""Data the engine trains on: a Dataset or DataLoader streams in mini-batches; arrays keep the fast path."""

import os
import weakref

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset

from deepmine.exceptions import DataError
from deepmine.nn import Checkpoint, Trainer
from deepmine.nn._fitdata import N_STAT_ITEMS
from deepmine.tabular import MLPClassifier, MLPRegressor


def _mse(module, batch):
    return torch.nn.functional.mse_loss(module(batch[0]), batch[1])


def _linear_data(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 3, generator=g)
    return X, X @ torch.tensor([[1.0], [-2.0], [0.5]])


class Generated(Dataset):
    """Items computed on demand (never stored), counting how many are alive at once."""

    classes = ["low", "mid", "high"]

    def __init__(self, n):
        self.n, self.alive, self.max_alive, self.reads = n, 0, 0, 0

    def __len__(self):
        return self.n

    def _gone(self):
        self.alive -= 1

    def __getitem__(self, i):
        g = torch.Generator().manual_seed(int(i))
        y = int(i) % 3
        x = torch.randn(6, generator=g) + 1.5 * y
        self.alive += 1
        self.reads += 1
        self.max_alive = max(self.max_alive, self.alive)
        weakref.finalize(x, self._gone)
        return x, y


@pytest.mark.parametrize("wrap", ["dataset", "loader"])
def test_trainer_fits_a_dataset_or_dataloader_like_tensors(wrap):
    """Trainer.fit accepts a Dataset (shuffled batches) or a DataLoader, with validation data."""
    X, y = _linear_data()
    data = TensorDataset(X, y) if wrap == "dataset" else DataLoader(TensorDataset(X, y), batch_size=32)
    valid = TensorDataset(X[:64], y[:64])
    history = Trainer(max_epochs=60, learning_rate=0.05, random_state=0).fit(
        torch.nn.Linear(3, 1), data, valid, compute_loss=_mse)
    assert history[-1]["train_loss"] < 1e-3 and history[-1]["valid_loss"] < 1e-3


def test_dataset_early_stopping_and_seeded_shuffle():
    """Early stopping works on a Dataset's validation loss; the same seed gives the same weights."""
    X, y = _linear_data()

    def fit():
        torch.manual_seed(0)
        net = torch.nn.Linear(3, 1)
        h = Trainer(max_epochs=500, learning_rate=0.05, early_stopping=True, patience=3,
                    random_state=3).fit(net, TensorDataset(X, y), TensorDataset(X[:64], y[:64]),
                                        compute_loss=_mse)
        return h, net.weight.detach().clone()

    (h1, w1), (_, w2) = fit(), fit()
    assert len(h1) < 500
    assert torch.equal(w1, w2)


def test_trainer_refuses_other_data_with_a_clear_error():
    """Arrays are not wrapped silently: the error says what to pass."""
    with pytest.raises(TypeError, match="tuple of torch tensors, a torch.utils.data.Dataset"):
        Trainer(max_epochs=1).fit(torch.nn.Linear(3, 1), np.zeros((4, 3)), compute_loss=_mse)


def test_estimator_fit_on_dataset_streams_items_and_learns():
    """MLPClassifier.fit(Dataset): classes from ``classes``, validation split, never all items at once."""
    data = Generated(3000)
    clf = MLPClassifier((16,), max_epochs=3, batch_size=32, validation_fraction=0.1,
                        random_state=0).fit(data)
    assert list(clf.classes_) == ["high", "low", "mid"]  # sorted, as for arrays
    assert clf.history_[-1]["valid_score"] > 0.8
    # at most the sample the input statistics come from (or a few batches), never the data
    assert data.max_alive <= max(N_STAT_ITEMS, 4 * 32) < len(data) // 10
    X = torch.stack([data[i][0] for i in range(300)]).numpy()
    truth = np.asarray(data.classes)[np.arange(300) % 3]
    assert (clf.predict(X) == truth).mean() > 0.8


def test_dataset_larger_than_the_budget_trains_with_checkpoint_and_resumes(tmp_path):
    """A stream of items trains with a Checkpoint on disk; a resumed run equals an uninterrupted one."""
    kw = dict(hidden_layer_sizes=(8,), batch_size=32, validation_fraction=0.2, random_state=0)
    data = Generated(1200)
    full = MLPClassifier(max_epochs=4, callbacks=[Checkpoint(tmp_path / "full")], **kw).fit(data)
    assert data.max_alive <= max(N_STAT_ITEMS, 4 * 32) < len(data) // 4  # the memory budget
    MLPClassifier(max_epochs=2, callbacks=[Checkpoint(tmp_path / "run")], **kw).fit(Generated(1200))
    assert sorted(os.listdir(tmp_path / "run")) == ["best.safetensors", "last.safetensors"]
    cp = Checkpoint(tmp_path / "run", resume=True)
    resumed = MLPClassifier(max_epochs=4, callbacks=[cp], **kw).fit(Generated(1200))
    assert cp.resumed_epoch_ == 2
    assert resumed.history_["epoch"] == [1, 2, 3, 4]
    assert resumed.history_["valid_loss"] == full.history_["valid_loss"]
    X = torch.stack([data[i][0] for i in range(64)]).numpy()
    np.testing.assert_array_equal(resumed.predict_proba(X), full.predict_proba(X))


def test_dataset_with_labels_beyond_classes_or_y_is_refused():
    """y next to a Dataset, or an estimator without Dataset support, get one-sentence errors."""
    with pytest.raises(DataError, match="takes no y or sample_weight"):
        MLPClassifier(max_epochs=1).fit(Generated(30), np.zeros(30))
    with pytest.raises(TypeError, match="takes arrays, not a torch Dataset"):
        MLPRegressor(max_epochs=1).fit(Generated(30))


def test_float64_tables_train_as_their_float32_cast():
    """A float64 table is not copied to float32: batches are cast, and the fit equals float32's."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5))
    y = (X[:, 0] > 0).astype(int)
    kw = dict(hidden_layer_sizes=(8,), max_epochs=5, scale=False, random_state=0)
    a = MLPClassifier(**kw).fit(X, y)
    b = MLPClassifier(**kw).fit(X.astype(np.float32), y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_lazy_image_folder_trains_a_convnet(tmp_path):
    """load_image_folder(lazy=True) decodes on demand; ConvNetClassifier fits it like the arrays."""
    from PIL import Image

    from deepmine.datasets import load_image_folder
    from deepmine.vision import ConvNetClassifier, ImageFolderDataset

    rng = np.random.RandomState(0)
    for label, top in (("dark", 90), ("light", 255)):
        (tmp_path / label).mkdir()
        for i in range(16):
            low = 0 if label == "dark" else 160
            pixels = rng.randint(low, top, size=(8, 8)).astype(np.uint8)
            Image.fromarray(pixels).save(tmp_path / label / f"{i}.png")
    data = load_image_folder(tmp_path, lazy=True)
    assert isinstance(data, ImageFolderDataset) and isinstance(data, Dataset)
    assert len(data) == 32 and data.classes == ["dark", "light"]
    image, target = data[20]
    assert tuple(image.shape) == (1, 8, 8) and target == 1
    clf = ConvNetClassifier(conv_layers=[(4, 3)], hidden_layer_sizes=(8,), max_epochs=15,
                            batch_size=8, learning_rate=0.01, random_state=0).fit(data)
    X, y = load_image_folder(tmp_path, return_X_y=True)
    assert list(clf.classes_) == ["dark", "light"] and clf.image_shape_ == (1, 8, 8)
    assert clf.score(X, y) == 1.0
