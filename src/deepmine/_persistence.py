"""``estimator.save(path)`` / ``deepmine.load(path)``: JSON + safetensors, no pickle.

A model file is a zip archive with exactly two members:

- ``deepmine.json``: format version, the estimator's class and its attributes
  (parameters and fitted state) as a JSON tree;
- ``tensors.safetensors``: every numeric array and the network weights.

Loading is data, never behaviour. Classes are named from a fixed registry
(:mod:`deepmine._persistence_registry`) and rebuilt through their constructor
parameters and declared fitted fields; nothing else in the file can choose code
to run. The archive is checked first (member names, declared and actual sizes,
compression ratio, JSON nesting depth), then the whole tree is validated, and
only then are objects created. Networks are rebuilt with the estimator's own
``_build_module`` -- first without memory (PyTorch's ``meta`` device) to check
that the stored weights have exactly the names, shapes and dtypes of the
network -- and then filled with the weights. Every refusal is a
:class:`~deepmine.exceptions.ModelFileError`. Optimizer state is not stored (a
loaded model predicts; ``partial_fit`` starts a new optimizer).

Files are written atomically (temporary file in the same directory, fsync,
rename), so an interrupted or failed ``save`` leaves any previous file intact.
"""

import json
import math
import zipfile

import numpy as np
import torch

from deepmine import _persistence_registry as registry
from deepmine._persistence_checks import (JSON_MEMBER, TENSOR_MEMBER, ModuleWeights,
                                          ObjectPlan, Refused, probe_build, read_members)
from deepmine._persistence_decode import Decoder
from deepmine.exceptions import ModelFileError
from deepmine.nn import History

FORMAT = "deepmine-model"
VERSION = 1
_SKIP = {"optimizer_", "criterion_", "_extra_params"}  # rebuilt on load (criterion_) or by __init__


def save_estimator(estimator, path):
    """Write ``estimator`` to ``path`` atomically (see module docstring for the format)."""
    from safetensors.torch import save

    from deepmine._version import __version__
    from deepmine.utils._io import atomic_write

    tensors = {}
    tree = _encode(estimator, "root", tensors)
    header = {"format": FORMAT, "version": VERSION, "estimator": tree,
              "deepmine_version": __version__}
    payload = save(tensors) if tensors else b""
    with atomic_write(path, "wb") as f:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(JSON_MEMBER, json.dumps(header))
            zf.writestr(TENSOR_MEMBER, payload)


def load_estimator(path, trusted_modules=None):
    """Read an estimator written by :func:`save_estimator`; refuse anything else.

    ``trusted_modules``: classes (e.g. a user's ``torch.nn.Module``) that the file
    may name as parameter values besides torch's optimizers and losses.
    """
    trusted = _check_trusted(trusted_modules)
    header, raw = read_members(path)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a deepmine model file (no '{FORMAT}' header).")
    unknown = sorted(set(header) - {"format", "version", "estimator", "deepmine_version"})
    if unknown:
        raise ModelFileError(f"{path}: unknown header fields {unknown[:3]}.")
    version = header.get("version")
    if type(version) is not int or version < 1:
        raise ModelFileError(f"{path}: the format version must be a positive integer, "
                             f"got {str(version)[:40]!r}.")
    if version > VERSION:
        raise ModelFileError(f"{path} was written by a newer deepmine (format {version}); "
                             f"upgrade deepmine to read it.")
    if "estimator" not in header:
        raise ModelFileError(f"{path}: the file describes no estimator.")
    root = header["estimator"]
    root_cls = registry.resolve(root.get("__object__")) if isinstance(root, dict) else None
    if root_cls is not None and not registry.is_top_level(root_cls):
        raise ModelFileError(f"{path}: the top-level object is a {root_cls.__qualname__}, not a "
                             f"deepmine estimator.")
    try:
        tensors = _load_tensors(raw)
        plan = Decoder(tensors, trusted).decode(root)
        if not isinstance(plan, ObjectPlan) or not registry.is_top_level(plan.cls):
            raise Refused("the top-level object is not a deepmine estimator")
        estimator = _materialise(plan, tensors)
    except Refused as exc:
        raise ModelFileError(f"{path}: {exc}.") from None
    needed = [a for a, test in (("module_", "_build_module"), ("y_", "_forecast"))
              if hasattr(estimator, test)]
    if not all(a in vars(estimator) for a in needed):
        raise ModelFileError(f"{path}: the {type(estimator).__name__} it describes is not fitted "
                             f"(no {' or '.join(needed)}).")
    if hasattr(estimator, "_forecast"):
        _check_forecaster(estimator, path)
    return estimator


def _check_trusted(trusted):
    if trusted is None:
        return ()
    if isinstance(trusted, type):
        trusted = [trusted]
    trusted = tuple(trusted)
    bad = [t for t in trusted if not isinstance(t, type)]
    if bad:
        from deepmine.exceptions import InvalidParameterError

        raise InvalidParameterError(f"trusted_modules must hold classes (e.g. [MyNet]); got "
                                    f"{bad[0]!r}.")
    return trusted


def _check_forecaster(estimator, path):
    """A forecaster needs no input data, so a few steps are forecast to prove its state sane.

    Finite but absurd numbers in a nested model's state (an intercept of -1e308) pass every
    type check and overflow only when forecasts feed back; a forecast a million spans of the
    training series away from it is no model anyone fitted.
    """
    import warnings

    from deepmine.exceptions import DeepmineError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            forecast = np.asarray(estimator.predict(3), dtype=float)
            y = np.asarray(estimator.y_, dtype=float)
            level, span = float(np.median(y)), float(np.ptp(y))
            bound = 1e6 * (span + abs(level) + 1.0)
            if not np.all(np.isfinite(forecast)) or np.any(np.abs(forecast - level) > bound):
                raise ValueError(f"it forecasts {forecast[0]:.3g} for a series between "
                                 f"{y.min():.3g} and {y.max():.3g}")
    except (DeepmineError, ValueError, TypeError, IndexError, RuntimeError, RuntimeWarning,
            FloatingPointError) as exc:
        raise ModelFileError(f"{path}: the {type(estimator).__name__} it describes is "
                             f"inconsistent (forecasting fails: {exc}).") from None


def _load_tensors(raw):
    from safetensors.torch import load

    if not raw:
        return {}
    try:
        tensors = load(raw)
    except Exception as exc:  # noqa: BLE001 - safetensors raises its own error types
        raise Refused(f"the weights cannot be read ({exc})") from None
    for key, t in tensors.items():
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise Refused(f"tensor {key!r} holds NaN or infinite values")
    return tensors


# ---- writing ------------------------------------------------------------------------------
def _encode(value, key, tensors):
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.generic):
        return {"__scalar__": _encode(value.item(), key, tensors), "dtype": value.dtype.str}
    if isinstance(value, torch.Tensor):
        tensors[key] = value.detach().cpu().contiguous()
        return {"__tensor__": key}
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            tensors[key] = torch.from_numpy(np.array(value, copy=True, order="C"))  # also read-only
            return {"__array__": key}
        items = value.ravel().tolist()
        if not all(isinstance(v, (str, int, float, bool)) or v is None for v in items):
            raise ModelFileError(f"Cannot save array {key!r} of dtype {value.dtype}: only numbers "
                                 f"and strings are supported.")
        return {"__objarray__": items, "dtype": value.dtype.str if value.dtype.kind != "O" else "O",
                "shape": list(value.shape)}
    if isinstance(value, torch.device):
        return {"__device__": str(value)}
    if isinstance(value, type):
        if not registry.importable(value):
            raise ModelFileError(
                f"Cannot save {key!r}: class {value.__qualname__} cannot be named again by its "
                f"name {registry.class_name(value)!r} (it is defined inside a function); define "
                f"it at the top level of a module, script or notebook.")
        return {"__class__": registry.class_name(value)}
    if isinstance(value, History):
        return {"__history__": [_encode(row, f"{key}.{i}", tensors) for i, row in enumerate(value)]}
    if isinstance(value, (list, tuple)):
        tag = "__list__" if isinstance(value, list) else "__tuple__"
        return {tag: [_encode(v, f"{key}.{i}", tensors) for i, v in enumerate(value)]}
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k, f"{key}.k{i}", tensors), _encode(v, f"{key}.{i}", tensors)]
                             for i, (k, v) in enumerate(value.items())]}
    if isinstance(value, torch.nn.Module):
        for name, t in value.state_dict().items():
            tensors[f"{key}::{name}"] = t.detach().cpu().contiguous()
        return {"__module__": key}
    cls = type(value)
    if registry.is_registered(cls) and hasattr(value, "__dict__"):
        state = {}
        for k, v in vars(value).items():
            if k in _SKIP:
                continue
            problem = registry.field_problem(cls, k)
            if problem:
                raise ModelFileError(f"Cannot save {key!r}: {problem}.")
            state[k] = _encode(v, f"{key}.{k}", tensors)
        return {"__object__": registry.class_name(cls), "state": state}
    raise ModelFileError(f"Cannot save {key!r}: objects of type {cls.__module__}.{cls.__qualname__} "
                         f"are not supported by deepmine's model format; use pickle or joblib.")


# ---- reading: validate the whole tree, then build ------------------------------------------
def _materialise(value, tensors):
    """Create the objects of a validated tree, innermost first."""
    if isinstance(value, ObjectPlan):
        return _build_object(value, tensors)
    if isinstance(value, History):
        return History(_materialise(v, tensors) for v in value)
    if isinstance(value, list):
        return [_materialise(v, tensors) for v in value]
    if isinstance(value, tuple):
        return tuple(_materialise(v, tensors) for v in value)
    if isinstance(value, dict):
        return {k: _materialise(v, tensors) for k, v in value.items()}
    return value


def _build_object(plan, tensors):
    cls = plan.cls
    params = {k: _materialise(v, tensors) for k, v in plan.params.items()}
    try:
        instance = cls(**params)
        if cls.__module__.startswith("deepmine.") and hasattr(instance, "get_params"):
            from deepmine.utils._param_validation import validate_params

            validate_params(instance)
        elif hasattr(instance, "_validate_params"):
            instance._validate_params()
    except (TypeError, ValueError) as exc:
        raise Refused(f"invalid parameters for {cls.__qualname__} ({exc})") from None
    pending = None
    for key, sub in plan.fitted.items():
        if isinstance(sub, ModuleWeights):
            pending = sub
            continue
        setattr(instance, key, _materialise(sub, tensors))
    if pending is not None:
        instance.module_ = _rebuild_module(instance, pending)
    if hasattr(instance, "_restore_after_load"):
        instance._restore_after_load()
    return instance


def _rebuild_module(instance, weights):
    name = type(instance).__qualname__
    try:
        probe = probe_build(instance, 2 * len(weights.weights) + 64)
        expected = {k: (tuple(t.shape), t.dtype) for k, t in probe.state_dict().items()}
    except Exception as exc:  # noqa: BLE001 - any failure of a rebuild from file data is a refusal
        raise Refused(f"the network of {name} cannot be rebuilt from the stored "
                       f"attributes ({type(exc).__name__}: {exc})") from None
    got = {k: (tuple(t.shape), t.dtype) for k, t in weights.weights.items()}
    if got != expected:
        missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
        wrong = sorted(k for k in set(got) & set(expected) if got[k] != expected[k])
        raise Refused(f"the weights of {name} do not fit its network (missing {missing[:3]}, "
                       f"unexpected {extra[:3]}, wrong shape or dtype {wrong[:3]})")
    try:
        module = instance._build_module()
        module.load_state_dict(weights.weights, strict=True)
    except RuntimeError as exc:
        raise Refused(f"the weights of {name} cannot be loaded ({exc})") from None
    return module.eval()
