"""The FGSM/PGD step and adversarial training (Goodfellow et al. 2015; Madry et al. 2018).

A classifier with ``adversarial="fgsm"|"pgd"`` hands the Trainer a loss that
averages the clean loss of a batch and the loss on adversarial versions of
the same batch, crafted on the fly against the current weights:
``J~(theta, x, y) = 0.5 J(theta, x, y) + 0.5 J(theta, x_adv, y)``.
"""

import torch
import torch.nn.functional as F

from deepmine.nn._inference import eval_mode

#: PGD steps during training (Madry et al. use 7 on CIFAR-10).
PGD_TRAIN_STEPS = 7


def perturb(forward, x, y, *, eps, steps=1, step_size=None, random_start=False, targeted=False,
            low=None, high=None, generator=None):
    """Tensor-level FGSM/PGD: the loop shared by the public attacks and adversarial training.

    Parameters
    ----------
    forward : callable ``tensor -> logits``
        Must already be in the mode the attack should use (eval for attacks).
    x : torch.Tensor of shape (N, ...)
    y : torch.LongTensor of shape (N,)
        True class indices (untargeted) or target class indices (``targeted=True``).
    eps : float
        Radius of the infinity-norm ball.
    steps : int, default=1
    step_size : float or None, default=None
        ``eps`` when None (FGSM).
    random_start : bool, default=False
        Start from a uniform point of the ball (Madry et al.).
    targeted : bool, default=False
    low, high : float, torch.Tensor or None
        Valid input range.
    generator : torch.Generator or None

    Returns
    -------
    torch.Tensor
        Adversarial inputs, detached, same shape as ``x``.
    """
    x0 = x.detach()
    step_size = eps if step_size is None else step_size
    if steps > 1 or random_start:  # project onto the eps-ball and the valid range in one clamp
        lower, upper = _clamp(x0 - eps, low, high), _clamp(x0 + eps, low, high)
    else:
        lower, upper = low, high
    if random_start and eps > 0:
        adv = x0 + torch.empty_like(x0).uniform_(-eps, eps, generator=generator)
        adv = _clamp(adv, lower, upper)
    else:
        adv = x0.clone()
    alpha = -step_size if targeted else step_size
    for _ in range(steps):
        adv.requires_grad_(True)
        loss = F.cross_entropy(forward(adv), y)
        (grad,) = torch.autograd.grad(loss, adv)
        with torch.no_grad():
            adv = _clamp(adv.detach().add_(grad.sign_(), alpha=alpha), lower, upper)
    return adv.detach()


def _clamp(t, low, high):
    if low is None and high is None:
        return t
    return torch.clamp(t, low, high)


def adversarial_loss(estimator, train_X):
    """Wrap ``estimator._compute_loss`` into the adversarial-training loss.

    Parameters
    ----------
    estimator : deepmine classifier
        Reads ``adversarial``, ``adversarial_eps``, ``_compute_loss`` and ``_forward``.
    train_X : torch.Tensor
        Training inputs; their range (per feature for tables, overall for
        images) bounds the adversarial examples.

    Returns
    -------
    callable ``(module, batch) -> loss``
    """
    base = estimator._compute_loss
    eps = float(estimator.adversarial_eps)
    if estimator.adversarial == "pgd":
        kw = dict(steps=PGD_TRAIN_STEPS, step_size=2.5 * eps / PGD_TRAIN_STEPS, random_start=True)
    else:
        kw = dict(steps=1)
    if train_X.ndim == 2:  # tables: per-feature range (float64 tables give float32 bounds)
        low, high = train_X.amin(dim=0).float(), train_X.amax(dim=0).float()
    else:  # images, series: one range
        low, high = float(train_X.min()), float(train_X.max())

    def compute_loss(module, batch):
        clean = base(module, batch)
        if not torch.is_grad_enabled():  # validation loss stays the clean loss
            return clean
        X, y = batch[0], batch[1]
        with eval_mode(module):
            adv = perturb(lambda x: estimator._forward(module, x), X, y, eps=eps, low=low,
                          high=high, **kw)
        return 0.5 * clean + 0.5 * base(module, (adv, y, *batch[2:]))

    return compute_loss
