"""Outlier-detection tables: ODDS/ADBench files (``y == 1`` is an outlier) and a small bundled-data set."""

from pathlib import Path

import numpy as np

from deepmine.exceptions import DataError


def load_outlier_file(path):
    """Read an ADBench ``.npz`` or ODDS ``.mat`` outlier-detection file.

    Parameters
    ----------
    path : str or path-like
        A ``.npz`` with arrays ``X`` and ``y`` (ADBench) or a MATLAB ``.mat``
        with ``X`` and ``y`` (ODDS).

    Returns
    -------
    X : ndarray of float64, shape (n_samples, n_features)
    y : ndarray of int, shape (n_samples,)
        1 for outliers, 0 for inliers.

    Examples
    --------
    >>> import numpy as np, os, tempfile
    >>> from deepmine.datasets import load_outlier_file
    >>> path = os.path.join(tempfile.mkdtemp(), "toy.npz")
    >>> np.savez(path, X=np.eye(3), y=np.array([0, 0, 1]))
    >>> X, y = load_outlier_file(path)
    >>> X.shape, y.tolist()
    ((3, 3), [0, 0, 1])
    """
    path = Path(path)
    if path.suffix == ".mat":
        from scipy.io import loadmat

        data = loadmat(path)
    elif path.suffix == ".npz":
        data = np.load(path, allow_pickle=False)
    else:
        raise DataError(f"{path.name}: expected an ADBench .npz or ODDS .mat file.")
    if "X" not in data or "y" not in data:
        raise DataError(f"{path.name} holds no arrays 'X' and 'y'.")
    return np.asarray(data["X"], dtype=np.float64), np.asarray(data["y"]).ravel().astype(int)


def make_cancer_outliers(n_outliers=10, *, random_state=None):
    """Breast-cancer biopsies as an outlier task: all benign rows plus a few malignant ones.

    Built from scikit-learn's bundled Wisconsin diagnostic data (569 rows, 30
    named measurements): the 357 benign rows are inliers, ``n_outliers``
    malignant rows drawn at random are the outliers, the usual construction
    of outlier benchmarks from classification data.

    Parameters
    ----------
    n_outliers : int, default=10
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : pandas.DataFrame of shape (357 + n_outliers, 30)
    y : ndarray of int
        1 for the malignant rows (outliers).

    Examples
    --------
    >>> from deepmine.datasets import make_cancer_outliers
    >>> X, y = make_cancer_outliers(10, random_state=0)
    >>> X.shape, int(y.sum())
    ((367, 30), 10)
    """
    from sklearn.datasets import load_breast_cancer
    from sklearn.utils import check_random_state

    data = load_breast_cancer(as_frame=True)
    X, target = data.data, data.target.to_numpy()  # target 1 = benign
    rng = check_random_state(random_state)
    malignant = np.flatnonzero(target == 0)
    chosen = rng.choice(malignant, min(n_outliers, len(malignant)), replace=False)
    rows = np.sort(np.r_[np.flatnonzero(target == 1), chosen])
    return X.iloc[rows].reset_index(drop=True), (target[rows] == 0).astype(int)
