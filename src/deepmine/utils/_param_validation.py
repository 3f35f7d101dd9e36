"""deepmine's parameter validation: the constraint vocabulary its estimators declare.

Estimators list ``_parameter_constraints = {name: [constraint, ...]}``; a value
is valid when it satisfies any of its constraints. A constraint is one of

- ``Interval(Integral | Real, left, right, closed=...)``, ``StrOptions({...})``,
  ``HasMethods([...])``;
- ``None``, a type (``list``, ``torch.device``: an instance of it), the builtin
  ``callable``;
- one of the strings ``"boolean"``, ``"random_state"`` (None, an int or a
  ``numpy.random.RandomState``), ``"verbose"`` (a bool or a non-negative int),
  ``"array-like"``.

:func:`validate_params` checks an estimator's parameters; the message names
the parameter, the estimator, what is allowed and the value received, and the
error is :class:`deepmine.exceptions.InvalidParameterError`.
"""

import math
from numbers import Integral, Real

import numpy as np

from deepmine.exceptions import InvalidParameterError

__all__ = ["Interval", "StrOptions", "HasMethods", "validate_parameter_constraints",
           "validate_params"]


class Interval:
    """Numbers of ``type`` (``Integral`` or ``Real``) between ``left`` and ``right`` (None: unbounded).

    Parameters
    ----------
    type : {numbers.Integral, numbers.Real}
    left, right : number or None
    closed : {"left", "right", "both", "neither"}

    Examples
    --------
    >>> from numbers import Real
    >>> from deepmine.utils._param_validation import Interval
    >>> c = Interval(Real, 0, 1, closed="left")
    >>> c.is_satisfied_by(0.0), c.is_satisfied_by(1.0), str(c)
    (True, False, 'a float in the range [0, 1)')
    """

    def __init__(self, type, left, right, *, closed):
        if type not in (Integral, Real):
            raise ValueError(f"Interval type must be numbers.Integral or numbers.Real; got {type}.")
        if closed not in ("left", "right", "both", "neither"):
            raise ValueError(f"closed must be 'left', 'right', 'both' or 'neither'; got {closed!r}.")
        self.type, self.left, self.right, self.closed = type, left, right, closed

    def is_satisfied_by(self, value):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, self.type):
            return False
        if isinstance(value, Real) and math.isnan(value):
            return False
        lo_ok = self.left is None or (value >= self.left if self.closed in ("left", "both")
                                      else value > self.left)
        hi_ok = self.right is None or (value <= self.right if self.closed in ("right", "both")
                                       else value < self.right)
        return lo_ok and hi_ok

    def __str__(self):
        kind = "an int" if self.type is Integral else "a float"
        lo = "(" if self.closed in ("right", "neither") or self.left is None else "["
        hi = ")" if self.closed in ("left", "neither") or self.right is None else "]"
        left = "-inf" if self.left is None else self.left
        right = "inf" if self.right is None else self.right
        return f"{kind} in the range {lo}{left}, {right}{hi}"


class StrOptions:
    """One of a set of strings.

    Examples
    --------
    >>> from deepmine.utils._param_validation import StrOptions
    >>> StrOptions({"b", "a"}).is_satisfied_by("a"), str(StrOptions({"b", "a"}))
    (True, "a str among {'a', 'b'}")
    """

    def __init__(self, options):
        self.options = set(options)

    def is_satisfied_by(self, value):
        return isinstance(value, str) and value in self.options

    def __str__(self):
        return "a str among {" + ", ".join(repr(o) for o in sorted(self.options)) + "}"


class HasMethods:
    """An object with all of the named methods (e.g. ``["fit", "predict"]``)."""

    def __init__(self, methods):
        self.methods = [methods] if isinstance(methods, str) else list(methods)

    def is_satisfied_by(self, value):
        return all(callable(getattr(value, m, None)) for m in self.methods)

    def __str__(self):
        return "an object implementing " + " and ".join(repr(m) for m in self.methods)


def _named(name):
    checks = {
        "boolean": (lambda v: isinstance(v, (bool, np.bool_)), "a bool"),
        "random_state": (lambda v: v is None or (isinstance(v, Integral) and not isinstance(
            v, (bool, np.bool_)) and 0 <= v < 2**32) or isinstance(v, np.random.RandomState),
            "an int in the range [0, 4294967295], an instance of 'numpy.random.mtrand.RandomState'"
            " or None"),
        "verbose": (lambda v: isinstance(v, (bool, np.bool_)) or (isinstance(v, Integral)
                                                                  and v >= 0),
                    "an int in the range [0, inf) or a bool"),
        "array-like": (lambda v: hasattr(v, "__len__") or hasattr(v, "shape")
                       or hasattr(v, "__array__"), "an array-like"),
    }
    if name not in checks:
        raise ValueError(f"Unknown constraint {name!r}.")
    return checks[name]


def _check_one(constraint, value):
    """(satisfied, description) of one constraint."""
    if constraint is None:
        return value is None, "None"
    if constraint is callable:
        return callable(value), "a callable"
    if isinstance(constraint, str):
        test, text = _named(constraint)
        return bool(test(value)), text
    if isinstance(constraint, type):
        name = constraint.__qualname__ if constraint.__module__ == "builtins" else \
            f"{constraint.__module__}.{constraint.__qualname__}"
        return isinstance(value, constraint), f"an instance of '{name}'"
    return constraint.is_satisfied_by(value), str(constraint)


def validate_parameter_constraints(constraints, params, caller_name):
    """Raise :class:`~deepmine.exceptions.InvalidParameterError` for the first invalid parameter.

    Parameters
    ----------
    constraints : dict
        ``{name: [constraint, ...]}``; parameters without an entry are not checked.
    params : dict
        ``{name: value}``.
    caller_name : str
        The estimator or function, for the message.

    Examples
    --------
    >>> from numbers import Integral
    >>> from deepmine.utils._param_validation import Interval, validate_parameter_constraints
    >>> validate_parameter_constraints({"k": [Interval(Integral, 1, None, closed="left")]},
    ...                                {"k": 0}, "f")
    Traceback (most recent call last):
    ...
    deepmine.exceptions.InvalidParameterError: The 'k' parameter of f must be an int in the range [1, inf). Got 0 instead.
    """
    for name, value in params.items():
        allowed = constraints.get(name)
        if allowed is None or allowed == "no_validation":
            continue
        texts = []
        for constraint in allowed:
            ok, text = _check_one(constraint, value)
            if ok:
                break
            texts.append(text)
        else:
            texts = [t for t in texts if t != "None"] + (["None"] if None in allowed else [])
            must = texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " or " + texts[-1]
            raise InvalidParameterError(f"The {name!r} parameter of {caller_name} must be {must}. "
                                        f"Got {value!r} instead.")


def validate_params(estimator):
    """Check ``estimator.get_params(deep=False)`` against its ``_parameter_constraints``."""
    validate_parameter_constraints(getattr(estimator, "_parameter_constraints", {}),
                                   estimator.get_params(deep=False), type(estimator).__name__)
