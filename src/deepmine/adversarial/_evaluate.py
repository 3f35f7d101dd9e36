"""Accuracy under attack over a grid of perturbation sizes (a robustness curve)."""

from numbers import Integral, Real

import numpy as np
import torch

from deepmine.adversarial._attacks import perturb
from deepmine.adversarial._model import ModelView, check_params, eval_mode
from deepmine.exceptions import InvalidParameterError
from deepmine.utils import resolve_seed
from deepmine.utils._param_validation import Interval

__all__ = ["robustness_curve"]

_ATTACKS = ("fgsm", "pgd")


def robustness_curve(model, X, y, eps=(0.0, 0.05, 0.1, 0.2, 0.3), attack="fgsm", *, steps=10,
                     step_size=None, clip=None, random_state=None, batch_size=None):
    """Accuracy of ``model`` on ``(X, y)`` under FGSM and/or PGD, for every ``eps``.

    Parameters
    ----------
    model : fitted deepmine classifier or torch.nn.Module
    X : array-like of shape (n_samples, ...)
    y : array-like of shape (n_samples,)
        True labels.
    eps : sequence of float, default=(0.0, 0.05, 0.1, 0.2, 0.3)
        Perturbation sizes; 0 gives the clean accuracy.
    attack : {"fgsm", "pgd"} or sequence of them, default="fgsm"
    steps : int, default=10
        PGD steps.
    step_size : float or None, default=None
        PGD step; None means ``2.5 * eps / steps``.
    clip : tuple (low, high) or None, default=None
        Valid input range; see :func:`deepmine.adversarial.fgsm`.
    random_state : int, RandomState instance or None, default=None
        Seed of PGD's random start.
    batch_size : int or None, default=None
        Attack this many rows at a time; None attacks all at once.

    Returns
    -------
    curve : pandas.DataFrame
        Columns ``attack``, ``eps``, ``accuracy``; one row per attack and eps.

    Examples
    --------
    >>> import torch
    >>> from deepmine.adversarial import robustness_curve
    >>> net = torch.nn.Linear(2, 2)
    >>> curve = robustness_curve(net, [[0.5, 0.5], [0.2, 0.8]], [0, 1], eps=[0, 0.1])
    >>> list(curve.columns), len(curve)
    (['attack', 'eps', 'accuracy'], 2)
    """
    import pandas as pd

    attacks = [attack] if isinstance(attack, str) else list(attack)
    eps_list = [eps] if isinstance(eps, Real) else list(eps)
    check_params({
        "steps": [Interval(Integral, 1, None, closed="left")],
        "step_size": [Interval(Real, 0, None, closed="neither"), None],
        "clip": [tuple, list, None], "random_state": ["random_state"],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
    }, dict(steps=steps, step_size=step_size, clip=clip, random_state=random_state,
            batch_size=batch_size), "robustness_curve")
    bad = [a for a in attacks if a not in _ATTACKS]
    if bad or not attacks:
        raise InvalidParameterError(
            f"The 'attack' parameter of robustness_curve must be 'fgsm', 'pgd' or a list of them. "
            f"Got {attack!r}.")
    if not eps_list or any(not isinstance(e, Real) or not np.isfinite(e) or e < 0
                           for e in eps_list):
        raise InvalidParameterError(
            f"The 'eps' parameter of robustness_curve must be non-negative numbers. Got {eps!r}.")
    view = ModelView(model, "robustness_curve")
    xt = view.to_tensor(X)
    view.check_logits(xt)
    labels = view.labels(y, xt.shape[0])
    low, high = view.clip_bounds(clip, xt)
    n = xt.shape[0]
    bs = batch_size or n
    seed = resolve_seed(random_state)
    rows = []
    with eval_mode(view.module):
        for name in attacks:
            for e in eps_list:
                gen = torch.Generator(device=view.device).manual_seed(seed)
                kw = (dict(steps=1) if name == "fgsm" else
                      dict(steps=steps, step_size=step_size or 2.5 * e / steps,
                           random_start=True, generator=gen))
                correct = 0
                for i in range(0, n, bs):
                    xb, yb = xt[i:i + bs], labels[i:i + bs]
                    adv = perturb(view.forward, xb, yb, eps=float(e), low=low, high=high, **kw) \
                        if e > 0 else xb
                    correct += int((view.predict_index(adv) == yb).sum())
                rows.append({"attack": name, "eps": float(e), "accuracy": correct / n})
    return pd.DataFrame(rows, columns=["attack", "eps", "accuracy"])
