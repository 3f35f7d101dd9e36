"""The one training loop of deepmine: mini-batches of in-memory tensors, a Dataset or a DataLoader."""

import math
import time
import warnings

import torch

from deepmine.exceptions import DivergenceError
from deepmine.nn._callbacks import EarlyStopping, ProgressBar
from deepmine.nn._data import batches, check_data, is_tensors, module_dtype
from deepmine.nn._engine_params import store_params, trainer_params
from deepmine.nn._history import History
from deepmine.nn._optim import get_optimizer, get_scheduler
from deepmine.nn._precision import Precision
from deepmine.utils._warnings import user_stacklevel

#: In-memory data up to this size is shuffled by one copy per epoch (then sliced); larger data
#: is gathered batch by batch through one permutation, so its peak memory stays that of the data.
_SHUFFLE_COPY_BYTES = 32 * 2**20
#: A finite training loss counts as diverged only above this (and ``max_loss_growth`` x its start).
_EXPLODED_LOSS = 1e6


class Trainer:
    """Train any ``torch.nn.Module`` with a loss function, over tensors.

    Parameters
    ----------
    optimizer : str, default="adam"
        See :func:`deepmine.nn.get_optimizer`.
    learning_rate : float or None, default=None
    momentum : float, default=0.9
    weight_decay : float, default=0.0
    lr_schedule : str or (str, dict), default="constant"
        See :func:`deepmine.nn.get_scheduler`.
    batch_size : int, default=64
    max_epochs : int, default=100
    shuffle : bool, default=True
    early_stopping : bool, default=False
        Stop when the validation loss (or, without a validation set, the
        training loss) stops improving, and restore the best weights.
    patience : int, default=10
    tol : float, default=1e-4
    callbacks : list of Callback or None, default=None
    verbose : int, default=0
        Truthy shows a tqdm progress bar.
    random_state : int or None, default=None
        Seeds the order of mini-batches; None draws a fresh seed on every ``fit``.
    description : str, default="training"
        Label of the progress bar and of error messages.
    max_loss_growth : float or None, default=1e4
        Divergence check beyond NaN/inf: an epoch whose training loss exceeds both
        ``max_loss_growth`` times the loss of the first batch (before any update)
        and ``1e6`` raises :class:`~deepmine.exceptions.DivergenceError`. None
        turns this check off (for losses that are not bounded by their start).
    precision : {"32", "bf16-mixed", "16-mixed"}, default="32"
        ``"bf16-mixed"`` and ``"16-mixed"`` run the forward pass and the loss under
        :func:`torch.autocast` in bfloat16 or float16 (the weights and the
        optimizer stay float32); float16 scales the loss with a GradScaler.
    devices : int, list of int or "auto", default="auto"
        With ``strategy="ddp"``: the number of processes (on the CPU, or the
        first GPUs), a list of GPU ids, or ``"auto"`` (every visible GPU; one
        process on the CPU). Ignored without a strategy and under ``torchrun``.
    strategy : {None, "ddp"}, default=None
        None trains in this process. ``"ddp"`` trains one process per device
        with :class:`~torch.nn.parallel.DistributedDataParallel`, or joins the
        process group of ``torchrun``: each rank takes every ``world``-th row
        of the same seeded permutation, so ``batch_size`` is per process
        (``world * batch_size`` rows per step); losses are summed over the
        ranks, callbacks run on rank 0, and every rank ends with rank 0's
        weights. ``compute_loss`` and ``score`` must pickle (module-level).

    Notes
    -----
    When ``max_epochs`` ends while the monitored loss (``valid_loss``, else
    ``train_loss``) still improved by more than ``tol`` within the last
    ``patience`` epochs, a :class:`~sklearn.exceptions.ConvergenceWarning` says so.

    Attributes
    ----------
    module : torch.nn.Module
        The module being trained.
    optimizer_ : torch.optim.Optimizer
    history_ : History
        The history of the current ``fit``.
    train_ : tuple of torch.Tensor, Dataset or DataLoader
        The training data of the current ``fit`` (for callbacks such as
        :class:`~deepmine.nn.Checkpoint` that evaluate on it).
    valid_ : tuple of torch.Tensor, Dataset, DataLoader or None
        The validation data of the current ``fit``.
    scheduler_ : torch.optim.lr_scheduler.LRScheduler or None
    generator_ : torch.Generator
        Draws the order of the mini-batches (saved and restored by a resumable
        :class:`~deepmine.nn.Checkpoint`).
    stop_training : bool
        Set by callbacks to end training after the current epoch.
    interrupted : bool
        True when Ctrl-C (``KeyboardInterrupt``) ended the last ``fit``: training
        stops at once, the weights are kept as they are (callbacks' ``on_train_end``
        still runs) and a warning says so; multi-stage fits read this flag and stop.

    Examples
    --------
    >>> import torch
    >>> from deepmine.nn import Trainer
    >>> X = torch.randn(64, 3); y = X @ torch.tensor([[1.0], [-2.0], [0.5]])
    >>> net = torch.nn.Linear(3, 1)
    >>> mse = lambda module, batch: torch.nn.functional.mse_loss(module(batch[0]), batch[1])
    >>> history = Trainer(max_epochs=200, learning_rate=0.05, random_state=0).fit(net, (X, y), compute_loss=mse)
    >>> history[-1]["train_loss"] < 1e-3
    True
    """

    #: An estimator whose short training is its design (not a lapse) turns the warning off.
    warn_convergence = True
    #: How that warning names the epoch limit; None: ``max_epochs=<max_epochs>``.
    max_epochs_text = None

    def __init__(self, *, optimizer="adam", learning_rate=None, momentum=0.9, weight_decay=0.0,
                 lr_schedule="constant", batch_size=64, max_epochs=100, shuffle=True,
                 early_stopping=False, patience=10, tol=1e-4, callbacks=None, verbose=0,
                 random_state=None, description="training", max_loss_growth=1e4, precision="32",
                 devices="auto", strategy=None):
        store_params(self, locals())

    @classmethod
    def from_estimator(cls, estimator, **overrides):
        """The Trainer of an estimator: its engine parameters (``TRAINER_PARAMS``), then ``overrides``.

        Parameters
        ----------
        estimator : object
            Read for every name of :data:`deepmine.nn._engine_params.TRAINER_PARAMS`
            (the engine default where it has no such attribute).
        **overrides
            Trainer arguments that replace or add to those, e.g. ``max_epochs=1``
            for ``partial_fit`` or ``description``.

        Returns
        -------
        Trainer

        Examples
        --------
        >>> from deepmine.nn import Trainer
        >>> from deepmine.tabular import MLPClassifier
        >>> trainer = Trainer.from_estimator(MLPClassifier(batch_size=32), max_epochs=1)
        >>> trainer.batch_size, trainer.max_epochs, trainer.precision
        (32, 1, '32')
        """
        return cls(**{**trainer_params(estimator), **overrides})

    #: The data-parallel process group while a ``strategy="ddp"`` fit runs, else None.
    group_ = None

    def _callbacks(self):
        cbs = list(self.callbacks or [])
        if self.early_stopping and not any(isinstance(c, EarlyStopping) for c in cbs):
            cbs.append(EarlyStopping(patience=self.patience, min_delta=self.tol))
        if self.verbose:
            cbs.append(ProgressBar())
        return cbs

    def fit(self, module, train, valid=None, *, compute_loss, score=None, optimizer=None,
            history=None):
        """Train ``module`` and return the :class:`~deepmine.nn.History`.

        Parameters
        ----------
        module : torch.nn.Module
        train : tuple of torch.Tensor, torch.utils.data.Dataset or DataLoader
            Tensors with the same first dimension (inputs, targets, ...), each
            mini-batch being the tuple of their rows; or a Dataset whose items
            are such tuples (read in shuffled mini-batches of ``batch_size``,
            never all at once); or a DataLoader, used as it is. Batches go to
            the module's device, floating-point tensors cast to its dtype.
        valid : tuple of torch.Tensor, Dataset, DataLoader or None
            Held-out data for ``valid_loss`` / ``valid_score``.
        compute_loss : callable ``(module, batch) -> scalar tensor``
            The mean loss of a batch. A loss that does not require a gradient
            (a batch that carries no update, such as the perceptron's
            correctly classified samples) skips the backward pass and the
            optimizer step; an epoch with a nonzero loss and no gradient at all
            raises a RuntimeError.
        score : callable ``(module, valid) -> float`` or None
            Validation score (higher is better), e.g. accuracy.
        optimizer : torch.optim.Optimizer or None
            Continue with this optimizer (``partial_fit``, ``warm_start``).
        history : History or None
            Append to this history.

        Returns
        -------
        History
        """
        if self.strategy is not None and self.group_ is None:
            from deepmine.nn._distributed import fit_data_parallel

            return fit_data_parallel(self, module, train, valid, compute_loss=compute_loss,
                                     score=score, optimizer=optimizer, history=history)
        check_data(train)
        if valid is not None:
            check_data(valid, "valid")
        self.module = module
        self.stop_training = False
        self.interrupted = False
        self.best_epoch = None
        params = [p for p in module.parameters() if p.requires_grad]
        self.optimizer_ = optimizer or get_optimizer(
            self.optimizer, params, learning_rate=self.learning_rate,
            momentum=self.momentum, weight_decay=self.weight_decay)
        self.scheduler_ = get_scheduler(self.lr_schedule, self.optimizer_,
                                        max_epochs=self.max_epochs)
        history = History() if history is None else history
        self.history_, self.train_, self.valid_ = history, train, valid
        self.compute_loss_ = compute_loss
        first = next(module.parameters(), None)
        self.device_ = first.device if first is not None else torch.device("cpu")
        self.dtype_ = module_dtype(module)
        self.precision_ = Precision(self.precision, self.device_)
        self.generator_ = torch.Generator()
        if self.random_state is None:
            self.generator_.seed()
        else:
            self.generator_.manual_seed(int(self.random_state))
        group, train_module = self.group_, module
        if group is not None:  # every rank draws the same permutations; rank 0 runs the callbacks
            if self.random_state is None:
                seed = group.broadcast(self.generator_.initial_seed() % 2**53)
                self.generator_.manual_seed(int(seed))
            train_module = group.wrap(module)
        callbacks = self._callbacks() if group is None or group.rank == 0 else []
        self.callbacks_ = callbacks
        self._first_loss = None
        begin = len(history)
        for cb in callbacks:
            cb.on_train_begin(self)
        if group is not None:
            group.check_same_start(history)
        # a resumed Checkpoint may have restored epochs: run the rest up to max_epochs
        for epoch in range(len(history) + 1, begin + self.max_epochs + 1):
            try:
                self._epoch(epoch, train_module, train, valid, compute_loss, score, history,
                            callbacks)
            except KeyboardInterrupt:
                self._interrupted(epoch)
                break
            if group is not None:
                self.stop_training = bool(group.broadcast(self.stop_training))
            if self.stop_training:
                break
        for cb in callbacks:
            cb.on_train_end(self)
        if group is not None:
            group.sync(module)
        module.eval()
        self._warn_if_improving(history[begin:])
        return history

    def _epoch(self, epoch, module, train, valid, compute_loss, score, history, callbacks):
        tic = time.perf_counter()
        train_loss = self._run_epoch(module, train, compute_loss)
        if not math.isfinite(train_loss) or self._exploded(train_loss):
            self._diverged(epoch, train_loss)
        row = {"epoch": epoch, "train_loss": train_loss, "valid_loss": None,
               "valid_score": None, "lr": self.optimizer_.param_groups[0]["lr"]}
        if valid is not None:
            row["valid_loss"], row["valid_score"] = (
                self._evaluate(self.module, valid, compute_loss, score) if self.group_ is None
                else self.group_.evaluate(self, self.module, valid, compute_loss, score))
        row["seconds"] = time.perf_counter() - tic
        history.append(row)
        scheduler = self.scheduler_
        if scheduler is not None:
            if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                scheduler.step(row["valid_loss"] if row["valid_loss"] is not None else train_loss)
            else:
                scheduler.step()
        for cb in callbacks:
            cb.on_epoch_end(self, row)

    def _interrupted(self, epoch):
        self.interrupted = True
        warnings.warn(f"{self.description} interrupted during epoch {epoch}; keeping the "
                      f"weights as they are.", UserWarning, stacklevel=user_stacklevel())

    def _run_epoch(self, module, train, compute_loss):
        module.train()
        order = None
        if self.shuffle and is_tensors(train):  # one permutation; each batch gathers its rows
            order = torch.randperm(train[0].shape[0], generator=self.generator_).to(train[0].device)
            if sum(t.nelement() * t.element_size() for t in train) <= _SHUFFLE_COPY_BYTES:
                train, order = tuple(t[order] for t in train), None
        group = self.group_
        if group is not None:  # this rank's rows: perm[rank::world] (DistributedSampler)
            train, order = group.shard(train, order, self.generator_, self.shuffle)
        losses, sizes, stepped, dirty = [], [], False, True
        opt, amp = self.optimizer_, self.precision_
        for batch in batches(train, self.batch_size, self.device_, self.dtype_, order=order,
                             shuffle=self.shuffle and group is None, generator=self.generator_):
            if dirty:                 # gradients are None again after a batch without one
                opt.zero_grad(set_to_none=True)
            with amp.autocast():
                loss = compute_loss(module, batch)
            dirty = loss.requires_grad
            if dirty:                 # no gradient: nothing to update (what step() would do)
                amp.step(loss, opt)
                stepped = True
            losses.append(loss.detach())
            sizes.append(batch[0].shape[0])
        if not losses:
            raise ValueError(f"{self.description}: the training data holds no samples.")
        if not stepped and bool(torch.stack(losses).any()):
            raise RuntimeError(f"{self.description}: the loss does not depend on any trainable "
                               f"parameter (no batch had a gradient); check that the network "
                               f"has parameters with requires_grad=True and that the loss uses "
                               f"its output.")
        # one reduction per epoch instead of two tensor ops per step; batches are weighted by size
        if self._first_loss is None:
            self._first_loss = float(losses[0] if group is None
                                     else group.reduce([losses[0]])[0] / group.world)
        weights = torch.as_tensor(sizes, dtype=torch.float32, device=losses[0].device)
        total = (torch.stack(losses).float() * weights).sum()
        if group is not None:  # the loss over all ranks' rows
            total, count = group.reduce([total, sum(sizes)])
            return float(total) / float(count)
        return float(total) / sum(sizes)

    @torch.no_grad()
    def _evaluate(self, module, valid, compute_loss, score):
        module.eval()
        total, count = 0.0, 0
        with self.precision_.autocast():
            for batch in batches(valid, max(self.batch_size, 1024), self.device_, self.dtype_):
                size = batch[0].shape[0]
                total += float(compute_loss(module, batch)) * size
                count += size
            value = score(module, valid) if score is not None else None
        return total / max(count, 1), value

    def _warn_if_improving(self, rows):
        """ConvergenceWarning when all ``max_epochs`` ran and the loss still improved at the end."""
        if (not self.warn_convergence or self.stop_training or self.interrupted
                or self.max_epochs < 2 or len(rows) < 2):
            return
        key = "valid_loss" if rows[-1].get("valid_loss") is not None else "train_loss"
        values = [r[key] for r in rows if r.get(key) is not None]
        recent = min(self.patience, len(values) - 1)
        if recent < 1 or not min(values[-recent:]) < min(values[:-recent]) - self.tol:
            return
        from sklearn.exceptions import ConvergenceWarning

        # one text per estimator and setting, so that repeated fits (cross-validation) warn once
        limit = self.max_epochs_text or f"max_epochs={self.max_epochs}"
        warnings.warn(f"{self.description} stopped at {limit} while the "
                      f"{key} was still improving by more than tol={self.tol:g}; raise "
                      f"max_epochs or use early_stopping=True.",
                      ConvergenceWarning, stacklevel=user_stacklevel())

    def evaluate_loss(self, tensors, compute_loss=None):
        """Mean loss of the module over ``tensors`` in eval mode (``compute_loss=None``: the training loss)."""
        loss, _ = self._evaluate(self.module, tensors, compute_loss or self.compute_loss_, None)
        return loss

    def _exploded(self, loss):
        """A finite loss that grew far beyond where training started (and beyond 1e6)."""
        if self.max_loss_growth is None or self._first_loss is None:
            return False
        return loss > _EXPLODED_LOSS and loss > self.max_loss_growth * abs(self._first_loss)

    def _diverged(self, epoch, loss):
        lr = self.optimizer_.param_groups[0]["lr"]
        what = (f"became {loss}" if not math.isfinite(loss)
                else f"grew to {loss:.3g} from {self._first_loss:.3g} at the start")
        other = ", or use optimizer='adam'" if self.optimizer not in ("adam", "adamw") else ""
        raise DivergenceError(
            f"{self.description} diverged at epoch {epoch}: the training loss {what}. "
            f"Lower the learning rate (now {lr:g}; try {lr / 10:g}) or standardize the "
            f"inputs{other}.")
