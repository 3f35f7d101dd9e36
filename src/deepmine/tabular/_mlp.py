"""Multi-layer perceptrons trained by backpropagation (Rumelhart et al. 1986).

Hidden layers of sigmoid/tanh/ReLU/GELU units, optional dropout after each,
any optimizer of the lecture (SGD, momentum, AdaGrad, RMSProp, AdaDelta, Adam)
through :class:`deepmine.nn.Trainer`.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin

from deepmine.base import (ADVERSARIAL_CONSTRAINTS, ADVERSARIAL_PARAMS_DOC, BaseDeepEstimator,
                           DeepClassifierMixin, DeepRegressorMixin, engine_params_doc, store_params)
from deepmine.exceptions import InvalidParameterError
from deepmine.nn import make_mlp
from deepmine.nn._layers import ACTIVATIONS
from deepmine.tabular._scaling import fold_into_first, learn_scaling, unfold_into_first, with_scaling
from deepmine.utils._param_validation import Interval, StrOptions
from deepmine.utils.validation import check_is_fitted, check_table

#: The MLPs' L2 penalty: "auto" is 0.03 (chosen over 0, 0.01, 0.03, 0.05, 0.1 on breast cancer,
#: wine, diabetes and grunfeld, all under 500 training rows; 5-fold CV, 3 seeds,
#: benchmarks/_defaults_tabular.py), shrinking as 15 / n beyond 500 rows.
WEIGHT_DECAY = "auto"
MLP_ENGINE_DOC = engine_params_doc(
    weight_decay=WEIGHT_DECAY, kinds={"weight_decay": 'float or "auto"'}, descriptions={
        "weight_decay": """
        L2 penalty (added to the gradient). ``"auto"`` is 0.03 for up to 500
        training rows and ``15 / n_rows`` beyond, as a prior on the weights weighs
        less against more data (kept in ``weight_decay_``). On diabetes 0.03 gives a
        5-fold R^2 of 0.475 (mean of 3 seeds), against 0.425 without it; on digits
        (1,437 training rows) ``"auto"`` gives 0.938, as scikit-learn's scaled MLP,
        where 0.03 gives 0.929."""})


def resolve_weight_decay(value, n_rows):
    """The L2 penalty that ``weight_decay=value`` means for ``n_rows`` training rows.

    Examples
    --------
    >>> from deepmine.tabular._mlp import resolve_weight_decay
    >>> resolve_weight_decay("auto", 300), resolve_weight_decay("auto", 1500)
    (0.03, 0.01)
    """
    return min(0.03, 15.0 / max(int(n_rows), 1)) if value == "auto" else value

SCALE_DOC = """scale : bool, default=True
        Standardize the numeric input columns inside the network (mean 0, standard
        deviation 1, statistics learned in ``fit`` and kept in ``mean_``/``scale_``).
        Columns whose training values are all 0 or 1 (booleans, yes/no, one-hot
        categories, 0/1 numbers) stay 0/1, and constant columns are only centred.
        The network's first layer applies it, so ``module_`` takes raw columns."""


class _TabularNet(BaseDeepEstimator):
    """Shared parts of the table estimators: input checks and weights as NumPy arrays."""

    _parameter_constraints = {
        **BaseDeepEstimator._parameter_constraints,
        "hidden_layer_sizes": [tuple, list, Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left"), tuple, list],
        "scale": ["boolean"],
        "weight_decay": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
    }

    def _weight_decay(self, n_rows, keep):
        if not (keep and hasattr(self, "weight_decay_")):  # partial_fit keeps the first fit's
            self.weight_decay_ = resolve_weight_decay(self.weight_decay, n_rows)
        return self.weight_decay_

    def _hidden(self):
        sizes = self.hidden_layer_sizes
        return (sizes,) if isinstance(sizes, Integral) else tuple(sizes)

    def _check_params(self):
        super()._check_params()
        sizes = self._hidden()
        if not all(isinstance(s, Integral) and not isinstance(s, bool) and s >= 1 for s in sizes):
            raise InvalidParameterError(
                f"The 'hidden_layer_sizes' parameter of {type(self).__name__} must hold positive "
                f"ints (the width of each hidden layer); got {self.hidden_layer_sizes!r}.")

    def _validate_fit(self, X, y, reset, context=None):
        # float64 tables stay float64 (no float32 copy); the engine casts each batch
        kw = dict(reset=reset, dtype=[np.float32, np.float64])
        X, y = check_table(self, X, y=y, **kw) if y is not None else (check_table(self, X, **kw), None)
        if reset:
            learn_scaling(self, X)
            _adopt_init_scaling(self, getattr(context, "init", None))
        return X, self._encode_targets(y, reset, context)

    def _validate_predict(self, X):
        return check_table(self, X, reset=False)

    def _build_module(self, context=None):
        return with_scaling(self, make_mlp(self.n_inputs_, self._hidden(), self._n_out(),
                                           activation=self.activation, dropout=self.dropout))

    def _weights(self):
        layers = [(m.weight.detach().cpu().numpy(), m.bias.detach().cpu().numpy())
                  for m in self._linears()]
        layers[0] = fold_into_first(self, *layers[0])
        return layers

    @property
    def coefs_(self):
        """Weight matrices, ``coefs_[i]`` of shape (n_in, n_out) as in scikit-learn's MLP.

        The input standardization is folded into ``coefs_[0]`` and ``intercepts_[0]``:
        the weights act on the raw (encoded) columns.
        """
        check_is_fitted(self, "module_")
        return [w.T.copy() for w, _ in self._weights()]

    @property
    def intercepts_(self):
        """Bias vectors, one per layer (the first with the input standardization folded in)."""
        check_is_fitted(self, "module_")
        return [b.copy() for _, b in self._weights()]

    def _linears(self):
        import torch

        return [m for m in self.module_.modules() if isinstance(m, torch.nn.Linear)]


class MLPClassifier(DeepClassifierMixin, ClassifierMixin, _TabularNet):
    __doc__ = f"""Multi-layer perceptron classifier (softmax output, cross-entropy loss).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Width of each hidden layer.
    activation : {{"relu", "sigmoid", "tanh", "leaky_relu", "gelu"}}, default="relu"
        Non-linearity of the hidden units.
    dropout : float or tuple of float, default=0.0
        Drop rate after each hidden layer (training only).
    {SCALE_DOC}
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss.
    {ADVERSARIAL_PARAMS_DOC}
    {MLP_ENGINE_DOC}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    module_ : torch.nn.Sequential
        The trained network (its first layer standardizes the inputs when ``scale=True``).
    mean_, scale_ : ndarray of shape (n_inputs,) or None
        The input standardization (None when ``scale=False``).
    history_ : deepmine.nn.History
        One row per epoch: train_loss, valid_loss, valid_score, lr, seconds.
    coefs_, intercepts_ : list of ndarray
        Weights and biases per layer, as in scikit-learn's MLP.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when X is a DataFrame with string column names.
    n_iter_ : int
        Epochs run.
    loss_curve_ : list of float
    device_ : torch.device

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from deepmine.tabular import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(16,), max_epochs=100, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """

    _parameter_constraints = {
        **_TabularNet._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        **ADVERSARIAL_CONSTRAINTS,
    }

    def __init__(self, hidden_layer_sizes=(100,), *, activation="relu", dropout=0.0, scale=True,
                 class_weight=None, adversarial=None, adversarial_eps=0.1, optimizer="adam",
                 learning_rate=None, momentum=0.9, weight_decay=WEIGHT_DECAY,
                 lr_schedule="constant", batch_size=64, max_epochs=200, early_stopping=False, validation_fraction=None,
                 patience=10, tol=1e-4, callbacks=None, device="auto", random_state=None,
                 verbose=0, warm_start=False, devices="auto", strategy=None,
                 precision="32"):
        store_params(self, locals())

    _accepts_dataset = True

    def fit(self, X, y=None, init=None, sample_weight=None):
        """Train on ``(X, y)``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features), or torch.utils.data.Dataset
            A Dataset of ``(x, class index)`` items (``(x, class index, weight)``
            for weighted training) is read in mini-batches, never all at once;
            its ``classes`` attribute names the classes.
        y : array-like of shape (n_samples,) or None (with a Dataset)
        init : fitted estimator or None, default=None
            An estimator whose encoder initialises the first hidden layers, e.g. a
            fitted :class:`deepmine.autoencoders.StackedAutoEncoder` (it must offer
            ``encoder_layers()`` returning ``torch.nn.Linear`` layers whose sizes
            match ``hidden_layer_sizes``). With ``scale=True`` the network then
            standardizes its inputs with that estimator's ``mean_`` and ``scale_``
            (learned on the data it was fitted on, often many more rows than the
            labelled ones), so it sees the inputs as the encoder did.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weight of each sample in the loss (each mini-batch's weighted mean).

        Returns
        -------
        self
        """
        from deepmine.nn._fitdata import FitContext

        return self._fit(X, y, partial=False, sample_weight=sample_weight,
                         context=FitContext(init=init))

    def _n_out(self):
        return len(self.classes_)

    def _build_module(self, context=None):
        module = super()._build_module(context)
        init = getattr(context, "init", None)
        if init is not None:
            _copy_encoder(init, module, self)
        return module

    def _compute_loss(self, module, batch):
        X, y, *w = batch  # w: the sample weights, when fit got them
        return self._classification_loss(module(X), y, *w)


class MLPRegressor(DeepRegressorMixin, RegressorMixin, _TabularNet):
    __doc__ = f"""Multi-layer perceptron regressor (squared error; targets standardized inside).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Width of each hidden layer.
    activation : {{"relu", "sigmoid", "tanh", "leaky_relu", "gelu"}}, default="relu"
        Non-linearity of the hidden units.
    dropout : float or tuple of float, default=0.0
        Drop rate after each hidden layer (training only).
    {SCALE_DOC}
    {MLP_ENGINE_DOC}

    Attributes
    ----------
    module_ : torch.nn.Sequential
    mean_, scale_ : ndarray of shape (n_inputs,) or None
        The input standardization (None when ``scale=False``).
    y_mean_, y_scale_ : ndarray of shape (n_outputs,)
        The target standardization.
    history_ : deepmine.nn.History
    coefs_, intercepts_ : list of ndarray
    n_outputs_ : int
    n_features_in_ : int
    n_iter_ : int
    loss_curve_ : list of float
    device_ : torch.device

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.tabular import MLPRegressor
    >>> X = np.linspace(-2, 2, 200).reshape(-1, 1); y = X.ravel() ** 2
    >>> reg = MLPRegressor((32,), max_epochs=200, learning_rate=0.01, random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """

    def __init__(self, hidden_layer_sizes=(100,), *, activation="relu", dropout=0.0, scale=True,
                 optimizer="adam", learning_rate=None, momentum=0.9, weight_decay=WEIGHT_DECAY,
                 lr_schedule="constant", batch_size=64, max_epochs=200, early_stopping=False,
                 validation_fraction=None, patience=10, tol=1e-4, callbacks=None, device="auto",
                 random_state=None, verbose=0, warm_start=False, devices="auto", strategy=None,
                 precision="32"):
        store_params(self, locals())

    def _n_out(self):
        return self.n_outputs_

    def _compute_loss(self, module, batch):
        import torch.nn.functional as F

        X, y, *w = batch  # w: the sample weights, when fit got them
        if not w:
            return F.mse_loss(module(X), y)
        from deepmine.nn._fitdata import weighted_mean

        return weighted_mean(((module(X) - y) ** 2).mean(dim=1), w[0])


def _adopt_init_scaling(estimator, source):
    """Standardize as ``source`` (the encoder given as ``init``) did, when both scale the same columns.

    The encoder learned its weights on inputs scaled with statistics of the data it
    was fitted on, usually far more rows than the labelled ones; the network that
    starts from those weights sees its inputs the same way.
    """
    if source is None or estimator.mean_ is None or getattr(source, "scale", None) is not True:
        return
    mean, scale = getattr(source, "mean_", None), getattr(source, "scale_", None)
    if (isinstance(mean, np.ndarray) and isinstance(scale, np.ndarray)
            and mean.shape == scale.shape == (estimator.n_inputs_,)):
        estimator.mean_, estimator.scale_ = mean.astype(np.float64), scale.astype(np.float64)


def _copy_encoder(source, module, estimator):
    """Copy the encoder layers of a fitted (stacked) autoencoder into the first layers of ``module``.

    The encoder layers act on raw columns; the first one is converted for the
    standardized columns that ``module``'s first linear layer sees.
    """
    import torch

    if not hasattr(source, "encoder_layers"):
        raise InvalidParameterError(
            f"init must be a fitted estimator with encoder_layers() (e.g. StackedAutoEncoder); "
            f"got {type(source).__name__}.")
    src = list(source.encoder_layers())
    dst = [m for m in module.modules() if isinstance(m, torch.nn.Linear)][:len(src)]
    for i, (s, d) in enumerate(zip(src, dst)):
        if s.weight.shape != d.weight.shape:
            raise InvalidParameterError(
                f"init's encoder layer {tuple(s.weight.shape[::-1])} does not match the network's "
                f"layer {tuple(d.weight.shape[::-1])}; set hidden_layer_sizes to start with "
                f"{[layer.out_features for layer in src]}.")
        weight, bias = s.weight.detach().cpu(), s.bias.detach().cpu()
        if i == 0:
            weight, bias = unfold_into_first(estimator, weight, bias)
        with torch.no_grad():
            d.weight.copy_(weight)
            d.bias.copy_(bias)
    return np.asarray([layer.out_features for layer in src])
