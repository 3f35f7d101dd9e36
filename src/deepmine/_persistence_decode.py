"""Decoding a model file's JSON tree into a plan of objects, validated before any is built.

Every node is checked against its tag's allowed keys, the registry's classes and
declared fields, and the stored tensors' dtypes and shapes; anything else is
:class:`~deepmine._persistence_checks.Refused`. Nothing is instantiated here:
:mod:`deepmine._persistence` builds the objects once the whole tree passed.
"""

import math

import numpy as np
import torch

from deepmine import _persistence_registry as registry
from deepmine._persistence_checks import (ModuleWeights, ObjectPlan, Refused, check_dtype,
                                          check_shape, check_widths, is_kind)
from deepmine.nn import History


_TAGS = {"__float__": set(), "__scalar__": {"dtype"}, "__tensor__": set(), "__array__": set(),
         "__objarray__": {"dtype", "shape"}, "__device__": set(), "__history__": set(),
         "__list__": set(), "__tuple__": set(), "__dict__": set(), "__module__": set(),
         "__object__": {"state"}, "__class__": set()}
_HASHABLE = (str, int, float, bool, type(None), tuple)


class Decoder:
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


Decoder._handlers = {
    "__float__": Decoder.tag_float, "__scalar__": Decoder.tag_scalar,
    "__tensor__": Decoder.tag_tensor, "__array__": Decoder.tag_array,
    "__objarray__": Decoder.tag_objarray, "__device__": Decoder.tag_device,
    "__history__": Decoder.tag_history, "__list__": Decoder.tag_list,
    "__tuple__": Decoder.tag_tuple, "__dict__": Decoder.tag_dict,
    "__module__": Decoder.tag_module, "__object__": Decoder.tag_object,
    "__class__": Decoder.tag_class,
}


def _hashable(value):
    if isinstance(value, tuple):
        return all(_hashable(v) for v in value)
    return isinstance(value, _HASHABLE)
