"""Input validation shared by deepmine's estimators (tables here; series and images in their areas)."""

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from deepmine.exceptions import DataError
from deepmine.utils._table import TableEncoder, check_float32_range, needs_encoding

__all__ = ["check_is_fitted", "check_table"]


def check_table(estimator, X, *, y=None, reset=True, dtype=np.float32):
    """Validate a table (array or DataFrame) for a deepmine estimator and return float32 arrays.

    DataFrames with string, category or "yes"/"no" columns are encoded by a
    :class:`~deepmine.utils._table.TableEncoder` kept in ``estimator.encoder_``;
    ``feature_names_in_`` and ``n_features_in_`` are set as scikit-learn does.
    ``estimator.n_inputs_`` is the width of the encoded matrix.

    Parameters
    ----------
    estimator : estimator instance
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : array-like or None, default=None
    reset : bool, default=True
        True during ``fit``; False checks consistency with the fitted state.
    dtype : dtype or list of dtypes, default=np.float32
        As scikit-learn's ``check_array``: a list keeps an input dtype it holds
        (``[np.float32, np.float64]`` spares float64 tables a float32 copy).

    Returns
    -------
    X : ndarray of float32
    y : ndarray or None (only returned when ``y`` is given)
    """
    if reset:
        if needs_encoding(X):
            if len(X) == 0:
                raise DataError("Found a DataFrame with 0 rows; at least 1 row is required.")
            estimator.encoder_ = TableEncoder().fit(X)
            estimator.feature_names_in_ = np.asarray(estimator.encoder_.columns_, dtype=object)
            estimator.n_features_in_ = len(estimator.encoder_.columns_)
            Xa = estimator.encoder_.transform(X)
        else:
            estimator.encoder_ = None
            Xa = None
    elif getattr(estimator, "encoder_", None) is not None:
        if not hasattr(X, "columns"):
            raise DataError("This estimator was fitted on a DataFrame with non-numeric columns; "
                            "pass a DataFrame with the same columns.")
        Xa = estimator.encoder_.transform(X)
    else:
        Xa = None
    if Xa is None:
        check_float32_range(X, getattr(X, "columns", None))
        kw = dict(reset=reset, dtype=dtype)
        if y is not None:
            Xa, y = validate_data(estimator, X, y, y_numeric=False, multi_output=True, **kw)
        else:
            Xa = validate_data(estimator, X, **kw)
    elif y is not None:
        from sklearn.utils import check_consistent_length

        y = np.asarray(y)
        check_consistent_length(Xa, y)
    if reset:
        estimator.n_inputs_ = Xa.shape[1]
    return (Xa, y) if y is not None else Xa
