"""Image files: bit depth, decompression bombs and size caps."""

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from deepmine.datasets import load_image_folder
from deepmine.datasets._images import read_image
from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.vision._images import check_image_size


def test_16_bit_png_is_scaled_by_its_bit_depth(tmp_path):
    """A 16-bit grey PNG with values 0..65535 maps proportionally onto [0, 1], not saturated."""
    values = np.arange(0, 65536, 257, dtype=np.uint16).reshape(16, 16)   # 0, 257, ..., 65535
    path = tmp_path / "a" / "g16.png"
    path.parent.mkdir()
    Image.fromarray(values).save(path)
    grey = read_image(path, mode="L")
    np.testing.assert_allclose(grey[0], values / 65535.0, atol=1e-6)
    assert (grey == 1.0).mean() < 0.01
    rgb = read_image(path, mode="RGB")
    assert rgb.shape == (3, 16, 16)
    np.testing.assert_allclose(rgb[1], values / 65535.0, atol=1e-6)
    half = read_image(path, mode="L", size=(8, 8))
    assert half.shape == (1, 8, 8) and 0.4 < half.mean() < 0.6
    X, _ = load_image_folder(tmp_path, return_X_y=True)
    assert X.shape == (1, 1, 16, 16)
    np.testing.assert_allclose(X[0, 0], values / 65535.0, atol=1e-6)


def test_8_bit_png_unchanged(tmp_path):
    """8-bit images are still divided by 255."""
    values = np.arange(256, dtype=np.uint8).reshape(16, 16)
    Image.fromarray(values).save(tmp_path / "g8.png")
    np.testing.assert_allclose(read_image(tmp_path / "g8.png", mode="L")[0], values / 255.0,
                               atol=1e-6)


def _png_declaring(path, width, height):
    """A valid ~100-byte PNG header that declares ``width x height`` grey pixels."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("side", [10_000, 100_000])   # Pillow's warning range and its error range
def test_decompression_bomb_is_one_line_data_error(tmp_path, side):
    """A tiny file with a huge declared size is refused, naming the file, before decoding."""
    (tmp_path / "a").mkdir()
    path = tmp_path / "a" / "bomb.png"
    _png_declaring(path, side, side)
    assert path.stat().st_size < 200
    with pytest.raises(DataError, match="bomb.png declares more than") as info:
        read_image(path)
    assert "\n" not in str(info.value)
    with pytest.raises(DataError, match="decompression bomb"):
        load_image_folder(tmp_path)


def test_resize_targets_are_capped(tmp_path):
    """image_size beyond 4096 per side or 16 Mpx is refused before any image is read."""
    assert check_image_size([28, 32]) == (28, 32)
    for bad in [(5000, 10), (4096, 4097), (0, 5), (2.5, 3), ("a", 3)]:
        with pytest.raises(InvalidParameterError, match="image_size"):
            check_image_size(bad)
    (tmp_path / "a").mkdir()
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / "a" / "0.png")
    with pytest.raises(InvalidParameterError, match="at most 4096"):
        load_image_folder(tmp_path, image_size=(3000, 6000))
    with pytest.raises(InvalidParameterError, match="at most 4096"):
        read_image(tmp_path / "a" / "0.png", size=(10_000, 10_000))
