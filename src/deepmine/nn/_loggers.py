"""Callbacks that add to or write out the history: CSVLogger, EpochScoring, LRMonitor."""

import csv
import math
from pathlib import Path

from deepmine.nn._callbacks import Callback


class CSVLogger(Callback):
    """Write each epoch's history row to a CSV file as training goes.

    The columns are the keys of the first row (callbacks listed before the
    logger add theirs, e.g. ``train_eval_loss`` of a :class:`Checkpoint`); each
    row is written (and the file closed) at the end of its epoch.

    Parameters
    ----------
    filename : str or path-like
    separator : str, default=","
    append : bool, default=False
        Append to an existing file (no second header) instead of replacing it.

    Examples
    --------
    >>> import os, tempfile, torch
    >>> from deepmine.nn import CSVLogger, Trainer
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> X = torch.randn(16, 2); mse = lambda m, b: torch.nn.functional.mse_loss(m(b[0]), b[0])
    >>> _ = Trainer(max_epochs=3, callbacks=[CSVLogger(path)], random_state=0).fit(
    ...     torch.nn.Linear(2, 2), (X,), compute_loss=mse)
    >>> from pathlib import Path
    >>> Path(path).read_text().splitlines()[0]
    'epoch,train_loss,valid_loss,valid_score,lr,seconds'
    """

    def __init__(self, filename, separator=",", append=False):
        self.filename = filename
        self.separator = separator
        self.append = append

    def on_train_begin(self, trainer):
        path = Path(self.filename)
        self._fields = None
        self._header = not (self.append and path.exists() and path.stat().st_size > 0)
        if not self.append:
            path.write_text("")

    def on_epoch_end(self, trainer, logs):
        if self._fields is None:
            self._fields = list(logs)
        # opened per epoch: no file stays open if training fails, and each row is on disk at once
        with open(self.filename, "a", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=self._fields, delimiter=self.separator,
                                    extrasaction="ignore")
            if self._header:
                writer.writeheader()
                self._header = False
            writer.writerow({k: "" if v is None else v for k, v in logs.items()})


class EpochScoring(Callback):
    """Score the estimator on the validation split after every epoch with a scikit-learn scorer.

    The score goes into the history under ``name``, so :class:`EarlyStopping`
    or :class:`Checkpoint` can monitor it. It is computed on the validation
    rows as the user passed them (``estimator.predict`` etc. see the raw
    inputs), so the estimator needs ``validation_fraction > 0``. With a bare
    :class:`~deepmine.nn.Trainer` (no estimator), ``scoring`` must be a
    callable ``(module, valid) -> float``.

    Parameters
    ----------
    scoring : str or callable
        A scorer name of :func:`sklearn.metrics.get_scorer` (``"f1_macro"``,
        ``"roc_auc"``, ``"neg_mean_absolute_error"``...) or a scorer callable
        ``(estimator, X, y) -> float``.
    name : str or None, default=None
        History key; None means ``"valid_" + scoring`` (``"valid_score"`` for a callable).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from deepmine.nn import EpochScoring
    >>> from deepmine.tabular import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier((8,), max_epochs=3, validation_fraction=0.2, random_state=0,
    ...                     callbacks=[EpochScoring("f1_macro")]).fit(X, y)
    >>> len(clf.history_["valid_f1_macro"])
    3
    """

    def __init__(self, scoring, name=None):
        self.scoring = scoring
        self.name = name

    def _key(self):
        if self.name is not None:
            return self.name
        return f"valid_{self.scoring}" if isinstance(self.scoring, str) else "valid_score"

    def on_train_begin(self, trainer):
        from deepmine.exceptions import InvalidParameterError

        self._estimator = getattr(trainer, "estimator", None)
        if self._estimator is None:
            if isinstance(self.scoring, str) or not callable(self.scoring):
                raise InvalidParameterError(
                    f"EpochScoring({self.scoring!r}) scores an estimator; with a bare Trainer pass "
                    f"a callable (module, valid) -> float instead.")
            self._scorer = None
            return
        if getattr(trainer, "validation_data", None) is None:
            raise InvalidParameterError(
                f"EpochScoring({self.scoring!r}) needs a validation split; set "
                f"validation_fraction (e.g. 0.1) on {type(self._estimator).__name__}.")
        from sklearn.metrics import check_scoring

        self._scorer = check_scoring(self._estimator, scoring=self.scoring)

    def on_epoch_end(self, trainer, logs):
        if self._scorer is None:
            if trainer.valid_ is not None:
                logs[self._key()] = float(self.scoring(trainer.module, trainer.valid_))
            return
        X, y = trainer.validation_data
        logs[self._key()] = float(self._scorer(self._estimator, X, y))

    def on_train_end(self, trainer):
        self._estimator = self._scorer = None  # no reference to the estimator is kept


class LRMonitor(Callback):
    """Log the learning rate (and momentum) that every parameter group used in each epoch.

    Adds ``lr_<i>`` for every parameter group ``i`` and, for optimizers with a
    momentum (SGD's ``momentum``, Adam's first ``beta``), ``momentum_<i>``. The
    ``lr`` key the trainer always logs is the first group's rate.

    Examples
    --------
    >>> import torch
    >>> from deepmine.nn import LRMonitor, Trainer
    >>> X = torch.randn(16, 2); mse = lambda m, b: torch.nn.functional.mse_loss(m(b[0]), b[0])
    >>> h = Trainer(max_epochs=3, learning_rate=0.1, lr_schedule="exponential", random_state=0,
    ...             callbacks=[LRMonitor()]).fit(torch.nn.Linear(2, 2), (X,), compute_loss=mse)
    >>> [round(v, 4) for v in h["lr_0"]]
    [0.1, 0.095, 0.0902]
    """

    def __init__(self, log_momentum=True):
        self.log_momentum = log_momentum

    def _read(self, trainer):
        out = {}
        for i, group in enumerate(trainer.optimizer_.param_groups):
            out[f"lr_{i}"] = float(group["lr"])
            if self.log_momentum:
                momentum = group.get("momentum", group.get("betas", (None,))[0])
                if momentum is not None and not (isinstance(momentum, float) and math.isnan(momentum)):
                    out[f"momentum_{i}"] = float(momentum)
        return out

    def on_train_begin(self, trainer):
        self._current = self._read(trainer)

    def on_epoch_end(self, trainer, logs):
        logs.update(self._current)          # the rates of this epoch (the schedule already stepped)
        self._current = self._read(trainer)
