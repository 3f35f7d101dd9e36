"""The classifier and regressor glue mixed into :class:`BaseDeepEstimator` subclasses."""

import numpy as np
import torch

from deepmine.exceptions import DataError


class DeepClassifierMixin:
    """Classifier glue: labels <-> class indices, class weights, ``predict_proba``, accuracy.

    Mix in before :class:`BaseDeepEstimator`; the network must output one logit per class.
    """

    _estimator_type = "classifier"

    def _encode_targets(self, y, reset, context=None):
        """Labels -> class indices; ``context.classes`` (when given) fixes the classes on a reset."""
        from sklearn.utils.multiclass import check_classification_targets
        from sklearn.utils.validation import column_or_1d

        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        classes = getattr(context, "classes", None)
        if reset:
            self.classes_ = np.unique(y) if classes is None else np.asarray(classes)
            if classes is None and len(self.classes_) < 2:
                raise DataError(f"{type(self).__name__} needs samples of at least 2 classes in the "
                                f"data; got only one class: {self.classes_[0]!r}.")
            self.class_weight_ = self._class_weights(y)
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if len(unknown):
            raise ValueError(f"y contains labels {unknown.tolist()[:5]} that are not in classes_ "
                             f"{self.classes_.tolist()[:10]}.")
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def _class_weights(self, y):
        cw = getattr(self, "class_weight", None)
        if cw is None:
            return None
        from sklearn.utils.class_weight import compute_class_weight

        return compute_class_weight(cw, classes=self.classes_, y=y).astype(np.float32)

    def _classification_loss(self, logits, target, sample_weight=None):
        weight = None
        if getattr(self, "class_weight_", None) is not None:
            weight = torch.as_tensor(self.class_weight_, device=logits.device)
        if sample_weight is None:
            return torch.nn.functional.cross_entropy(logits, target, weight=weight)
        from deepmine.nn._fitdata import weighted_mean

        losses = torch.nn.functional.cross_entropy(logits, target, reduction="none")
        if weight is not None:  # as torch's class weights: normalised by the weights of the batch
            sample_weight = sample_weight * weight[target]
        return weighted_mean(losses, sample_weight)

    def _stratify_labels(self, y):
        return y

    def _training_loss(self, train):
        if getattr(self, "adversarial", None) is None:
            return self._compute_loss
        from deepmine.nn._adversarial import adversarial_loss

        return adversarial_loss(self, train[0])

    def _validation_score(self, module, valid):
        from deepmine.nn._fitdata import eval_batches

        correct = total = 0
        with torch.no_grad():
            for X, y, *_ in eval_batches(module, valid):
                correct += int((self._forward(module, X).argmax(1) == y).sum())
                total += len(y)
        return correct / max(total, 1)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), columns ordered as ``classes_``."""
        logits = torch.as_tensor(self._predict_raw(X))
        return torch.softmax(logits.double(), dim=1).numpy()

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        logits = torch.as_tensor(self._predict_raw(X))
        return torch.log_softmax(logits.double(), dim=1).numpy()

    def predict(self, X):
        """Predicted class labels, shape (n_samples,)."""
        raw = self._predict_raw(X)
        return self.classes_[raw.argmax(axis=1)]

    def fit(self, X, y=None, sample_weight=None):
        """Train the network on ``(X, y)`` and return the fitted estimator.

        Parameters
        ----------
        X : array-like, or torch.utils.data.Dataset of ``(x, class index)`` items
        y : array-like of shape (n_samples,) or None (with a Dataset)
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weight of each sample in the loss (each batch's weighted mean).

        Returns
        -------
        self
        """
        return self._fit(X, y, partial=False, sample_weight=sample_weight)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one epoch on ``(X, y)``, keeping weights and optimizer state between calls.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like or None, default=None
            All labels that will ever appear; required on the first call.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weight of each sample in the loss.

        Returns
        -------
        self
        """
        from deepmine.nn._fitdata import FitContext

        context = FitContext()
        if not self._is_fitted():
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            context.classes = np.asarray(classes)
        return self._fit(X, y, partial=True, sample_weight=sample_weight, context=context)

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``(X, y)``."""
        from sklearn.metrics import accuracy_score

        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        from sklearn.utils import ClassifierTags

        tags.classifier_tags = ClassifierTags()
        tags.target_tags.required = True
        return tags


class DeepRegressorMixin:
    """Regressor glue: targets standardized inside (undone in ``predict``), multi-output, R^2."""

    _estimator_type = "regressor"

    def _encode_targets(self, y, reset, context=None):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        y = np.asarray(y, dtype=np.float64)
        if reset:
            self._y_1d = y.ndim == 1
        y2 = y.reshape(len(y), -1)
        if not np.isfinite(y2).all():
            raise ValueError("Input y contains NaN or infinity.")
        if reset:
            self.n_outputs_ = y2.shape[1]
            self.y_mean_ = y2.mean(axis=0)
            scale = y2.std(axis=0)
            self.y_scale_ = np.where(scale > 0, scale, 1.0)
        return ((y2 - self.y_mean_) / self.y_scale_).astype(np.float32)

    def _validation_score(self, module, valid):
        from deepmine.nn._fitdata import eval_batches

        with torch.no_grad():
            pairs = [(self._forward(module, X), y) for X, y, *_ in eval_batches(module, valid)]
            pred = torch.cat([p for p, _ in pairs])
            target = torch.cat([t for _, t in pairs])
            ss_res = ((pred - target) ** 2).sum()
            ss_tot = ((target - target.mean(0)) ** 2).sum()
        return float(1 - ss_res / ss_tot) if float(ss_tot) > 0 else 0.0

    def predict(self, X):
        """Predicted targets, shape (n_samples,) or (n_samples, n_outputs)."""
        out = self._predict_raw(X).astype(np.float64) * self.y_scale_ + self.y_mean_
        return out.ravel() if self._y_1d else out

    def fit(self, X, y=None, sample_weight=None):
        """Train the network on ``(X, y)`` and return the fitted estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weight of each sample in the loss (each batch's weighted mean).

        Returns
        -------
        self
        """
        return self._fit(X, y, partial=False, sample_weight=sample_weight)

    def partial_fit(self, X, y, sample_weight=None):
        """Train one epoch on ``(X, y)``, keeping weights and optimizer state between calls."""
        return self._fit(X, y, partial=True, sample_weight=sample_weight)

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2 on ``(X, y)``."""
        from sklearn.metrics import r2_score

        return r2_score(y, self.predict(X), sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "regressor"
        from sklearn.utils import RegressorTags

        tags.regressor_tags = RegressorTags()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        return tags
