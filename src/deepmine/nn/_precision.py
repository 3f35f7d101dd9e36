"""Mixed precision: ``torch.autocast`` for the forward pass and the loss, a GradScaler for float16."""

import contextlib

import torch

from deepmine.exceptions import InvalidParameterError

#: Accepted values of ``precision`` and the autocast dtype of each (None: no autocast).
PRECISIONS = {"32": None, "bf16-mixed": torch.bfloat16, "16-mixed": torch.float16}


class Precision:
    """The autocast context and gradient scaling of one training run.

    Parameters
    ----------
    precision : {"32", "bf16-mixed", "16-mixed"}
        ``"32"`` trains in float32; ``"bf16-mixed"`` and ``"16-mixed"`` run the
        forward pass and the loss under :func:`torch.autocast` in bfloat16 or
        float16 (weights, gradients and the optimizer stay float32); float16
        scales the loss with a :class:`torch.amp.GradScaler` against underflow.
    device : torch.device

    Examples
    --------
    >>> import torch
    >>> from deepmine.nn._precision import Precision
    >>> p = Precision("bf16-mixed", torch.device("cpu"))
    >>> with p.autocast():
    ...     out = torch.nn.Linear(2, 2)(torch.ones(1, 2))
    >>> out.dtype
    torch.bfloat16
    """

    def __init__(self, precision, device):
        key = str(precision)
        if key not in PRECISIONS:
            raise InvalidParameterError(
                f"The 'precision' parameter must be one of {sorted(PRECISIONS)}; got "
                f"{precision!r}. Use '32' for full precision.")
        self.dtype = PRECISIONS[key]
        self.device_type = torch.device(device).type
        self.scaler = (torch.amp.GradScaler(self.device_type)
                       if self.dtype is torch.float16 else None)

    def autocast(self):
        """Context manager for the forward pass (a no-op in full precision)."""
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device_type, dtype=self.dtype)

    def step(self, loss, optimizer):
        """Backpropagate ``loss`` and take one optimizer step (scaled for float16)."""
        if self.scaler is None:
            loss.backward()
            optimizer.step()
            return
        self.scaler.scale(loss).backward()
        self.scaler.step(optimizer)
        self.scaler.update()
