"""Autoencoders: non-linear dimensionality reduction, denoising, stacked pretraining and
outlier detection from reconstruction errors."""

from deepmine.autoencoders._autoencoder import AutoEncoder
from deepmine.autoencoders._base import AutoEncoderNet
from deepmine.autoencoders._detector import AutoEncoderOutlierDetector
from deepmine.autoencoders._stacked import StackedAutoEncoder

__all__ = ["AutoEncoder", "AutoEncoderNet", "AutoEncoderOutlierDetector", "StackedAutoEncoder"]
