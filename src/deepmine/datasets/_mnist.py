"""MNIST: the IDX file format and a cached, checksummed download from the canonical mirrors."""

import numpy as np

MNIST_MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/",
                 "https://storage.googleapis.com/cvdf-datasets/mnist/",
                 "http://yann.lecun.com/exdb/mnist/")
#: File names and md5 checksums of the canonical MNIST files (as torchvision lists them).
MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def data_home(cache_dir=None):
    """Folder of deepmine's downloaded data: ``cache_dir``, else ``$DEEPMINE_DATA``, else ``~/.cache/deepmine``."""
    import os
    from pathlib import Path

    home = cache_dir or os.environ.get("DEEPMINE_DATA") or Path.home() / ".cache" / "deepmine"
    return Path(home).expanduser()


def read_idx(path):
    """Read an IDX file (the format of MNIST), gzip-compressed or not, into a NumPy array.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    ndarray
        Shape and dtype as stored in the file's header.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from deepmine.datasets import read_idx
    >>> path = os.path.join(tempfile.mkdtemp(), "x.idx")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]) + bytes(range(6)))
    >>> read_idx(path)
    array([[0, 1, 2],
           [3, 4, 5]], dtype=uint8)
    """
    import gzip

    from deepmine.exceptions import DataError

    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DataError(f"{path}: broken gzip data ({exc}).") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise DataError(f"{path} is not an IDX file (bad magic number {raw[:4].hex()}).")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: truncated IDX header.")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataError(f"{path}: the header announces {shape} ({expected} bytes of data) but "
                        f"the file holds {len(raw) - header}; the file is truncated or corrupt.")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _md5(path):
    import hashlib

    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _download(name, folder, md5, mirrors=MNIST_MIRRORS, timeout=60):
    """Fetch ``name`` from the first mirror that answers into ``folder``; check its md5."""
    import os
    import urllib.error
    import urllib.request

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    errors = []
    for mirror in mirrors:
        tmp = folder / (name + ".part")
        try:
            with urllib.request.urlopen(mirror + name, timeout=timeout) as resp, open(tmp, "wb") as f:
                for chunk in iter(lambda: resp.read(1 << 20), b""):
                    f.write(chunk)
        except (urllib.error.URLError, OSError) as exc:
            errors.append(f"{mirror}: {exc}")
            tmp.unlink(missing_ok=True)
            continue
        if md5 is not None and _md5(tmp) != md5:
            errors.append(f"{mirror}: checksum mismatch")
            tmp.unlink(missing_ok=True)
            continue
        os.replace(tmp, target)
        return target
    raise OSError(f"Could not download {name}: " + "; ".join(errors))


def load_mnist(cache_dir=None, download=True, *, subset="train", return_X_y=False):
    """Load MNIST's handwritten digits as ``(n, 1, 28, 28)`` float32 images in [0, 1].

    Files are looked up in ``cache_dir/mnist`` (any IDX file there, gzip or
    not, is used as is); missing ones are downloaded from the canonical
    mirrors when ``download`` is True and checked against their md5.

    Parameters
    ----------
    cache_dir : str or path-like or None, default=None
        See :func:`data_home`.
    download : bool, default=True
    subset : {"train", "test", "all"}, default="train"
        The 60,000 training images, the 10,000 test images, or both (train first).
    return_X_y : bool, default=False

    Returns
    -------
    data : sklearn.utils.Bunch
        ``images`` (n, 1, 28, 28), ``target`` (n,) int64.
    (images, target) : tuple if ``return_X_y`` is True

    Examples
    --------
    >>> from deepmine.datasets import load_mnist
    >>> X, y = load_mnist(subset="test", return_X_y=True)  # doctest: +SKIP
    """
    from sklearn.utils import Bunch

    from deepmine.exceptions import InvalidParameterError

    parts = {"train": ["train"], "test": ["t10k"], "all": ["train", "t10k"]}
    if subset not in parts:
        raise InvalidParameterError(f"The 'subset' parameter of load_mnist must be 'train', 'test' "
                                    f"or 'all'. Got {subset!r}.")
    folder = data_home(cache_dir) / "mnist"
    images, targets = [], []
    for prefix in parts[subset]:
        arrays = []
        for kind in ("images-idx3", "labels-idx1"):
            name = f"{prefix}-{kind}-ubyte.gz"
            path = next((folder / n for n in (name, name[:-3]) if (folder / n).exists()), None)
            if path is None:
                if not download:
                    raise FileNotFoundError(
                        f"{name} is not in {folder} and download=False; pass download=True or "
                        f"copy the MNIST IDX files there.")
                path = _download(name, folder, MNIST_FILES[name])
            arrays.append(read_idx(path))
        X, y = arrays
        if X.ndim != 3 or y.ndim != 1 or len(X) != len(y):
            from deepmine.exceptions import DataError

            raise DataError(f"MNIST files in {folder} do not match: images {X.shape}, "
                            f"labels {y.shape}.")
        images.append((X.astype(np.float32) / 255.0)[:, None])
        targets.append(y.astype(np.int64))
    X, y = np.concatenate(images), np.concatenate(targets)
    if return_X_y:
        return X, y
    return Bunch(images=X, target=y, target_names=np.arange(10))
