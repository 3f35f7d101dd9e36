"""Inference plumbing shared by every neural estimator: eval mode and batched forward passes."""

import contextlib

import torch

#: Rows per forward pass when predicting (bounded memory on large inputs).
INFERENCE_BATCH = 4096


@contextlib.contextmanager
def eval_mode(module):
    """Put every submodule in eval mode and restore each one's own flag afterwards.

    A module already in eval mode throughout is left untouched (no flag is
    written), which keeps single-row predictions cheap.

    Examples
    --------
    >>> import torch
    >>> from deepmine.nn._inference import eval_mode
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.5))
    >>> with eval_mode(net):
    ...     net[1].training
    False
    >>> net[1].training
    True
    """
    flags = [(m, m.training) for m in module.modules() if m.training]
    if not flags:
        yield module
        return
    module.eval()
    try:
        yield module
    finally:
        for m, flag in flags:
            m.training = flag


def batched_forward(module, X, forward=None, *, batch_size=INFERENCE_BATCH, device=None, dim=0):
    """Outputs of ``forward`` over the rows of ``X`` in batches, in eval mode, without gradients.

    Parameters
    ----------
    module : torch.nn.Module
        Put in eval mode during the passes (flags restored afterwards).
    X : torch.Tensor
        Inputs, one row per sample (on any device).
    forward : callable ``(batch) -> tensor`` or None, default=None
        None calls ``module``.
    batch_size : int, default=4096
    device : torch.device or None, default=None
        Where each batch runs; None: the module's device (CPU for a module without parameters).
    dim : int, default=0
        The dimension of the outputs that runs along the rows of ``X`` (1 for an
        ensemble's ``(n_members, n_rows, ...)`` outputs).

    Returns
    -------
    torch.Tensor
        The outputs, concatenated along ``dim``, on the device of ``X``.

    Examples
    --------
    >>> import torch
    >>> from deepmine.nn._inference import batched_forward
    >>> batched_forward(torch.nn.Linear(3, 2), torch.zeros(10, 3), batch_size=4).shape
    torch.Size([10, 2])
    """
    forward = module if forward is None else forward
    if device is None:
        param = next(module.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
    with torch.no_grad(), eval_mode(module):
        n = X.shape[0]
        if n <= batch_size:
            out = forward(X.to(device))
            return out.to(X.device) if out.device != X.device else out
        return torch.cat([forward(X[i:i + batch_size].to(device)).to(X.device)
                          for i in range(0, n, batch_size)], dim=dim)
