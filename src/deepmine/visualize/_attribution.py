"""Saliency maps: the gradient of a class score with respect to the input (Simonyan et al. 2014)."""

from numbers import Integral

import numpy as np
import torch

from deepmine.nn._inference import eval_mode
from deepmine.nn._model_view import ModelView, check_params, to_numpy
from deepmine.utils._param_validation import Interval

__all__ = ["saliency_map"]


def saliency_map(model, X, target=None, *, absolute=True, batch_size=None):
    """Gradient of the (unnormalised) class score with respect to every input value.

    Large values mark the pixels (or features) whose change moves the score
    most: the image-specific class saliency of Simonyan, Vedaldi & Zisserman
    (2014). The network is in eval mode for the computation.

    Parameters
    ----------
    model : fitted deepmine classifier or torch.nn.Module
    X : array-like of shape (n_samples, ...)
    target : label, array-like of shape (n_samples,) or None, default=None
        Class whose score is differentiated (the estimator's labels, or class
        indices for a module); None takes each sample's predicted class.
    absolute : bool, default=True
        Return the gradient's magnitude; False keeps its sign.
    batch_size : int or None, default=None
        Rows per pass; None computes all at once.

    Returns
    -------
    saliency : ndarray of float32, same shape as X

    See Also
    --------
    deepmine.visualize.plot_saliency : Show images beside their saliency.

    Examples
    --------
    >>> import torch
    >>> from deepmine.visualize import saliency_map
    >>> net = torch.nn.Linear(3, 2)
    >>> with torch.no_grad():
    ...     _ = net.weight.copy_(torch.tensor([[1.0, -2.0, 0.0], [0.0, 0.0, 0.0]]))
    >>> saliency_map(net, [[0.1, 0.2, 0.3]], target=0)
    array([[1., 2., 0.]], dtype=float32)
    """
    check_params({"absolute": ["boolean"],
                  "batch_size": [Interval(Integral, 1, None, closed="left"), None]},
                 dict(absolute=absolute, batch_size=batch_size), "saliency_map")
    view = ModelView(model, "saliency_map")
    xt = view.to_tensor(X)
    shape = view.user_shape(X, xt)
    n = xt.shape[0]
    labels = view.predict_index(xt) if target is None else view.labels(target, n, name="target")
    bs = batch_size or n
    out = []
    with eval_mode(view.module):
        for i in range(0, n, bs):
            xb = xt[i:i + bs].clone().requires_grad_(True)
            score = view.forward(xb).gather(1, labels[i:i + bs, None]).sum()
            (grad,) = torch.autograd.grad(score, xb)
            out.append(grad.abs() if absolute else grad)
    return to_numpy(torch.cat(out), shape).astype(np.float32)
