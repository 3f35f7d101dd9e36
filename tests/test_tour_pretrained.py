"""The tour's showpieces chapter, with random weights and toy vectors placed in temporary caches."""

import gzip
import os
import re
import shutil

import numpy as np
import pytest
import torch

from deepmine.datasets import asset_path
from deepmine.tour import run_tour


@pytest.fixture
def caches(tmp_path, monkeypatch):
    import gensim.downloader

    monkeypatch.setattr(gensim.downloader, "BASE_DIR", str(tmp_path / "gensim-data"))
    old = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / "hub"))
    yield tmp_path
    torch.hub.set_dir(old)


def _place_random_weights(name, **kwargs):
    from torchvision.models import get_model

    torch.manual_seed(0)
    net = get_model(name, weights=None, **kwargs)
    path = asset_path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(net.state_dict(), path)


def _place_vectors():
    from gensim.models import KeyedVectors

    words = ["king", "man", "woman", "queen", "Berlin", "Germany", "Paris", "France",
             "he", "his", "she", "her", "apple"]
    rng = np.random.default_rng(0)
    vecs = {w: rng.normal(size=8) for w in words}
    vecs["queen"] = vecs["king"] - vecs["man"] + vecs["woman"]
    vecs["France"] = vecs["Germany"] - vecs["Berlin"] + vecs["Paris"]
    kv = KeyedVectors(8)
    kv.add_vectors(list(vecs), np.array(list(vecs.values())))
    path = asset_path("word2vec-google-news-300")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    kv.save_word2vec_format(path[:-3], binary=True)
    with open(path[:-3], "rb") as src, gzip.open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    os.remove(path[:-3])


def _tour(tmp):
    """The chapter's HTML without its code block (whose source names the commands too)."""
    path = run_tour(tmp / "out", quick=True, chapters=["pretrained"], log=lambda s: None)
    with open(path, encoding="utf-8") as f:
        html = f.read()
    return re.sub(r"<details.*?</details>", "", html, flags=re.S)


def test_without_assets_each_part_names_its_download_command(caches):
    html = _tour(caches)
    for name in ["googlenet", "resnet18", "vgg19"]:
        assert f"deepmine download {name}" in html
    assert "<img" not in html and "<td>googlenet</td><td>50</td><td>no</td>" in html


def test_with_cached_assets_the_showpieces_run(caches, monkeypatch):
    from deepmine.visualize import _style

    _place_random_weights("googlenet", aux_logits=True, init_weights=False)
    _place_random_weights("resnet18")
    # VGG-19's 548 MB would not fit a test: a small random feature network stands in
    open(asset_path("vgg19"), "wb").close()
    monkeypatch.setattr(_style, "vgg19_features", lambda: _style.random_features(random_state=0))
    html = _tour(caches)
    assert "not shown, because" not in html and "<td>googlenet</td><td>50</td><td>yes</td>" in html
    assert "GoogLeNet&#x27;s top 5 ImageNet classes" in html
    assert html.count("<img") == 3  # dream, adversarial, style
    assert re.search(r"no pixel moves by more than 2\.0 of 255", html)


def test_word2vec_chapter_finds_the_downloaded_vectors_and_asks_the_lecture(caches):
    from deepmine.embeddings import load_vectors
    from deepmine.report import Section
    from deepmine.tour import _ch_embeddings

    assert _ch_embeddings._pretrained_path() is None or "DEEPMINE_WORD2VEC" in os.environ
    _place_vectors()
    path = _ch_embeddings._pretrained_path()
    assert path == asset_path("word2vec-google-news-300")
    section = Section("word2vec")
    _ch_embeddings._lecture_analogies(section, load_vectors(path))
    html = section.to_html()
    assert "man : king :: woman : ?</td><td>queen" in html
    assert "Berlin : Germany :: Paris : ?</td><td>France" in html
    assert "answer 2 of the lecture&#x27;s 3 analogies" in html  # he : his :: she : ? misses
