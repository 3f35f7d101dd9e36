"""Every command x bad input or environment: exit code 2, at most 3 lines on stderr, no traceback,
no output file left behind (in-process: ``deepmine.cli.main(argv)``)."""

import os
import struct
import zlib

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from deepmine.cli import main

SLOT_KINDS = {"table": "csv", "series": "csv", "ts": "ts", "folder": "folder", "corpus": "txt",
              "graph": "nt", "entities": "txt", "vectors": "txt", "table_model": "dm",
              "ts_model": "dm", "image_model": "dm", "image": "png"}

# command -> (argv template, {slot used as input}, output option suffix or None, out-of-range argv)
COMMANDS = {
    "fit": (["fit", "{table}", "--target", "y", "--cv", "2", "--epochs", "2", "--out", "{out}"],
            ["table"], ".dm", [["--cv", "1"], ["--epochs", "0"], ["--hidden", "0"]]),
    "predict": (["predict", "{table_model}", "{table}", "--out", "{out}"],
                ["table_model", "table"], ".csv", []),
    "outliers": (["outliers", "{table}", "--epochs", "1", "--out", "{out}"], ["table"], ".csv",
                 [["--contamination", "2"], ["--epochs", "0"], ["--top", "-1"]]),
    "forecast": (["forecast", "{series}", "--column", "value", "--horizon", "3", "--out", "{out}"],
                 ["series"], ".csv", [["--horizon", "0"], ["--window", "0"]]),
    "tsc fit": (["tsc", "fit", "{ts}", "--epochs", "1", "--out", "{out}"], ["ts"], ".dm",
                [["--epochs", "0"]]),
    "tsc predict": (["tsc", "predict", "{ts_model}", "{ts}", "--out", "{out}"],
                    ["ts_model", "ts"], ".csv", []),
    "images fit": (["images", "fit", "{folder}", "--epochs", "1", "--out", "{out}"], ["folder"],
                   ".dm", [["--image-size", "3000", "3000"], ["--epochs", "0"],
                           ["--test-size", "1.5"]]),
    "images predict": (["images", "predict", "{image_model}", "{image}", "--out", "{out}"],
                       ["image_model", "image"], ".csv", []),
    "embed words": (["embed", "words", "{corpus}", "--min-count", "1", "--size", "4", "--epochs",
                     "1", "--out", "{out}"], ["corpus"], ".txt",
                    [["--epochs", "0"], ["--size", "0"]]),
    "embed rdf": (["embed", "rdf", "{graph}", "--entities", "{entities}", "--walks", "2", "--size",
                   "4", "--epochs", "1", "--out", "{out}"], ["graph", "entities"], ".tsv",
                  [["--walks", "0"], ["--depth", "0"]]),
    "analogy": (["analogy", "{vectors}", "man", "king", "woman"], ["vectors"], None,
                [["--topn", "0"], ["--limit", "0"]]),
    "tour": (["tour", "--quick", "--chapters", "cnn_weights", "--out", "{out}"], [], "", []),
}


def _png_bomb(path, side=30000):
    """A tiny PNG that declares side x side pixels (grey, 8 bit) with a few rows of compressed zeros."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (side + 1) * 4)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows)
                     + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """Valid inputs for every command, and one small model of each kind."""
    from deepmine.tabular import Perceptron
    from deepmine.timeseries import CNNTimeSeriesClassifier
    from deepmine.vision import ConvNetClassifier

    root = tmp_path_factory.mktemp("good")
    rng = np.random.RandomState(0)
    paths = {}
    X = rng.normal(size=(40, 3))
    table = pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=(X[:, 0] > 0).astype(int))
    paths["table"] = root / "table.csv"
    table.to_csv(paths["table"], index=False)
    paths["table_model"] = root / "table.dm"
    Perceptron(random_state=0).fit(table[["a", "b", "c"]], table["y"]).save(paths["table_model"])
    paths["series"] = root / "series.csv"
    pd.DataFrame({"month": pd.date_range("2000-01", periods=48, freq="MS").strftime("%Y-%m"),
                  "value": 10 + np.sin(np.arange(48) / 2) + 0.1 * rng.normal(size=48)}
                 ).to_csv(paths["series"], index=False)
    series = rng.normal(size=(12, 1, 20)) + np.repeat([0.0, 2.0], 6)[:, None, None]
    labels = np.repeat(["a", "b"], 6)
    paths["ts"] = root / "train.ts"
    paths["ts"].write_text("@problemName demo\n@univariate true\n@classLabel true a b\n@data\n"
                           + "".join(",".join(f"{v:.4f}" for v in s[0]) + f":{c}\n"
                                     for s, c in zip(series, labels)))
    paths["ts_model"] = root / "ts.dm"
    CNNTimeSeriesClassifier(filters=(4, 4, 4), max_epochs=1, random_state=0).fit(
        series, labels).save(paths["ts_model"])
    paths["folder"] = root / "images"
    imgs = []
    for label in ("left", "right"):
        (paths["folder"] / label).mkdir(parents=True)
        for i in range(5):
            img = rng.randint(0, 40, (8, 8)).astype(np.uint8)
            img[:, :3] = 255 if label == "left" else 0
            Image.fromarray(img).save(paths["folder"] / label / f"{i}.png")
            imgs.append(img[None] / 255.0)
    paths["image"] = paths["folder"] / "left" / "0.png"
    paths["image_model"] = root / "images.dm"
    ConvNetClassifier(max_epochs=1, random_state=0).fit(
        np.stack(imgs).astype(np.float32), np.repeat(["left", "right"], 5)).save(paths["image_model"])
    paths["corpus"] = root / "corpus.txt"
    words = ["king", "queen", "man", "woman", "crown"]
    paths["corpus"].write_text("".join(" ".join(rng.choice(words, 6)) + "\n" for _ in range(30)))
    paths["graph"] = root / "graph.nt"
    triples = [(f"http://x/e{i}", "http://x/p", f"http://x/e{(i + 1) % 6}") for i in range(6)]
    paths["graph"].write_text("".join(f"<{s}> <{p}> <{o}> .\n" for s, p, o in triples))
    paths["entities"] = root / "entities.txt"
    paths["entities"].write_text("http://x/e0\nhttp://x/e1\n")
    paths["vectors"] = root / "vectors.txt"
    paths["vectors"].write_text("4 2\nman 1 0\nking 1 1\nwoman -1 0\nqueen -1 1\n")
    paths["existing_file"] = root / "a_file"
    paths["existing_file"].write_text("x")
    return {k: str(v) for k, v in paths.items()}


def _bad_input(kind, case, where):
    """A bad input of ``kind`` (csv, ts, folder, ...) for ``case``; None when it does not apply."""
    path = where / f"input.{kind}"
    if case == "missing":
        return str(where / f"missing.{kind}")
    if kind == "folder":
        if case == "empty":
            path.mkdir()
        elif case == "garbage":
            for label in ("a", "b"):
                (path / label).mkdir(parents=True)
                (path / label / "0.png").write_bytes(os.urandom(300))
        elif case == "directory":  # a folder is what it wants: give it a plain file instead
            path.write_bytes(b"not a folder")
        elif case == "bomb":
            for label in ("a", "b"):
                (path / label).mkdir(parents=True)
                Image.fromarray(np.zeros((8, 8), np.uint8)).save(path / label / "0.png")
            _png_bomb(path / "a" / "1.png")
        else:
            return None
        return str(path)
    if case == "empty":
        path.write_bytes(b"")
    elif case == "garbage":
        path.write_bytes(bytes(np.random.RandomState(1).randint(0, 256, 2000, dtype=np.uint8)))
    elif case == "bad gzip":
        path = where / f"input.{kind}.gz"
        path.write_bytes(b"\x1f\x8b\x08\x00" + os.urandom(200))
    elif case == "directory":
        path.mkdir()
    elif case == "bomb":
        if kind != "png":
            return None
        _png_bomb(path)
    else:
        raise AssertionError(case)
    return str(path)


def _argv(command, good, out, **slots):
    template = COMMANDS[command][0]
    values = {**good, "out": out, **slots}
    return [part.format(**values) for part in template]


def _check(argv, capsys, out_dir):
    before = sorted(os.listdir(out_dir))
    code = main(argv)
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert code == 2, (argv, captured.err)
    assert 1 <= len(err) <= 3 and "Traceback" not in captured.err, captured.err
    assert sorted(os.listdir(out_dir)) == before, "a (partial) output file was left behind"
    if os.environ.get("DEEPMINE_SWEEP_LOG"):
        with open(os.environ["DEEPMINE_SWEEP_LOG"], "a") as log:
            log.write(" ".join(argv[:2]) + " | " + " / ".join(err) + "\n")


INPUT_CASES = ["missing", "empty", "garbage", "bad gzip", "directory", "bomb"]
INPUT_PARAMS = [(cmd, slot, case) for cmd, (_, slots, _, _) in COMMANDS.items() for slot in slots
                for case in INPUT_CASES
                if case != "bomb" or SLOT_KINDS[slot] in ("png", "folder")]


@pytest.mark.parametrize("command, slot, case", INPUT_PARAMS)
def test_bad_input(command, slot, case, good, tmp_path, capsys):
    """Missing, empty, garbage, badly compressed, folder-for-file, decompression-bomb inputs."""
    bad = _bad_input(SLOT_KINDS[slot], case, tmp_path)
    if bad is None:
        pytest.skip(f"{case} does not apply to a {SLOT_KINDS[slot]} input")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    suffix = COMMANDS[command][2] or ""
    _check(_argv(command, good, str(out_dir / f"result{suffix}"), **{slot: bad}), capsys, out_dir)


OUTPUT_CASES = ["missing folder", "file as folder", "/dev/full"]


@pytest.mark.parametrize("command, case", [(c, o) for c, spec in COMMANDS.items()
                                           if spec[2] is not None for o in OUTPUT_CASES])
def test_bad_output(command, case, good, tmp_path, capsys):
    """An output that cannot be written fails with one line (before training where it can)."""
    if case == "/dev/full" and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    suffix = COMMANDS[command][2]
    out = {"missing folder": str(tmp_path / "no_such_folder" / f"x{suffix}"),
           "file as folder": os.path.join(good["existing_file"], f"x{suffix}"),
           "/dev/full": "/dev/full"}[case]
    _check(_argv(command, good, out), capsys, tmp_path)
    assert not (tmp_path / "no_such_folder").exists()


@pytest.mark.parametrize("command, extra", [(c, e) for c, spec in COMMANDS.items()
                                            for e in [["--no-such-option"], *spec[3]]])
def test_bad_option_or_number(command, extra, good, tmp_path, capsys):
    """Unknown options and out-of-range numbers are usage errors: two lines, exit code 2."""
    _check(_argv(command, good, str(tmp_path / "x.out")) + extra, capsys, tmp_path)


def test_tour_refuses_an_existing_file_as_out(good, tmp_path, capsys):
    """``tour --out`` names a folder; an existing file there is a clear error, left untouched."""
    assert main(["tour", "--chapters", "cnn_weights", "--out", good["existing_file"]]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    with open(good["existing_file"]) as f:
        assert f.read() == "x"


def test_disk_full_keeps_the_previous_files(good, tmp_path, capsys, monkeypatch):
    """A write that fails half-way (disk full) leaves the old prediction file and model intact."""
    import errno

    import deepmine.base

    preds = tmp_path / "preds.csv"
    preds.write_text("old predictions\n")

    def full_to_csv(self, f, **kwargs):
        f.write("prediction\n0\n")
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(pd.DataFrame, "to_csv", full_to_csv)
    assert main(["predict", good["table_model"], good["table"], "--out", str(preds)]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert preds.read_text() == "old predictions\n" and os.listdir(tmp_path) == ["preds.csv"]
    monkeypatch.undo()

    model = tmp_path / "model.dm"
    model.write_bytes(b"old model")
    real_save = deepmine.base.BaseDeepEstimator.save

    def full_save(self, path):
        real_save(self, path)
        with open(path, "r+b") as f:
            f.truncate(100)
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    monkeypatch.setattr(deepmine.base.BaseDeepEstimator, "save", full_save)
    argv = ["fit", good["table"], "--target", "y", "--cv", "2", "--epochs", "2", "--out", str(model)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert model.read_bytes() == b"old model"
    assert sorted(os.listdir(tmp_path)) == ["model.dm", "preds.csv"]
