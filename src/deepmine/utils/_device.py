"""Device resolution: ``"auto"`` picks CUDA, then MPS, then CPU."""

import warnings

import torch

from deepmine.exceptions import DeviceWarning, InvalidParameterError
from deepmine.utils._warnings import user_stacklevel


def resolve_device(device="auto"):
    """Turn a device request into a :class:`torch.device` that exists here.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda", "mps"} or torch.device, default="auto"
        ``"auto"`` takes CUDA if available, else Apple MPS, else the CPU. An
        explicit accelerator that is not available falls back to the CPU with a
        :class:`~deepmine.exceptions.DeviceWarning`.

    Returns
    -------
    torch.device

    Examples
    --------
    >>> from deepmine.utils import resolve_device
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str):
        raise InvalidParameterError(
            f"The 'device' parameter must be 'auto', 'cpu', 'cuda', 'mps' or a torch.device. Got {device!r}.")
    kind = device.split(":")[0]
    mps = getattr(torch.backends, "mps", None)
    mps_ok = bool(mps and mps.is_available())
    if kind == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps") if mps_ok else torch.device("cpu")
    if kind == "cpu":
        return torch.device("cpu")
    if kind == "cuda":
        if torch.cuda.is_available():
            return torch.device(device)
    elif kind == "mps":
        if mps_ok:
            return torch.device("mps")
    else:
        raise InvalidParameterError(
            f"The 'device' parameter must be 'auto', 'cpu', 'cuda' or 'mps'. Got {device!r}.")
    warnings.warn(f"device={device!r} is not available on this machine; using the CPU.",
                  DeviceWarning, stacklevel=user_stacklevel())
    return torch.device("cpu")
