"""Building blocks: activations by name and fully connected stacks."""

from torch import nn

from deepmine.exceptions import InvalidParameterError

ACTIVATIONS = {
    "sigmoid": nn.Sigmoid,
    "logistic": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "gelu": nn.GELU,
    "identity": nn.Identity,
}


def get_activation(name):
    """Return a new activation module from its name.

    Parameters
    ----------
    name : {"sigmoid", "logistic", "tanh", "relu", "leaky_relu", "gelu", "identity"}

    Returns
    -------
    torch.nn.Module

    Examples
    --------
    >>> from deepmine.nn import get_activation
    >>> get_activation("relu")
    ReLU()
    """
    try:
        return ACTIVATIONS[name]()
    except (KeyError, TypeError):
        raise InvalidParameterError(
            f"Unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}.") from None


def make_mlp(n_inputs, hidden_layer_sizes, n_outputs, *, activation="relu", dropout=0.0,
             output_activation=None):
    """A fully connected network: Linear -> activation -> Dropout per hidden layer, then Linear.

    Dropout (Srivastava et al. 2014) is applied after every hidden layer's
    activation, during training only.

    Parameters
    ----------
    n_inputs : int
    hidden_layer_sizes : sequence of int
    n_outputs : int
    activation : str, default="relu"
    dropout : float or sequence of float, default=0.0
        Drop rate per hidden layer (one value for all, or one per layer).
    output_activation : str or None, default=None

    Returns
    -------
    torch.nn.Sequential

    Examples
    --------
    >>> from deepmine.nn import make_mlp
    >>> make_mlp(4, (8,), 2)
    Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=2, bias=True)
    )
    """
    sizes = list(hidden_layer_sizes)
    rates = list(dropout) if isinstance(dropout, (list, tuple)) else [dropout] * len(sizes)
    if len(rates) != len(sizes):
        raise InvalidParameterError(
            f"'dropout' has {len(rates)} rates for {len(sizes)} hidden layers; give one rate or one per layer.")
    layers, width = [], n_inputs
    for size, rate in zip(sizes, rates):
        layers += [nn.Linear(width, size), get_activation(activation)]
        if rate:
            layers.append(nn.Dropout(rate))
        width = size
    layers.append(nn.Linear(width, n_outputs))
    if output_activation:
        layers.append(get_activation(output_activation))
    return nn.Sequential(*layers)
