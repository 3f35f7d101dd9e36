"""Seeds: ``random_state`` becomes one integer seed inside ``fit``; global RNGs stay untouched."""

import numpy as np
from sklearn.utils import check_random_state


def resolve_seed(random_state):
    """Return an integer seed in ``[0, 2**31)`` from a ``random_state`` parameter.

    Parameters
    ----------
    random_state : int, numpy RandomState or None
        ``None`` draws a fresh seed from NumPy's global generator, as scikit-learn does.

    Returns
    -------
    int

    Examples
    --------
    >>> from deepmine.utils import resolve_seed
    >>> resolve_seed(7)
    7
    """
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state) % (2**31)
    return int(check_random_state(random_state).randint(0, 2**31 - 1))
