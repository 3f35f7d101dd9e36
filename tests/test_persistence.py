"""Model files: what load() refuses and why, atomic save(), hostile vector files, queries before fit."""

import errno
import io
import json
import os
import zipfile

import numpy as np
import pytest

import deepmine
from deepmine.exceptions import DataError, ModelFileError, NotFittedError


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """A fitted MLPClassifier, its file bytes and its training data."""
    from deepmine.tabular import MLPClassifier

    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(30, 3)), rng.choice(["a", "b"], 30)
    clf = MLPClassifier((3,), max_epochs=1, device="cpu", random_state=0).fit(X, y)
    path = tmp_path_factory.mktemp("m") / "m.dm"
    clf.save(path)
    return path.read_bytes(), clf, X


def _members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _zip(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _edit(data, change):
    m = _members(data)
    header = json.loads(m["deepmine.json"])
    change(header)
    m["deepmine.json"] = json.dumps(header).encode()
    return _zip(m)


def _state(header):
    return header["estimator"]["state"]


CASES = {
    "version string": (lambda h: h.update(version="2"), "version must be a positive integer"),
    "newer version": (lambda h: h.update(version=99), "newer deepmine"),
    "method-shadowing key": (lambda h: _state(h).update(predict=1), "would shadow"),
    "unknown key": (lambda h: _state(h).update(colour="red"), "neither a parameter nor fitted"),
    "private key": (lambda h: _state(h).update(_load_pretrained=True), "neither a parameter"),
    "dunder key": (lambda h: _state(h).update(__class__=1), "special name"),
    "unknown deepmine module": (lambda h: h["estimator"].update(__object__="deepmine.x:Foo"),
                                "not one of the classes deepmine writes"),
    "attribute chain": (lambda h: h["estimator"].update(
        __object__="deepmine.tabular:np.lib.npyio.DataSource"), "not one of the classes"),
    "missing fitted field": (lambda h: _state(h).pop("classes_"), "lacks ['classes_']"),
    "wrong kind": (lambda h: _state(h).update(n_features_in_="3"), "must be a count"),
    "bad parameter": (lambda h: _state(h).update(max_epochs=-1), "invalid parameters"),
    "bigger network": (lambda h: _state(h).update(hidden_layer_sizes={"__tuple__": [5]}),
                       "do not fit its network"),
    "helper at the root": (lambda h: h.update(estimator=_state(h)["encoder_"] or {
        "__object__": "deepmine.utils._table:TableEncoder", "state": {}}), "top-level"),
    "unknown node": (lambda h: _state(h).update(classes_={"__code__": "x"}), "unknown node"),
    "bad dtype": (lambda h: _state(h).update(feature_names_in_={
        "__objarray__": ["a"], "dtype": "V8", "shape": [1]}), "dtype 'V8' is not allowed"),
    "missing tensor": (lambda h: _state(h).update(zz_={"__tensor__": "nope"}), "missing tensor"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_load_refuses_with_a_reason(model_file, tmp_path, case):
    """Each kind of bad model description is a ModelFileError that names the problem."""
    change, message = CASES[case]
    path = tmp_path / "bad.dm"
    path.write_bytes(_edit(model_file[0], change))
    with pytest.raises(ModelFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        deepmine.load(path)


def test_archive_members_are_checked(model_file, tmp_path):
    """Unknown, missing, oversized and duplicated members are refused."""
    m = _members(model_file[0])
    path = tmp_path / "bad.dm"
    path.write_bytes(_zip({**m, "extra.py": b"print(1)"}))
    with pytest.raises(ModelFileError, match="unexpected archive members"):
        deepmine.load(path)
    path.write_bytes(_zip({"deepmine.json": m["deepmine.json"]}))
    with pytest.raises(ModelFileError, match="no tensors.safetensors"):
        deepmine.load(path)
    path.write_bytes(_zip({**m, "deepmine.json": b"[" * 70 + b"]" * 70}))
    with pytest.raises(ModelFileError, match="nested 70 levels deep"):
        deepmine.load(path)
    path.write_bytes(_zip({**m, "deepmine.json": b" " * (3 * 2**20)}))
    with pytest.raises(ModelFileError, match="more than 200:1"):
        deepmine.load(path)
    with pytest.raises(ModelFileError, match="is a directory, not a deepmine model file"):
        deepmine.load(tmp_path)


def test_weights_are_checked_against_the_network(model_file, tmp_path):
    """Weights of the wrong shape or dtype, extra or non-finite weights are refused."""
    import torch
    from safetensors.torch import load, save

    m = _members(model_file[0])
    tensors = load(m["tensors.safetensors"])
    key = next(k for k in tensors if "::" in k)
    variants = {
        "wrong shape or dtype": {**tensors, key: torch.zeros(tensors[key].numel() + 1)},
        "unexpected": {**tensors, key.split("::")[0] + "::extra": torch.zeros(1)},
        "NaN or infinite": {**tensors, key: torch.full_like(tensors[key], float("nan"))},
    }
    path = tmp_path / "bad.dm"
    for message, ts in variants.items():
        path.write_bytes(_zip({**m, "tensors.safetensors": save(ts)}))
        with pytest.raises(ModelFileError, match=message):
            deepmine.load(path)


@pytest.mark.parametrize("intercept", [-1e308, 1e200])
def test_a_forecaster_with_absurd_nested_state_is_refused(tmp_path, intercept):
    """A finite but absurd number inside a nested scikit-learn model is caught at load."""
    import pandas as pd
    from sklearn.linear_model import Ridge

    from deepmine.timeseries import WindowForecaster

    series = pd.Series(np.sin(np.arange(40) / 3) + 2)
    path = tmp_path / "f.dm"
    WindowForecaster(Ridge(), window=3).fit(series).save(path)
    assert len(deepmine.load(path).predict(24)) == 24

    def change(header):
        for member in _state(header)["estimators_"]["__list__"]:
            member["state"]["intercept_"] = intercept

    path.write_bytes(_edit(path.read_bytes(), change))
    with pytest.raises(ModelFileError, match="inconsistent .forecasting fails"):
        deepmine.load(path)


def test_save_refuses_classes_outside_the_registry(tmp_path):
    """A user's subclass is not written (load could not rebuild it): use pickle or joblib."""
    from deepmine.tabular import MLPClassifier

    class Mine(MLPClassifier):
        pass

    clf = Mine((2,), max_epochs=1, device="cpu", random_state=0).fit(np.eye(4), [0, 1, 0, 1])
    with pytest.raises(ModelFileError, match="use pickle or joblib"):
        clf.save(tmp_path / "m.dm")
    assert not (tmp_path / "m.dm").exists() and os.listdir(tmp_path) == []


def test_save_is_atomic_when_the_disk_fills(model_file, tmp_path, monkeypatch):
    """A write failing with ENOSPC leaves the previous model file intact and no temporary file."""
    import zipfile as zipmod

    data, clf, X = model_file
    path = tmp_path / "model.dm"
    path.write_bytes(data)

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipmod.ZipFile, "writestr", full)
    with pytest.raises(OSError, match="No space left"):
        clf.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == data and os.listdir(tmp_path) == ["model.dm"]
    np.testing.assert_array_equal(deepmine.load(path).predict(X), clf.predict(X))


def test_save_replaces_an_existing_file(model_file, tmp_path):
    """Saving over a file replaces it whole and keeps its permissions."""
    data, clf, X = model_file
    path = tmp_path / "model.dm"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    clf.save(path)
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o640)
    np.testing.assert_array_equal(deepmine.load(path).predict(X), clf.predict(X))


def test_vector_file_header_is_checked_against_the_file_size(tmp_path):
    """A header promising more vectors than the file can hold is refused before allocating."""
    from deepmine.embeddings import load_vectors

    path = tmp_path / "v.txt"
    line = "w " + " ".join(["0.5"] * 300) + "\n"
    path.write_text("2000000000 300\n" + line)
    with pytest.raises(DataError, match=r"v\.txt.*'2000000000 300'"):
        load_vectors(path)
    path.write_text("1 300\n" + line)
    assert len(load_vectors(path)) == 1
    binary = tmp_path / "v.bin"
    binary.write_bytes(b"5 4\n" + b"w " + np.ones(4, np.float32).tobytes())
    with pytest.raises(DataError, match="'5 4'"):
        load_vectors(binary, binary=True)
    assert len(load_vectors(binary, binary=True, limit=1)) == 1


@pytest.mark.parametrize("method, args", [("most_similar", ("a",)), ("similarity", ("a", "b")),
                                          ("doesnt_match", (["a", "b"],)),
                                          ("analogy", ("a", "b", "c")), ("wv", None)])
def test_word2vec_queries_before_fit_raise_not_fitted(method, args):
    """Queries on an unfitted Word2Vec raise NotFittedError (they used to recurse)."""
    from deepmine.embeddings import Word2Vec

    with pytest.raises(NotFittedError):
        attr = getattr(Word2Vec(), method)
        if args is not None:
            attr(*args)


def test_a_file_naming_any_other_class_is_refused_without_importing_it(tmp_path):
    """A class named as a parameter value (``module=``, ``optimizer=``) is never imported from
    the file: only torch's optimizers and losses, deepmine's modules and trusted classes load."""
    import sys

    from deepmine.nn import NeuralNetClassifier

    X = np.random.RandomState(0).normal(size=(30, 3))
    net = NeuralNetClassifier(max_epochs=1, device="cpu").fit(X, np.arange(30) % 2)
    net.save(tmp_path / "n.dm")
    data = (tmp_path / "n.dm").read_bytes()
    assert deepmine.load(tmp_path / "n.dm").predict(X).shape == (30,)
    for name in ("antigravity:fly", "os:system", "torch.optim:Optimizer.zero_grad"):
        (tmp_path / "bad.dm").write_bytes(_edit(data, lambda h: _state(h).update(
            optimizer={"__class__": name})))
        with pytest.raises(ModelFileError, match="does not load on its own"):
            deepmine.load(tmp_path / "bad.dm")
    assert "antigravity" not in sys.modules
    (tmp_path / "opt.dm").write_bytes(_edit(data, lambda h: _state(h).update(
        optimizer={"__class__": "torch.optim.sgd:SGD"})))
    assert deepmine.load(tmp_path / "opt.dm").optimizer.__name__ == "SGD"
