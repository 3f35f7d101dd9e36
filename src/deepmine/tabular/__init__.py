"""Perceptrons and multi-layer networks for tables (the lecture's first chapters)."""

from deepmine.tabular._mlp import MLPClassifier, MLPRegressor
from deepmine.tabular._perceptron import Perceptron

__all__ = ["Perceptron", "MLPClassifier", "MLPRegressor"]
