"""Hostile model files: loading is data, never behaviour.

A seeded mutator turns real model files into a few thousand damaged or crafted
ones (byte flips, truncation, JSON mutations at random places of the tree, class
and type swaps, zip-level tricks, changed weights), and the known attack files
are tried as fixed cases. Every file must either be refused with
``ModelFileError`` or load into a model that predicts; nothing outside the
test's folder may change and memory stays bounded.
"""

import gc
import io
import json
import os
import random
import resource
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pandas as pd
import pytest

import deepmine
from deepmine.exceptions import DeepmineError, ModelFileError

N_MUTATIONS = 3000


# ---- model files and a raw zip writer ----------------------------------------------------
@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """(file bytes, estimator, predict function) for a few fitted estimators."""
    from sklearn.linear_model import Ridge

    from deepmine.autoencoders import AutoEncoder
    from deepmine.tabular import MLPClassifier
    from deepmine.timeseries import NaiveForecaster, WindowForecaster

    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.normal(size=(30, 2)), columns=["a", "b"])
    df["kind"] = rng.choice(["u", "v"], 30)
    y = rng.choice(["p", "q"], 30)
    series = pd.Series(np.sin(np.arange(40) / 3) + 2,
                       index=pd.period_range("2000-01", periods=40, freq="M"))
    kw = dict(max_epochs=1, device="cpu", random_state=0)
    fitted = [(MLPClassifier((3,), **kw).fit(df, y), lambda m: m.predict(df)),
              (AutoEncoder((3,), code_size=2, **kw).fit(df), lambda m: m.transform(df)),
              (WindowForecaster(Ridge(), window=3).fit(series), lambda m: m.predict(3)),
              (NaiveForecaster().fit(series), lambda m: m.predict(2))]
    folder = tmp_path_factory.mktemp("models")
    out = []
    for i, (est, predict) in enumerate(fitted):
        path = folder / f"m{i}.dm"
        est.save(path)
        out.append((path.read_bytes(), (type(est).__name__, predict)))
    return out


def raw_zip(members):
    """A zip archive from ``(name, stored_bytes, method, crc, declared_size)`` rows, unchecked."""
    body, central = b"", b""
    for name, data, method, crc, size in members:
        fn = name.encode()
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(data),
                            size, len(fn), 0)
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc,
                               len(data), size, len(fn), 0, 0, 0, 0, 0, len(body)) + fn
        body += local + fn + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central),
                      len(body), 0)
    return body + central + end


def members_of(data):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def rezip(members, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def with_header(data, header):
    m = members_of(data)
    m["deepmine.json"] = json.dumps(header).encode()
    return rezip(m)


def deflated(chunk, repeat):
    """Raw deflate stream of ``chunk`` repeated ``repeat`` times, compressed only once."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    return block * repeat + zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)


# ---- the environment checks -------------------------------------------------------------
@pytest.fixture
def sentinel(tmp_path_factory):
    """A directory tree outside the test's folder that the attack files point at."""
    root = tmp_path_factory.mktemp("sentinel")
    (root / "sub").mkdir()
    for rel in ("keep.txt", "sub/deep.txt"):
        (root / rel).write_text(f"sentinel {rel}")
    return root


def snapshot(root):
    gc.collect()  # so that any armed __del__ would have run
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.stat(p)
            with open(p, "rb") if os.path.isfile(p) else io.BytesIO() as f:
                out[p] = (st.st_mtime_ns, f.read())
    return out


def outcome(path, predict=None):
    """'refused', 'loaded' or 'loaded, predict: <error>' -- anything else is raised."""
    try:
        model = deepmine.load(path)
    except ModelFileError as exc:
        assert str(exc), "a refusal must say why"
        return "refused"
    if predict is not None:
        if type(model).__name__ != predict[0]:
            return f"loaded as {type(model).__name__}"
        try:
            assert len(predict[1](model)) > 0
        except (DeepmineError, ValueError, RuntimeError, RuntimeWarning) as exc:
            # counted, and asserted below to never happen
            return f"loaded, predict: {type(exc).__name__}"
    return "loaded"


# ---- the known attack files ---------------------------------------------------------------
def gadget_files(base, sentinel):
    """(description, file bytes) for the attacks found by the security review."""
    header = json.loads(members_of(base)["deepmine.json"])
    victim = str(sentinel / "keep.txt")
    gadgets = {
        "DataSource deletes a directory": {
            "__object__": "deepmine._persistence:np.lib.npyio.DataSource",
            "state": {"_istmpdest": True, "_destpath": str(sentinel)}},
        "DataSource (registered module name)": {
            "__object__": "deepmine.tabular:np.lib.npyio.DataSource",
            "state": {"_istmpdest": True, "_destpath": str(sentinel)}},
        "tempfile closer deletes a file": {
            "__object__": "tempfile:_TemporaryFileCloser",
            "state": {"file": None, "name": victim, "delete": True}},
        "tempfile closer through a chain": {
            "__object__": "deepmine.utils._io:tempfile._TemporaryFileCloser",
            "state": {"file": None, "name": victim, "delete": True}},
        "CLI main": {"__object__": "deepmine.__main__:X", "state": {}},
        "unknown deepmine module": {"__object__": "deepmine.x:Foo", "state": {}},
    }
    for chain in ("os:system", "deepmine._persistence:json.os.system", "subprocess:Popen",
                  "builtins:eval", "pickle:loads", "deepmine._persistence:importlib.import_module",
                  "sklearn.base:copy.os.remove", "deepmine.tabular:MLPClassifier.__init__",
                  "deepmine.tabular:MLPClassifier.__class__", "sklearn.pipeline:Pipeline.__del__"):
        gadgets[f"chain {chain}"] = {"__object__": chain, "state": {"path": victim}}
    files = []
    for name, node in gadgets.items():
        planted = json.loads(json.dumps(header))
        planted["estimator"]["state"]["evil_"] = node
        files.append((f"{name} (in the state)", with_header(base, planted)))
        files.append((f"{name} (at the root)", with_header(base, {**header, "estimator": node})))
    odd = json.loads(json.dumps(header))
    odd["estimator"]["state"]["predict"] = {"__list__": []}
    files.append(("state key 'predict'", with_header(base, odd)))
    files.append(('"version": "2"', with_header(base, {**header, "version": "2"})))
    deep = b'{"format": "deepmine-model", "version": 1, "estimator": ' + b"[" * 100_000 \
        + b"]" * 100_000 + b"}"
    files.append(("100k-deep JSON", rezip({**members_of(base), "deepmine.json": deep})))
    m = members_of(base)
    js = zlib.compressobj(9, zlib.DEFLATED, -15)
    js = js.compress(m["deepmine.json"]) + js.flush()
    entry = ("deepmine.json", js, 8, zlib.crc32(m["deepmine.json"]), len(m["deepmine.json"]))
    tens = ("tensors.safetensors", m["tensors.safetensors"], 0, zlib.crc32(m["tensors.safetensors"]),
            len(m["tensors.safetensors"]))
    files.append(("two deepmine.json entries", raw_zip([entry, entry, tens])))
    bomb = deflated(b"\0" * 2**20, 1024)  # 1 GiB of zeros, about 1 MB on disk
    crc = 0
    for _ in range(1024):
        crc = zlib.crc32(b"\0" * 2**20, crc)
    files.append(("zip bomb 1 MB -> 1 GiB (JSON)",
                  raw_zip([("deepmine.json", bomb, 8, crc, 2**30), tens])))
    files.append(("zip bomb 1 MB -> 1 GiB (weights)",
                  raw_zip([entry, ("tensors.safetensors", bomb, 8, crc, 2**30)])))
    files.append(("zip bomb declaring 1 KB", raw_zip([("deepmine.json", bomb, 8, crc, 1024), tens])))
    return files


def test_known_attack_files_are_refused_and_touch_nothing(models, sentinel, tmp_path,
                                                          monkeypatch):
    """Each attack from the review is refused with ModelFileError; the sentinel tree survives."""
    monkeypatch.chdir(tmp_path)
    before = snapshot(sentinel)
    results = {}
    tracemalloc.start()
    try:
        for name, data in gadget_files(models[0][0], sentinel):
            path = tmp_path / "evil.dm"
            path.write_bytes(data)
            results[name] = outcome(path)
            del data
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert snapshot(sentinel) == before
    assert sorted(os.listdir(tmp_path)) == ["evil.dm"]
    assert peak < 200 * 2**20, f"peak traced memory {peak / 2**20:.0f} MiB"
    loaded = [name for name, result in results.items() if result != "refused"]
    assert not loaded, loaded
    assert len(results) == 39


# ---- the mutator --------------------------------------------------------------------------
_NAMES = ["deepmine.tabular._mlp:MLPClassifier", "deepmine.tabular._mlp:MLPRegressor",
          "deepmine.utils._table:TableEncoder", "sklearn.linear_model._ridge:Ridge",
          "deepmine.timeseries._base:NaiveForecaster", "deepmine.nn._callbacks:EarlyStopping",
          "sklearn.pipeline:Pipeline", "os:system", "deepmine._persistence:np.lib.npyio.DataSource",
          "deepmine.__main__:X", "deepmine.x:Y", "builtins:object", "", ":", "a:b:c"]
_KEYS = ["predict", "fit", "__class__", "__dict__", "__init__", "_private", "zzz_", "module_",
         "classes_", "get_params", "_build_module", "n_features_in_", "state", "dtype"]
_TAGS = ["__float__", "__scalar__", "__tensor__", "__array__", "__objarray__", "__device__",
         "__history__", "__list__", "__tuple__", "__dict__", "__module__", "__object__"]


def _random_value(rng, depth=0):
    kind = rng.randrange(11 if depth < 3 else 7)
    if kind == 0:
        return rng.choice([0, 1, -1, 2**31, -2**63, 10**30, 3])
    if kind == 1:
        return rng.choice([0.5, -1e308, 1e-300, float("nan"), float("inf")])
    if kind == 2:
        return rng.choice(["", "x", "root", "root::x", "<f4", "O", "|V8", "cpu", "nan", "relu"])
    if kind == 3:
        return None
    if kind == 4:
        return rng.random() < 0.5
    if kind == 5:
        return rng.choice(_NAMES)
    if kind == 6:
        return [rng.randrange(-2, 5) for _ in range(rng.randrange(4))]
    if kind == 7:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(3))]
    if kind == 8:
        return {rng.choice(_KEYS): _random_value(rng, depth + 1)}
    tag = rng.choice(_TAGS)
    node = {tag: _random_value(rng, depth + 1)}
    if rng.random() < 0.5:
        node[rng.choice(["dtype", "shape", "state"])] = _random_value(rng, depth + 1)
    return node


def _places(tree):
    """Every (container, key) pair of a JSON tree."""
    out, stack = [], [tree]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) \
            if isinstance(node, list) else ()
        for k, v in items:
            out.append((node, k))
            stack.append(v)
    return out


def mutate_json(header, rng):
    tree = json.loads(json.dumps(header))
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        places = _places(tree)
        node, key = rng.choice(places)
        op = rng.randrange(8)
        value = node[key]
        if op == 0:
            node[key] = _random_value(rng)
        elif op == 1 and isinstance(node, dict):
            del node[key]
        elif op == 2 and isinstance(node, dict):
            node[rng.choice(_KEYS)] = node.pop(key)
        elif op == 3:  # class swap
            objs = [n for n, k in places if isinstance(n, dict) and k == "__object__"]
            if objs:
                rng.choice(objs)["__object__"] = rng.choice(_NAMES)
        elif op == 4 and isinstance(value, dict) and value:  # type swap of a tagged node
            tag = next(iter(value))
            value[rng.choice(_TAGS)] = value.pop(tag)
        elif op == 5:
            node[key] = {"__list__": [value]} if rng.random() < 0.5 else [value]
        elif op == 6 and isinstance(value, (int, float)) and not isinstance(value, bool):
            node[key] = rng.choice([value + 1, -value, value * 1000, 0, str(value)])
        else:
            states = [n["state"] for n, k in places if k == "state" and isinstance(n, dict)
                      and isinstance(n.get("state"), dict)]
            if states:
                rng.choice(states)[rng.choice(_KEYS)] = _random_value(rng)
    return json.dumps(tree).encode()


def mutate_tensors(raw, rng):
    from safetensors.numpy import load, save

    arrays = dict(load(raw)) if raw else {}
    if not arrays or rng.random() < 0.2:
        arrays[rng.choice(["extra", "root::x", "root.encoder_"])] = np.zeros(3, np.float32)
        return save(arrays)
    key = rng.choice(sorted(arrays))
    op = rng.randrange(4)
    if op == 0:
        del arrays[key]
    elif op == 1:
        arrays[key] = np.zeros(arrays[key].size + 1, arrays[key].dtype)
    elif op == 2:
        arrays[key] = arrays[key].astype(rng.choice([np.float64, np.int64, np.float16, np.uint8]))
    else:
        arrays[key] = np.full_like(arrays[key], rng.choice([np.nan, 1e30, 0]))
    return save(arrays)


def mutate(data, rng):
    """One damaged or crafted variant of the model file ``data``, and what was done."""
    op = rng.randrange(10)
    if op == 0:
        b = bytearray(data)
        for _ in range(rng.randrange(1, 9)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b), "byte flips"
    if op == 1:
        return data[:rng.randrange(len(data))], "truncation"
    m = members_of(data)
    if op in (2, 3, 4, 5):
        m["deepmine.json"] = mutate_json(json.loads(m["deepmine.json"]), rng)
        return rezip(m), "JSON mutation"
    if op == 6:
        m["tensors.safetensors"] = mutate_tensors(m["tensors.safetensors"], rng)
        return rezip(m), "weights mutation"
    if op == 7:
        rows = [(n, d, 0, zlib.crc32(d), len(d)) for n, d in m.items()]
        pick = rng.randrange(4)
        if pick == 0:
            rows.append(rng.choice(rows))
        elif pick == 1:
            rows.append(("extra.bin", b"x", 0, zlib.crc32(b"x"), 1))
        elif pick == 2:
            rows.pop(rng.randrange(len(rows)))
        else:
            rows.reverse()
        return raw_zip(rows), "zip members"
    if op == 8:
        name = rng.choice(sorted(m))
        rows = [(n, d, 0, zlib.crc32(d), len(d)) for n, d in m.items()]
        i = [r[0] for r in rows].index(name)
        rows[i] = rows[i][:4] + (rng.choice([2**32 - 1, 2**30, 0, rows[i][4] - 1, rows[i][4] + 1]),)
        return raw_zip(rows), "declared size"
    return rezip(m, zipfile.ZIP_STORED), "stored members"


def test_fuzzed_model_files_are_refused_or_work(models, sentinel, tmp_path, monkeypatch):
    """Thousands of mutated model files: ModelFileError or a model that predicts, nothing else."""
    monkeypatch.chdir(tmp_path)
    rng = random.Random(20261201)
    before = snapshot(sentinel)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    path = tmp_path / "fuzz.dm"
    counts, failures = {}, []
    for i in range(N_MUTATIONS):
        base, predict = models[i % len(models)]
        data, how = mutate(base, rng)
        path.write_bytes(data)
        try:
            result = outcome(path, predict)
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            failures.append(f"#{i} {how}: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        counts[(how, result)] = counts.get((how, result), 0) + 1
    assert snapshot(sentinel) == before
    assert sorted(os.listdir(tmp_path)) == ["fuzz.dm"]
    growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert growth < 200, f"max RSS grew by {growth:.0f} MiB"
    assert not failures, f"{len(failures)} of {N_MUTATIONS} mutations escaped:\n" + \
        "\n".join(failures[:20])
    assert sum(v for (how, r), v in counts.items() if r == "refused") > N_MUTATIONS // 2
    broken = sum(v for (how, r), v in counts.items() if r.startswith("loaded, predict"))
    assert broken == 0, counts
