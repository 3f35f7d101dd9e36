"""Callbacks: hooks into the training loop. Stopping is a flag (``trainer.stop_training``)."""

import copy
import math


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
        History key to minimise; None means ``valid_loss`` when a validation set
        exists, else ``train_loss``.
    patience : int, default=10
    min_delta : float, default=1e-4
        An improvement smaller than this does not count.
    restore_best_weights : bool, default=True
    stop_at : float or None, default=None
        Stop as soon as the monitored value is at or below this (0.0 for a
        perceptron that classifies every training example correctly).

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
        self.best_ = math.inf
        self.best_epoch_ = None
        self.best_state_ = None
        self.wait_ = 0

    def on_epoch_end(self, trainer, logs):
        key = self.monitor or ("valid_loss" if logs.get("valid_loss") is not None else "train_loss")
        value = logs.get(key)
        if value is None:
            return
        if value < self.best_ - self.min_delta:
            self.best_, self.best_epoch_, self.wait_ = value, logs["epoch"], 0
            if self.restore_best_weights:
                self.best_state_ = copy.deepcopy(trainer.module.state_dict())
        else:
            self.wait_ += 1
            if self.wait_ >= self.patience:
                trainer.stop_training = True
        if self.stop_at is not None and value <= self.stop_at:
            trainer.stop_training = True

    def on_train_end(self, trainer):
        if self.restore_best_weights and self.best_state_ is not None:
            trainer.module.load_state_dict(self.best_state_)
            trainer.best_epoch = self.best_epoch_


class Checkpoint(Callback):
    """Keep the weights of the best epoch, judged in eval mode, and restore them at the end.

    Unlike :class:`EarlyStopping` with ``monitor="train_loss"`` (the mean loss of
    the training-mode mini-batches while the weights were still changing), the
    value compared here belongs to the weights that are kept: the validation
    loss when the trainer has a validation set, otherwise the loss of one
    eval-mode pass over the training data after the epoch (batch-norm layers use
    their running statistics, dropout is off). That value is logged as
    ``train_eval_loss``. Training never stops early.

    Parameters
    ----------
    every : int, default=1
        Evaluate every ``every`` epochs (and at the last one); each evaluation
        costs one forward pass over the training data.
    compute_loss : callable ``(module, batch) -> scalar tensor`` or None, default=None
        Loss of the eval pass; None uses the trainer's training loss.

    Attributes
    ----------
    best_ : float
        Best monitored value.
    best_epoch_ : int or None
        Epoch whose weights are restored.

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

    def __init__(self, every=1, compute_loss=None):
        self.every = every
        self.compute_loss = compute_loss

    def on_train_begin(self, trainer):
        self.best_ = math.inf
        self.best_epoch_ = None
        self.best_state_ = None
        self.last_epoch_ = len(trainer.history_) + trainer.max_epochs

    def on_epoch_end(self, trainer, logs):
        value = logs.get("valid_loss")
        if value is None:
            epoch = logs["epoch"]
            if epoch % self.every and epoch != self.last_epoch_:
                return
            value = trainer.evaluate_loss(trainer.train_, self.compute_loss)
            logs["train_eval_loss"] = value
        if value < self.best_:
            self.best_, self.best_epoch_ = value, logs["epoch"]
            self.best_state_ = copy.deepcopy(trainer.module.state_dict())

    def on_train_end(self, trainer):
        if self.best_state_ is not None:
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
