"""A fitted estimator or a bare module, seen as tensors: the plumbing of attacks and visualisations.

Attacks and visualisations accept a fitted deepmine estimator (they use its
``module_`` and its own input conversion, so DataFrames go through the
estimator's ``encoder_`` and flat image rows are reshaped as the estimator
does) or any ``torch.nn.Module`` that maps a float tensor to logits.
"""

import numpy as np
import torch

from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.nn._inference import INFERENCE_BATCH, batched_forward, eval_mode
from deepmine.utils._param_validation import validate_parameter_constraints


def check_params(constraints, params, caller):
    """Validate function arguments with scikit-learn's constraint vocabulary; raise deepmine's error."""
    try:
        validate_parameter_constraints(constraints, params, caller_name=caller)
    except ValueError as exc:
        raise InvalidParameterError(str(exc)) from None


class ModelView:
    """A fitted estimator or an ``nn.Module`` seen as ``tensor -> logits``.

    Parameters
    ----------
    model : fitted deepmine estimator or torch.nn.Module
    caller : str
        Name of the public function, for error messages.
    """

    def __init__(self, model, caller):
        if isinstance(model, torch.nn.Module):
            self.estimator, self.module = None, model
        elif hasattr(model, "_forward") and hasattr(model, "_validate_predict"):
            from sklearn.utils.validation import check_is_fitted

            check_is_fitted(model, "module_")
            self.estimator, self.module = model, model.module_
        else:
            raise InvalidParameterError(
                f"The 'model' parameter of {caller} must be a fitted deepmine estimator or a "
                f"torch.nn.Module. Got {type(model).__name__}.")
        self.caller = caller
        param = next(iter(self.module.parameters()), None)
        self.device = param.device if param is not None else torch.device("cpu")

    # ---- inputs ------------------------------------------------------------------------------
    def to_tensor(self, X):
        """User data -> float tensor in the layout the module takes, on the module's device."""
        if self.estimator is not None:
            Xa = self.estimator._validate_predict(X)
            (xt,) = self.estimator._make_tensors(Xa, None)
        else:
            try:
                xt = torch.as_tensor(np.asarray(X, dtype=np.float32))
            except (TypeError, ValueError) as exc:
                raise DataError(f"{self.caller} needs numeric input X; {exc}") from None
        if xt.ndim == 0 or xt.shape[0] == 0:
            raise DataError(f"{self.caller} needs at least one sample; got X of shape "
                            f"{tuple(xt.shape)}.")
        xt = xt.float()
        if not torch.isfinite(xt).all():
            raise DataError(f"Input X of {self.caller} contains NaN or infinity.")
        xt = xt.to(self.device)
        if self.estimator is None:
            self.n_outputs = self._n_outputs(xt[:1])
        return xt

    @torch.no_grad()
    def _n_outputs(self, x1):
        """Number of logits of a bare module, from one sample (clear error if it cannot run)."""
        try:
            with eval_mode(self.module):
                out = self.forward(x1)
        except RuntimeError as exc:
            raise DataError(f"The module passed to {self.caller} cannot run on X of shape "
                            f"{tuple(x1.shape[1:])} per sample: {str(exc).splitlines()[0]}") from None
        if out.ndim != 2:
            raise DataError(f"The module passed to {self.caller} must return logits of shape "
                            f"(n_samples, n_classes); got shape {tuple(out.shape)}.")
        return out.shape[1]

    def check_logits(self, xt):
        """Refuse a model whose output the attacks cannot use (they follow a cross-entropy loss).

        A regressor or transformer has no classes, and cross-entropy over a single
        logit is constant: its gradient is zero and the attack would return X unchanged.
        """
        if self.estimator is not None and not hasattr(self.estimator, "classes_"):
            raise InvalidParameterError(
                f"{self.caller} attacks classifiers; {type(self.estimator).__name__} has no "
                f"classes_, so there is no class score to push down. Pass a fitted classifier "
                f"or a torch.nn.Module that returns class logits.")
        n_out = self._n_outputs(xt[:1])
        if n_out < 2:
            raise InvalidParameterError(
                f"The model passed to {self.caller} returns {n_out} output per sample, but the "
                f"attacks need the logits of at least 2 classes (the cross-entropy of a single "
                f"logit is constant, so X would come back unchanged). Give a binary model two "
                f"outputs, e.g. torch.cat([-z, z], dim=1).")

    def user_shape(self, X, xt):
        """Shape to give results: X's own shape when it holds the same numbers, else the module's."""
        shape = np.shape(X) if not hasattr(X, "columns") else None
        if shape is not None and int(np.prod(shape)) == xt.numel():
            return tuple(shape)
        return tuple(xt.shape)

    def labels(self, y, n, name="y"):
        """Labels (classes of the estimator, or indices for a module) -> LongTensor of indices."""
        y = np.asarray(y)
        if y.ndim == 0:
            y = np.full(n, y.item())
        y = y.ravel()
        if y.shape[0] != n:
            raise DataError(f"{name} has {y.shape[0]} labels but X has {n} samples.")
        classes = getattr(self.estimator, "classes_", None)
        if classes is not None:
            unknown = np.setdiff1d(np.unique(y), classes)
            if len(unknown):
                raise DataError(f"{name} contains labels {unknown.tolist()[:5]} that the model "
                                f"does not know; its classes_ are {classes.tolist()[:10]}.")
            idx = np.searchsorted(classes, y)
        else:
            if not np.issubdtype(y.dtype, np.integer) and not (
                    np.issubdtype(y.dtype, np.floating) and np.all(y == np.round(y))):
                raise DataError(f"{name} must hold class indices (integers) for a torch.nn.Module; "
                                f"got dtype {y.dtype}.")
            idx = y.astype(np.int64)
            n_out = getattr(self, "n_outputs", None)
            if len(idx) and (idx.min() < 0 or (n_out is not None and idx.max() >= n_out)):
                raise DataError(f"{name} must hold class indices in [0, {n_out}) for this "
                                f"module; got values from {idx.min()} to {idx.max()}.")
        return torch.as_tensor(idx, dtype=torch.long, device=self.device)

    def clip_bounds(self, clip, xt):
        """``clip=(lo, hi)`` with scalars or per-feature arrays -> broadcastable tensors (or None)."""
        if clip is None:
            return None, None
        if len(clip) != 2:
            raise InvalidParameterError(
                f"The 'clip' parameter of {self.caller} must be None or a pair (low, high). "
                f"Got {len(clip)} values.")
        per_sample = tuple(xt.shape[1:])
        bounds = []
        for value in clip:
            if value is None:
                bounds.append(None)
                continue
            arr = np.asarray(value, dtype=np.float32)
            if arr.size > 1:
                if arr.size != int(np.prod(per_sample)):
                    raise InvalidParameterError(
                        f"The bounds in 'clip' of {self.caller} must be scalars or hold one value "
                        f"per feature ({int(np.prod(per_sample))}); got {arr.size} values.")
                arr = arr.reshape(per_sample)
            bounds.append(torch.as_tensor(arr, device=self.device))
        lo, hi = bounds
        if lo is not None and hi is not None and bool((lo > hi).any()):
            raise InvalidParameterError(f"clip=(low, high) of {self.caller} needs low <= high.")
        return lo, hi

    # ---- outputs -----------------------------------------------------------------------------
    def forward(self, xt):
        """Logits of a batch (differentiable)."""
        if self.estimator is not None:
            return self.estimator._forward(self.module, xt)
        return self.module(xt)

    def predict_index(self, xt, batch_size=INFERENCE_BATCH):
        """Predicted class index of every row, as a LongTensor on the module's device."""
        return batched_forward(self.module, xt, self.forward, batch_size=batch_size,
                               device=self.device).argmax(1)

    def class_label(self, idx):
        """Class indices -> the estimator's labels (indices for a bare module)."""
        idx = np.asarray(idx)
        classes = getattr(self.estimator, "classes_", None)
        return idx if classes is None else classes[idx]


def to_numpy(t, shape=None):
    """Tensor -> float32 NumPy array on the CPU, optionally reshaped."""
    arr = t.detach().cpu().numpy()
    return arr.reshape(shape) if shape is not None else arr
