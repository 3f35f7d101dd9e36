"""The user's own files: an MNIST-sized digit network, an RGB image model, a fitted outlier
detector and word vectors, each given on the command line and shown on its page."""

import numpy as np
import pytest
from _serve_helpers import png_bytes, served, stroke, table_csv


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    import pandas as pd

    from deepmine.autoencoders import AutoEncoderOutlierDetector
    from deepmine.datasets import load_digits_images
    from deepmine.vision import ConvNetClassifier

    folder = tmp_path_factory.mktemp("models")
    X, y = load_digits_images(return_X_y=True)
    big = np.kron(X[:200], np.ones((1, 1, 3, 3), dtype=np.float32))[:, :, :, :]  # 24x24
    big = np.pad(big, ((0, 0), (0, 0), (2, 2), (2, 2)))  # 28x28 like MNIST
    ConvNetClassifier(conv_layers=[(4, 3)], hidden_layer_sizes=(8,), max_epochs=1,
                      random_state=0).fit(big, y[:200]).save(folder / "mnist.dm")
    rgb = np.random.default_rng(0).random((40, 3, 16, 16)).astype(np.float32)
    ConvNetClassifier(conv_layers=[(4, 3)], hidden_layer_sizes=(8,), max_epochs=1,
                      random_state=0).fit(rgb, np.array(["cat", "dog"] * 20)).save(folder / "rgb.dm")
    import io

    table = pd.read_csv(io.StringIO(table_csv()))
    AutoEncoderOutlierDetector(max_epochs=2, random_state=0).fit(table).save(folder / "det.dm")
    return folder


@pytest.fixture
def captured(monkeypatch, app, data_home):
    import deepmine.serve

    monkeypatch.setenv("DEEPMINE_DATA", str(data_home))  # the default digit network is cached
    apps = []
    monkeypatch.setattr(deepmine.serve, "run", lambda app, host, port, ready: apps.append(app))
    return apps


def test_command_line_models_serve_their_pages(model_files, captured, tmp_path, monkeypatch):
    """(Every test here uses the data home where the default digit network is cached.)"""
    from deepmine.cli import main

    from _serve_helpers import tiny_vectors

    files = [str(model_files / f) for f in ("mnist.dm", "rgb.dm", "det.dm")]
    tiny_vectors().save_word2vec_format(str(tmp_path / "v.bin"), binary=True)
    assert main(["serve", "--model", *files, "--vectors", str(tmp_path / "v.bin"),
                 "--port", "8765"]) == 0
    (app,) = captured
    assert app.state.store.digits.source == "your model"
    with served(app) as c:
        d = c.post("/api/digit", json={"pixels": stroke()}).json()
        assert np.asarray(d["input"]).shape == (28, 28)
        assert [layer["shape"] for layer in d["conv"]] == [[4, 28, 28]]
        img = c.post("/api/classify", files={"file": ("p.png", png_bytes(), "image/png")}).json()
        assert img["note"] == "your image model" or "torchvision" in img["note"]
        if img["note"] == "your image model":
            assert sorted(t["label"] for t in img["top"]) == ["cat", "dog"]
        out = c.post("/api/outliers", files={"file": ("t.csv", table_csv(), "text/csv")}).json()
        assert out["how"] == "your AutoEncoderOutlierDetector" and out["n_rows"] == 120
        bad = c.post("/api/outliers", files={"file": ("t.csv", "x,y\n" + "1,2\n" * 20,
                                                      "text/csv")})
        assert bad.status_code == 400 and "lacks the column" in bad.json()["error"]


def test_vectors_file_and_its_note(captured, tmp_path, monkeypatch):
    from _serve_helpers import tiny_vectors

    from deepmine.cli import main

    path = tmp_path / "tiny.txt"
    tiny_vectors().save_word2vec_format(str(path), binary=False)
    assert main(["serve", "--vectors", str(path), "--port", "8765", "--max-csv-cells", "50"]) == 0
    (app,) = captured
    assert app.state.store.start().wait(60)
    assert app.state.store.words.source.startswith("tiny.txt (read with --vectors")
    assert app.state.limits.max_csv_cells == 50
    with served(app) as c:
        assert c.post("/api/analogy", json={"a": "man", "b": "king", "c": "woman"}).json()[
            "answers"][0]["word"] == "queen"


def test_missing_vectors_name_is_one_line(tmp_path, monkeypatch, capsys):
    from deepmine.cli import main

    monkeypatch.setenv("GENSIM_DATA_DIR", str(tmp_path))
    assert main(["serve", "--vectors", "no-such-vectors"]) == 2
    err = capsys.readouterr().err
    assert "no vectors of that name" in err and len(err.strip().splitlines()) == 1


def test_vectors_name_cached_by_gensims_downloader(tmp_path, monkeypatch, captured):
    from _serve_helpers import tiny_vectors

    from deepmine.cli import main

    monkeypatch.setenv("GENSIM_DATA_DIR", str(tmp_path))
    (tmp_path / "tiny-vectors").mkdir()
    tiny_vectors().save_word2vec_format(str(tmp_path / "tiny-vectors" / "tiny-vectors.gz"),
                                        binary=True)
    assert main(["serve", "--vectors", "tiny-vectors", "--port", "8765"]) == 0
    store = captured[0].state.store.start()
    assert store.wait(60) and len(store.words.get()) == 12


def test_unreadable_vectors_file_is_one_line(tmp_path, capsys):
    from deepmine.cli import main

    bad = tmp_path / "v.txt"
    bad.write_text("this is not\na vector file\n")
    assert main(["serve", "--vectors", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("deepmine serve: error:") and len(err.strip().splitlines()) == 1
