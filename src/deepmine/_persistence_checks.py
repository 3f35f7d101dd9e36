"""Checks on a model file before anything in it is used: the archive, the JSON, dtypes, shapes.

The zip archive must hold exactly one ``deepmine.json`` and one
``tensors.safetensors`` and nothing else. Each member's declared uncompressed
size is bounded, as is its compression ratio, and it is read with a bounded read
whose length must equal the declared size. The JSON's nesting depth is measured
on the raw text before it is parsed.
"""

import collections
import json
import os
import re
import threading
import zipfile
import zlib

import numpy as np
import torch

from deepmine.exceptions import ModelFileError
from deepmine.nn import History

JSON_MEMBER = "deepmine.json"
TENSOR_MEMBER = "tensors.safetensors"
#: largest uncompressed size of each member, in bytes
MAX_SIZE = {JSON_MEMBER: 64 * 2**20, TENSOR_MEMBER: 8 * 2**30}
#: largest compression ratio of a member bigger than ``RATIO_FLOOR`` bytes
MAX_RATIO = 200
RATIO_FLOOR = 2**20
MAX_DEPTH = 64
MAX_ITEMS = 2**31

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_DTYPE = re.compile(r"^(?:[<>|=]?(?:b1|[iu][1248]|f[248])|[<>|=]?U\d{1,6}|O|\|O)$")


def read_members(path):
    """Return ``(parsed deepmine.json, raw tensors bytes)`` of a model file, or refuse it."""
    if os.path.isdir(path):
        raise ModelFileError(f"{path} is a directory, not a deepmine model file.")
    with open(path, "rb") as f:  # a missing or unreadable file raises its own OSError
        try:
            zf = zipfile.ZipFile(f)
        except (zipfile.BadZipFile, EOFError, ValueError, OSError, NotImplementedError) as exc:
            raise ModelFileError(f"{path} is not a deepmine model file ({exc}).") from None
        with zf:
            return _read_archive(zf, path)


def _read_archive(zf, path):
    infos = zf.infolist()
    names = [i.filename for i in infos]
    for name, count in collections.Counter(names).items():
        if count > 1:
            raise ModelFileError(f"{path}: the archive holds {count} members named "
                                 f"{name[:80]!r}.")
    if JSON_MEMBER not in names:
        raise ModelFileError(f"{path} is not a deepmine model file (no {JSON_MEMBER} member).")
    extra = sorted(set(names) - set(MAX_SIZE))
    if extra:
        raise ModelFileError(f"{path}: unexpected archive members {extra[:3]}.")
    if TENSOR_MEMBER not in names:
        raise ModelFileError(f"{path}: no {TENSOR_MEMBER} member.")
    data = {i.filename: _read(zf, i, path) for i in infos}
    return parse_json(data[JSON_MEMBER], path), data[TENSOR_MEMBER]


def _read(zf, info, path):
    name, limit = info.filename, MAX_SIZE[info.filename]
    if info.flag_bits & 0x1:
        raise ModelFileError(f"{path}: member {name} is encrypted.")
    if info.file_size > limit:
        raise ModelFileError(f"{path}: member {name} declares {info.file_size} bytes, more than "
                             f"the {limit} allowed.")
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ModelFileError(f"{path}: member {name} expands {info.file_size} bytes from "
                             f"{info.compress_size} (more than {MAX_RATIO}:1).")
    try:
        with zf.open(info) as f:
            data = f.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError, OSError) as exc:
        raise ModelFileError(f"{path}: member {name} cannot be read ({exc}).") from None
    if len(data) != info.file_size:
        raise ModelFileError(f"{path}: member {name} holds {len(data)} bytes but declares "
                             f"{info.file_size}.")
    return data


def json_depth(raw):
    """Deepest nesting of ``[``/``{`` in JSON text (strings skipped); no recursion."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", raw))
    depth = top = 0
    step = 2**20
    for start in range(0, len(brackets), step):
        a = np.frombuffer(brackets[start:start + step], dtype=np.uint8)
        delta = np.where((a == 0x5B) | (a == 0x7B), 1, -1).astype(np.int64)
        running = depth + np.cumsum(delta)
        top = max(top, int(running.max()))
        depth = int(running[-1])
    return top


def parse_json(raw, path):
    """Parse ``deepmine.json`` after checking its encoding and depth."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelFileError(f"{path}: {JSON_MEMBER} is not UTF-8 text ({exc}).") from None
    depth = json_depth(raw)
    if depth > MAX_DEPTH:
        raise ModelFileError(f"{path}: {JSON_MEMBER} is nested {depth} levels deep (at most "
                             f"{MAX_DEPTH} allowed).")
    try:
        return json.loads(raw)
    except RecursionError:
        raise ModelFileError(f"{path}: {JSON_MEMBER} is nested too deeply.") from None
    except ValueError as exc:  # JSONDecodeError, and integers with too many digits
        raise ModelFileError(f"{path} is not a deepmine model file ({exc}).") from None


def check_dtype(value, kinds, where, error):
    """The numpy dtype named by ``value`` if it is a plain one of ``kinds``, else raise ``error``."""
    if not isinstance(value, str) or not _DTYPE.match(value):
        raise error(f"{where}: dtype {str(value)[:40]!r} is not allowed")
    dtype = np.dtype(value)
    if dtype.kind not in kinds:
        raise error(f"{where}: dtype {value!r} is not allowed here")
    return dtype


def check_shape(value, where, error):
    """``value`` as a shape tuple of non-negative ints with a bounded product, else raise."""
    if (not isinstance(value, list) or len(value) > 32
            or not all(type(n) is int and 0 <= n <= MAX_ITEMS for n in value)):
        raise error(f"{where}: {str(value)[:40]} is not an array shape")
    total = 1
    for n in value:
        total *= n
    if total > MAX_ITEMS:
        raise error(f"{where}: shape {value} is too large")
    return tuple(value)


# ---- the decoded tree and checks on it ---------------------------------------------------
class Refused(Exception):
    """A part of the file is refused; the loader turns it into ModelFileError naming the file."""


class ObjectPlan:
    """A validated object of a registered class, not yet created."""

    def __init__(self, cls, params, fitted):
        self.cls, self.params, self.fitted = cls, params, fitted


class ModuleWeights:
    """A validated network: rebuilt by the owner's ``_build_module``, then given these weights."""

    def __init__(self, prefix, weights):
        self.prefix, self.weights = prefix, weights


#: arrays with one value per input column: their last axis must match the number of inputs
_WIDTHS = {"n_inputs_": ("mean_", "scale_", "data_min_", "data_max_"),
           "n_features_in_": ("coef_",)}


def check_widths(cls, fitted, where):
    for count, names in _WIDTHS.items():
        n = fitted.get(count)
        for name in names:
            value = fitted.get(name)
            if isinstance(n, int) and isinstance(value, np.ndarray) and value.ndim >= 1 \
                    and value.shape[-1] != n:
                raise Refused(f"{where}.{name} has {value.shape[-1]} values for {n} inputs")


def is_kind(kind, value):
    """Whether a decoded field value is of the declared ``kind`` (see ``registry.KINDS``)."""
    number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))
    label = isinstance(value, (str, int, float, np.generic)) and not isinstance(value, bool)
    checks = {
        "count": lambda: number and float(value).is_integer() and value >= 0,
        "count or None": lambda: value is None or (number and float(value).is_integer()),
        "array": lambda: isinstance(value, np.ndarray) and value.ndim >= 1,
        "number or array": lambda: number or isinstance(value, np.ndarray),
        "number, array or None": lambda: value is None or number or isinstance(value, np.ndarray),
        "positive scale or None": lambda: value is None or (
            (number or isinstance(value, np.ndarray)) and bool(np.all(np.isfinite(value)))
            and bool(np.all(np.asarray(value) > 0))),
        "number": lambda: number,
        "string or None": lambda: value is None or isinstance(value, str),
        "label or None": lambda: value is None or label,
        "list": lambda: isinstance(value, list),
        "list of strings": lambda: isinstance(value, list) and all(isinstance(v, str)
                                                                   for v in value),
        "list of lists": lambda: isinstance(value, list) and all(isinstance(v, list)
                                                                 for v in value),
        "tuple": lambda: isinstance(value, tuple),
        "device": lambda: isinstance(value, torch.device),
        "history": lambda: isinstance(value, History),
        "network": lambda: isinstance(value, ModuleWeights),
        "TableEncoder or None": lambda: value is None or (
            isinstance(value, ObjectPlan) and value.cls.__qualname__ == "TableEncoder"),
        "bool": lambda: isinstance(value, (bool, np.bool_)),
    }
    return bool(checks[kind]())


class _TooManyWeights(Exception):
    pass


def probe_build(instance, limit):
    """Build the network on the ``meta`` device (no memory), stopping past ``limit`` tensors.

    Hostile hyperparameters (a hundred thousand layers) would otherwise cost minutes before
    the weights could be compared; a legitimate network registers about as many tensors as
    the file stores.
    """
    from torch.nn.modules import module as module_api

    owner, count = threading.get_ident(), [0]

    def hook(module, name, tensor):
        if threading.get_ident() == owner:
            count[0] += 1
            if count[0] > limit:
                raise _TooManyWeights(f"the network would have more than {limit} tensors but "
                                      f"the file stores {(limit - 64) // 2}")

    handles = [module_api.register_module_parameter_registration_hook(hook),
               module_api.register_module_buffer_registration_hook(hook)]
    try:
        with torch.device("meta"):
            return instance._build_module()
    finally:
        for handle in handles:
            handle.remove()
