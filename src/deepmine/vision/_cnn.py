"""Convolutional network classifier for images (LeCun et al. 1998), optionally on a pretrained backbone.

Convolutions share one small kernel over all positions of the image, so a
layer needs ``k*k*C_in*filters`` weights whatever the image size (see
:func:`deepmine.vision.count_weights`); pooling makes the features tolerant
to small shifts. With ``backbone="resnet18"`` the network is a torchvision
model whose head is replaced and trained (transfer learning, Yosinski et al. 2014).
"""

import os
from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassifierMixin

from deepmine.base import (ADVERSARIAL_CONSTRAINTS, ADVERSARIAL_PARAMS_DOC, BaseDeepEstimator,
                           DeepClassifierMixin, engine_params_doc, store_params)
from deepmine.exceptions import DataError
from deepmine.nn._inference import INFERENCE_BATCH
from deepmine.nn._layers import ACTIVATIONS
from deepmine.utils._param_validation import Interval, StrOptions
from deepmine.vision._architectures import (POOLINGS, BackboneNet, ConvNet, check_conv_layers,
                                            random_affine)
from deepmine.vision._images import check_images

_DOC_ENGINE = engine_params_doc(max_epochs=30)


def _auto_conv_layers(h, w):
    n = 2
    while min(h, w) / 2**n > 8 and n < 5:
        n += 1
    return [(min(32 * 2**i, 256), 3) for i in range(n)]


class ConvNetClassifier(DeepClassifierMixin, ClassifierMixin, BaseDeepEstimator):
    __doc__ = f"""Convolutional neural network classifier for images.

    Images may be given as ``(n, H, W)``, ``(n, C, H, W)`` or ``(n, H, W, C)``
    arrays, or as flat rows with ``image_shape`` (so it works on scikit-learn's
    digits and inside a ``Pipeline``). Pixels are standardised per channel
    inside the network with the training data's statistics, so ``module_``
    takes raw ``(N, C, H, W)`` pixel tensors and returns logits.

    Parameters
    ----------
    conv_layers : sequence of (int, int) or None, default=None
        ``(filters, kernel_size)`` per convolution block (convolution with
        "same" padding, activation, pooling by 2). None sizes the network
        from the input: 3x3 kernels, 32, 64, 128, 256, 256 filters, as many
        blocks (2 to 5) as it takes to pool the image down to at most 8 pixels
        a side (8x8 digits and 28x28 MNIST: ``((32, 3), (64, 3))``).
    pooling : {{"max", "avg"}}, default="max"
    hidden_layer_sizes : int or tuple of int, default=(128,)
        Fully connected layers after the convolutions.
    activation : {{"relu", "sigmoid", "tanh", "leaky_relu", "gelu"}}, default="relu"
    dropout : float, default=0.25
        Drop rate of the fully connected hidden layers (or before the head of a backbone).
    batch_norm : bool, default=False
        Batch normalisation after each convolution.
    shift : float, default=0.0
        Data augmentation during training: random shifts up to this fraction
        of the image size, drawn for every image of every batch.
    rotation : float, default=0.0
        Data augmentation: random rotations up to this many degrees.
    image_shape : tuple of int or None, default=None
        ``(H, W)`` or ``(H, W, C)`` of flat rows. None: square one-channel
        images when the row length is a square number, else ``(1, n_features)``.
    channels : {{"auto", "first", "last"}}, default="auto"
        Channel axis of 4-D input.
    backbone : str or None, default=None
        Name of a torchvision model (``"resnet18"``, ``"mobilenet_v3_small"``,
        ...) to use instead of ``conv_layers``: its head is replaced by a
        linear layer for ``classes_``. Grey images are repeated to 3 channels
        and small ones enlarged to 32 pixels.
    pretrained : bool, default=True
        Start the backbone from torchvision's default weights (from its cache;
        an error explains how to get them when absent) or from ``weights_path``.
    freeze_backbone : bool, default=True
        Train only the new head (and the last ``trainable_layers`` blocks).
    trainable_layers : int, default=0
        With ``freeze_backbone``, the number of the backbone's last top-level
        blocks that are trained too (fine-tuning).
    weights_path : str or None, default=None
        A local ``state_dict`` file for the backbone.
    class_weight : dict, "balanced" or None, default=None
    {ADVERSARIAL_PARAMS_DOC}
    {_DOC_ENGINE}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    module_ : torch.nn.Module
        The trained network: ``(N, C, H, W)`` float tensors -> logits.
    image_shape_ : tuple of int
        ``(C, H, W)`` of the training images.
    conv_layers_ : list of (int, int)
        The convolution blocks used (empty with a backbone).
    channel_mean_, channel_std_ : ndarray of shape (C,)
        Pixel statistics used to standardise the input.
    n_features_in_ : int
        Values per image (``C*H*W``).
    history_ : deepmine.nn.History
    n_iter_ : int
    loss_curve_ : list of float
    device_ : torch.device

    Examples
    --------
    >>> from deepmine.datasets import load_digits_images
    >>> from deepmine.vision import ConvNetClassifier
    >>> X, y = load_digits_images(return_X_y=True)
    >>> clf = ConvNetClassifier(conv_layers=[(8, 3)], max_epochs=2, random_state=0)
    >>> clf.fit(X[:300], y[:300]).predict(X[:3]).shape
    (3,)
    """

    _accepts_dataset = True  # fit(Dataset of (image, class index)), e.g. load_image_folder(lazy=True)

    _parameter_constraints = {
        **BaseDeepEstimator._parameter_constraints,
        "conv_layers": [list, tuple, None],
        "pooling": [StrOptions(set(POOLINGS))],
        "hidden_layer_sizes": [list, tuple, Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "shift": [Interval(Real, 0, 1, closed="both")],
        "rotation": [Interval(Real, 0, 180, closed="both")],
        "image_shape": [tuple, list, None],
        "channels": [StrOptions({"auto", "first", "last"})],
        "backbone": [str, None],
        "pretrained": ["boolean"],
        "freeze_backbone": ["boolean"],
        "trainable_layers": [Interval(Integral, 0, None, closed="left")],
        "weights_path": [str, os.PathLike, None],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        **ADVERSARIAL_CONSTRAINTS,
    }

    def __init__(self, conv_layers=None, *, pooling="max", hidden_layer_sizes=(128,),
                 activation="relu", dropout=0.25, batch_norm=False, shift=0.0, rotation=0.0,
                 image_shape=None, channels="auto", backbone=None, pretrained=True,
                 freeze_backbone=True, trainable_layers=0, weights_path=None, class_weight=None,
                 adversarial=None, adversarial_eps=0.1, optimizer="adam", learning_rate=None,
                 momentum=0.9, weight_decay=0.0, lr_schedule="constant", batch_size=64,
                 max_epochs=30, early_stopping=False, validation_fraction=None, patience=10,
                 tol=1e-4, callbacks=None, device="auto", random_state=None, verbose=0,
                 warm_start=False, devices="auto", strategy=None,
                 precision="32"):
        store_params(self, locals())

    # ---- engine hooks --------------------------------------------------------------------
    def _validate_fit(self, X, y, reset, context=None):
        if reset and self.backbone is None and self.conv_layers is not None:
            check_conv_layers(self.conv_layers)
        X = check_images(self, X, reset=reset, image_shape=self.image_shape, channels=self.channels)
        from sklearn.utils import check_consistent_length

        if y is not None:
            check_consistent_length(X, y)
            if np.asarray(y).dtype.kind in "fc":
                from sklearn.utils import assert_all_finite

                assert_all_finite(y, input_name="y")
        y = self._encode_targets(y, reset, context)
        if reset:
            c, h, w = self.image_shape_
            if self.backbone is not None and c not in (1, 3):
                raise DataError(f"backbone={self.backbone!r} takes grey or RGB images; X has "
                                f"{c} channels.")
            if self.backbone is not None:
                self.conv_layers_ = []
            elif self.conv_layers is None:
                self.conv_layers_ = _auto_conv_layers(h, w)
            else:
                self.conv_layers_ = check_conv_layers(self.conv_layers)
            self.channel_mean_ = X.mean(axis=(0, 2, 3)).astype(np.float32)
            std = X.std(axis=(0, 2, 3)).astype(np.float32)
            self.channel_std_ = np.where(std > 1e-6, std, 1.0).astype(np.float32)
            self.pixel_range_ = (min(0.0, float(X.min())), max(1.0, float(X.max())))
        return X, y

    def _validate_predict(self, X):
        return check_images(self, X, reset=False, image_shape=self.image_shape,
                            channels=self.channels)

    def _build_module(self, context=None):
        n_out = len(self.classes_)
        if self.backbone is None:
            hidden = self.hidden_layer_sizes
            hidden = (hidden,) if isinstance(hidden, Integral) else tuple(hidden)
            return ConvNet(self.image_shape_, self.conv_layers_, hidden, n_out,
                           pooling=self.pooling, activation=self.activation, dropout=self.dropout,
                           batch_norm=self.batch_norm, mean=self.channel_mean_,
                           std=self.channel_std_)
        from deepmine.vision._zoo import load_backbone, preprocessing

        # a saved model is rebuilt without a context: its weights come from the file
        load = context is not None and self.pretrained
        model, n_features = load_backbone(
            self.backbone, weights="DEFAULT" if load else None,
            weights_path=self.weights_path if load else None)
        _, _, mean, std = preprocessing(self.backbone)
        if self.freeze_backbone:
            model.requires_grad_(False)
            blocks = [m for m in model.children() if any(True for _ in m.parameters())]
            for block in blocks[max(0, len(blocks) - self.trainable_layers):] \
                    if self.trainable_layers else []:
                block.requires_grad_(True)
        net = BackboneNet(model, n_features, n_out, in_channels=self.image_shape_[0],
                          pixel_range=self.pixel_range_, mean=mean, std=std, dropout=self.dropout)
        net.frozen_batch_norm = bool(self.freeze_backbone)
        return net.train()

    def _compute_loss(self, module, batch):
        X, y, *w = batch  # X: (B, C, H, W), y: (B,), w: sample weights (when given)
        if module.training and (self.shift or self.rotation):
            X = random_affine(X, self.shift, self.rotation)
        return self._classification_loss(module(X), y, *w)

    def _predict_raw(self, X, batch_size=None):
        if batch_size is None:
            shape = getattr(self, "image_shape_", (1, 1, 1))
            batch_size = int(max(16, min(INFERENCE_BATCH, 2**21 // max(1, int(np.prod(shape))))))
        return super()._predict_raw(X, batch_size=batch_size)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
