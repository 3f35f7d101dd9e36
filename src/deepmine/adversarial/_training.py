"""Adversarial training through the one engine (Goodfellow et al. 2015; Madry et al. 2018).

A classifier with ``adversarial="fgsm"|"pgd"`` hands the Trainer a loss that
averages the clean loss of a batch and the loss on adversarial versions of
the same batch, crafted on the fly against the current weights:
``J~(theta, x, y) = 0.5 J(theta, x, y) + 0.5 J(theta, x_adv, y)``.
"""

from deepmine.nn._adversarial import PGD_TRAIN_STEPS, adversarial_loss

__all__ = ["PGD_TRAIN_STEPS", "adversarial_loss"]
