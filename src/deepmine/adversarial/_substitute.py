"""Black-box attack through a substitute model (Papernot et al. 2017).

The attacker only sees the oracle's predicted labels. A substitute network is
trained on a small seed set labelled by the oracle; the set grows by
Jacobian-based dataset augmentation, ``x + lambda * sign(d F_{O(x)}(x) / dx)``
with ``F`` the substitute, so that new points probe the oracle's decision
boundary. FGSM examples crafted on the substitute then transfer to the oracle.
"""

from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import clone

from deepmine.adversarial._attacks import fgsm
from deepmine.adversarial._model import ModelView, check_params, eval_mode
from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.utils import resolve_seed
from deepmine.utils._param_validation import Interval

__all__ = ["substitute_attack", "SubstituteAttackResult"]


@dataclass
class SubstituteAttackResult:
    """Outcome of :func:`substitute_attack`.

    Attributes
    ----------
    X_adv : ndarray
        Adversarial examples for ``X_attack``, same shape as it.
    success_rate : float
        Share of ``X_attack`` whose oracle label changed under attack (transfer success).
    agreement : float
        Share of ``X_attack`` on which substitute and oracle agree.
    substitute : fitted estimator
        The trained substitute.
    n_queries : int
        Oracle calls made (one per labelled sample, plus the evaluation).
    rounds : pandas.DataFrame
        ``round``, ``n_samples`` and ``agreement`` (on ``X_attack``) per augmentation round.
    """

    X_adv: np.ndarray
    success_rate: float
    agreement: float
    substitute: object
    n_queries: int
    rounds: object = field(repr=False)


def substitute_attack(oracle_predict, X_seed, X_attack=None, *, eps=0.3, substitute=None,
                      augmentation_rounds=4, augmentation_step=0.1, clip=None,
                      random_state=None):
    """Black-box FGSM through a substitute trained on the oracle's labels (Papernot et al. 2017).

    Parameters
    ----------
    oracle_predict : callable
        The attacked model's ``predict``: inputs shaped like ``X_seed`` ->
        labels. Nothing else of the oracle is used.
    X_seed : array-like of shape (n_seed, ...)
        The attacker's small initial set (e.g. 150 unlabelled images).
    X_attack : array-like of shape (n_samples, ...) or None, default=None
        Inputs to attack; None attacks ``X_seed``.
    eps : float, default=0.3
        FGSM step on the substitute, in the units of X.
    substitute : deepmine classifier or None, default=None
        Unfitted estimator trained on flattened rows (cloned at every round);
        None uses ``MLPClassifier((200, 200), max_epochs=30)``.
    augmentation_rounds : int, default=4
        Substitute training epochs of Papernot et al.: the set doubles each round.
    augmentation_step : float, default=0.1
        The step lambda of the Jacobian-based augmentation.
    clip : tuple (low, high) or None, default=None
        Valid input range, for augmentation and attack; see :func:`fgsm`.
    random_state : int, RandomState instance or None, default=None
        Seed of the default substitute.

    Returns
    -------
    SubstituteAttackResult
        ``X_adv``, the transfer ``success_rate``, the substitute's ``agreement``
        with the oracle, the fitted ``substitute``, ``n_queries`` and ``rounds``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from deepmine.adversarial import substitute_attack
    >>> X, y = load_digits(return_X_y=True); X = X / 16
    >>> oracle = LogisticRegression(max_iter=500).fit(X[:1000], y[:1000])
    >>> res = substitute_attack(oracle.predict, X[1000:1100], X[1100:1300], eps=0.3,
    ...                         augmentation_rounds=2, clip=(0, 1), random_state=0)
    >>> res.success_rate > 0.3
    True
    """
    import pandas as pd

    check_params({
        "eps": [Interval(Real, 0, None, closed="left")],
        "augmentation_rounds": [Interval(Integral, 0, None, closed="left")],
        "augmentation_step": [Interval(Real, 0, None, closed="neither")],
        "clip": [tuple, list, None], "random_state": ["random_state"],
    }, dict(eps=eps, augmentation_rounds=augmentation_rounds, augmentation_step=augmentation_step,
            clip=clip, random_state=random_state), "substitute_attack")
    if not callable(oracle_predict):
        raise InvalidParameterError(
            "The 'oracle_predict' parameter of substitute_attack must be a callable such as "
            f"model.predict. Got {type(oracle_predict).__name__}.")
    X_seed = _as_float(X_seed, "X_seed")
    X_attack = X_seed if X_attack is None else _as_float(X_attack, "X_attack")
    if X_attack.shape[1:] != X_seed.shape[1:]:
        raise DataError(f"X_attack rows have shape {X_attack.shape[1:]} but X_seed rows have "
                        f"{X_seed.shape[1:]}.")
    sample_shape = X_seed.shape[1:]
    if substitute is None:
        from deepmine.tabular import MLPClassifier

        substitute = MLPClassifier((200, 200), max_epochs=30, learning_rate=3e-3,
                                   random_state=resolve_seed(random_state), device="cpu")

    def oracle(X_flat):
        labels = np.asarray(oracle_predict(X_flat.reshape((-1, *sample_shape))))
        if labels.shape[:1] != X_flat.shape[:1]:
            raise DataError(f"oracle_predict returned {labels.shape[:1]} labels for "
                            f"{X_flat.shape[0]} inputs; it must return one label per input.")
        return labels.ravel()

    S = X_seed.reshape(len(X_seed), -1)
    A = X_attack.reshape(len(X_attack), -1)
    labels_S, labels_A = oracle(S), oracle(A)
    n_queries = len(S) + len(A)
    rows, model = [], None
    for rnd in range(augmentation_rounds + 1):
        if len(np.unique(labels_S)) < 2:
            raise DataError("The oracle gave one label to every seed sample; a substitute needs "
                            "at least two classes. Use a more varied X_seed.")
        model = clone(substitute).fit(S, labels_S)
        rows.append({"round": rnd, "n_samples": len(S),
                     "agreement": float(np.mean(model.predict(A) == labels_A))})
        if rnd == augmentation_rounds:
            break
        S_new = _jacobian_step(model, S, labels_S, augmentation_step, clip)
        labels_S = np.concatenate([labels_S, oracle(S_new)])
        n_queries += len(S_new)
        S = np.concatenate([S, S_new])
    known = np.isin(labels_A, model.classes_)
    y_attack = np.where(known, labels_A, model.predict(A))
    A_adv = fgsm(model, A, y_attack, eps, clip=clip)
    success = float(np.mean(oracle(A_adv) != labels_A))
    n_queries += len(A_adv)
    return SubstituteAttackResult(
        X_adv=A_adv.reshape(X_attack.shape), success_rate=success,
        agreement=rows[-1]["agreement"], substitute=model, n_queries=n_queries,
        rounds=pd.DataFrame(rows))


def _jacobian_step(model, S, labels, step, clip):
    """``S + step * sign(d F_label(S) / dS)`` for the substitute ``F``, clipped to the valid range."""
    view = ModelView(model, "substitute_attack")
    xt = view.to_tensor(S).requires_grad_(True)
    known = np.isin(labels, model.classes_)
    idx = np.searchsorted(model.classes_, np.where(known, labels, model.classes_[0]))
    idx = torch.as_tensor(idx, device=view.device)
    with eval_mode(view.module):
        logits = view.forward(xt)
        (grad,) = torch.autograd.grad(logits.gather(1, idx[:, None]).sum(), xt)
    new = (xt.detach() + step * grad.sign()).cpu().numpy().reshape(S.shape)
    if clip is not None:
        new = _clip_partial(new, clip)
    return new.astype(np.float32)


def _clip_partial(a, clip):
    lo, hi = clip
    return np.clip(a, None if lo is None else np.ravel(lo), None if hi is None else np.ravel(hi))


def _as_float(X, name):
    try:
        X = np.asarray(X, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} of substitute_attack must be numeric; {exc}") from None
    if X.ndim < 2 or len(X) == 0:
        raise DataError(f"{name} of substitute_attack must have shape (n_samples, ...) with at "
                        f"least one sample; got {X.shape}.")
    if not np.isfinite(X).all():
        raise DataError(f"{name} of substitute_attack contains NaN or infinity.")
    return X
