"""The data the engine trains on: tuples of tensors (the fast path), a ``Dataset`` or a ``DataLoader``.

Tensors already in memory are cut into mini-batches by slicing (or by indexing
with one permutation per epoch when shuffling), without copying the data; a
:class:`torch.utils.data.Dataset` is read item by item through a
:class:`~torch.utils.data.DataLoader`, so it never has to fit in memory. Every
batch is moved to the module's device and its floating-point tensors are cast
to the module's dtype on the way, so float64 inputs need no float32 copy.
"""

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, IterableDataset, Subset

__all__ = ["batches", "check_data", "is_tensors", "make_loader", "module_dtype", "n_rows",
           "sample_items", "split_dataset", "to_module"]


def is_tensors(data):
    """True for a tuple or list of tensors (one row per sample), the in-memory fast path."""
    return isinstance(data, (tuple, list)) and len(data) > 0 and all(
        isinstance(t, torch.Tensor) for t in data)


def n_rows(data):
    """Number of samples of ``data``, or None for a stream of unknown length."""
    if is_tensors(data):
        return data[0].shape[0]
    if isinstance(data, DataLoader):
        data = data.dataset
    if isinstance(data, IterableDataset):
        return None
    try:
        return len(data)
    except TypeError:
        return None


def check_data(data, name="train"):
    """Refuse anything but tensors, a Dataset or a DataLoader with a one-sentence error."""
    if is_tensors(data) or isinstance(data, (Dataset, DataLoader)):
        return data
    raise TypeError(f"The {name} data must be a tuple of torch tensors, a torch.utils.data.Dataset "
                    f"or a DataLoader; got {type(data).__name__}. Wrap arrays as "
                    f"(torch.as_tensor(X), torch.as_tensor(y)).")


def make_loader(data, batch_size, *, shuffle=False, generator=None):
    """A DataLoader over a Dataset (a DataLoader is returned as it is)."""
    if isinstance(data, DataLoader):
        return data
    if isinstance(data, IterableDataset):
        return DataLoader(data, batch_size=batch_size)
    return DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator)


def _as_tuple(batch):
    if isinstance(batch, torch.Tensor):
        return (batch,)
    if isinstance(batch, dict):
        return tuple(batch.values())
    return tuple(torch.as_tensor(t) if not isinstance(t, torch.Tensor) else t for t in batch)


def to_module(batch, device, dtype):
    """Move a batch to ``device``, casting floating-point tensors to ``dtype`` (no copy when they match)."""
    return tuple(t.to(device, dtype, non_blocking=True) if t.is_floating_point()
                 else t.to(device, non_blocking=True) for t in batch)


def batches(data, batch_size, device, dtype, *, order=None, shuffle=False, generator=None):
    """Yield the mini-batches of ``data`` as tuples of tensors on ``device``.

    Parameters
    ----------
    data : tuple of torch.Tensor, Dataset or DataLoader
    batch_size : int
    device : torch.device
    dtype : torch.dtype
        Floating-point tensors are cast to it.
    order : torch.Tensor or None, default=None
        A permutation of the rows of in-memory tensors; each batch gathers its rows.
    shuffle : bool, default=False
        For a Dataset: draw the order from ``generator`` every pass.
    generator : torch.Generator or None, default=None
    """
    if is_tensors(data):
        n = data[0].shape[0] if order is None else order.shape[0]
        for start in range(0, n, batch_size):
            if order is None:
                batch = tuple(t[start:start + batch_size] for t in data)
            else:
                idx = order[start:start + batch_size]
                batch = tuple(t[idx] for t in data)
            yield to_module(batch, device, dtype)
        return
    for batch in make_loader(data, batch_size, shuffle=shuffle, generator=generator):
        yield to_module(_as_tuple(batch), device, dtype)


def module_dtype(module, default=torch.float32):
    """dtype of the module's first floating-point parameter (the inputs are cast to it)."""
    for p in module.parameters():
        if p.is_floating_point():
            return p.dtype
    return default


def split_dataset(dataset, n_valid, seed):
    """``(train, valid)`` Subsets of a Dataset: ``n_valid`` random items held out, both in index order."""
    n = len(dataset)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(int(seed))).numpy()
    valid, train = np.sort(perm[:n_valid]), np.sort(perm[n_valid:])
    return Subset(dataset, train.tolist()), Subset(dataset, valid.tolist())


def sample_items(dataset, n_max, seed):
    """Up to ``n_max`` items of a Dataset drawn without replacement (for statistics such as shapes)."""
    n = len(dataset)
    rng = np.random.RandomState(int(seed) % 2**32)
    idx = np.sort(rng.choice(n, min(n, n_max), replace=False)) if n > n_max else np.arange(n)
    return [dataset[int(i)] for i in idx]
