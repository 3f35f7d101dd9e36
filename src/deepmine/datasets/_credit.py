"""The lecture's credit-rating table and the "m of n" synthetic concept."""

import numpy as np
import pandas as pd


def load_credit():
    """Return the lecture's six-person credit table.

    The rule behind the labels: a person gets credit when at least two of
    Employed, Owns House and Balanced Account are "yes" -- a threshold
    function a single perceptron represents exactly.

    Returns
    -------
    df : pandas.DataFrame of shape (6, 5)
        Columns Person, Employed, Owns House, Balanced Account, Get Credit,
        the last four holding "yes"/"no".

    Examples
    --------
    >>> from deepmine.datasets import load_credit
    >>> load_credit().shape
    (6, 5)
    """
    rows = [
        ("Peter", "no", "yes", "no", "no"),
        ("Paul", "yes", "no", "no", "no"),
        ("Mary", "no", "no", "yes", "no"),
        ("Stacy", "yes", "yes", "no", "yes"),
        ("Tim", "no", "yes", "yes", "yes"),
        ("Jane", "yes", "yes", "yes", "yes"),
    ]
    return pd.DataFrame(rows, columns=["Person", "Employed", "Owns House",
                                       "Balanced Account", "Get Credit"])


def make_m_of_n(n_samples=1000, n_features=10, m=5, *, random_state=None):
    """Binary data labelled by the "at least m of n attributes are 1" concept.

    Parameters
    ----------
    n_samples : int, default=1000
    n_features : int, default=10
    m : int, default=5
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), values in {0, 1}
    y : ndarray of shape (n_samples,), 1 when ``X.sum(axis=1) >= m``

    Examples
    --------
    >>> from deepmine.datasets import make_m_of_n
    >>> X, y = make_m_of_n(100, random_state=0)
    >>> bool(((X.sum(axis=1) >= 5) == y).all())
    True
    """
    from sklearn.utils import check_random_state

    rng = check_random_state(random_state)
    X = rng.randint(0, 2, size=(n_samples, n_features)).astype(np.float32)
    y = (X.sum(axis=1) >= m).astype(np.int64)
    return X, y
