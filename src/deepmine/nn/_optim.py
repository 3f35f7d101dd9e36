"""Optimizers and learning-rate schedules by name, backed by ``torch.optim``."""

import torch

from deepmine.exceptions import InvalidParameterError


def _unwrapped(fn):
    while hasattr(fn, "__wrapped__"):
        fn = fn.__wrapped__
    return fn


class _EagerOptimizer:
    """Mixin: the ``torch.optim`` methods without their ``torch.compile`` guards.

    ``Optimizer.step``, ``zero_grad``, ``add_param_group`` and ``(load_)state_dict``
    are wrapped so that ``torch.compile`` does not trace them; the first call of
    any of them imports ``torch._dynamo`` (about 1 s of CPU). deepmine never
    compiles its optimizers, so its optimizers call the wrapped functions
    directly: the same arithmetic (``step`` runs under ``torch.no_grad()`` as
    the wrapper does for non-differentiable optimizers), without the import.
    """

    zero_grad = _unwrapped(torch.optim.Optimizer.zero_grad)
    add_param_group = _unwrapped(torch.optim.Optimizer.add_param_group)
    state_dict = _unwrapped(torch.optim.Optimizer.state_dict)
    load_state_dict = _unwrapped(torch.optim.Optimizer.load_state_dict)

    def step(self, closure=None):
        """One optimization step (see the ``torch.optim`` class)."""
        with torch.no_grad():
            return self._eager_step(self, closure)


def _eager(cls):
    return type(cls.__name__, (_EagerOptimizer, cls),
                {"_eager_step": staticmethod(_unwrapped(cls.step)), "__module__": __name__,
                 "__qualname__": cls.__name__,
                 "__doc__": f"``torch.optim.{cls.__name__}`` that never imports ``torch._dynamo``."})


SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW = (
    _eager(c) for c in (torch.optim.SGD, torch.optim.Adagrad, torch.optim.RMSprop,
                        torch.optim.Adadelta, torch.optim.Adam, torch.optim.AdamW))

#: the ``torch.optim`` classes -> their eager subclasses (same arithmetic, no ``torch._dynamo`` import)
_EAGER = {torch.optim.SGD: SGD, torch.optim.Adagrad: Adagrad, torch.optim.RMSprop: RMSprop,
          torch.optim.Adadelta: Adadelta, torch.optim.Adam: Adam, torch.optim.AdamW: AdamW}

#: name -> (optimizer class, default learning rate); each class subclasses its ``torch.optim`` namesake
OPTIMIZERS = {
    "sgd": (SGD, 0.01),
    "momentum": (SGD, 0.01),
    "nesterov": (SGD, 0.01),
    "adagrad": (Adagrad, 0.01),
    "rmsprop": (RMSprop, 0.001),
    "adadelta": (Adadelta, 1.0),
    "adam": (Adam, 0.001),
    "adamw": (AdamW, 0.001),
}

SCHEDULES = ("constant", "step", "exponential", "cosine", "plateau")


def get_optimizer(name, params, *, learning_rate=None, momentum=0.9, weight_decay=0.0, **options):
    """Create a ``torch.optim`` optimizer from its lecture name or its class.

    Parameters
    ----------
    name : str, torch.optim.Optimizer subclass or (str or class, dict)
        One of ``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"adagrad"``,
        ``"rmsprop"``, ``"adadelta"``, ``"adam"``, ``"adamw"`` (``"momentum"`` is
        SGD with heavy-ball momentum, ``"nesterov"`` SGD with Nesterov
        momentum), or any subclass of ``torch.optim.Optimizer``. A pair
        ``(name, options)`` passes ``options`` as keyword arguments to the
        optimizer, e.g. ``("adam", {"betas": (0.9, 0.99)})``.
    params : iterable of parameters
    learning_rate : float or None, default=None
        None takes the optimizer's customary default (0.01 for the SGD family and
        AdaGrad, 0.001 for RMSProp and Adam, 1.0 for AdaDelta; a class's own
        default ``lr`` for other classes).
    momentum : float, default=0.9
        Used by ``"momentum"`` and ``"nesterov"`` only (give a class its
        momentum as an option).
    weight_decay : float, default=0.0
        L2 penalty (decoupled for ``"adamw"``); passed to a class when its
        constructor accepts ``weight_decay``.
    **options
        Further keyword arguments of the optimizer (they override those of a pair).

    Returns
    -------
    torch.optim.Optimizer

    Examples
    --------
    >>> import torch
    >>> from deepmine.nn import get_optimizer
    >>> opt = get_optimizer("nesterov", torch.nn.Linear(2, 1).parameters(), learning_rate=0.1)
    >>> opt.defaults["nesterov"], opt.defaults["lr"]
    (True, 0.1)
    >>> opt = get_optimizer(torch.optim.Adam, torch.nn.Linear(2, 1).parameters(), betas=(0.5, 0.9))
    >>> opt.defaults["betas"], opt.defaults["lr"]
    ((0.5, 0.9), 0.001)
    """
    name, pair_options = check_optimizer(name)
    options = {**pair_options, **options}
    params = list(params)
    if not params:
        raise InvalidParameterError("The network has no trainable parameters (none with "
                                    "requires_grad=True): there is nothing to optimize.")
    if isinstance(name, str):
        cls, default_lr = OPTIMIZERS[name]
        kwargs = {"lr": default_lr, "weight_decay": weight_decay}
        if name == "momentum":
            kwargs["momentum"] = momentum
        elif name == "nesterov":
            kwargs.update(momentum=momentum, nesterov=True)
    else:
        cls = _EAGER.get(name, name)
        default_lr = next((lr for c, lr in OPTIMIZERS.values() if c is cls), None)
        kwargs = {} if default_lr is None else {"lr": default_lr}
        if weight_decay and _accepts(cls, "weight_decay"):
            kwargs["weight_decay"] = weight_decay
    if learning_rate is not None:
        kwargs["lr"] = float(learning_rate)
    kwargs.update(options)
    if (issubclass(cls, (torch.optim.Adam, torch.optim.AdamW)) and "fused" not in kwargs
            and not kwargs.get("foreach") and _fusable(params)):
        kwargs["fused"] = True  # one kernel per tensor: about 15% faster steps on small CPU networks
    try:
        return cls(params, **kwargs)
    except (TypeError, ValueError) as exc:
        label = name if isinstance(name, str) else cls.__name__
        raise InvalidParameterError(f"Invalid options {options!r} for optimizer {label!r}: "
                                    f"{exc}.") from None


def check_optimizer(optimizer):
    """Split an ``optimizer`` value into ``(name or class, options)``; raise a clear error if malformed.

    Examples
    --------
    >>> from deepmine.nn._optim import check_optimizer
    >>> check_optimizer(("adam", {"eps": 1e-6}))
    ('adam', {'eps': 1e-06})
    """
    options = {}
    if (isinstance(optimizer, (tuple, list)) and len(optimizer) == 2
            and isinstance(optimizer[1], dict)):
        optimizer, options = optimizer
        if not all(isinstance(k, str) for k in options):
            raise InvalidParameterError(f"The options of optimizer must be keyword names; got "
                                        f"{sorted(map(repr, options))[:3]}.")
    if isinstance(optimizer, str):
        if optimizer not in OPTIMIZERS:
            raise InvalidParameterError(
                f"Unknown optimizer {optimizer!r}; choose one of {sorted(OPTIMIZERS)} or pass a "
                f"torch.optim.Optimizer subclass.")
    elif not (isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer)):
        raise InvalidParameterError(
            f"optimizer must be a name ({', '.join(sorted(OPTIMIZERS))}), a torch.optim.Optimizer "
            f"subclass or a (name or class, options) pair; got {optimizer!r}. Pass the class, "
            f"not an instance, e.g. optimizer=torch.optim.SGD.")
    return optimizer, dict(options)


def _accepts(cls, name):
    import inspect

    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def get_scheduler(name, optimizer, *, max_epochs):
    """Create a per-epoch learning-rate schedule from its name.

    Parameters
    ----------
    name : {"constant", "step", "exponential", "cosine", "plateau"} or (str, dict)
        ``"step"`` divides the rate by 10 every third of training,
        ``"exponential"`` multiplies it by 0.95 each epoch, ``"cosine"`` anneals it
        to zero over ``max_epochs``, ``"plateau"`` divides it by 10 after 5 epochs
        without improvement of the monitored loss. A pair ``(name, options)``
        overrides those settings with keyword arguments of the ``torch.optim``
        scheduler, e.g. ``("plateau", {"factor": 0.5, "patience": 50,
        "min_lr": 1e-4})`` (the recipe of Fawaz et al. 2019).
    optimizer : torch.optim.Optimizer
    max_epochs : int

    Returns
    -------
    torch.optim.lr_scheduler.LRScheduler or None
        None for ``"constant"``.

    Examples
    --------
    >>> import torch
    >>> from deepmine.nn import get_optimizer, get_scheduler
    >>> opt = get_optimizer("sgd", torch.nn.Linear(2, 1).parameters())
    >>> type(get_scheduler("cosine", opt, max_epochs=10)).__name__
    'CosineAnnealingLR'
    >>> get_scheduler(("plateau", {"patience": 50}), opt, max_epochs=10).patience
    50
    """
    name, options = check_schedule(name)
    sched = torch.optim.lr_scheduler
    if name == "constant":
        return None
    cls, defaults = {
        "step": (sched.StepLR, {"step_size": max(1, max_epochs // 3), "gamma": 0.1}),
        "exponential": (sched.ExponentialLR, {"gamma": 0.95}),
        "cosine": (sched.CosineAnnealingLR, {"T_max": max(1, max_epochs)}),
        "plateau": (sched.ReduceLROnPlateau, {"factor": 0.1, "patience": 5}),
    }[name]
    try:
        return cls(optimizer, **{**defaults, **options})
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"Invalid options {options!r} for lr_schedule {name!r} "
                                    f"({cls.__name__}): {exc}") from None


def check_schedule(schedule):
    """Split an ``lr_schedule`` value into ``(name, options)``; raise a clear error if malformed."""
    if isinstance(schedule, str):
        name, options = schedule, {}
    elif (isinstance(schedule, (tuple, list)) and len(schedule) == 2
          and isinstance(schedule[0], str) and isinstance(schedule[1], dict)):
        name, options = schedule
    else:
        raise InvalidParameterError(f"lr_schedule must be a name or a (name, options) pair; got "
                                    f"{schedule!r}.")
    if name not in SCHEDULES:
        raise InvalidParameterError(f"Unknown lr_schedule {name!r}; choose one of {list(SCHEDULES)}.")
    if name == "constant" and options:
        raise InvalidParameterError("lr_schedule 'constant' takes no options.")
    return name, dict(options)


def _fusable(params):
    tensors = [p["params"] if isinstance(p, dict) else p for p in params]
    flat = [t for group in tensors for t in (group if isinstance(group, (list, tuple)) else [group])]
    return bool(flat) and all(isinstance(t, torch.Tensor) and t.is_floating_point()
                              and t.device.type in ("cpu", "cuda") for t in flat)
