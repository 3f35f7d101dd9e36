"""``deepmine download`` against mirrors the tests write: file:// and http://127.0.0.1."""

import gzip
import hashlib
import http.server
import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from deepmine.cli import main
from deepmine.datasets import _assets, asset_path, download, is_cached, list_assets
from deepmine.exceptions import DataError, InvalidParameterError

VECTORS = {"king": [1.0, 1.0, 0.0], "man": [1.0, 0.0, 0.0], "woman": [0.0, 0.0, 1.0],
           "queen": [0.05, 1.0, 1.0], "apple": [-1.0, 0.2, -0.5]}


@pytest.fixture
def caches(tmp_path, monkeypatch):
    """Empty torch and gensim caches, and an empty mirror folder."""
    import gensim.downloader

    monkeypatch.setattr(gensim.downloader, "BASE_DIR", str(tmp_path / "gensim-data"))
    old = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / "torch" / "hub"))
    monkeypatch.delenv("DEEPMINE_MIRROR", raising=False)
    mirror = tmp_path / "mirror"
    (mirror / "torchvision").mkdir(parents=True)
    (mirror / "gensim-data").mkdir()
    yield mirror
    torch.hub.set_dir(old)


def _state_dict_file(path):
    torch.save({"w": torch.arange(6.0).reshape(2, 3)}, path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _publish_weights(mirror, monkeypatch, name="googlenet"):
    """A state_dict on the mirror under a file name carrying its own sha256 prefix."""
    tmp = mirror / "tmp.pth"
    sha = _state_dict_file(tmp)
    file_name = f"{name}-{sha[:8]}.pth"
    tmp.rename(mirror / "torchvision" / file_name)
    monkeypatch.setattr(_assets, "_torchvision_url",
                        lambda asset: f"https://download.pytorch.org/models/{file_name}")
    return file_name


def _vectors_gz():
    lines = [f"{len(VECTORS)} 3"] + [f"{w} {' '.join(map(str, v))}" for w, v in VECTORS.items()]
    return gzip.compress(("\n".join(lines) + "\n").encode())


def _publish_vectors(mirror, name="glove-wiki-gigaword-100", parts=1, corrupt=False):
    blob = _vectors_gz()
    folder = mirror / "gensim-data" / name
    folder.mkdir(parents=True, exist_ok=True)
    entry = {"file_name": f"{name}.gz", "parts": parts}
    if parts == 1:
        (folder / f"{name}.gz").write_bytes(blob)
        entry["checksum"] = hashlib.md5(blob).hexdigest()
    else:
        cut = len(blob) // 2
        for i, piece in enumerate([blob[:cut], blob[cut:]]):
            (folder / f"{name}.gz_0{i}").write_bytes(piece)
            entry[f"checksum-{i}"] = hashlib.md5(piece).hexdigest()
    if corrupt:
        key = "checksum" if parts == 1 else "checksum-1"
        entry[key] = "0" * 32
    (mirror / "gensim-data" / "list.json").write_text(
        json.dumps({"models": {name: entry}, "corpora": {}}))
    return blob


def test_torchvision_weights_land_in_torch_hub_cache_and_load(caches, monkeypatch):
    file_name = _publish_weights(caches, monkeypatch)
    assert not is_cached("googlenet")
    path = download("googlenet", mirror=caches.as_uri(), progress=False)
    assert path == os.path.join(torch.hub.get_dir(), "checkpoints", file_name)
    assert is_cached("googlenet")
    state = torch.load(path, weights_only=True)
    assert torch.equal(state["w"], torch.arange(6.0).reshape(2, 3))


def test_torchvision_checksum_mismatch_keeps_nothing(caches, monkeypatch):
    file_name = _publish_weights(caches, monkeypatch)
    (caches / "torchvision" / file_name).write_bytes(b"not the published weights")
    with pytest.raises(DataError, match="checksum mismatch"):
        download("googlenet", mirror=caches.as_uri(), progress=False)
    folder = os.path.join(torch.hub.get_dir(), "checkpoints")
    assert os.listdir(folder) == []


def test_real_torchvision_file_name_and_hash_are_used():
    # the cache path is the one torchvision's weights API reads
    from torchvision.models import GoogLeNet_Weights

    assert asset_path("googlenet").endswith(os.path.basename(GoogLeNet_Weights.DEFAULT.url))


@pytest.mark.parametrize("parts", [1, 2])
def test_word_vectors_land_in_gensim_cache_and_answer_the_analogy(caches, parts):
    import gensim.downloader

    from deepmine.embeddings import analogy, load_vectors

    blob = _publish_vectors(caches, parts=parts)
    path = download("glove-wiki-gigaword-100", mirror=caches.as_uri(), progress=False)
    assert path == os.path.join(gensim.downloader.BASE_DIR, "glove-wiki-gigaword-100",
                                "glove-wiki-gigaword-100.gz")
    assert Path(path).read_bytes() == blob
    assert sorted(os.listdir(os.path.dirname(path))) == ["glove-wiki-gigaword-100.gz"]
    kv = load_vectors(path)
    np.testing.assert_allclose(kv["queen"], VECTORS["queen"], rtol=1e-6)
    assert analogy(kv, "man", "king", "woman")[0][0] == "queen"


def test_gensim_checksum_mismatch_keeps_nothing(caches):
    _publish_vectors(caches, parts=2, corrupt=True)
    with pytest.raises(DataError, match="checksum mismatch"):
        download("glove-wiki-gigaword-100", mirror=caches.as_uri(), progress=False)
    assert not is_cached("glove-wiki-gigaword-100")
    folder = os.path.dirname(asset_path("glove-wiki-gigaword-100"))
    assert os.listdir(folder) == []


def test_malformed_listing_is_a_clear_error(caches):
    (caches / "gensim-data" / "list.json").write_text("<html>not json</html>")
    with pytest.raises(DataError, match="not gensim-data's JSON list"):
        download("glove-wiki-gigaword-100", mirror=caches.as_uri(), progress=False)


def test_http_loopback_mirror_and_cached_second_call(caches, monkeypatch):
    _publish_weights(caches, monkeypatch, name="resnet18")
    handler_cls = type("Quiet", (http.server.SimpleHTTPRequestHandler,),
                       {"log_message": lambda *a: None})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **k: handler_cls(*a, directory=str(caches), **k))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        path = download("resnet18", mirror=url, progress=False)
        assert is_cached("resnet18")
        server.shutdown()  # a cached asset is not fetched again
        assert download("resnet18", mirror=url, progress=False) == path
    finally:
        server.server_close()


def test_any_torchvision_model_is_downloadable(caches, monkeypatch):
    file_name = _publish_weights(caches, monkeypatch, name="squeezenet1_1")
    path = download("squeezenet1_1", mirror=caches.as_uri(), progress=False)
    assert os.path.basename(path) == file_name


def test_unknown_name_and_bad_mirror_are_refused(caches):
    with pytest.raises(InvalidParameterError, match="Did you mean 'googlenet'"):
        download("googlnet")
    with pytest.raises(InvalidParameterError, match="base URL"):
        download("resnet18", mirror="/some/folder")


def test_cli_download_list_and_errors(caches, capsys):
    _publish_vectors(caches)
    assert main(["download", "glove-wiki-gigaword-100", "--mirror", caches.as_uri()]) == 0
    out, err = capsys.readouterr()
    assert "downloaded" in err and out.startswith("next: deepmine tour")
    assert main(["download", "--list"]) == 0
    listing = capsys.readouterr().out
    row = next(line for line in listing.splitlines() if line.startswith("glove-wiki"))
    assert "cached" in row and "missing" not in row
    assert len(listing.splitlines()) == len(list_assets())
    assert main(["download", "nope"]) == 2
    assert "unknown asset(s) ['nope']" in capsys.readouterr().err
    assert main(["download", "vgg19", "--mirror", "ftp://x"]) == 2
    assert "base URL" in capsys.readouterr().err


def test_tour_download_fetches_the_tour_assets_first(caches, monkeypatch, tmp_path, capsys):
    from deepmine.datasets import TOUR_ASSETS

    fetched = []
    monkeypatch.setattr("deepmine.datasets.download",
                        lambda name, **kw: fetched.append((name, kw["mirror"])) or name)
    monkeypatch.setattr("deepmine.tour.run_tour", lambda out, **kw: str(out))
    assert main(["tour", "--download", "--mirror", caches.as_uri(), "--out",
                 str(tmp_path / "t")]) == 0
    assert fetched == [(name, caches.as_uri()) for name in TOUR_ASSETS]
