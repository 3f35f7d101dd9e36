"""Rosenblatt's perceptron (1958): a threshold unit trained with the perceptron rule.

For a sample x with label t in {0, 1} and output o = step(w.x + b), the rule
is ``w <- w + eta * (t - o) * x`` (and likewise for b). It is the gradient step
of the loss ``(o - t) * (w.x + b)`` with o held fixed, which is how it runs
through :class:`deepmine.nn.Trainer` (SGD with batch size 1 by default); a
batch without an error returns a loss without gradient, so it costs a forward
pass and no update. More than two classes are learned one-vs-rest, one unit per
class.
"""

import numpy as np
import torch
from sklearn.base import ClassifierMixin

from deepmine.base import BaseDeepEstimator, DeepClassifierMixin, engine_params_doc, store_params
from deepmine.nn import EarlyStopping
from deepmine.tabular._scaling import fold_into_first, learn_scaling, with_scaling
from deepmine.utils.validation import check_is_fitted, check_table


#: The engine parameters a perceptron takes (the others are fixed: SGD, no schedule, no early stopping).
_EXPOSED = ("learning_rate", "batch_size", "max_epochs", "patience", "device", "random_state",
            "verbose", "warm_start", "devices", "strategy", "precision")


class Perceptron(DeepClassifierMixin, ClassifierMixin, BaseDeepEstimator):
    __doc__ = f"""Single-layer perceptron with a step activation, trained with the classic perceptron rule.

    Training stops after an epoch without any training error; on data that is
    not linearly separable the best weights seen are kept (the "pocket"
    variant) after ``patience`` epochs without improvement.

    Parameters
    ----------
    scale : bool, default=True
        Standardize the numeric input columns inside (statistics learned in
        ``fit``, kept in ``mean_``/``scale_``). Columns whose training values are
        all 0 or 1 (booleans, yes/no, one-hot categories) stay 0/1, so a
        perceptron on yes/no columns learns the classic integer weights.
        ``coef_`` and ``intercept_`` are given in raw units either way.
    learning_rate : float, default=1.0
        The rule's eta.
    batch_size : int, default=1
        1 gives the classic online rule; larger batches sum the updates.
    max_epochs : int, default=100
    patience : int, default=20
        Epochs without fewer training errors before stopping.
    shuffle : bool, default=True
        Present samples in a new random order each epoch.
    {engine_params_doc(("device", "random_state", "verbose", "warm_start", "devices", "strategy",
                        "precision"), device="cpu")}

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_inputs) or (n_classes, n_inputs)
        Weights of the unit(s) on the raw (encoded) columns.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Bias; the firing threshold is ``-intercept_``. The net input is
        ``X @ coef_.T + intercept_``.
    mean_, scale_ : ndarray of shape (n_inputs,) or None
        The input standardization (None when ``scale=False``).
    classes_ : ndarray
    n_iter_ : int
    history_ : deepmine.nn.History
        ``train_loss`` counts errors (plus the margin of the misclassified samples).

    Examples
    --------
    >>> from deepmine.datasets import load_credit
    >>> from deepmine.tabular import Perceptron
    >>> df = load_credit()
    >>> X, y = df[["Employed", "Owns House", "Balanced Account"]], df["Get Credit"]
    >>> p = Perceptron(random_state=0).fit(X, y)
    >>> p.score(X, y)
    1.0
    """

    _parameter_constraints = {
        k: v for k, v in BaseDeepEstimator._parameter_constraints.items()
        if k in _EXPOSED
    }
    _parameter_constraints["shuffle"] = ["boolean"]
    _parameter_constraints["scale"] = ["boolean"]

    def __init__(self, *, scale=True, learning_rate=1.0, batch_size=1, max_epochs=100, patience=20,
                 shuffle=True, device="cpu", random_state=None, verbose=0, warm_start=False,
                 devices="auto", strategy=None, precision="32"):
        store_params(self, locals())

    # the engine parameters a perceptron does not expose
    optimizer, momentum, weight_decay, lr_schedule = "sgd", 0.0, 0.0, "constant"
    early_stopping, validation_fraction, tol, callbacks = False, 0.0, 0.0, None
    class_weight = None
    _max_loss_growth = None  # the loss counts margins, which grow with the weights by design

    def _validate_fit(self, X, y, reset, context=None):
        if y is None:
            raise ValueError("Perceptron requires y to be passed, but the target y is None.")
        X, y = check_table(self, X, y=y, reset=reset)
        if reset:
            learn_scaling(self, X)
        y = self._encode_targets(y, reset, context)
        n_units = 1 if len(self.classes_) == 2 else len(self.classes_)
        target = (y == 1)[:, None] if n_units == 1 else (y[:, None] == np.arange(n_units))
        return X, target.astype(np.float32)

    def _validate_predict(self, X):
        return check_table(self, X, reset=False)

    def _build_module(self, context=None):
        n_units = 1 if len(self.classes_) == 2 else len(self.classes_)
        unit = torch.nn.Linear(self.n_inputs_, n_units)
        torch.nn.init.zeros_(unit.weight)  # Rosenblatt's start: all weights and the bias zero
        torch.nn.init.zeros_(unit.bias)
        return with_scaling(self, unit)

    def _default_callbacks(self):
        return [EarlyStopping(monitor="train_loss", patience=self.patience, min_delta=0.0,
                              stop_at=0.0)]

    def _compute_loss(self, module, batch):
        X, t, *w = batch  # w: the sample weights, when fit got them
        if not isinstance(module, torch.nn.parallel.DistributedDataParallel):
            with torch.no_grad():                     # most samples: a check without autograd
                if not ((module(X) >= 0) != t).any():    # t holds 0.0/1.0
                    return torch.zeros((), device=X.device)   # no error, no update: no step
        net = module(X)
        out = (net >= 0).float()
        wrong = (out != t).float()
        # gradient = the perceptron rule; value = errors + their margins (0 iff no error)
        if not w:
            return ((out - t) * net + wrong.detach()).sum() / X.shape[0]
        from deepmine.nn._fitdata import weighted_mean

        return weighted_mean(((out - t) * net + wrong.detach()).sum(dim=1), w[0])

    def _forward(self, module, X):
        net = module(X)
        if net.shape[1] == 1:  # two columns so that argmax gives step(net) (ties fire)
            return torch.cat([-net, net + 1e-30 * (net == 0)], dim=1)
        return net

    def _validation_score(self, module, valid):
        return None

    def _stratify_labels(self, y):
        return None

    def _unit(self):
        check_is_fitted(self, "module_")
        unit = self.module_[-1] if isinstance(self.module_, torch.nn.Sequential) else self.module_
        return fold_into_first(self, unit.weight.detach().cpu().numpy(),
                               unit.bias.detach().cpu().numpy())

    @property
    def coef_(self):
        """Weights of the unit(s) on the raw columns, shape (n_units, n_inputs)."""
        return self._unit()[0].copy()

    @property
    def intercept_(self):
        """Bias of the unit(s); the threshold is its negative."""
        return self._unit()[1].copy()

    def _split(self, tensors, y, seed, context):
        return tensors, None

    def decision_function(self, X):
        """Net input ``w.x + b`` of the unit(s): at or above 0 means the unit fires.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
            ``X @ coef_.T + intercept_`` (on the encoded columns).
        """
        net = self._predict_raw(X)
        return -net[:, 0] if len(self.classes_) == 2 else net
