"""Any ``torch.nn.Module`` behind the scikit-learn API: classifier, regressor and transformer.

The estimators take a module class (or instance) and route ``module__*``,
``optimizer__*`` and ``criterion__*`` parameters to the module, the optimizer
and the loss, so ``GridSearchCV`` can search the network's own arguments.
The input width is passed as ``module__n_inputs`` (and the number of classes
or targets as ``module__n_outputs``) when the module's constructor takes them;
the module is built once per ``fit``, after those are known. Training runs
through :class:`deepmine.nn.Trainer` like every deepmine estimator.
"""

import copy
import inspect

import numpy as np
import torch
from sklearn.base import ClassifierMixin, RegressorMixin

from deepmine.base import (ENGINE_PARAMS_DOC, BaseDeepEstimator, DeepClassifierMixin,
                           DeepRegressorMixin, store_params)
from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.nn._inference import batched_forward
from deepmine.nn._modules import MLPModule

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]

#: prefixes of the parameters routed to the module, the optimizer and the loss
ROUTED = ("module__", "optimizer__", "criterion__")


_NET_DOC = """module : torch.nn.Module subclass, instance or None, default=None
        The network; None is {default}. A class is built at each ``fit`` with the ``module__*``
        parameters, plus ``n_inputs`` (the size of X's second axis: the
        features of a table, the channels of images) and ``n_outputs`` ({out})
        when its constructor takes them and they are not given. An instance is
        copied at each ``fit`` (its ``module__*`` parameters cannot be set).
    criterion : torch.nn.Module subclass or instance, callable or None, default=None
        The loss ``criterion(output, target)``; a class is built with the
        ``criterion__*`` parameters. None: {loss}.
    {engine}
    **kwargs
        ``module__<name>``, ``optimizer__<name>`` (keyword arguments of the
        optimizer, e.g. ``optimizer__betas=(0.9, 0.99)``) and
        ``criterion__<name>`` parameters, searchable with ``GridSearchCV``."""


def _doc(out, loss, default=":class:`MLPModule` (one hidden layer of 100 ReLU units)"):
    return _NET_DOC.format(out=out, loss=loss, default=default, engine=ENGINE_PARAMS_DOC)


class _NeuralNet(BaseDeepEstimator):
    """Shared parts: routed parameters, building the module and the loss, input checks."""

    _parameter_constraints = {
        **BaseDeepEstimator._parameter_constraints,
        "module": [type, torch.nn.Module, None],
        "criterion": [type, callable, None],
    }

    #: the network when ``module=None``
    _default_module = MLPModule

    def __init__(self, module=None, *, criterion=None, optimizer="adam", learning_rate=None,
                 momentum=0.9, weight_decay=0.0, lr_schedule="constant", batch_size=64,
                 max_epochs=200, early_stopping=False, validation_fraction=None, patience=10,
                 tol=1e-4, callbacks=None, device="auto", random_state=None, verbose=0,
                 warm_start=False, devices="auto", strategy=None, precision="32", **kwargs):
        store_params(self, {k: v for k, v in locals().items() if k != "kwargs"})
        vars(self).update(kwargs)  # checked in fit, as scikit-learn checks parameters
        self._extra_params = tuple(kwargs)

    # ---- parameters ----------------------------------------------------------------------
    def _routed(self, prefix=None):
        return {k: v for k, v in vars(self).items()
                if k.startswith(ROUTED if prefix is None else prefix)}

    def get_params(self, deep=True):
        extra = {k: getattr(self, k) for k in getattr(self, "_extra_params", ()) if hasattr(self, k)}
        return {**super().get_params(deep=deep), **dict(sorted({**extra, **self._routed()}.items()))}

    def set_params(self, **params):
        routed = {k: v for k, v in params.items() if k.startswith(ROUTED)}
        _check_routed(type(self), routed)
        vars(self).update(routed)
        return super().set_params(**{k: v for k, v in params.items() if k not in routed})

    def _check_params(self):
        _check_routed(type(self), self.get_params(deep=False).keys() - set(
            inspect.signature(_NeuralNet.__init__).parameters))
        super()._check_params()
        module = self._module()
        if not (isinstance(module, torch.nn.Module)
                or (isinstance(module, type) and issubclass(module, torch.nn.Module))):
            raise InvalidParameterError(
                f"The 'module' parameter of {type(self).__name__} must be a torch.nn.Module "
                f"subclass or instance; got {module!r}.")
        if isinstance(module, torch.nn.Module) and self._routed("module__"):
            raise InvalidParameterError(
                f"module__* parameters ({', '.join(sorted(self._routed('module__')))}) need "
                f"module= a class; {type(self).__name__} got an instance of "
                f"{type(module).__name__}. Pass module={type(module).__name__} instead.")
        crit = self.criterion
        if isinstance(crit, type) and not issubclass(crit, torch.nn.Module):
            raise InvalidParameterError(f"The 'criterion' parameter of {type(self).__name__} "
                                        f"must be a torch.nn.Module subclass, an instance or a "
                                        f"callable; got the class {crit.__name__}.")
        if self._routed("criterion__") and not isinstance(crit, type):
            raise InvalidParameterError(f"criterion__* parameters need criterion= a class; got "
                                        f"{crit!r}.")

    def _optimizer_spec(self):
        options = {k[len("optimizer__"):]: v for k, v in self._routed("optimizer__").items()}
        return (self.optimizer, options) if options else self.optimizer

    # ---- data ------------------------------------------------------------------------------
    def _check_input(self, X, reset):
        from deepmine.utils.validation import check_table

        if isinstance(X, (np.ndarray, torch.Tensor)) and X.ndim > 2:
            from sklearn.utils.validation import check_array

            Xa = check_array(X, allow_nd=True, dtype=np.float32)
            if reset:
                self.input_shape_ = tuple(Xa.shape[1:])
                self.n_inputs_ = Xa.shape[1]
            elif tuple(Xa.shape[1:]) != self.input_shape_:
                raise DataError(f"X has samples of shape {tuple(Xa.shape[1:])}, but "
                                f"{type(self).__name__} was fitted on shape {self.input_shape_}.")
            return Xa
        if not reset and getattr(self, "input_shape_", None) is not None and \
                len(self.input_shape_) > 1:
            raise DataError(f"{type(self).__name__} was fitted on samples of shape "
                            f"{self.input_shape_}; got a 2-D X.")
        Xa = check_table(self, X, reset=reset)
        if reset:
            self.input_shape_ = (self.n_inputs_,)
        return Xa

    def _validate_predict(self, X):
        return self._check_input(X, reset=False)

    def _check_xy(self, X, y, reset):
        """X as ``_check_input`` takes it, and y of the same length without NaN or infinity."""
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y "
                             f"is None.")
        if not (isinstance(X, (np.ndarray, torch.Tensor)) and X.ndim > 2):
            from deepmine.utils.validation import check_table

            X, y = check_table(self, X, y=y, reset=reset)
            if reset:
                self.input_shape_ = (self.n_inputs_,)
            return X, y
        from sklearn.utils import assert_all_finite, check_consistent_length

        X = self._check_input(X, reset)
        check_consistent_length(X, y)
        if np.asarray(y).dtype.kind in "fc":
            assert_all_finite(y, input_name="y")
        return X, y

    # ---- network and loss ------------------------------------------------------------------
    def _module(self):
        return self._default_module if self.module is None else self.module

    def _module_kwargs(self):
        kwargs = {k[len("module__"):]: v for k, v in self._routed("module__").items()}
        try:
            accepted = inspect.signature(self._module()).parameters
        except (TypeError, ValueError):
            accepted = {}
        for name, value in (("n_inputs", self.n_inputs_), ("n_outputs", self._n_out())):
            if name in accepted and name not in kwargs and value is not None:
                kwargs[name] = int(value)
        return kwargs

    def _validate_fit(self, X, y, reset, context=None):
        X, y = self._check_xy(X, y, reset)
        if context is not None:  # the new network is checked on these rows in _build_module
            context.sample = X[:2]
        return X, self._encode_targets(y, reset, context)

    def _build_module(self, context=None):
        module = self._new_module()
        sample = getattr(context, "sample", None)
        if sample is not None:
            self._check_new_module(module, sample)
        return module

    def _new_module(self):
        module = self._module()
        if isinstance(module, torch.nn.Module):
            return copy.deepcopy(module)
        kwargs = self._module_kwargs()
        try:
            return module(**kwargs)
        except TypeError as exc:
            raise InvalidParameterError(
                f"{module.__name__}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}) "
                f"failed: {exc}. Set the module's arguments as module__<name> parameters.") from None

    def _criterion(self):
        crit = self.criterion
        if crit is None:
            return self._default_criterion()
        if isinstance(crit, type):
            kwargs = {k[len("criterion__"):]: v for k, v in self._routed("criterion__").items()}
            try:
                return crit(**kwargs)
            except TypeError as exc:
                raise InvalidParameterError(f"criterion {crit.__name__}(**{kwargs!r}) failed: "
                                            f"{exc}.") from None
        return crit

    def _restore_after_load(self):
        try:
            self.criterion_ = self._criterion()
        except InvalidParameterError as exc:
            from deepmine._persistence_checks import Refused

            raise Refused(str(exc)) from None

    def _fit(self, X, y, *, partial, sample_weight=None, context=None):
        self._check_params()
        self.criterion_ = self._criterion()
        if (sample_weight is not None and not hasattr(self.criterion_, "reduction")
                and self.criterion is not None):
            raise InvalidParameterError(
                f"sample_weight needs a criterion with a 'reduction' attribute (every torch.nn "
                f"loss has one) to weigh each sample's loss; {type(self.criterion_).__name__} "
                f"has none.")
        return super()._fit(X, y, partial=partial, sample_weight=sample_weight, context=context)

    def _compute_loss(self, module, batch):
        out = module(batch[0])
        target = batch[1] if len(batch) > 1 else batch[0]
        if out.ndim == 1 and target.ndim == 2 and target.shape[1] == 1:
            target = target[:, 0]
        if len(batch) < 3:
            return self.criterion_(out, target)
        from deepmine.nn._fitdata import weighted_mean

        if self.criterion is None:  # the default cross-entropy, with the class weights
            return self._classification_loss(out, target, batch[2])
        else:
            per_sample = copy.copy(self.criterion_)  # the same loss, one value per element
            per_sample.reduction = "none"
            losses = per_sample(out, target)
        return weighted_mean(losses.reshape(len(losses), -1).mean(1), batch[2])

    def _check_output(self, module, X, width, what):
        """Run the new network on two rows: a clear error if it fails or has the wrong width."""
        with torch.random.fork_rng():
            try:
                out = batched_forward(module, torch.as_tensor(X[:2]))
            except (RuntimeError, TypeError, ValueError) as exc:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise DataError(f"The module of {type(self).__name__} cannot run on samples of "
                                f"shape {tuple(X.shape[1:])}: {first}") from None
        got = out.shape[1] if out.ndim == 2 else (1 if out.ndim == 1 else None)
        if width is not None and got != width:
            raise DataError(f"The module of {type(self).__name__} returns outputs of shape "
                            f"{tuple(out.shape[1:])} per sample; {what} needs {width}.")
        return out

    def save(self, path):
        for name in ("module", "criterion"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, type):
                raise InvalidParameterError(
                    f"{type(self).__name__}.save needs {name}= a class (the file stores the class "
                    f"name and its {name}__* parameters, never code); got {value!r}. Pass "
                    f"{name}={type(value).__name__} with {name}__* parameters instead, or "
                    f"use pickle.")
        super().save(path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


def _check_routed(cls, kwargs):
    wrong = [k for k in kwargs if not k.startswith(ROUTED) or k in ROUTED]
    if wrong:
        raise InvalidParameterError(f"{cls.__name__} got unexpected keyword arguments {wrong}; arguments of "
                        f"the module, the optimizer and the loss are passed as module__<name>, "
                        f"optimizer__<name> and criterion__<name>.")


class NeuralNetClassifier(DeepClassifierMixin, ClassifierMixin, _NeuralNet):
    __doc__ = f"""Classifier around any ``torch.nn.Module`` that returns one logit per class.

    Parameters
    ----------
    {_doc("the number of classes", "cross-entropy on the class indices")}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    module_ : torch.nn.Module
        The trained network.
    criterion_ : callable
        The loss used.
    history_ : deepmine.nn.History
    n_features_in_ : int
        Defined for 2-D X.
    input_shape_ : tuple of int
        Shape of one sample.
    n_iter_ : int
    loss_curve_ : list of float
    device_ : torch.device

    Examples
    --------
    >>> import torch
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from deepmine.nn import NeuralNetClassifier
    >>> class Net(torch.nn.Module):
    ...     def __init__(self, n_inputs, n_outputs, hidden=8):
    ...         super().__init__()
    ...         self.layers = torch.nn.Sequential(torch.nn.Linear(n_inputs, hidden),
    ...                                           torch.nn.ReLU(), torch.nn.Linear(hidden, n_outputs))
    ...     def forward(self, x):
    ...         return self.layers(x)
    >>> X, y = load_iris(return_X_y=True)
    >>> net = NeuralNetClassifier(Net, max_epochs=50, learning_rate=0.01, random_state=0)
    >>> search = GridSearchCV(net, {{"module__hidden": [4, 16]}}, cv=3).fit(X, y)
    >>> sorted(search.best_params_), bool(search.best_score_ > 0.8)
    (['module__hidden'], True)
    """

    def _n_out(self):
        return len(self.classes_)

    def _default_criterion(self):
        return self._classification_loss

    def _check_new_module(self, module, sample):
        self._check_output(module, sample, len(self.classes_), f"a classifier of {len(self.classes_)} "
                                                               f"classes (one logit each)")


class NeuralNetRegressor(DeepRegressorMixin, RegressorMixin, _NeuralNet):
    __doc__ = f"""Regressor around any ``torch.nn.Module`` (targets standardized inside).

    The targets are standardized (mean 0, standard deviation 1 per column) for
    training and ``predict`` undoes it, so the module's output is in standard
    units (``y_mean_``, ``y_scale_``).

    Parameters
    ----------
    {_doc("the number of target columns", "the mean squared error")}

    Attributes
    ----------
    module_ : torch.nn.Module
    criterion_ : callable
    y_mean_, y_scale_ : ndarray of shape (n_outputs,)
    n_outputs_ : int
    history_ : deepmine.nn.History
    n_features_in_ : int
    input_shape_ : tuple of int
    n_iter_ : int
    loss_curve_ : list of float
    device_ : torch.device

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.nn import MLPModule, NeuralNetRegressor
    >>> X = np.linspace(-2, 2, 200).reshape(-1, 1); y = X.ravel() ** 2
    >>> reg = NeuralNetRegressor(MLPModule, module__hidden=(32,), learning_rate=0.01,
    ...                          random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """

    def _n_out(self):
        return self.n_outputs_

    def _default_criterion(self):
        return torch.nn.functional.mse_loss

    def _check_new_module(self, module, sample):
        self._check_output(module, sample, self.n_outputs_, f"a regressor of {self.n_outputs_} "
                                                            f"target(s)")

    def _forward(self, module, X):
        out = module(X)
        return out.reshape(out.shape[0], -1)

    def _compute_loss(self, module, batch):
        out = self._forward(module, batch[0])
        if len(batch) < 3:
            return self.criterion_(out, batch[1])
        from deepmine.nn._fitdata import weighted_mean

        if self.criterion is None:
            losses = torch.nn.functional.mse_loss(out, batch[1], reduction="none")
        else:
            per_sample = copy.copy(self.criterion_)  # the same loss, one value per element
            per_sample.reduction = "none"
            losses = per_sample(out, batch[1])
        return weighted_mean(losses.reshape(len(losses), -1).mean(1), batch[2])
