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
                                          ObjectPlan, Refused, check_dtype, check_shape,
                                          check_widths, is_kind, probe_build, read_members)
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
        plan = _Decoder(tensors, trusted).decode(root)
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
                f"Cannot save {key!r}: class {value.__qualname__} cannot be imported again by its "
                f"name {registry.class_name(value)!r} (it is defined in __main__ or inside a "
                f"function); define it in a module.")
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
_TAGS = {"__float__": set(), "__scalar__": {"dtype"}, "__tensor__": set(), "__array__": set(),
         "__objarray__": {"dtype", "shape"}, "__device__": set(), "__history__": set(),
         "__list__": set(), "__tuple__": set(), "__dict__": set(), "__module__": set(),
         "__object__": {"state"}, "__class__": set()}
_HASHABLE = (str, int, float, bool, type(None), tuple)


class _Decoder:
    """Turn the JSON tree into plain values and :class:`ObjectPlan` s, checking everything."""

    def __init__(self, tensors, trusted=()):
        self.tensors = tensors
        self.used = set()
        self.trusted = trusted

    def decode(self, node):
        value = self.node(node, "estimator")
        unused = sorted(set(self.tensors) - self.used)
        if unused:
            raise Refused(f"tensors {unused[:3]} are not used by the model description")
        return value

    def _take(self, key, where):
        if not isinstance(key, str) or key not in self.tensors:
            raise Refused(f"{where} refers to a missing tensor {str(key)[:80]!r}")
        if key in self.used:
            raise Refused(f"{where} reuses tensor {key!r}")
        self.used.add(key)
        return self.tensors[key]

    def node(self, node, where):
        if node is None or isinstance(node, (bool, str, int)):
            return node
        if isinstance(node, float):
            return node
        if not isinstance(node, dict):
            raise Refused(f"{where}: unexpected JSON {type(node).__name__}")
        tags = [k for k in node if k in _TAGS]
        if len(tags) != 1 or set(node) != {tags[0], *_TAGS[tags[0]]}:
            raise Refused(f"{where}: unknown node with keys {sorted(map(str, node))[:4]}")
        tag = tags[0]
        return self._handlers[tag](self, node[tag], node, where)

    def tag_float(self, value, node, where):
        if value not in ("nan", "inf", "-inf"):
            raise Refused(f"{where}: {str(value)[:40]!r} is not a non-finite float")
        return float(value)

    def tag_scalar(self, value, node, where):
        dtype = check_dtype(node["dtype"], "biuf", where, Refused)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if not (dtype.kind == "b" and isinstance(value, bool)):
                raise Refused(f"{where}: a numpy scalar must hold a number")
        if dtype.kind in "iu" and not isinstance(value, int):
            raise Refused(f"{where}: an integer scalar holds {value!r}")
        try:
            return dtype.type(value)
        except (OverflowError, ValueError) as exc:
            raise Refused(f"{where}: {exc}") from None

    def tag_tensor(self, value, node, where):
        return self._take(value, where).clone()

    def tag_array(self, value, node, where):
        tensor = self._take(value, where)
        if tensor.dtype not in (torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32,
                                torch.int64, torch.float16, torch.float32, torch.float64):
            raise Refused(f"{where}: arrays of {tensor.dtype} are not supported")
        return tensor.numpy().copy()

    def tag_objarray(self, value, node, where):
        dtype = check_dtype(node["dtype"], "OU", where, Refused)
        shape = check_shape(node["shape"], where, Refused)
        if not isinstance(value, list) or math.prod(shape) != len(value):
            raise Refused(f"{where}: an array of shape {shape} needs {math.prod(shape)} items")
        if not all(v is None or isinstance(v, (str, int, float, bool)) for v in value):
            raise Refused(f"{where}: object arrays hold only numbers and strings")
        try:
            return np.asarray(value, dtype=dtype).reshape(shape)
        except (ValueError, TypeError, OverflowError) as exc:
            raise Refused(f"{where}: {exc}") from None

    def tag_device(self, value, node, where):
        if not isinstance(value, str):
            raise Refused(f"{where}: a device must be named by a string")
        return torch.device("cpu")

    def _items(self, value, where):
        if not isinstance(value, list):
            raise Refused(f"{where}: expected a JSON list")
        return [self.node(v, f"{where}[{i}]") for i, v in enumerate(value)]

    def tag_history(self, value, node, where):
        rows = self._items(value, where)
        if not all(isinstance(r, dict) for r in rows):
            raise Refused(f"{where}: history rows must be dicts")
        return History(rows)

    def tag_list(self, value, node, where):
        return self._items(value, where)

    def tag_tuple(self, value, node, where):
        return tuple(self._items(value, where))

    def tag_dict(self, value, node, where):
        if not isinstance(value, list) or not all(isinstance(p, list) and len(p) == 2
                                                  for p in value):
            raise Refused(f"{where}: a dict must be a list of [key, value] pairs")
        out = {}
        for i, (k, v) in enumerate(value):
            key = self.node(k, f"{where}.key{i}")
            if not _hashable(key):
                raise Refused(f"{where}: dict key {i} is not a plain value")
            out[key] = self.node(v, f"{where}[{key!r}]")
        return out

    def tag_module(self, value, node, where):
        if not isinstance(value, str):
            raise Refused(f"{where}: a network must be named by a string")
        prefix = value + "::"
        weights = {k[len(prefix):]: self._take(k, where) for k in list(self.tensors)
                   if k.startswith(prefix) and k not in self.used}
        return ModuleWeights(value, weights)

    def tag_class(self, value, node, where):
        cls = registry.resolve_class(value, self.trusted)
        if cls is None:
            raise Refused(
                f"{where} names the class {str(value)[:120]!r}, which deepmine does not load on its "
                f"own (only torch's optimizers and losses and deepmine's modules); if it is your "
                f"network and you trust the file, import it and pass "
                f"deepmine.load(path, trusted_modules=[{str(value).rpartition(':')[2][:60]}])")
        return cls

    def tag_object(self, value, node, where):
        cls = registry.resolve(value)
        if cls is None:
            raise Refused(f"{where}: class {str(value)[:120]!r} is not one of the classes "
                           f"deepmine writes")
        state = node["state"]
        if not isinstance(state, dict):
            raise Refused(f"{where}: the state of {cls.__qualname__} must be a JSON object")
        params_allowed = set(registry.params_of(cls))
        params, fitted = {}, {}
        for key, sub in state.items():
            problem = registry.field_problem(cls, key)
            if problem:
                raise Refused(f"{where}: {problem}")
            decoded = self.node(sub, f"{where}.{key}")
            if isinstance(decoded, ModuleWeights) and (
                    key != "module_" or not hasattr(cls, "_build_module")):
                raise Refused(f"{where}: network attribute {key!r} of {cls.__qualname__} "
                               f"cannot be rebuilt")
            routed = registry.is_routed(cls, key)
            (params if key in params_allowed or routed else fitted)[key] = decoded
        if any(k.endswith("_") for k in fitted):  # fitted, not a parameter like estimator=
            missing = sorted(registry.REQUIRED.get(cls.__qualname__, set()) - set(fitted))
            if missing:
                raise Refused(f"{where}: the fitted {cls.__qualname__} lacks {missing[:4]}")
            for key, decoded in fitted.items():
                kind = registry.kind_of(cls, key)
                if kind is not None and not is_kind(kind, decoded):
                    raise Refused(f"{where}.{key} must be a {kind}, got "
                                   f"{type(decoded).__name__}")
            check_widths(cls, fitted, where)
        return ObjectPlan(cls, params, fitted)


_Decoder._handlers = {
    "__float__": _Decoder.tag_float, "__scalar__": _Decoder.tag_scalar,
    "__tensor__": _Decoder.tag_tensor, "__array__": _Decoder.tag_array,
    "__objarray__": _Decoder.tag_objarray, "__device__": _Decoder.tag_device,
    "__history__": _Decoder.tag_history, "__list__": _Decoder.tag_list,
    "__tuple__": _Decoder.tag_tuple, "__dict__": _Decoder.tag_dict,
    "__module__": _Decoder.tag_module, "__object__": _Decoder.tag_object,
    "__class__": _Decoder.tag_class,
}


def _hashable(value):
    if isinstance(value, tuple):
        return all(_hashable(v) for v in value)
    return isinstance(value, _HASHABLE)


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
