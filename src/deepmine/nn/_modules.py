"""Module classes for the generic nets: an MLP and an MLP autoencoder, built from their arguments."""

import torch

from deepmine.nn._layers import make_mlp

__all__ = ["MLPModule", "AutoEncoderModule"]


class MLPModule(torch.nn.Sequential):
    """A multi-layer perceptron as a module class (the default network of the generic nets).

    Parameters
    ----------
    n_inputs : int
        Width of the input (set from X by the estimators).
    n_outputs : int
        Width of the output (number of classes or targets; set by the estimators).
    hidden : tuple of int, default=(100,)
        Width of each hidden layer.
    activation : str, default="relu"
        See :func:`deepmine.nn.get_activation`.
    dropout : float, default=0.0
        Drop rate after each hidden layer.

    Examples
    --------
    >>> from deepmine.nn import MLPModule
    >>> MLPModule(4, 3, hidden=(8,))(__import__("torch").zeros(2, 4)).shape
    torch.Size([2, 3])
    """

    def __init__(self, n_inputs, n_outputs, hidden=(100,), activation="relu", dropout=0.0):
        super().__init__(*make_mlp(n_inputs, tuple(hidden), n_outputs, activation=activation,
                                   dropout=dropout))


class AutoEncoderModule(torch.nn.Module):
    """An MLP autoencoder as a module class (the default network of :class:`NeuralNetTransformer`).

    Parameters
    ----------
    n_inputs : int
        Width of the input (set from X by the estimator).
    code_size : int, default=2
        Width of the code (the output of ``encoder``).
    hidden : tuple of int, default=(32,)
        Hidden layers of the encoder (the decoder mirrors them).
    activation : str, default="relu"

    Examples
    --------
    >>> import torch
    >>> from deepmine.nn import AutoEncoderModule
    >>> ae = AutoEncoderModule(5, code_size=2)
    >>> ae.encoder(torch.zeros(3, 5)).shape, ae(torch.zeros(3, 5)).shape
    (torch.Size([3, 2]), torch.Size([3, 5]))
    """

    def __init__(self, n_inputs, code_size=2, hidden=(32,), activation="relu"):
        super().__init__()
        hidden = tuple(hidden)
        self.encoder = make_mlp(n_inputs, hidden, code_size, activation=activation)
        self.decoder = make_mlp(code_size, hidden[::-1], n_inputs, activation=activation)

    def forward(self, x):
        return self.decoder(self.encoder(x))
