"""Adversarial examples: attacking networks with tiny input changes.

White-box attacks in the infinity norm -- :func:`fgsm` (Goodfellow et al. 2015)
and :func:`pgd` (Madry et al. 2018), untargeted or targeted -- the accuracy
under attack over a range of perturbation sizes (:func:`robustness_curve`),
and the black-box :func:`substitute_attack` of Papernot et al. (2017).
All accept a fitted deepmine classifier or any ``torch.nn.Module`` and take
and return NumPy arrays. Adversarial training is a parameter of deepmine's
classifiers: ``MLPClassifier(adversarial="pgd", adversarial_eps=0.1)``.
"""

from deepmine.adversarial._attacks import fgsm, pgd
from deepmine.adversarial._evaluate import robustness_curve
from deepmine.adversarial._substitute import SubstituteAttackResult, substitute_attack

__all__ = ["fgsm", "pgd", "robustness_curve", "substitute_attack", "SubstituteAttackResult"]
