"""Callbacks: hooks into the training loop. Stopping is a flag (``trainer.stop_training``)."""

import math
import warnings

from deepmine.utils._warnings import user_stacklevel


def monitored(callback, logs, key):
    """``logs[key]``; warns once, listing the available keys, when the key is unknown or always None.

    Returns None when there is nothing to compare this epoch.
    """
    value = logs.get(key)
    if value is None and not getattr(callback, "_warned_", False):
        callback._warned_ = True
        name = type(callback).__name__
        if key not in logs:
            keys = ", ".join(repr(k) for k in logs)
            warnings.warn(f"{name} monitors {key!r}, which is not in the training history; the "
                          f"available keys are {keys}. Pass one of them as monitor.",
                          UserWarning, stacklevel=user_stacklevel())
        elif key.startswith("valid"):
            warnings.warn(f"{name} monitors {key!r}, which is None: the training has no "
                          f"validation data. Set validation_fraction (or pass valid data), or "
                          f"monitor 'train_loss'.", UserWarning, stacklevel=user_stacklevel())
    return value


def snapshot(module):
    """A copy of ``module.state_dict()`` (tensors cloned; what ``copy.deepcopy`` gives, for less)."""
    state = module.state_dict()
    copied = type(state)((k, v.detach().clone()) for k, v in state.items())
    if hasattr(state, "_metadata"):
        copied._metadata = state._metadata  # fresh per call; load_state_dict reads the versions
    return copied


def lower_is_better(key, given=None):
    """Losses and errors are minimised, anything else (scores) is maximised, unless ``given``."""
    if given is not None:
        return bool(given)
    return any(word in key for word in ("loss", "error", "mse", "mae"))


class Callback:
    """Base class: override any of the hooks; each receives the :class:`~deepmine.nn.Trainer`.

    Examples
    --------
    >>> from deepmine.nn import Callback
    >>> class PrintLoss(Callback):
    ...     def on_epoch_end(self, trainer, logs):
    ...         print(logs["train_loss"])
    """

    def on_train_begin(self, trainer):
        """Called once before the first epoch."""

    def on_epoch_end(self, trainer, logs):
        """Called after each epoch with that epoch's history row."""

    def on_train_end(self, trainer):
        """Called once after the last epoch (also after an early stop)."""


class EarlyStopping(Callback):
    """Stop when the monitored loss has not improved for ``patience`` epochs; restore the best weights.

    Parameters
    ----------
    monitor : str or None, default=None
        History key to watch: keys with "loss" or "error" in their name are
        minimised, others (scores) maximised. None means ``valid_loss`` when a
        validation set exists, else ``train_loss``. A key that is not in the
        history warns once, listing the keys that are.
    patience : int, default=10
    min_delta : float, default=1e-4
        An improvement smaller than this does not count.
    restore_best_weights : bool, default=True
    stop_at : float or None, default=None
        Stop as soon as the monitored value reaches this (at or below it for a
        loss: 0.0 for a perceptron that classifies every training example
        correctly; at or above it for a score).

    Examples
    --------
    >>> from deepmine.nn import EarlyStopping
    >>> EarlyStopping(patience=5).patience
    5
    """

    def __init__(self, monitor=None, patience=10, min_delta=1e-4, restore_best_weights=True,
                 stop_at=None):
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.restore_best_weights = restore_best_weights
        self.stop_at = stop_at

    def on_train_begin(self, trainer):
        self.best_ = -math.inf if self.monitor and not lower_is_better(self.monitor) else math.inf
        self.best_epoch_ = None
        self.best_state_ = None
        self.wait_ = 0
        self._warned_ = False

    def on_epoch_end(self, trainer, logs):
        key = self.monitor or ("valid_loss" if logs.get("valid_loss") is not None else "train_loss")
        value = monitored(self, logs, key)
        if value is None:
            return
        sign = 1.0 if lower_is_better(key) else -1.0  # best_ holds the value itself
        if sign * value < sign * self.best_ - self.min_delta:
            self.best_, self.best_epoch_, self.wait_ = value, logs["epoch"], 0
            if self.restore_best_weights:
                self.best_state_ = snapshot(trainer.module)
        else:
            self.wait_ += 1
            if self.wait_ >= self.patience:
                trainer.stop_training = True
        if self.stop_at is not None and sign * value <= sign * self.stop_at:
            trainer.stop_training = True

    def on_train_end(self, trainer):
        if self.restore_best_weights and self.best_state_ is not None:
            trainer.module.load_state_dict(self.best_state_)
            trainer.best_epoch = self.best_epoch_


class Checkpoint(Callback):
    """Keep the weights of the best epoch (judged in eval mode), optionally on disk and resumable.

    The value compared is ``logs[monitor]``; by default it belongs to the weights
    that are kept: the validation loss when the trainer has a validation set,
    otherwise the loss of one eval-mode pass over the training data after the
    epoch (batch-norm layers use their running statistics, dropout is off),
    logged as ``train_eval_loss``. Unlike :class:`EarlyStopping` with
    ``monitor="train_loss"`` (the mean loss of the training-mode mini-batches
    while the weights were still changing), that is the loss of the weights
    restored at the end. Training never stops early.

    With ``dirname``, the best weights are also written to
    ``dirname/best.safetensors`` whenever they improve, and the whole training
    state after every epoch (weights, optimizer and schedule state, random
    number generators, history) to ``dirname/last.safetensors``; each file is
    replaced atomically. ``resume=True`` loads ``last.safetensors`` (when it
    exists) at the start of training and continues from the epoch after it, up
    to ``max_epochs`` in all: an interrupted run resumed this way gives the same
    weights as an uninterrupted one on the CPU.

    Parameters
    ----------
    dirname : str, path-like or None, default=None
        Folder of the checkpoint files (created if needed); None keeps the best
        weights in memory only.
    monitor : str or None, default=None
        History key to judge epochs by (losses and errors are minimised, scores
        maximised); None as described above.
    every : int, default=1
        Evaluate every ``every`` epochs (and at the last one); each evaluation
        costs one forward pass over the training data (only when ``monitor`` is
        None and there is no validation set).
    compute_loss : callable ``(module, batch) -> scalar tensor`` or None, default=None
        Loss of the eval pass; None uses the trainer's training loss.
    resume : bool, default=False
        Continue from ``dirname/last.safetensors`` when it exists.
    restore_best_weights : bool, default=True
        Load the best weights into the module when training ends.

    Attributes
    ----------
    best_ : float
        Best monitored value.
    best_epoch_ : int or None
        Epoch whose weights are restored.
    resumed_epoch_ : int or None
        The epoch a resumed training continued after.

    Examples
    --------
    >>> import torch
    >>> from deepmine.nn import Checkpoint, Trainer
    >>> X = torch.randn(32, 3); y = X.sum(1, keepdim=True)
    >>> mse = lambda m, b: torch.nn.functional.mse_loss(m(b[0]), b[1])
    >>> cp = Checkpoint()
    >>> h = Trainer(max_epochs=5, callbacks=[cp], random_state=0).fit(torch.nn.Linear(3, 1), (X, y), compute_loss=mse)
    >>> cp.best_ == min(h["train_eval_loss"])
    True
    """

    def __init__(self, dirname=None, *, monitor=None, every=1, compute_loss=None, resume=False,
                 restore_best_weights=True):
        self.dirname = dirname
        self.monitor = monitor
        self.every = every
        self.compute_loss = compute_loss
        self.resume = resume
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, trainer):
        lower = self.monitor is None or lower_is_better(self.monitor)
        self.best_ = math.inf if lower else -math.inf
        self.best_epoch_ = None
        self.best_state_ = None
        self.resumed_epoch_ = None
        self._warned_ = False
        self.last_epoch_ = len(trainer.history_) + trainer.max_epochs
        if self.dirname is not None and self.resume:
            from deepmine.nn._state import load_training_state

            meta = load_training_state(self.dirname, trainer)
            if meta is not None:
                if meta["best"] is not None:
                    self.best_, self.best_epoch_ = meta["best"], meta["best_epoch"]
                self.best_state_ = meta["best_state"]
                self.resumed_epoch_ = len(trainer.history_)

    def _value(self, trainer, logs):
        if self.monitor is not None:
            return monitored(self, logs, self.monitor)
        value = logs.get("valid_loss")
        if value is None:
            epoch = logs["epoch"]
            if epoch % self.every and epoch != self.last_epoch_:
                return None
            value = trainer.evaluate_loss(trainer.train_, self.compute_loss)
            logs["train_eval_loss"] = value
        return value

    def on_epoch_end(self, trainer, logs):
        value = self._value(trainer, logs)
        sign = 1.0 if self.monitor is None or lower_is_better(self.monitor) else -1.0
        if value is not None and sign * value < sign * self.best_:
            self.best_, self.best_epoch_ = value, logs["epoch"]
            self.best_state_ = snapshot(trainer.module)
            if self.dirname is not None:
                from deepmine.nn._state import save_weights

                save_weights(self.best_state_, self.dirname, "best.safetensors")
        if self.dirname is not None:
            from deepmine.nn._state import save_training_state

            save_training_state(self.dirname, trainer, best=self.best_,
                                best_epoch=self.best_epoch_)

    def on_train_end(self, trainer):
        if self.restore_best_weights and self.best_state_ is not None:
            trainer.module.load_state_dict(self.best_state_)
            trainer.best_epoch = self.best_epoch_


class ProgressBar(Callback):
    """A tqdm progress bar over epochs showing the latest losses (the only terminal output of training).

    Examples
    --------
    >>> from deepmine.nn import ProgressBar
    >>> bar = ProgressBar()
    """

    def on_train_begin(self, trainer):
        from tqdm.auto import tqdm

        self.bar_ = tqdm(total=trainer.max_epochs, desc=trainer.description, unit="epoch",
                         leave=True)

    def on_epoch_end(self, trainer, logs):
        shown = {k: f"{v:.4g}" for k, v in logs.items()
                 if k in ("train_loss", "valid_loss", "valid_score") and v is not None}
        self.bar_.set_postfix(shown, refresh=False)
        self.bar_.update(1)

    def on_train_end(self, trainer):
        self.bar_.close()
