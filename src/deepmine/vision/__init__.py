"""Convolutional networks for images, reuse of pretrained networks, and the weight-counting argument.

- :class:`ConvNetClassifier` -- a LeNet-like CNN (or a fine-tuned torchvision backbone)
  with the scikit-learn API;
- :class:`PretrainedImageFeatures` -- features of torchvision's pretrained networks
  for another classifier (transfer learning);
- :class:`ImageFolderDataset` -- an image folder read lazily (``load_image_folder(lazy=True)``);
- :func:`feature_maps`, :func:`filters` -- activations and learned kernels of a layer;
- :func:`count_weights` -- why convolutions: weights of dense, convolutional and
  locally connected layers on an image.
"""

from deepmine.vision._cnn import ConvNetClassifier
from deepmine.vision._count import count_weights
from deepmine.vision._folder import ImageFolderDataset
from deepmine.vision._inspect import feature_maps, filters
from deepmine.vision._pretrained import PretrainedImageFeatures

__all__ = ["ConvNetClassifier", "ImageFolderDataset", "PretrainedImageFeatures", "count_weights",
           "feature_maps", "filters"]
