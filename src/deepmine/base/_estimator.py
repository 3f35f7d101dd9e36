"""BaseDeepEstimator: the scikit-learn estimator around :class:`deepmine.nn.Trainer`."""

import copy
from numbers import Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from deepmine.exceptions import DivergenceError, InvalidParameterError
from deepmine.nn import History, Trainer
from deepmine.nn._engine_params import ENGINE_CONSTRAINTS, ENGINE_DEFAULTS, engine_params_doc
from deepmine.nn._inference import INFERENCE_BATCH, batched_forward
from deepmine.nn._optim import check_optimizer
from deepmine.nn._sklearn_names import SKLEARN_NAMES, guard_sklearn_names, sklearn_name_error
from deepmine.utils import resolve_device, resolve_seed
from deepmine.utils._param_validation import Interval, StrOptions, validate_params
from deepmine.utils._warnings import user_stacklevel

#: The engine parameters (names, defaults, documentation) live in :mod:`deepmine.nn._engine_params`.
ENGINE_PARAMS_DOC = engine_params_doc()


#: A validation split smaller than this is not held out (too noisy to stop on); all rows train.
MIN_VALIDATION_ROWS = 5

#: Adversarial training (Goodfellow et al. 2015; Madry et al. 2018), shared by the classifiers.
ADVERSARIAL_CONSTRAINTS = {
    "adversarial": [StrOptions({"fgsm", "pgd"}), None],
    "adversarial_eps": [Interval(Real, 0, None, closed="neither")],
}

ADVERSARIAL_PARAMS_DOC = """adversarial : {"fgsm", "pgd"} or None, default=None
        Adversarial training: every batch's loss is the mean of the clean loss and
        the loss on adversarial versions of the batch crafted on the fly by
        :func:`deepmine.adversarial.fgsm` or :func:`deepmine.adversarial.pgd`
        (7 steps), clipped to the range of the training data.
    adversarial_eps : float, default=0.1
        Size of the adversarial perturbation (infinity norm, units of X)."""


class BaseDeepEstimator(BaseEstimator):
    """Template for neural estimators: subclasses supply the network and the loss.

    Subclasses implement ``_validate_fit(X, y, reset, context)`` (returning arrays;
    ``context`` is the fit's :class:`~deepmine.nn._fitdata.FitContext`, or None),
    ``_validate_predict(X)``, ``_build_module(context)`` (``context`` None when a saved
    model is rebuilt) and ``_compute_loss(module, batch)``;
    optionally ``_make_tensors``, ``_forward``, ``_validation_score``,
    ``_stratify_labels`` and ``_default_callbacks``.

    Examples
    --------
    A least-squares linear model in a dozen lines; everything else is inherited:

    >>> import numpy as np, torch
    >>> from sklearn.base import RegressorMixin
    >>> from deepmine.base import BaseDeepEstimator, DeepRegressorMixin
    >>> from deepmine.utils.validation import check_table
    >>> class LinearNet(DeepRegressorMixin, RegressorMixin, BaseDeepEstimator):
    ...     def __init__(self, *, max_epochs=100, learning_rate=0.05, random_state=None):
    ...         self.max_epochs, self.learning_rate = max_epochs, learning_rate
    ...         self.random_state = random_state
    ...     optimizer, momentum, weight_decay, lr_schedule, batch_size = "adam", 0.9, 0.0, "constant", 32
    ...     early_stopping, validation_fraction, patience, tol = False, None, 10, 1e-4
    ...     callbacks, device, verbose, warm_start = None, "cpu", 0, False
    ...     def _validate_fit(self, X, y, reset, context=None):
    ...         X, y = check_table(self, X, y=y, reset=reset)
    ...         return X, self._encode_targets(y, reset)
    ...     def _validate_predict(self, X):
    ...         return check_table(self, X, reset=False)
    ...     def _build_module(self, context=None):
    ...         return torch.nn.Linear(self.n_inputs_, self.n_outputs_)
    ...     def _compute_loss(self, module, batch):
    ...         return torch.nn.functional.mse_loss(module(batch[0]), batch[1])
    >>> X = np.random.RandomState(0).normal(size=(200, 3)); y = X @ [1.0, -2.0, 0.5] + 3
    >>> LinearNet(random_state=0).fit(X, y).score(X, y) > 0.99
    True
    """

    _parameter_constraints = dict(ENGINE_CONSTRAINTS)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None and not getattr(init, "_guards_sklearn_names", False):
            cls.__init__ = guard_sklearn_names(init)
            cls.__init__._guards_sklearn_names = True

    def set_params(self, **params):
        wrong = [k for k in params if k in SKLEARN_NAMES and k not in self.get_params(deep=False)]
        if wrong:
            raise sklearn_name_error(type(self), wrong)
        return super().set_params(**params)

    # ---- hooks ---------------------------------------------------------------------------
    def _validate_fit(self, X, y, reset, context=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def _validate_predict(self, X):  # pragma: no cover - abstract
        raise NotImplementedError

    def _build_module(self, context=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def _compute_loss(self, module, batch):  # pragma: no cover - abstract
        raise NotImplementedError

    def _make_tensors(self, X, y):
        """Arrays -> tuple of CPU tensors, one row per sample (sharing the arrays' memory)."""
        import warnings

        with warnings.catch_warnings():  # read-only inputs: the engine only reads its tensors
            warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
            tensors = [torch.as_tensor(np.ascontiguousarray(X))]
            if y is not None:
                tensors.append(torch.as_tensor(np.ascontiguousarray(y)))
        return tuple(tensors)

    def _forward(self, module, X):
        """Inference output of one batch (logits for classifiers)."""
        return module(X)

    def _validation_score(self, module, valid):
        return None

    def _stratify_labels(self, y):
        return None

    def _default_callbacks(self):
        return []

    def _training_loss(self, train):
        """The ``compute_loss`` handed to the Trainer (classifiers wrap it for adversarial training)."""
        return self._compute_loss

    # ---- training ------------------------------------------------------------------------
    def _validate_params(self):
        validate_params(self)

    def _check_params(self):
        try:
            self._validate_params()
        except ValueError as exc:  # sklearn's InvalidParameterError -> deepmine's
            raise InvalidParameterError(str(exc)) from None
        check_optimizer(self.optimizer)

    def _optimizer_spec(self):
        """The ``optimizer`` handed to the Trainer (a name, a class or a (name or class, options) pair)."""
        return self.optimizer

    def _is_fitted(self):
        return hasattr(self, "module_")

    #: See :class:`deepmine.nn.Trainer`; None for losses that may grow legitimately.
    _max_loss_growth = 1e4
    #: ConvergenceWarning when max_epochs ends while the loss still improves (the engine's).
    _warn_convergence = True

    def _discard_fitted_state(self):
        """Forget every fitted attribute (after a failed fit, the estimator is unfitted)."""
        for key in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, key)

    def fit(self, X, y=None):
        """Train the network on ``X`` (and ``y``) and return the fitted estimator."""
        return self._fit(X, y, partial=False)

    def _fit(self, X, y, *, partial, sample_weight=None, context=None):
        from deepmine.nn._fitdata import (FitContext, fit_data, on_device, split_dataset_for,
                                          validation_data)

        self._check_params()
        context = FitContext() if context is None else context
        context.partial = partial
        keep = self._is_fitted() and (partial or self.warm_start)
        raw = (X, y)
        X, y, sample_weight, dataset = fit_data(self, X, y, sample_weight, reset=not keep,
                                                context=context)
        self.device_ = resolve_device(self.device)
        if getattr(self, "strategy", None) is not None:  # this process's GPU, before the data moves
            from deepmine.nn._distributed import rank_device

            self.device_ = rank_device(self.device_, getattr(self, "devices", "auto"))
        seed = resolve_seed(self.random_state)
        devices = [self.device_.index or 0] if self.device_.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            if not keep:
                self.module_ = self._build_module(context)
                self.history_, optimizer = History(), None
            else:
                optimizer = getattr(self, "optimizer_", None)
            self.module_.to(self.device_)
            if dataset is None:
                tensors = self._make_tensors(X, y)
                if sample_weight is not None:
                    tensors = (*tensors, torch.as_tensor(sample_weight, dtype=torch.float32))
                train, valid = self._split(tensors, y, seed, context)
            else:
                train, valid = split_dataset_for(self, dataset, seed, partial,
                                                 MIN_VALIDATION_ROWS)
            train, valid = on_device(train, self.device_), on_device(valid, self.device_)
            n_rows = len(train[0]) if isinstance(train, (tuple, list)) else len(train)
            trainer = Trainer.from_estimator(
                self, optimizer=self._optimizer_spec(),
                max_epochs=1 if partial else self._max_epochs(n_rows),
                weight_decay=self._weight_decay(n_rows, keep),
                shuffle=getattr(self, "shuffle", True),
                early_stopping=self.early_stopping and not partial and (
                    valid is not None or self.validation_fraction == 0),
                callbacks=[*self._default_callbacks(), *(self.callbacks or [])],
                random_state=seed + len(self.history_), description=type(self).__name__,
                max_loss_growth=self._max_loss_growth)
            trainer.estimator = self  # for callbacks that score it (EpochScoring)
            trainer.warn_convergence = self._warn_convergence
            trainer.max_epochs_text = self._max_epochs_text(trainer.max_epochs)
            trainer.validation_data = validation_data(raw, valid, dataset, context)
            try:
                trainer.fit(self.module_, train, valid, compute_loss=self._training_loss(train),
                            score=self._validation_score, optimizer=optimizer, history=self.history_)
            except DivergenceError:
                self._discard_fitted_state()
                raise
            self.optimizer_ = trainer.optimizer_
        self.interrupted_ = trainer.interrupted  # Ctrl-C stopped this fit; the weights are kept
        self.n_iter_ = len(self.history_)
        self.loss_curve_ = self.history_["train_loss"]
        return self

    def _max_epochs(self, n_rows):
        """The epochs of this fit (estimators with a data-dependent default override it)."""
        return self.max_epochs

    def _max_epochs_text(self, epochs):
        """How the ConvergenceWarning names the limit (None: ``max_epochs=<epochs>``)."""
        return None

    def _weight_decay(self, n_rows, keep):
        """The L2 penalty of this fit (estimators with a data-dependent default override it)."""
        return getattr(self, "weight_decay", ENGINE_DEFAULTS["weight_decay"])

    def _split(self, tensors, y, seed, context):
        partial = context.partial
        fraction = self.validation_fraction
        if fraction is None:
            fraction = 0.1 if self.early_stopping else 0.0
        n = tensors[0].shape[0]
        n_valid = int(round(fraction * n))
        if partial or fraction == 0:
            return tensors, None
        if n_valid < MIN_VALIDATION_ROWS or n - n_valid < 1:
            return self._no_split(tensors, f"would hold {n_valid} of the {n} rows")
        from sklearn.model_selection import train_test_split

        labels = self._stratify_labels(y)
        if labels is not None and np.bincount(np.unique(labels, return_inverse=True)[1]).min() < 2:
            labels = None
        try:
            tr, va = train_test_split(np.arange(n), test_size=n_valid, random_state=seed,
                                      stratify=labels)
        except ValueError:
            tr, va = train_test_split(np.arange(n), test_size=n_valid, random_state=seed)
        classes = self._stratify_labels(y)
        if classes is not None and len(np.unique(classes[tr])) < len(np.unique(classes)):
            return self._no_split(tensors, "would leave a class without training rows")
        tr, va = torch.as_tensor(np.sort(tr)), torch.as_tensor(np.sort(va))
        context.valid_rows = va  # for EpochScoring on the raw validation rows
        return tuple(t[tr] for t in tensors), tuple(t[va] for t in tensors)

    def _no_split(self, tensors, why):
        """Data too small to hold out a validation part: warn and train on every row."""
        import warnings

        from deepmine.exceptions import DataWarning

        what = "early stopping" if self.early_stopping else "validation_fraction"
        after = " for max_epochs, without early stopping" if self.early_stopping else ""
        warnings.warn(f"The data is too small for {what}: the validation part {why} (at least "
                      f"{MIN_VALIDATION_ROWS} are needed); training on all rows{after} instead.",
                      DataWarning, stacklevel=user_stacklevel())
        return tensors, None

    # ---- inference -----------------------------------------------------------------------
    def _predict_raw(self, X, batch_size=INFERENCE_BATCH):
        """Run the network over ``X`` in batches (eval mode) and return a NumPy array."""
        if "module_" not in self.__dict__:
            check_is_fitted(self, "module_")
        X = self._validate_predict(X)
        (Xt,) = self._make_tensors(X, None)
        module = self.module_
        out = batched_forward(module, Xt, lambda xb: self._forward(module, xb),
                              batch_size=batch_size)
        return out.cpu().numpy()

    def summary(self, X=None):
        """Per-layer output shapes and parameter counts of the fitted network (as Keras prints them).

        Parameters
        ----------
        X : array-like or None, default=None
            Input to trace the output shapes on (its first row is used); None
            builds one row of zeros when the estimator knows its input width
            (tables and series), otherwise pass a sample.

        Returns
        -------
        deepmine.nn.Summary
            Prints as the table; ``layers``, ``total_params`` and
            ``trainable_params`` hold the numbers.

        Examples
        --------
        >>> import numpy as np
        >>> from deepmine.tabular import MLPRegressor
        >>> X = np.random.RandomState(0).rand(40, 3); y = X.sum(axis=1)
        >>> reg = MLPRegressor((8,), max_epochs=2, random_state=0).fit(X, y)
        >>> reg.summary().total_params  # 3*8 + 8 + 8*1 + 1 weights and biases
        41
        """
        from deepmine.nn._summary import summarize

        check_is_fitted(self, "module_")
        if X is None and getattr(self, "encoder_", None) is not None:
            Xt = torch.zeros(1, self.n_inputs_)  # the encoded width the network takes
        else:
            X = self._summary_sample() if X is None else X
            X = self._validate_predict(X[:1] if getattr(X, "shape", ()) else X)
            (Xt,) = self._make_tensors(X, None)
        module = self.module_
        param = next(module.parameters(), None)
        Xt = Xt[:1].to(param.device if param is not None else "cpu")
        return summarize(module, lambda xb: self._forward(module, xb), Xt, type(self).__name__)

    def _summary_sample(self):
        """One row of zeros in the layout ``_validate_predict`` takes (raises when unknown)."""
        n = getattr(self, "n_features_in_", None)
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            import pandas as pd

            return pd.DataFrame(np.zeros((1, len(names)), dtype=np.float32), columns=list(names))
        shape = getattr(self, "image_shape_", getattr(self, "input_shape_", None))
        if shape is not None:
            return np.zeros((1, *shape), dtype=np.float32)
        if isinstance(getattr(self, "sequence_length_", None), int):  # a forecaster's input window
            return np.zeros((1, 1, self.sequence_length_), dtype=np.float32)
        if isinstance(n, (int, np.integer)):
            return np.zeros((1, int(n)), dtype=np.float32)
        return self._no_sample()

    def _no_sample(self):
        raise ValueError(f"{type(self).__name__}.summary() needs a sample to trace the output "
                         f"shapes; pass X, e.g. summary(X[:1]).")

    # ---- persistence ---------------------------------------------------------------------
    def save(self, path):
        """Write the fitted estimator to ``path``: a JSON description plus safetensors weights.

        Load it back with :func:`deepmine.load`; loading never executes code
        from the file. The file is replaced atomically: a failed save (a full
        disk) leaves any previous file at ``path`` intact.

        Parameters
        ----------
        path : str or path-like
        """
        from deepmine._persistence import save_estimator

        check_is_fitted(self, "module_")
        save_estimator(self, path)

    def __getstate__(self):
        state = super().__getstate__()
        module = state.get("module_")
        if module is not None and any(p.device.type != "cpu" for p in module.parameters()):
            state["module_"] = copy.deepcopy(module).cpu()
            state.pop("optimizer_", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        dev = getattr(self, "device_", None)
        if dev is not None and dev.type != "cpu" and resolve_device(dev.type).type == "cpu":
            self.device_ = torch.device("cpu")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags
