"""Adversarial training through the one engine (Goodfellow et al. 2015; Madry et al. 2018).

A classifier with ``adversarial="fgsm"|"pgd"`` hands the Trainer a loss that
averages the clean loss of a batch and the loss on adversarial versions of
the same batch, crafted on the fly against the current weights:
``J~(theta, x, y) = 0.5 J(theta, x, y) + 0.5 J(theta, x_adv, y)``.
"""

import torch

from deepmine.adversarial._attacks import perturb
from deepmine.adversarial._model import eval_mode

#: PGD steps during training (Madry et al. use 7 on CIFAR-10).
PGD_TRAIN_STEPS = 7


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
