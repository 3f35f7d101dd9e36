"""``estimator.save(path)`` / ``deepmine.load(path)``: JSON + safetensors, no pickle.

A model file is a zip archive with two members:

- ``deepmine.json``: format version, the estimator's class and its attributes
  (parameters and fitted state) as a JSON tree;
- ``tensors.safetensors``: every numeric array and the network weights.

Loading reads JSON and safetensors only; classes are looked up by name and
only inside the ``deepmine`` and ``sklearn`` packages, and no code from the file
is run. Networks are rebuilt with the estimator's own ``_build_module`` from
the restored attributes, then their weights are loaded. Optimizer state is
not stored (a loaded model predicts; ``partial_fit`` starts a new optimizer).
"""

import importlib
import json
import math
import zipfile

import numpy as np
import torch

from deepmine.exceptions import ModelFileError
from deepmine.nn import History

FORMAT = "deepmine-model"
VERSION = 1
_SAFE_PACKAGES = ("deepmine", "sklearn")
_SKIP = {"optimizer_"}


def save_estimator(estimator, path):
    """Write ``estimator`` to ``path`` (see module docstring for the format)."""
    from safetensors.torch import save

    tensors = {}
    tree = _encode(estimator, "root", tensors)
    header = {"format": FORMAT, "version": VERSION, "estimator": tree}
    from deepmine import __version__

    header["deepmine_version"] = __version__
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("deepmine.json", json.dumps(header))
        zf.writestr("tensors.safetensors", save(tensors) if tensors else b"")


def load_estimator(path):
    """Read an estimator written by :func:`save_estimator`."""
    from safetensors.torch import load

    try:
        with zipfile.ZipFile(path) as zf:
            header = json.loads(zf.read("deepmine.json"))
            raw = zf.read("tensors.safetensors")
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{path} is not a deepmine model file ({exc}).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a deepmine model file (no '{FORMAT}' header).")
    if header.get("version", 0) > VERSION:
        raise ModelFileError(f"{path} was written by a newer deepmine (format "
                             f"{header['version']}); upgrade deepmine to read it.")
    try:
        tensors = load(raw) if raw else {}
    except Exception as exc:  # safetensors raises its own error types
        raise ModelFileError(f"{path}: the weights cannot be read ({exc}).") from None
    try:
        return _decode(header["estimator"], tensors)
    except (KeyError, TypeError, ValueError, AttributeError, RuntimeError) as exc:
        raise ModelFileError(f"{path}: malformed model description ({exc}).") from None


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
    if cls.__module__.split(".")[0] in _SAFE_PACKAGES and hasattr(value, "__dict__"):
        state = {k: _encode(v, f"{key}.{k}", tensors) for k, v in vars(value).items()
                 if k not in _SKIP}
        return {"__object__": f"{cls.__module__}:{cls.__qualname__}", "state": state}
    raise ModelFileError(f"Cannot save {key!r}: objects of type {cls.__module__}.{cls.__qualname__} "
                         f"are not supported by deepmine's model format; use pickle or joblib.")


def _decode(node, tensors):
    if node is None or isinstance(node, (bool, str, int, float)):
        return node
    if isinstance(node, list):
        raise ValueError("bare JSON list")
    if "__float__" in node:
        return float(node["__float__"])
    if "__scalar__" in node:
        return np.dtype(node["dtype"]).type(node["__scalar__"])
    if "__tensor__" in node:
        return tensors[node["__tensor__"]].clone()
    if "__array__" in node:
        return tensors[node["__array__"]].numpy().copy()
    if "__objarray__" in node:
        return np.asarray(node["__objarray__"], dtype=np.dtype(node["dtype"])).reshape(node["shape"])
    if "__device__" in node:
        return torch.device("cpu")
    if "__history__" in node:
        return History(_decode(v, tensors) for v in node["__history__"])
    if "__list__" in node:
        return [_decode(v, tensors) for v in node["__list__"]]
    if "__tuple__" in node:
        return tuple(_decode(v, tensors) for v in node["__tuple__"])
    if "__dict__" in node:
        return {_decode(k, tensors): _decode(v, tensors) for k, v in node["__dict__"]}
    if "__module__" in node:
        return _ModuleWeights(node["__module__"])
    if "__object__" in node:
        return _decode_object(node, tensors)
    raise ValueError(f"unknown node {sorted(node)[:3]}")


class _ModuleWeights:
    """Placeholder for a network: rebuilt by the owner's ``_build_module`` after its state is set."""

    def __init__(self, prefix):
        self.prefix = prefix


def _decode_object(node, tensors):
    module_name, _, qualname = node["__object__"].partition(":")
    if module_name.split(".")[0] not in _SAFE_PACKAGES:
        raise ValueError(f"class {node['__object__']} is outside deepmine and sklearn")
    obj = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not isinstance(obj, type):
        raise ValueError(f"{node['__object__']} is not a class")
    instance = obj.__new__(obj)
    state = {k: _decode(v, tensors) for k, v in node["state"].items()}
    pending = {k: v for k, v in state.items() if isinstance(v, _ModuleWeights)}
    instance.__dict__.update({k: v for k, v in state.items() if k not in pending})
    for attr, weights in pending.items():
        if attr != "module_" or not hasattr(instance, "_build_module"):
            raise ValueError(f"network attribute {attr!r} of {qualname} cannot be rebuilt")
        module = instance._build_module()
        prefix = weights.prefix + "::"
        sd = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        module.load_state_dict(sd)
        module.eval()
        setattr(instance, attr, module)
    return instance
