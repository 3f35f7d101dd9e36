"""Keras-style model summaries: each layer's output shape and parameter count, and the totals."""

import torch


class Summary:
    """The table :meth:`summary` returns; its ``repr`` (and ``str``) is the table.

    Attributes
    ----------
    layers : list of dict
        One row per layer that runs or holds parameters: ``name``, ``type``,
        ``output_shape`` (a tuple with ``None`` for the batch, or None when the
        layer did not run on the sample) and ``params``.
    total_params, trainable_params, non_trainable_params : int

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.tabular import MLPClassifier
    >>> X, y = np.random.RandomState(0).rand(20, 3), np.arange(20) % 2
    >>> s = MLPClassifier((4,), max_epochs=1, random_state=0).fit(X, y).summary()
    >>> s.total_params, s.trainable_params  # 3*4 + 4, then 4*2 + 2
    (26, 26)
    """

    def __init__(self, title, layers, total, trainable):
        self.title = title
        self.layers = layers
        self.total_params = total
        self.trainable_params = trainable
        self.non_trainable_params = total - trainable

    def __str__(self):
        rows = [(f"{r['name']} ({r['type']})", _shape_text(r["output_shape"]), f"{r['params']:,}")
                for r in self.layers]
        head = ("Layer (type)", "Output Shape", "Param #")
        widths = [max(len(head[i]), *(len(r[i]) for r in rows)) if rows else len(head[i])
                  for i in range(3)]
        line = "  ".join(f"{{:<{w}}}" if i < 2 else f"{{:>{w}}}" for i, w in enumerate(widths))
        rule = "=" * len(line.format(*head))
        out = [self.title, rule, line.format(*head), rule]
        out += [line.format(*r) for r in rows]
        out += [rule, f"Total params: {self.total_params:,}",
                f"Trainable params: {self.trainable_params:,}",
                f"Non-trainable params: {self.non_trainable_params:,}"]
        return "\n".join(out)

    __repr__ = __str__


def _shape_text(shape):
    if shape is None:
        return "-"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _out_shape(out):
    if isinstance(out, torch.Tensor):
        return (None, *out.shape[1:])
    if isinstance(out, (tuple, list)) and out:  # e.g. an LSTM's (output, (h, c)): the output
        return _out_shape(out[0])
    return None


def summarize(module, forward, sample, title):
    """Run ``forward(sample)`` once with hooks on ``module``'s layers and tabulate them.

    Layers are the submodules without children plus any container holding
    parameters of its own; each counts only its own parameters, so the rows add
    up to the total. The network's training flags are restored afterwards.

    Examples
    --------
    >>> import torch
    >>> from deepmine.nn._summary import summarize
    >>> net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    >>> s = summarize(net, net, torch.zeros(1, 4), "Sequential")
    >>> [r["output_shape"] for r in s.layers], s.total_params
    ([(None, 8), (None, 8), (None, 2)], 58)
    """
    from deepmine.nn._inference import eval_mode

    layers, hooks, rows = [], [], {}
    for name, sub in module.named_modules():
        own = list(sub.parameters(recurse=False))
        if next(sub.children(), None) is not None and not own:
            continue
        row = {"name": name or type(module).__name__, "type": type(sub).__name__,
               "output_shape": None, "params": sum(p.numel() for p in own)}
        layers.append(row)
        rows[id(sub)] = row

        def hook(mod, args, out, row=row):
            if row["output_shape"] is None:
                row["output_shape"] = _out_shape(out)

        hooks.append(sub.register_forward_hook(hook))
    try:
        with torch.no_grad(), eval_mode(module):
            forward(sample)
    finally:
        for h in hooks:
            h.remove()
    seen = {id(p): p for p in module.parameters()}
    total = sum(p.numel() for p in seen.values())
    trainable = sum(p.numel() for p in seen.values() if p.requires_grad)
    return Summary(title, layers, total, trainable)
