"""The engine's parameters, once: names, defaults, constraints, documentation, storing them.

Every estimator that trains through :class:`deepmine.nn.Trainer` takes the
parameters of :data:`ENGINE_PARAMS` in its (explicit) signature, with its own
defaults where they differ from :data:`ENGINE_DEFAULTS`;
:func:`engine_params_doc` gives their numpydoc entries with those defaults,
:func:`store_params` is the body of such an ``__init__``, and
:meth:`deepmine.nn.Trainer.from_estimator` hands them to the Trainer.
"""

import re
from numbers import Integral, Real

import torch

from deepmine.nn._optim import OPTIMIZERS, SCHEDULES
from deepmine.utils._param_validation import Interval, StrOptions

#: Hyperparameters every neural estimator shares, in signature order, with their defaults.
ENGINE_DEFAULTS = dict(
    optimizer="adam", learning_rate=None, momentum=0.9, weight_decay=0.0,
    lr_schedule="constant", batch_size=64, max_epochs=200, early_stopping=False,
    validation_fraction=None, patience=10, tol=1e-4, callbacks=None, device="auto",
    random_state=None, verbose=0, warm_start=False, devices="auto", strategy=None, precision="32",
)

#: The names of the engine parameters.
ENGINE_PARAMS = tuple(ENGINE_DEFAULTS)

#: The engine parameters that go to :class:`~deepmine.nn.Trainer` under the same name (the others,
#: ``validation_fraction``, ``device`` and ``warm_start``, are the estimator's own business).
TRAINER_PARAMS = tuple(n for n in ENGINE_PARAMS
                       if n not in ("validation_fraction", "device", "warm_start"))

ENGINE_CONSTRAINTS = {
    "optimizer": [StrOptions(set(OPTIMIZERS)), type, tuple, list],
    "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "lr_schedule": [StrOptions(set(SCHEDULES)), tuple, list],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "max_epochs": [Interval(Integral, 1, None, closed="left")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="left"), None],
    "patience": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "callbacks": [list, tuple, None],
    "device": [StrOptions({"auto", "cpu", "cuda", "mps"}), torch.device],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "devices": [Interval(Integral, 1, None, closed="left"), list, tuple, StrOptions({"auto"})],
    "strategy": [StrOptions({"ddp"}), None],
    "precision": [StrOptions({"32", "bf16-mixed", "16-mixed"})],
}

#: name -> (type, description); the default is filled in by :func:`engine_params_doc`.
_DOCS = {
    "optimizer": ('{"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", '
                  '"adamw"}, torch.optim.Optimizer subclass or (name or class, dict)', """
        Optimizer of :mod:`torch.optim`, by name or class; a pair passes options
        to it, e.g. ``("adam", {"betas": (0.9, 0.99)})`` (see
        :func:`deepmine.nn.get_optimizer`)."""),
    "learning_rate": ("float or None", """
        Step size; None takes the optimizer's customary default."""),
    "momentum": ("float", """
        Momentum of ``"momentum"`` and ``"nesterov"``."""),
    "weight_decay": ("float", """
        L2 penalty."""),
    "lr_schedule": ('{"constant", "step", "exponential", "cosine", "plateau"} or (str, dict)', """
        Learning-rate schedule, stepped once per epoch; a ``(name, options)``
        pair passes options to the scheduler (see :func:`deepmine.nn.get_scheduler`)."""),
    "batch_size": ("int", """
        Mini-batch size."""),
    "max_epochs": ("int", """
        Number of passes over the training data (fewer with early stopping)."""),
    "early_stopping": ("bool", """
        Hold out ``validation_fraction`` of the data and stop when its loss has
        not improved for ``patience`` epochs; the best weights are restored."""),
    "validation_fraction": ("float or None", """
        Share of the data held out for ``valid_loss``/``valid_score`` in
        ``history_``; None means 0.1 with early stopping and 0 without."""),
    "patience": ("int", """
        Epochs without improvement before early stopping."""),
    "tol": ("float", """
        Smallest improvement that counts for early stopping."""),
    "callbacks": ("list of deepmine.nn.Callback or None", """
        Extra hooks into the training loop."""),
    "device": ('{"auto", "cpu", "cuda", "mps"}', """
        Where to train; ``"auto"`` picks an accelerator when there is one."""),
    "random_state": ("int, RandomState instance or None", """
        Seed for initialisation, dropout, shuffling and the validation split;
        an int gives bit-identical results when a script runs again on the same
        CPU. After other work in the same process, or on another CPU, PyTorch's
        float32 kernels can round the last digits differently, and a long
        training can grow that into a different prediction or two."""),
    "verbose": ("int", """
        1 shows a progress bar over epochs."""),
    "warm_start": ("bool", """
        Continue training the fitted network on the next ``fit``."""),
    "devices": ('int, list of int or "auto"', """
        With ``strategy="ddp"``: the number of processes (on the CPU, or the first
        GPUs), a list of GPU ids, or ``"auto"`` (every visible GPU; one process on
        the CPU). Under ``torchrun`` the environment gives the processes instead."""),
    "strategy": ('{None, "ddp"}', """
        None trains in this process. ``"ddp"`` trains data-parallel with
        :class:`~torch.nn.parallel.DistributedDataParallel`, one process per
        device (or as one of ``torchrun``'s processes): ``batch_size`` is per
        process, each takes every ``world``-th row of the same seeded shuffle, and
        this process ends with the fitted network; run scripts under
        ``if __name__ == "__main__":``."""),
    "precision": ('{"32", "bf16-mixed", "16-mixed"}', """
        ``"bf16-mixed"`` and ``"16-mixed"`` run the forward pass and the loss under
        :func:`torch.autocast` in bfloat16 or float16 (weights and optimizer stay
        float32; float16 scales the loss with a GradScaler)."""),
}


def _entry(name, default, description=None, kind=None):
    kind, text = kind or _DOCS[name][0], _DOCS[name][1]
    shown = f'"{default}"' if isinstance(default, str) else repr(default)
    return f"{name} : {kind}, default={shown}{text if description is None else description}"


def engine_params_doc(names=ENGINE_PARAMS, descriptions=None, kinds=None, **defaults):
    """The numpydoc entries of the engine parameters, indented for a class docstring.

    Parameters
    ----------
    names : sequence of str, default=ENGINE_PARAMS
        The parameters to document (an estimator that exposes only some).
    descriptions : dict or None, default=None
        ``{name: text}`` replacing the description of some parameters (each line
        of ``text`` indented by 8 spaces, starting with a newline).
    kinds : dict or None, default=None
        ``{name: type text}`` where an estimator accepts more than the engine
        (e.g. ``'float or "auto"'``).
    **defaults
        The estimator's defaults where they differ from :data:`ENGINE_DEFAULTS`,
        e.g. ``engine_params_doc(max_epochs=100)``.

    Examples
    --------
    >>> from deepmine.nn._engine_params import engine_params_doc
    >>> print(engine_params_doc(["batch_size"], batch_size=16))
    batch_size : int, default=16
            Mini-batch size.
    """
    unknown = sorted((set(defaults) | set(descriptions or ()) | set(kinds or ()))
                     - set(ENGINE_PARAMS))
    if unknown:
        raise ValueError(f"{', '.join(unknown)} is not an engine parameter")
    descriptions, kinds = descriptions or {}, kinds or {}
    return "\n    ".join(_entry(n, defaults.get(n, ENGINE_DEFAULTS[n]), descriptions.get(n),
                                kinds.get(n)) for n in names)


def documented_engine_params(doc):
    """``{name: documented default}`` of the engine parameters in a numpydoc docstring."""
    return {m[1]: m[2] for m in re.finditer(rf"^\s*({'|'.join(ENGINE_PARAMS)}) : .*default=(.*)$",
                                            doc or "", flags=re.M)}


def store_params(estimator, values):
    """Store an ``__init__``'s arguments unchanged, as scikit-learn expects: ``store_params(self, locals())``.

    Call it first in ``__init__`` (``values`` holds every argument under its
    name; ``self`` and names starting with ``__`` are skipped).
    """
    for name, value in values.items():
        if name != "self" and not name.startswith("__"):
            setattr(estimator, name, value)


def trainer_params(estimator):
    """``{name: value}`` of the estimator's :data:`TRAINER_PARAMS` (the engine default where it lacks one)."""
    return {n: getattr(estimator, n, ENGINE_DEFAULTS[n]) for n in TRAINER_PARAMS}
