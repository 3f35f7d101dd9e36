"""Data-parallel training (strategy="ddp") on the CPU with gloo: 2 processes x batch 32 train the
same network as 1 process x batch 64 (same seed, same data order)."""

import numpy as np
import pytest
import torch

from deepmine.exceptions import InvalidParameterError
from deepmine.nn._distributed import Group
from deepmine.tabular import MLPClassifier
from deepmine.vision import ConvNetClassifier

pytestmark = pytest.mark.skipif(not torch.distributed.is_available()
                                or not torch.distributed.is_gloo_available(),
                                reason="torch.distributed with gloo is not available")


def _assert_same_network(one, two):
    a, b = one.module_.state_dict(), two.module_.state_dict()
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_allclose(b[key].cpu().numpy(), a[key].cpu().numpy(), rtol=1e-4,
                                   atol=1e-5, err_msg=key)
    for column in ("train_loss", "valid_loss", "valid_score"):
        x, y = one.history_[column], two.history_[column]
        assert (x[0] is None) == (y[0] is None)
        if x[0] is not None:
            np.testing.assert_allclose(y, x, rtol=1e-4, err_msg=column)


def test_shards_are_the_distributed_sampler_split():
    # rank r takes perm[r::world], padded with the first rows to a multiple of world
    order = torch.tensor([4, 2, 0, 3, 1])
    shards = [Group(r, 2, "cpu")._indices(5, order).tolist() for r in range(2)]
    assert shards == [[4, 0, 1], [2, 3, 4]]
    # batches of b rows per rank together are the one-process batch of 2*b rows
    order = torch.randperm(16, generator=torch.Generator().manual_seed(0))
    parts = [Group(r, 2, "cpu")._indices(16, order) for r in range(2)]
    for k in range(4):
        union = sorted(torch.cat([p[2 * k:2 * k + 2] for p in parts]).tolist())
        assert union == sorted(order[4 * k:4 * k + 4].tolist())
    # a Dataset: each rank reads a Subset of its rows of the same seeded shuffle
    data = torch.utils.data.TensorDataset(torch.arange(6.0))
    subsets = [Group(r, 2, "cpu").shard(data, None, torch.Generator().manual_seed(3), True)[0]
               for r in range(2)]
    rows = sorted(i for s in subsets for i in s.indices)
    assert rows == list(range(6)) and len(subsets[0]) == len(subsets[1]) == 3


def test_mlp_two_processes_equal_one_process_with_twice_the_batch():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(320, 6))
    y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int)
    # early stopping on the validation loss summed over the processes: both stop at the same epoch
    kw = dict(hidden_layer_sizes=(16,), max_epochs=4, early_stopping=True, validation_fraction=0.2,
              patience=2, device="cpu", random_state=0)
    one = MLPClassifier(batch_size=64, **kw).fit(X, y)
    two = MLPClassifier(batch_size=32, strategy="ddp", devices=2, **kw)
    assert two.fit(X, y) is two
    assert two.n_iter_ == one.n_iter_ and two.history_["valid_loss"][0] is not None
    _assert_same_network(one, two)
    np.testing.assert_allclose(two.predict_proba(X), one.predict_proba(X), atol=1e-5)


def test_convnet_two_processes_equal_one_process_with_twice_the_batch():
    # without dropout (each process draws its own masks) and without batch norm: gloo has no
    # SyncBatchNorm, so on the CPU each process would normalize over its own 32 images
    rng = np.random.RandomState(1)
    X = rng.normal(size=(128, 1, 8, 8)).astype(np.float32)
    y = (X[:, 0, :4].mean(axis=(1, 2)) > 0).astype(int)
    kw = dict(conv_layers=[(4, 3)], hidden_layer_sizes=(8,), dropout=0.0, max_epochs=2,
              device="cpu", random_state=0)
    one = ConvNetClassifier(batch_size=64, **kw).fit(X, y)
    two = ConvNetClassifier(batch_size=32, strategy="ddp", devices=2, **kw).fit(X, y)
    _assert_same_network(one, two)


def test_autoencoder_two_processes_equal_one_process_with_twice_the_batch():
    # every engine estimator takes strategy="ddp" from the shared engine parameters
    from deepmine.autoencoders import AutoEncoder

    X = np.random.RandomState(2).normal(size=(192, 5))
    kw = dict(code_size=2, max_epochs=2, device="cpu", random_state=0)
    one = AutoEncoder((8,), batch_size=64, **kw).fit(X)
    two = AutoEncoder((8,), batch_size=32, strategy="ddp", devices=2, **kw).fit(X)
    _assert_same_network(one, two)
    np.testing.assert_allclose(two.transform(X), one.transform(X), atol=1e-5)


def test_resuming_a_checkpoint_is_refused_on_every_process(tmp_path):
    from deepmine.nn import Checkpoint

    X = np.random.RandomState(0).normal(size=(64, 3)); y = np.arange(64) % 2
    kw = dict(hidden_layer_sizes=(4,), device="cpu", random_state=0)
    MLPClassifier(max_epochs=1, callbacks=[Checkpoint(tmp_path, resume=True)], **kw).fit(X, y)
    ddp = MLPClassifier(max_epochs=2, strategy="ddp", devices=2,
                        callbacks=[Checkpoint(tmp_path, resume=True)], **kw)
    with pytest.raises(ValueError, match="cannot resume"):
        ddp.fit(X, y)


def test_unpicklable_loss_is_refused_before_starting_processes():
    from deepmine.nn import Trainer

    data = (torch.zeros(8, 2), torch.zeros(8, 1))
    with pytest.raises(TypeError, match="define compute_loss and score at module level"):
        Trainer(strategy="ddp", devices=2, max_epochs=1).fit(
            torch.nn.Linear(2, 1), data, compute_loss=lambda m, b: m(b[0]).mean())


def test_devices_must_suit_the_device():
    X = np.zeros((8, 2)); y = np.arange(8) % 2
    with pytest.raises(InvalidParameterError, match="list of GPU ids needs device='cuda'"):
        MLPClassifier(strategy="ddp", devices=[0, 1], device="cpu", max_epochs=1).fit(X, y)
