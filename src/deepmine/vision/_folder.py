"""An image folder read lazily: one class per sub-folder, each file decoded when its item is read."""

import numpy as np
import torch
from torch.utils.data import Dataset


class ImageFolderDataset(Dataset):
    """Images of a folder per class, read one at a time: a ``torch.utils.data.Dataset``.

    Returned by :func:`deepmine.datasets.load_image_folder` with ``lazy=True``.
    Item ``i`` is ``(image, class index)``: the file decoded by
    :func:`deepmine.datasets.read_image` as a float32 ``(C, H, W)`` tensor in
    [0, 1] and the index of its folder in ``classes``. Nothing is decoded until
    an item is read, so a folder larger than memory trains
    :class:`deepmine.vision.ConvNetClassifier` (``fit(dataset)``) in mini-batches.

    Parameters
    ----------
    filenames : list of path-like
    targets : list of int
        Class index of each file.
    classes : list of str
        Class names (the sorted folder names).
    mode : {"RGB", "L"}
    image_size : (int, int) or None
        Resize target; None requires the files to share one size (a file of
        another size raises an error naming it when it is read).

    Attributes
    ----------
    classes, targets, filenames
        As given (``targets`` and ``filenames`` as lists).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from PIL import Image
    >>> from deepmine.vision import ImageFolderDataset
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> Image.fromarray(np.zeros((6, 6), np.uint8)).save(root / "dark.png")
    >>> ds = ImageFolderDataset([root / "dark.png"], [0], ["dark"], "L", image_size=(4, 4))
    >>> image, target = ds[0]
    >>> len(ds), tuple(image.shape), target
    (1, (1, 4, 4), 0)
    """

    def __init__(self, filenames, targets, classes, mode, image_size=None):
        self.filenames = [str(f) for f in filenames]
        self.targets = [int(t) for t in targets]
        self.classes = list(classes)
        self.mode = mode
        self.image_size = image_size

    def __len__(self):
        return len(self.filenames)

    def __getitem__(self, index):
        from deepmine.datasets._images import read_image

        image = read_image(self.filenames[index], mode=self.mode, size=self.image_size)
        return torch.from_numpy(np.ascontiguousarray(image)), self.targets[index]

    def __repr__(self):
        return (f"ImageFolderDataset({len(self)} images, {len(self.classes)} classes, "
                f"mode={self.mode!r}, image_size={self.image_size!r})")
