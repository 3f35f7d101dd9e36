"""The JSON API behind each page answers what the page shows."""

import io

import numpy as np
import pytest

from _serve_helpers import png_bytes, stroke, table_csv


def test_default_digit_network_is_trained_once_then_loaded_from_the_cache(app, data_home):
    from deepmine.serve._models import ModelStore

    store = app.state.store
    assert "trained on first start" in store.digits.source
    cached = list((data_home / "serve").glob("digits_cnn_*.dm"))
    assert len(cached) == 1
    again = ModelStore(vectors=store.words.value, cache_dir=data_home).start()
    assert again.wait(60)
    assert "loaded from the cache" in again.digits.source
    X = np.random.default_rng(0).random((4, 1, 8, 8)).astype(np.float32)
    np.testing.assert_array_equal(again.digits.value.predict(X), store.digits.value.predict(X))


def test_default_digit_network_recognises_the_shipped_digits(app):
    from deepmine.datasets import load_digits_images

    X, y = load_digits_images(return_X_y=True)
    assert app.state.store.digits.value.score(X, y) > 0.9


def test_digit_update_returns_input_probabilities_feature_maps_and_dense_layers(client):
    d = client.post("/api/digit", json={"pixels": stroke()}).json()
    assert np.asarray(d["input"]).shape == (8, 8)
    p = [c["p"] for c in d["probabilities"]]
    assert len(p) == 10 and abs(sum(p) - 1) < 1e-2
    assert d["prediction"] == max(d["probabilities"], key=lambda c: c["p"])["label"]
    assert [layer["shape"] for layer in d["conv"]] == [[16, 8, 8], [32, 4, 4]]
    assert [layer["units"] for layer in d["dense"]] == [64]
    assert np.asarray(d["conv"][0]["maps"]).shape == (16, 8, 8)


def test_drawn_bar_is_read_as_a_one(client):
    assert client.post("/api/digit", json={"pixels": stroke()}).json()["prediction"] == "1"


def test_drawing_is_cropped_and_centred_like_the_training_digits():
    from deepmine.serve._digits import to_input

    g = np.zeros((56, 56), dtype=np.float32)
    g[2:20, 2:8] = 1.0  # a small bar in the top-left corner
    img = to_input(g, (8, 8))
    assert img.shape == (8, 8) and img.max() == 1.0
    rows = np.nonzero(img.sum(axis=1) > 0)[0]
    assert rows.min() == 0 and rows.max() == 7  # stretched over the full height
    cols = np.nonzero(img.sum(axis=0) > 0.5)[0]
    assert 2 <= cols.mean() <= 5  # centred horizontally


def test_attack_at_large_eps_changes_the_prediction_and_stays_in_the_ball(client):
    small = client.post("/api/attack", json={"sample": 0, "eps": 0.0, "method": "fgsm"}).json()
    assert small["before"]["prediction"] == small["after"]["prediction"] == str(small["label"])
    big = client.post("/api/attack", json={"sample": 0, "eps": 0.5, "method": "pgd"}).json()
    assert big["after"]["prediction"] != big["before"]["prediction"]
    pert = np.asarray(big["perturbation"])
    assert np.abs(pert).max() <= 0.5 + 1e-3 and np.abs(pert).max() > 0.1
    adv = np.asarray(big["adversarial"])
    assert adv.min() >= 0 and adv.max() <= 1
    assert np.asarray(big["saliency"]).max() == pytest.approx(1.0)


def test_attack_on_a_drawing(client):
    d = client.post("/api/attack", json={"pixels": stroke(), "eps": 0.3, "method": "fgsm"}).json()
    assert d["label"] is None and d["before"]["prediction"] == "1"


def test_analogy_and_neighbours(client):
    d = client.post("/api/analogy", json={"a": "man", "b": "king", "c": "woman"}).json()
    assert d["answers"][0]["word"] == "queen"
    assert {p["word"] for p in d["projection"]} == {"man", "king", "woman", "queen"}
    assert all(-1 <= p["x"] <= 1 and -1 <= p["y"] <= 1 for p in d["projection"])
    assert client.post("/api/analogy", json={"a": "He", "b": "HIS", "c": "she"}).json()[
        "answers"][0]["word"] == "her"
    near = client.post("/api/neighbours", json={"word": "apple"}).json()
    assert near["neighbours"][0]["word"] == "pear"
    info = client.get("/api/words").json()
    assert info["note"] == "twelve test vectors" and info["size"] == 12
    known = {(e["a"], e["b"], e["c"]): e["known"] for e in info["examples"]}
    assert known[("man", "king", "woman")] and not known[("germany", "berlin", "france")]


def test_classify_dream_and_prototype_on_the_digit_network_without_pretrained_weights(
        client, monkeypatch):
    from deepmine.serve import _images

    monkeypatch.setattr(_images, "cached_pretrained", lambda names=None: None)
    d = client.post("/api/classify", files={"file": ("p.png", png_bytes(), "image/png")}).json()
    assert len(d["top"]) == 5 and "digit network" in d["note"]
    assert d["top"][0]["p"] >= d["top"][-1]["p"]
    assert d["input"].startswith("data:image/png;base64,")
    dream = client.post("/api/dream", files={"file": ("p.png", png_bytes(), "image/png")}).json()
    assert dream["image"].startswith("data:image/png;base64,")
    proto = client.post("/api/prototype", json={"class": 3}).json()
    assert proto["label"] == "3" and proto["image"].startswith("data:image/png;base64,")


def test_image_classifier_on_a_pretrained_style_network():
    """A [0, 1]-pixel RGB network with named classes: top-5 of its labels, a dream, a prototype."""
    import torch

    from deepmine.serve._images import ImageClassifier

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(),
                              torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                              torch.nn.Linear(4, 6))
    clf = ImageClassifier(net, [f"class {i}" for i in range(6)], (3, 64, 64), "test network")
    img = np.random.default_rng(0).random((50, 70, 3)).astype(np.float32)
    out = clf.classify(img)
    assert [t["label"] for t in out["top"]] == [f"class {t['index']}" for t in out["top"]]
    assert len(out["top"]) == 5
    assert clf.dream(img)["image"].startswith("data:image/png")
    assert clf.prototype(2)["label"] == "class 2"


def test_outliers_finds_the_planted_row_and_its_column(client):
    d = client.post("/api/outliers", files={"file": ("t.csv", table_csv(), "text/csv")}).json()
    top = d["rows"][0]
    assert top["row"] == 7 and top["csv_line"] == 9 and top["outlier"]
    assert top["shares"][0]["column"] == "b"
    assert sum(d["histogram"]["counts"]) == d["n_rows"] == 120
    assert len(d["histogram"]["edges"]) == len(d["histogram"]["counts"]) + 1


def test_outliers_set_identifier_and_date_columns_aside(client):
    """An id column and a column of (repeated) dates are listed as set aside, not scored."""
    import pandas as pd

    df = pd.read_csv(io.StringIO(table_csv()))
    df.insert(0, "id", range(len(df)))
    df["day"] = ["2024-05-01", "2024-05-02"] * (len(df) // 2)
    d = client.post("/api/outliers", files={"file": ("t.csv", df.to_csv(index=False).encode(),
                                                     "text/csv")}).json()
    assert d["ignored_columns"] == ["day", "id"]
    assert d["rows"][0]["row"] == 7


def test_every_page_is_served_with_its_assets_and_a_strict_content_policy(client):
    import re

    from deepmine.serve._app import PAGES

    for path in PAGES:
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "http://" not in r.text and "https://" not in r.text  # nothing from elsewhere
        for ref in re.findall(r'(?:src|href)="(/static/[^"]+)"', r.text):
            assert client.get(ref).status_code == 200, ref
    index = client.get("/").text
    assert index.count("Lecture:") == 5
    for path in PAGES:
        if path != "/":
            assert f'href="{path}"' in index
