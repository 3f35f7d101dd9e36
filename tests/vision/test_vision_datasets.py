"""Image datasets: digits as images, the IDX parser and MNIST cache/download (on files the tests write), image folders."""

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from deepmine.datasets import load_digits_images, load_image_folder, load_mnist, read_idx
from deepmine.datasets._mnist import _download
from deepmine.exceptions import DataError

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "digits"


def _idx_bytes(arr):
    codes = {np.dtype(np.uint8): 0x08, np.dtype(np.int32): 0x0C, np.dtype(np.float32): 0x0D}
    header = bytes([0, 0, codes[arr.dtype], arr.ndim])
    header += b"".join(int(s).to_bytes(4, "big") for s in arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def _write_mnist(folder, prefix, n, seed):
    rng = np.random.RandomState(seed)
    X = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
    y = rng.randint(0, 10, size=n).astype(np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(_idx_bytes(X)))
    (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(_idx_bytes(y))  # not compressed
    return X, y


def test_digits_images():
    """The 1,797 sklearn digits come as (n, 1, 8, 8) images in [0, 1] with their labels."""
    data = load_digits_images()
    assert data.images.shape == (1797, 1, 8, 8) and data.images.dtype == np.float32
    assert data.images.min() == 0.0 and data.images.max() == 1.0
    from sklearn.datasets import load_digits

    np.testing.assert_array_equal(data.images[:, 0] * 16, load_digits().images)


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.float32])
def test_read_idx_round_trip(tmp_path, dtype):
    """read_idx reads back what an IDX writer wrote (any dtype, big-endian, gzip or not)."""
    arr = (np.arange(24).reshape(2, 3, 4) * 3 - 5).astype(dtype) if dtype != np.uint8 else \
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a.idx").write_bytes(_idx_bytes(arr))
    (tmp_path / "a.idx.gz").write_bytes(gzip.compress(_idx_bytes(arr)))
    for name in ("a.idx", "a.idx.gz"):
        out = read_idx(tmp_path / name)
        assert out.dtype == arr.dtype
        np.testing.assert_array_equal(out, arr)


def test_read_idx_rejects_corrupt_files(tmp_path):
    """Truncated data and wrong magic numbers raise DataError naming the file."""
    arr = np.arange(12, dtype=np.uint8).reshape(3, 4)
    (tmp_path / "cut.idx").write_bytes(_idx_bytes(arr)[:-1])
    (tmp_path / "png.idx").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(DataError, match="cut.idx.*truncated"):
        read_idx(tmp_path / "cut.idx")
    with pytest.raises(DataError, match="png.idx is not an IDX file"):
        read_idx(tmp_path / "png.idx")


def test_load_mnist_from_cache(tmp_path):
    """load_mnist reads IDX files from the cache as (n, 1, 28, 28) floats in [0, 1]; 'all' is train then test."""
    Xtr, ytr = _write_mnist(tmp_path / "mnist", "train", 6, 0)
    Xte, yte = _write_mnist(tmp_path / "mnist", "t10k", 4, 1)
    X, y = load_mnist(tmp_path, download=False, subset="test", return_X_y=True)
    assert X.shape == (4, 1, 28, 28) and X.dtype == np.float32
    np.testing.assert_allclose(X[:, 0] * 255, Xte)
    np.testing.assert_array_equal(y, yte)
    both = load_mnist(tmp_path, download=False, subset="all")
    np.testing.assert_array_equal(both.target, np.concatenate([ytr, yte]))


def test_load_mnist_missing_without_download(tmp_path):
    """With download=False a missing file raises FileNotFoundError saying what to do."""
    with pytest.raises(FileNotFoundError, match="download=True"):
        load_mnist(tmp_path, download=False)


def test_download_checks_md5(tmp_path):
    """The download code fetches from the first working mirror and rejects a wrong checksum."""
    src = tmp_path / "mirror"
    src.mkdir()
    payload = gzip.compress(_idx_bytes(np.zeros((2, 2), np.uint8)))
    (src / "f.gz").write_bytes(payload)
    md5 = hashlib.md5(payload).hexdigest()
    mirrors = ((tmp_path / "nowhere").as_uri() + "/", src.as_uri() + "/")
    out = _download("f.gz", tmp_path / "cache", md5, mirrors=mirrors)
    assert out.read_bytes() == payload
    with pytest.raises(OSError, match="checksum mismatch"):
        _download("f.gz", tmp_path / "cache2", "0" * 32, mirrors=mirrors)
    assert not (tmp_path / "cache2" / "f.gz").exists()


@pytest.mark.skipif(not (SHARED / "t10k-labels-idx1-ubyte.gz").exists(), reason="no shared MNIST")
def test_real_mnist_test_labels():
    """The official MNIST test labels parse with the published class counts."""
    y = read_idx(SHARED / "t10k-labels-idx1-ubyte.gz")
    assert np.bincount(y).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def _folder(tmp_path):
    root = tmp_path / "imgs"
    rng = np.random.RandomState(0)
    for label in ("cat", "dog"):
        (root / label).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(rng.randint(0, 256, (6, 5, 3)).astype(np.uint8)).save(
                root / label / f"{i}.png")
    (root / "dog" / "notes.txt").write_text("not an image")
    return root


def test_load_image_folder(tmp_path):
    """One folder per class: labels are folder names, RGB images come as (n, 3, H, W) in [0, 1]."""
    root = _folder(tmp_path)
    data = load_image_folder(root)
    assert data.images.shape == (6, 3, 6, 5)
    assert list(data.target) == ["cat"] * 3 + ["dog"] * 3
    assert list(data.target_names) == ["cat", "dog"]
    first = np.asarray(Image.open(root / "cat" / "0.png"), dtype=np.float32) / 255
    np.testing.assert_allclose(data.images[0], first.transpose(2, 0, 1))
    grey = load_image_folder(root, mode="L", image_size=(4, 4)).images
    assert grey.shape == (6, 1, 4, 4)


def test_load_image_folder_errors(tmp_path):
    """A broken image file or mixed sizes raise DataError naming the file."""
    root = _folder(tmp_path)
    Image.fromarray(np.zeros((9, 9, 3), np.uint8)).save(root / "cat" / "big.png")
    with pytest.raises(DataError, match="big.png is 9x9.*image_size"):
        load_image_folder(root)
    (root / "dog" / "broken.jpg").write_bytes(b"\xff\xd8 this is not a jpeg")
    with pytest.raises(DataError, match="broken.jpg"):
        load_image_folder(root, image_size=(6, 5))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_image_folder(tmp_path / "missing")
