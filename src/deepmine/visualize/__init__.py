"""Looking inside networks: saliency, class prototypes, DeepDream and style transfer.

- :func:`saliency_map` -- gradient of a class score with respect to the input;
- :func:`class_prototype` -- gradient ascent on the input towards a class, with
  an image prior;
- :func:`deep_dream` -- amplify what a layer sees, over several scales;
- :func:`style_transfer` -- Gatys et al.'s Gram-matrix style and feature content losses;
- ``plot_*`` -- matplotlib figures for notebooks and the tour.

All accept a fitted deepmine estimator or a ``torch.nn.Module`` and work on
NumPy arrays.
"""

from deepmine.visualize._activation_max import class_prototype, deep_dream
from deepmine.visualize._attribution import saliency_map
from deepmine.visualize._plot import (plot_adversarial, plot_images, plot_robustness_curve,
                                      plot_saliency)
from deepmine.visualize._style import random_features, style_transfer, vgg19_features

__all__ = ["saliency_map", "class_prototype", "deep_dream", "style_transfer", "random_features",
           "vgg19_features", "plot_images", "plot_adversarial", "plot_robustness_curve",
           "plot_saliency"]
