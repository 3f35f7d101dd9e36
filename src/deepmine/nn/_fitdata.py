"""What an estimator's ``fit`` hands the engine: validated arrays and weights, or a checked Dataset.

Sample weights travel as one more tensor after an estimator's own tensors
(``(X, y, w)``); the losses weigh each sample's loss and divide by the batch's
total weight (:func:`weighted_mean`), so integer weights act as repeated rows
within a batch, and weight 0 as a dropped row. A ``torch.utils.data.Dataset``
of ``(x, class index)`` items (``(x, class index, weight)`` for weighted
training) trains estimators that read single items unchanged (``MLPClassifier``,
``ConvNetClassifier``); their statistics (input shape, scaling) come from a
sample of at most :data:`N_STAT_ITEMS` items, the class names from the
Dataset's ``classes`` (torchvision's convention) or ``targets``.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from deepmine.exceptions import DataError
from deepmine.nn._data import batches, module_dtype, sample_items
from deepmine.nn._inference import INFERENCE_BATCH

#: Items read from a Dataset to learn the input statistics (shape, scaling) in ``fit``.
N_STAT_ITEMS = 256


@dataclass
class FitContext:
    """What one ``fit`` hands the estimator's hooks (``_validate_fit``, ``_split``, ``_build_module``).

    Attributes
    ----------
    partial : bool
        A ``partial_fit`` step (one epoch, no validation split).
    classes : ndarray or None
        Every label there will be (``partial_fit(classes=...)`` on the first call,
        a Dataset's classes); None: the labels of ``y``.
    sample_weight : array-like or None
        Weights for an estimator that folds them into its own data in
        ``_validate_fit`` (the outlier detector's bootstrap weights); the others
        get theirs as the last tensor of every batch.
    valid_rows : torch.Tensor or None
        The rows held out for validation, as indices into the data passed to
        ``fit`` (set by the split, for scorers on the raw rows).
    init : object or None
        What initialises the new network in ``_build_module``: a fitted estimator
        with ``encoder_layers()`` (``MLPClassifier.fit(init=...)``), or a stacked
        autoencoder's pretrained stages.
    sample : array or None
        The first rows of the training inputs, for ``_build_module`` to check the
        new network's output on (the generic nets).
    """

    partial: bool = False
    classes: Any = None
    sample_weight: Any = None
    valid_rows: Any = None
    init: Any = None
    sample: Any = None


def weighted_mean(values, weight):
    """``sum(w * values) / sum(w)`` over a batch (0 for a batch whose weights are all 0).

    Examples
    --------
    >>> import torch
    >>> float(weighted_mean(torch.tensor([1.0, 3.0]), torch.tensor([1.0, 3.0])))
    2.5
    """
    return (values * weight).sum() / weight.sum().clamp_min(1e-12)


def check_sample_weight(sample_weight, n_samples):
    """Validate ``sample_weight``: a number or ``n_samples`` finite non-negative values, not all 0."""
    w = np.asarray(sample_weight, dtype=np.float64) if not np.isscalar(sample_weight) else \
        np.full(n_samples, float(sample_weight))
    if w.ndim != 1 or len(w) != n_samples:
        raise DataError(f"sample_weight must have shape ({n_samples},), one weight per sample; "
                        f"got shape {w.shape}.")
    if not np.isfinite(w).all() or (w < 0).any():
        raise DataError("sample_weight must hold finite, non-negative numbers; got NaN, infinite "
                        "or negative values.")
    if n_samples and w.sum() <= 0:
        raise DataError("Sample weights must contain at least one non-zero number; all of "
                        "sample_weight is 0. Give at least one sample a positive weight.")
    return w.astype(np.float32)


def fit_data(estimator, X, y, sample_weight, *, reset, context):
    """``(X, y, sample_weight, dataset)``: validated arrays, or a checked Dataset (then X, y are None)."""
    if isinstance(X, Dataset):
        name = type(estimator).__name__
        if not getattr(estimator, "_accepts_dataset", False):
            raise TypeError(f"{name}.fit takes arrays, not a torch Dataset; pass X and y as "
                            f"arrays (MLPClassifier and ConvNetClassifier accept a Dataset).")
        if getattr(estimator, "adversarial", None) is not None:
            raise DataError(f"Adversarial training of {name} needs the data as arrays (the attack "
                            f"is clipped to their range); pass X and y, or set adversarial=None.")
        if y is not None or sample_weight is not None:
            raise DataError(f"With a Dataset, {name}.fit takes no y or sample_weight: each item "
                            f"holds them, as (x, class index) or (x, class index, weight).")
        return None, None, None, prepare_dataset(estimator, X, reset=reset, context=context)
    X, y = estimator._validate_fit(X, y, reset=reset, context=context)
    if sample_weight is not None:
        sample_weight = check_sample_weight(sample_weight, len(X))
    return X, y, sample_weight, None


class _ClassDataset(Dataset):
    """A user's Dataset with its class indices mapped to ``classes_`` order and inputs checked."""

    def __init__(self, dataset, remap, shape):
        self.dataset, self.remap, self.shape = dataset, remap, tuple(shape)

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        item = self.dataset[i]
        x = torch.as_tensor(np.asarray(item[0], dtype=np.float32))
        if tuple(x.shape) != self.shape:
            raise DataError(f"Item {i} of the Dataset has inputs of shape {tuple(x.shape)}; the "
                            f"others have {self.shape}.")
        target = torch.as_tensor(self.remap[int(item[1])])
        return (x, target, *(torch.as_tensor(float(w)) for w in item[2:3]))


def _class_names(dataset):
    classes = getattr(dataset, "classes", None)
    if classes is not None:
        return np.asarray(classes)
    targets = getattr(dataset, "targets", None)
    if targets is None:  # one pass over the items' targets
        targets = [int(dataset[i][1]) for i in range(len(dataset))]
    return np.arange(int(np.max(np.asarray(targets))) + 1)


def prepare_dataset(estimator, dataset, *, reset, context):
    """Learn the fit statistics from a sample of items and wrap the Dataset for training."""
    if len(dataset) == 0:
        raise DataError("The Dataset is empty; at least one item is needed.")
    names = _class_names(dataset)
    classes = np.sort(names) if reset else np.asarray(estimator.classes_)
    unknown = np.setdiff1d(names, classes)
    if len(unknown):
        raise DataError(f"The Dataset's classes {unknown.tolist()[:5]} are not in classes_ "
                        f"{classes.tolist()[:10]} of the fitted {type(estimator).__name__}.")
    remap = np.searchsorted(classes, names).astype(np.int64)  # item's class index -> classes_
    items = sample_items(dataset, N_STAT_ITEMS, seed=0)
    Xs = np.stack([np.asarray(item[0], dtype=np.float32) for item in items])
    ys = classes[remap[[int(item[1]) for item in items]]]
    del items
    if reset:
        context.classes = classes
    estimator._validate_fit(Xs, ys, reset=reset, context=context)
    return _ClassDataset(dataset, remap, Xs.shape[1:])


def split_dataset_for(estimator, dataset, seed, partial, min_rows):
    """Hold out ``validation_fraction`` of a Dataset's items (a random Subset; no stratification)."""
    from deepmine.nn._data import split_dataset

    fraction = estimator.validation_fraction
    if fraction is None:
        fraction = 0.1 if estimator.early_stopping else 0.0
    n = len(dataset)
    n_valid = int(round(fraction * n))
    if partial or fraction == 0:
        return dataset, None
    if n_valid < min_rows or n - n_valid < 1:
        return estimator._no_split(dataset, f"would hold {n_valid} of the {n} items")
    return split_dataset(dataset, n_valid, seed)


def on_device(data, device):
    """Tensors to ``device`` (floats as float32 off the CPU: the network's dtype); a Dataset stays."""
    if data is None or not isinstance(data, tuple):
        return data
    if device.type == "cpu":
        return tuple(t.to(device) for t in data)
    return tuple(t.to(device, torch.float32) if t.is_floating_point() else t.to(device)
                 for t in data)


def validation_data(raw, valid, dataset, context):
    """The validation rows as the user passed them, ``(X, y)``, for scorers; None without a split."""
    rows = context.valid_rows
    if valid is None or dataset is not None or rows is None:
        return None
    from sklearn.utils import _safe_indexing

    X, y = raw
    rows = rows.numpy()
    return _safe_indexing(X, rows), (None if y is None else _safe_indexing(y, rows))


def eval_batches(module, data, batch_size=INFERENCE_BATCH):
    """Batches of in-memory tensors or a Dataset on the module's device and dtype (for scores)."""
    first = next(module.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    return batches(data, batch_size, device, module_dtype(module))
