"""Image datasets: scikit-learn's 8x8 digits as images, image files and folders (MNIST: ``_mnist.py``)."""

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


IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp", ".gif")


def image_files(folder):
    """The image files below ``folder`` (any depth, by extension, hidden files skipped), sorted."""
    from pathlib import Path

    return [f for f in sorted(Path(folder).rglob("*"))
            if f.is_file() and f.suffix.lower() in IMG_EXTENSIONS and not f.name.startswith(".")]


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
        found = image_files(root / label)
        files += found
        labels += [label] * len(found)
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
