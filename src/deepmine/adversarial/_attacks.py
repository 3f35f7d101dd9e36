"""Gradient attacks in the infinity norm: FGSM (Goodfellow et al. 2015) and PGD (Madry et al. 2018).

FGSM moves every input by ``eps`` in the direction of the sign of the loss
gradient, ``x + eps * sign(grad_x J(theta, x, y))``; PGD iterates smaller
signed steps and projects back onto the ``eps``-ball around ``x`` after each
one. Targeted variants descend the loss of a chosen class instead. Results
are clipped to the valid input range given by ``clip``.
"""

from numbers import Integral, Real

import torch

from deepmine.adversarial._model import ModelView, check_params, eval_mode, to_numpy
from deepmine.nn._adversarial import perturb
from deepmine.utils import resolve_seed
from deepmine.utils._param_validation import Interval

__all__ = ["fgsm", "pgd", "perturb"]

_COMMON = {
    "eps": [Interval(Real, 0, None, closed="left")],
    "clip": [tuple, list, None],
    "batch_size": [Interval(Integral, 1, None, closed="left"), None],
}


def _run(caller, model, X, y, target, eps, clip, batch_size, seed=None, **kw):
    """Shared driver of :func:`fgsm` and :func:`pgd`: convert, attack batch by batch, convert back."""
    view = ModelView(model, caller)
    if seed is not None:
        kw["generator"] = torch.Generator(device=view.device).manual_seed(seed)
    xt = view.to_tensor(X)
    view.check_logits(xt)
    shape = view.user_shape(X, xt)
    low, high = view.clip_bounds(clip, xt)
    n = xt.shape[0]
    if target is not None:
        labels, targeted = view.labels(target, n, name="target"), True
    elif y is not None:
        labels, targeted = view.labels(y, n), False
    else:
        labels, targeted = view.predict_index(xt), False
    bs = batch_size or n
    out = []
    with eval_mode(view.module):
        for i in range(0, n, bs):
            out.append(perturb(view.forward, xt[i:i + bs], labels[i:i + bs], eps=eps,
                               targeted=targeted, low=low, high=high, **kw))
    return to_numpy(torch.cat(out), shape)


def fgsm(model, X, y, eps, *, target=None, clip=None, batch_size=None):
    """Fast gradient sign method: one step of size ``eps`` along the sign of the loss gradient.

    ``x_adv = clip(x + eps * sign(grad_x J(theta, x, y)))`` (Goodfellow, Shlens &
    Szegedy 2015); with ``target``, ``x_adv = clip(x - eps * sign(grad_x J(theta, x, target)))``
    pushes the inputs towards the target class. The network is put in eval
    mode for the attack and restored afterwards.

    Parameters
    ----------
    model : fitted deepmine classifier or torch.nn.Module
        A module must map a float tensor of X's shape to logits of at least two
        classes; regressors and one-logit modules are refused with an error.
    X : array-like of shape (n_samples, ...)
        Inputs (a DataFrame for estimators fitted on one; the attack works on
        the encoded numeric matrix and returns it).
    y : array-like of shape (n_samples,) or None
        True labels (the estimator's classes, or class indices for a module);
        None uses the model's own predictions (avoids label leaking).
    eps : float
        Size of the perturbation in the infinity norm, in the units of X.
    target : label, array-like of shape (n_samples,) or None, default=None
        Targeted attack towards these labels.
    clip : tuple (low, high) or None, default=None
        Valid input range: scalars (``(0, 1)`` for images) or per-feature arrays
        (e.g. ``(X_train.min(axis=0), X_train.max(axis=0))`` for tables).
        None does not clip.
    batch_size : int or None, default=None
        Attack this many rows at a time; None attacks all at once.

    Returns
    -------
    X_adv : ndarray of float32, same shape as X
        (the estimator's encoded matrix when X is a DataFrame it encodes).

    See Also
    --------
    pgd : The iterated, projected attack.
    robustness_curve : Accuracy under attack over a range of eps.

    Examples
    --------
    >>> import torch
    >>> from deepmine.adversarial import fgsm
    >>> net = torch.nn.Linear(2, 2)
    >>> X = [[0.5, 0.5], [0.2, 0.8]]
    >>> X_adv = fgsm(net, X, [0, 1], eps=0.1, clip=(0, 1))
    >>> X_adv.shape, bool(abs(X_adv - X).max() <= 0.1 + 1e-6)
    ((2, 2), True)
    """
    check_params({**_COMMON}, dict(eps=eps, clip=clip, batch_size=batch_size), "fgsm")
    return _run("fgsm", model, X, y, target, eps, clip, batch_size, steps=1)


def pgd(model, X, y, eps, steps=10, step_size=None, random_start=True, *, target=None, clip=None,
        random_state=None, batch_size=None):
    """Projected gradient descent: iterated signed steps, projected onto the eps-ball (Madry et al. 2018).

    Each of ``steps`` iterations moves by ``step_size * sign(gradient)`` and
    projects back onto ``[x - eps, x + eps]`` and into ``clip``; with
    ``random_start`` the walk starts at a uniform point of the ball. It is at
    least as strong as :func:`fgsm` for the same ``eps`` (FGSM is PGD with one
    step of size ``eps`` from ``x``). The network is in eval mode during the attack.

    Parameters
    ----------
    model : fitted deepmine classifier or torch.nn.Module
    X : array-like of shape (n_samples, ...)
    y : array-like of shape (n_samples,) or None
        True labels; None uses the model's predictions.
    eps : float
        Radius of the infinity-norm ball.
    steps : int, default=10
        Number of gradient steps.
    step_size : float or None, default=None
        Size of each step; None means ``2.5 * eps / steps`` (Madry et al.).
    random_start : bool, default=True
        Start from a uniformly random point of the eps-ball.
    target : label, array-like of shape (n_samples,) or None, default=None
        Targeted attack towards these labels.
    clip : tuple (low, high) or None, default=None
        Valid input range; see :func:`fgsm`.
    random_state : int, RandomState instance or None, default=None
        Seed of the random start.
    batch_size : int or None, default=None
        Attack this many rows at a time; None attacks all at once.

    Returns
    -------
    X_adv : ndarray of float32, same shape as X

    See Also
    --------
    fgsm : The single-step attack.

    Examples
    --------
    >>> import torch
    >>> from deepmine.adversarial import pgd
    >>> net = torch.nn.Linear(2, 2)
    >>> X_adv = pgd(net, [[0.5, 0.5]], [0], eps=0.1, steps=5, clip=(0, 1), random_state=0)
    >>> X_adv.shape
    (1, 2)
    """
    check_params({**_COMMON, "steps": [Interval(Integral, 1, None, closed="left")],
                  "step_size": [Interval(Real, 0, None, closed="neither"), None],
                  "random_start": ["boolean"], "random_state": ["random_state"]},
                 dict(eps=eps, clip=clip, batch_size=batch_size, steps=steps, step_size=step_size,
                      random_start=random_start, random_state=random_state), "pgd")
    step_size = 2.5 * eps / steps if step_size is None else step_size
    return _run("pgd", model, X, y, target, eps, clip, batch_size, steps=steps,
                step_size=step_size, random_start=random_start, seed=resolve_seed(random_state))

