"""Image datasets: scikit-learn's 8x8 digits as images, MNIST (IDX files, cached download), image folders."""

import numpy as np


def load_digits_images(*, return_X_y=False):
    """Load scikit-learn's handwritten digits as ``(n, 1, 8, 8)`` float32 images in [0, 1].

    The 1,797 digits of :func:`sklearn.datasets.load_digits` (values 0..16),
    divided by 16 and shaped as one-channel images.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``images`` of shape (1797, 1, 8, 8), ``target`` of shape (1797,),
        ``target_names`` and ``DESCR``.
    (images, target) : tuple if ``return_X_y`` is True

    Examples
    --------
    >>> from deepmine.datasets import load_digits_images
    >>> X, y = load_digits_images(return_X_y=True)
    >>> X.shape, float(X.max())
    ((1797, 1, 8, 8), 1.0)
    """
    from sklearn.datasets import load_digits
    from sklearn.utils import Bunch

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    target = digits.target.astype(np.int64)
    if return_X_y:
        return images, target
    return Bunch(images=images, target=target, target_names=digits.target_names,
                 DESCR=digits.DESCR)


# ---- MNIST: IDX files, cached download -----------------------------------------------------
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


# ---- image folders ---------------------------------------------------------------------------
IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp", ".gif")


#: Bit depth of Pillow's integer grey modes (16-bit PNG and TIFF files open as ``I;16``).
_INT_MODE_MAX = {"I;16": 65535.0, "I;16L": 65535.0, "I;16B": 65535.0, "I;16N": 65535.0}


def _open_checked(Image, path):
    """``Image.open`` with Pillow's decompression-bomb warning turned into a DataError."""
    import warnings

    from deepmine.exceptions import DataError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DataError(f"Image {path} declares more than {Image.MAX_IMAGE_PIXELS} pixels "
                        f"(a decompression bomb?); refusing to decode it.") from None


def _as_float(img, mode):
    """Pixels of ``img`` in [0, 1] as float32, scaled by the file's bit depth."""
    from PIL import Image

    top = _INT_MODE_MAX.get(img.mode)
    if top is None and img.mode == "I" and img.format == "PNG":
        top = 65535.0  # PNG stores at most 16 bits per sample
    if top is None:
        return img.convert(mode), 255.0
    grey = Image.fromarray(np.asarray(img, dtype=np.float32) / np.float32(top), mode="F")
    return grey, 1.0


def read_image(path, *, mode="RGB", size=None):
    """Read one image file with Pillow as a ``(C, H, W)`` float32 array in [0, 1].

    8-bit images are divided by 255, 16-bit grey images (PNG, TIFF) by 65535.
    Files that declare more pixels than Pillow's decompression-bomb limit
    (``PIL.Image.MAX_IMAGE_PIXELS``) are refused before decoding.

    Parameters
    ----------
    path : str or path-like
    mode : {"RGB", "L"}, default="RGB"
        Colour or grey.
    size : (int, int) or None, default=None
        ``(H, W)`` to resize to (bilinear), at most 4096 per side and 16 Mpx;
        None keeps the file's size.

    Returns
    -------
    ndarray of shape (C, H, W)
    """
    from PIL import Image, UnidentifiedImageError

    from deepmine.exceptions import DataError
    from deepmine.vision._images import check_image_size

    size = check_image_size(size)
    try:
        with _open_checked(Image, path) as img:
            img, top = _as_float(img, mode)
            if size is not None and (img.height, img.width) != tuple(size):
                img = img.resize((int(size[1]), int(size[0])), Image.BILINEAR)
            arr = np.asarray(img, dtype=np.float32) / np.float32(top)
    except DataError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise DataError(f"Cannot read image {path}: {exc}") from None
    if arr.ndim == 2 and mode == "RGB":
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    return arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)


def _image_mode(path):
    from PIL import Image

    try:
        with _open_checked(Image, path) as img:
            return img.mode
    except Exception:  # unreadable files are reported with their name by read_image
        return "RGB"


def _check_memory(n_images, first):
    """Refuse a folder whose decoded images would take more than half of the machine's memory."""
    import os

    from deepmine.exceptions import DataError

    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # no sysconf (Windows): no bound
        return
    need = n_images * first.nbytes
    if need > total // 2:
        raise DataError(f"{n_images} images of {first.shape[1]}x{first.shape[2]} pixels need "
                        f"{need / 2**30:.1f} GiB as float32, more than half of this machine's "
                        f"memory ({total / 2**30:.1f} GiB); pass a smaller image_size.")


def load_image_folder(path, *, image_size=None, mode=None, return_X_y=False, lazy=False):
    """Load images stored one folder per class (the layout of torchvision's ``ImageFolder``).

    ``path/cat/1.png, path/cat/2.jpg, path/dog/a.png ...``: the sub-folder
    names are the labels. Files without an image extension are skipped;
    image files Pillow cannot read raise an error naming the file.

    Parameters
    ----------
    path : str or path-like
    image_size : (int, int) or None, default=None
        ``(H, W)`` to resize every image to (at most 4096 per side and 16 Mpx);
        None requires all images to have one size.
    mode : {"RGB", "L"} or None, default=None
        Colour or grey; None picks grey when every image is grey.
    return_X_y : bool, default=False
    lazy : bool, default=False
        Return a ``torch.utils.data.Dataset`` that decodes each image when it is
        read (:class:`deepmine.vision.ImageFolderDataset`: items ``(image, class
        index)``, attributes ``classes``, ``targets``, ``filenames``) instead of
        loading every image; ``ConvNetClassifier().fit(dataset)`` trains on it.
        ``return_X_y`` is then ignored.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``images`` (n, C, H, W) float32 in [0, 1], ``target`` (n,) class
        names, ``target_names`` (sorted folder names), ``filenames``.
    (images, target) : tuple if ``return_X_y`` is True
    dataset : deepmine.vision.ImageFolderDataset if ``lazy`` is True

    Examples
    --------
    >>> import numpy as np, os, tempfile
    >>> from PIL import Image
    >>> from deepmine.datasets import load_image_folder
    >>> root = tempfile.mkdtemp()
    >>> for label in ("a", "b"):
    ...     os.makedirs(os.path.join(root, label))
    ...     Image.fromarray(np.zeros((4, 5), np.uint8)).save(os.path.join(root, label, "0.png"))
    >>> X, y = load_image_folder(root, return_X_y=True)
    >>> X.shape, list(y)
    ((2, 1, 4, 5), ['a', 'b'])
    """
    from pathlib import Path

    from sklearn.utils import Bunch

    from deepmine.exceptions import DataError, InvalidParameterError

    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"Image folder {str(root)!r} does not exist or is not a folder.")
    if mode not in (None, "RGB", "L"):
        raise InvalidParameterError(f"The 'mode' parameter must be 'RGB', 'L' or None. Got {mode!r}.")
    classes = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    files, labels = [], []
    for label in classes:
        for f in sorted((root / label).rglob("*")):
            if f.is_file() and f.suffix.lower() in IMG_EXTENSIONS and not f.name.startswith("."):
                files.append(f)
                labels.append(label)
    if not files:
        raise DataError(f"No images found in {root}: expected one sub-folder per class holding "
                        f"{', '.join(IMG_EXTENSIONS[:4])}... files.")
    if mode is None:
        mode = "L" if all(_image_mode(f) in ("L", "1", "LA", "I", "I;16") for f in files) else "RGB"
    if lazy:
        from deepmine.vision._folder import ImageFolderDataset

        from deepmine.vision._images import check_image_size

        return ImageFolderDataset(files, [classes.index(label) for label in labels], classes,
                                  mode, check_image_size(image_size))
    images = [read_image(files[0], mode=mode, size=image_size)]
    _check_memory(len(files), images[0])
    for f in files[1:]:
        img = read_image(f, mode=mode, size=image_size)
        if img.shape != images[0].shape:
            raise DataError(f"{f} is {img.shape[1]}x{img.shape[2]} but {files[0]} is "
                            f"{images[0].shape[1]}x{images[0].shape[2]}; pass image_size=(H, W) "
                            f"to resize all images.")
        images.append(img)
    X = np.stack(images)
    y = np.asarray(labels, dtype=object)
    if return_X_y:
        return X, y
    return Bunch(images=X, target=y, target_names=np.asarray(classes, dtype=object),
                 filenames=np.asarray([str(f) for f in files], dtype=object))
