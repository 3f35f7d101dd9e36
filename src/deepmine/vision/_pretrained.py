"""Reuse a pretrained network: images in, the penultimate layer's features out.

The features of a network trained on ImageNet are a strong input for another
classifier on a new task with few labels (Donahue et al. 2014, "DeCAF";
Razavian et al. 2014, "CNN features off-the-shelf"): e.g. film posters ->
genre with ``make_pipeline(PretrainedImageFeatures("resnet18"), LogisticRegression())``.
"""

import os
from numbers import Integral

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.utils import resolve_device, resolve_seed
from deepmine.utils._param_validation import Interval, StrOptions, validate_params
from deepmine.vision._images import check_images
from deepmine.vision._zoo import load_backbone, preprocessing
from deepmine.utils._optional import optional_from


class PretrainedImageFeatures(TransformerMixin, BaseEstimator):
    """Features of a torchvision model (its head removed) for images, as a scikit-learn transformer.

    Images are scaled to [0, 1] (with the pixel range seen in ``fit``; 0..255
    for ``uint8``), grey images repeated to three channels, then the model's
    own preprocessing applies: resize, center crop and normalisation of its
    default torchvision weights. Weights come from torchvision's cache or
    ``weights_path``; nothing is downloaded unless ``download=True``, and
    missing weights raise an error that says how to get them.

    Parameters
    ----------
    model : str, default="resnet18"
        A torchvision classification model: ``"resnet18"``, ``"resnet50"``,
        ``"googlenet"``, ``"vgg16"``, ``"efficientnet_b0"``, ``"mobilenet_v3_small"``, ...
    weights : str or None, default="DEFAULT"
        torchvision weights name (``"DEFAULT"``, ``"IMAGENET1K_V1"``, ...); None
        means random weights (for tests and timing only).
    weights_path : str or None, default=None
        A local ``state_dict`` file (``torch.save`` or ``.safetensors``) for the
        full model; takes precedence over ``weights``.
    download : bool, default=False
        Let torchvision download weights missing from its cache.
    resize : int or None, default=None
        None uses the model's own sizes (e.g. resize 256, crop 224); an int
        resizes the shorter side to it and crops a square of that size
        (faster on a CPU, e.g. 64 for small images).
    image_shape : tuple of int or None, default=None
        ``(H, W)`` or ``(H, W, C)`` of flat rows.
    channels : {"auto", "first", "last"}, default="auto"
        Channel axis of 4-D input.
    batch_size : int, default=32
        Images per forward pass.
    device : {"auto", "cpu", "cuda", "mps"}, default="auto"
    random_state : int, RandomState instance or None, default=None
        Seed of the random weights when ``weights=None``.

    Attributes
    ----------
    module_ : torch.nn.Module
        The headless network (eval mode).
    n_features_out_ : int
        Width of the features.
    image_shape_ : tuple of int
        ``(C, H, W)`` of the images seen in ``fit``.
    pixel_range_ : tuple of float
        Pixel values mapped to 0 and 1.
    n_features_in_ : int
    device_ : torch.device

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.vision import PretrainedImageFeatures
    >>> X = np.random.RandomState(0).rand(4, 3, 32, 32)
    >>> feats = PretrainedImageFeatures("resnet18", weights=None, resize=32, random_state=0)
    >>> feats.fit_transform(X).shape
    (4, 512)
    """

    _parameter_constraints = {
        "model": [str],
        "weights": [str, None],
        "weights_path": [str, os.PathLike, None],
        "download": ["boolean"],
        "resize": [Interval(Integral, 1, None, closed="left"), None],
        "image_shape": [tuple, list, None],
        "channels": [StrOptions({"auto", "first", "last"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [StrOptions({"auto", "cpu", "cuda", "mps"}), torch.device],
        "random_state": ["random_state"],
    }

    def __init__(self, model="resnet18", *, weights="DEFAULT", weights_path=None, download=False,
                 resize=None, image_shape=None, channels="auto", batch_size=32, device="auto",
                 random_state=None):
        self.model = model
        self.weights = weights
        self.weights_path = weights_path
        self.download = download
        self.resize = resize
        self.image_shape = image_shape
        self.channels = channels
        self.batch_size = batch_size
        self.device = device
        self.random_state = random_state

    def fit(self, X, y=None):
        """Load the network and record the image shape and pixel range of ``X``.

        Parameters
        ----------
        X : array-like of images
        y : ignored

        Returns
        -------
        self
        """
        try:
            validate_params(self)
        except ValueError as exc:
            raise InvalidParameterError(str(exc)) from None
        is_uint8 = getattr(X, "dtype", None) == np.uint8
        X = check_images(self, X, reset=True, image_shape=self.image_shape, channels=self.channels)
        if X.shape[1] not in (1, 3):
            raise DataError(f"{self.model} takes grey or RGB images; X has {X.shape[1]} channels.")
        self.pixel_range_ = (0.0, 255.0) if is_uint8 else (min(0.0, float(X.min())),
                                                            max(1.0, float(X.max())))
        self.device_ = resolve_device(self.device)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(resolve_seed(self.random_state))
            module, self.n_features_out_ = load_backbone(
                self.model, weights=self.weights, weights_path=self.weights_path,
                download=self.download)
        self.module_ = module.eval().to(self.device_)
        return self

    def _preprocess(self, X):  # (B, C, H, W) raw pixels -> (B, 3, S, S) normalised
        v2 = optional_from("torchvision.transforms", "v2", feature="Pretrained networks")

        resize, crop, mean, std = preprocessing(self.model)
        if self.resize is not None:
            resize = crop = self.resize
        lo, hi = self.pixel_range_
        X = (X - lo) / (hi - lo)
        if X.shape[1] == 1:
            X = X.expand(-1, 3, -1, -1)
        pipeline = v2.Compose([v2.Resize(resize, antialias=True), v2.CenterCrop(crop),
                               v2.Normalize(mean, std)])
        return pipeline(X)

    @torch.no_grad()
    def transform(self, X):
        """Return the penultimate-layer features of the images ``X``.

        Parameters
        ----------
        X : array-like of images

        Returns
        -------
        ndarray of shape (n_samples, n_features_out_), float32
        """
        check_is_fitted(self, "module_")
        X = check_images(self, X, reset=False, image_shape=self.image_shape, channels=self.channels)
        device = next(self.module_.parameters()).device
        try:
            out = [self.module_(self._preprocess(torch.as_tensor(X[i:i + self.batch_size])
                                                 .to(device))).cpu()
                   for i in range(0, len(X), self.batch_size)]
        except RuntimeError as exc:
            if "too small" not in str(exc):
                raise
            raise InvalidParameterError(
                f"resize={self.resize} is too small for {self.model}: its feature maps shrink to "
                f"nothing. Use resize >= 32 (or None for the model's own size).") from None
        if not out:
            return np.zeros((0, self.n_features_out_), dtype=np.float32)
        return torch.cat(out).numpy().astype(np.float32, copy=False)

    def get_feature_names_out(self, input_features=None):
        """Names ``pretrainedimagefeatures0``, ... of the output columns."""
        check_is_fitted(self, "n_features_out_")
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}{i}" for i in range(self.n_features_out_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
