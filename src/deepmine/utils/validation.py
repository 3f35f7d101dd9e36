"""Input validation shared by deepmine's estimators (tables here; series and images in their areas)."""

import contextlib

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from deepmine.exceptions import DataError
from deepmine.utils._table import (TableEncoder, check_float32_range, check_missing,
                                   check_missing_target, needs_encoding)

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
    if not reset and y is None:
        fast = _fast_float_rows(estimator, X)
        if fast is not None:
            return fast
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
    if y is not None:
        check_missing_target(y)
    if Xa is None:
        if not hasattr(X, "columns"):
            _refuse_text(X)
        check_float32_range(X, getattr(X, "columns", None))
        kw = dict(reset=reset, dtype=dtype)
        with explaining_missing(lambda: check_missing(X, getattr(X, "columns", None))):
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


@contextlib.contextmanager
def explaining_missing(locate):
    """Replace scikit-learn's refusal of NaN or infinite input by the DataError ``locate()`` raises.

    scikit-learn says *that* the input holds NaN (and suggests other
    estimators); ``locate`` is called only then, to say *where* (a column and
    rows, an image, a series and time steps). Other errors pass unchanged.
    """
    try:
        yield
    except ValueError as exc:
        if "NaN" not in str(exc) and "infinity" not in str(exc):
            raise
        locate()
        raise


def first_bad_row(X, unit):
    """Raise a DataError naming the first ``unit`` (a row of ``X``, e.g. an image) with NaN or inf."""
    try:
        bad = ~np.isfinite(np.asarray(X, dtype=np.float64))
    except (TypeError, ValueError):
        return
    if bad.ndim < 2:
        return
    rows = np.flatnonzero(bad.reshape(len(bad), -1).any(axis=1))
    if len(rows):
        raise DataError(f"X has NaN or infinite values in {len(rows)} {unit}(s) (first: {unit} "
                        f"{rows[0]}); fill or drop them first.")


def _refuse_text(X):
    """A DataError naming the first text cell of an array or nested list (not a DataFrame)."""
    if not isinstance(X, (list, tuple, np.ndarray)):
        return
    try:
        a = np.asarray(X)
    except ValueError:  # ragged rows: scikit-learn's message names the shape
        return
    if a.dtype.kind not in "USO" or a.ndim != 2:
        return
    try:
        a.astype(np.float64)
        return
    except (TypeError, ValueError):
        pass
    for (row, col), value in np.ndenumerate(a):
        if not isinstance(value, (str, bytes)):  # None is missing, other objects a TypeError
            continue
        try:
            float(value)
        except (TypeError, ValueError):
            raise DataError(f"X holds text ({str(value)!r} in row {row}, column {col}); pass a "
                            f"pandas DataFrame, whose text columns are encoded as categories, "
                            f"or numbers.") from None


def _fast_float_rows(estimator, X):
    """Prediction input that needs no checks beyond shape and finiteness: a float32 copy, else None.

    A 2-D float NumPy array of the fitted width, for an estimator fitted on
    plain arrays (no encoder, no feature names), is what ``validate_data``
    would return anyway; anything else (or any NaN, infinity or float32
    overflow) returns None and takes the full checks and their messages.
    """
    if (type(X) is not np.ndarray or X.ndim != 2 or X.dtype not in _FLOATS
            or X.shape[1] != getattr(estimator, "n_features_in_", None) or not X.shape[0]
            or getattr(estimator, "encoder_", None) is not None
            or hasattr(estimator, "feature_names_in_")):
        return None
    with np.errstate(over="ignore"):
        Xa = np.ascontiguousarray(X, dtype=np.float32)
    if Xa is X:
        Xa = Xa.copy()
    return Xa if np.isfinite(Xa).all() else None


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
