"""Input checks for series and panels: clear errors for wrong dimensions, NaN gaps, short series."""

import warnings

import numpy as np
import pandas as pd

from deepmine.exceptions import DataError, DataWarning
from deepmine.utils._warnings import user_stacklevel


def _describe_gaps(mask, index=None, limit=5):
    """'positions 3-5, 9' (or the index labels) of the True runs in ``mask``."""
    idx = np.flatnonzero(mask)
    runs, start = [], idx[0]
    for a, b in zip(idx[:-1], idx[1:]):
        if b != a + 1:
            runs.append((start, a))
            start = b
    runs.append((start, idx[-1]))
    label = (lambda i: str(index[i])) if index is not None else str
    text = ", ".join(label(a) if a == b else f"{label(a)}-{label(b)}" for a, b in runs[:limit])
    more = f" and {len(runs) - limit} more gaps" if len(runs) > limit else ""
    return text + more


def check_series(y, *, min_length=1, name="y", what="This forecaster"):
    """Validate a univariate series; return ``(values float64 1-D, index or None)``.

    Accepts a 1-D array-like, a pandas Series, or a one-column DataFrame / 2-D
    array. NaN or infinite values raise :class:`DataError` naming where they are.
    """
    index = None
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise DataError(f"{name} must be one series; got a DataFrame with {y.shape[1]} columns. "
                            f"Pick one, e.g. df[{str(y.columns[0])!r}].")
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series):
        index = y.index
        if not pd.api.types.is_numeric_dtype(y.dtype):
            raise DataError(f"{name} must be numeric; got dtype {y.dtype}.")
        values = y.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        values, index = _in_time_order(values, index, name)
    else:
        try:
            values = np.array(y, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise DataError(f"{name} must be a numeric series; could not convert it ({exc}).") from None
        if values.ndim == 2 and 1 in values.shape:
            values = values.ravel()
        if values.ndim != 1:
            raise DataError(f"{name} must be one series (1-D); got an array of shape {values.shape}. "
                            f"For a collection of series use a classifier on a 3-D panel.")
    bad = ~np.isfinite(values)
    if bad.any():
        raise DataError(f"{name} has {int(bad.sum())} missing or infinite values at "
                        f"{_describe_gaps(bad, index)}; fill them first (e.g. "
                        f"y.interpolate() in pandas).")
    if len(values) < min_length:
        raise DataError(f"{name} is too short: {what} needs at least {min_length} values; "
                        f"got {len(values)}.")
    return values, index


def _in_time_order(values, index, name):
    """Sort a series by its time (or integer) index with a warning; refuse duplicate times."""
    if not (isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex))
            or pd.api.types.is_numeric_dtype(index.dtype)) or index.hasnans:
        return values, index
    if index.has_duplicates:
        first = index[index.duplicated()][0]
        raise DataError(f"{name} has duplicate time index values (first: {first}); each time "
                        f"must appear once. Aggregate them first, e.g. y.groupby(level=0).mean().")
    if index.is_monotonic_increasing:
        return values, index
    order = np.argsort(index.to_numpy(), kind="stable")
    warnings.warn(f"{name} was not in time order; it was sorted by its index (from "
                  f"{index[order[0]]} to {index[order[-1]]}).",
                  DataWarning, stacklevel=user_stacklevel())
    return values[order], index[order]


def check_panel(X, *, name="X", allow_unequal=True):
    """Validate a panel of series; return a float64 array ``(n_series, n_channels, n_timesteps)``.

    A 2-D array is read as univariate series ``(n_series, n_timesteps)``; a list
    of ``(n_channels, length_i)`` arrays of different lengths is padded with zeros
    at the end (after scaling) when ``allow_unequal``; the lengths are returned too.

    Returns
    -------
    X : ndarray of float64, shape (n_series, n_channels, n_timesteps)
    lengths : ndarray of int or None
        Length of every series when the input had unequal lengths.
    """
    lengths = None
    if isinstance(X, pd.DataFrame):
        X = X.to_numpy()
    if isinstance(X, (list, tuple)) and len(X) and all(hasattr(x, "__len__") for x in X):
        arrays = [np.asarray(x, dtype=np.float64) for x in X]
        arrays = [a[None, :] if a.ndim == 1 else a for a in arrays]
        if any(a.ndim != 2 for a in arrays):
            raise DataError(f"{name}: every series of the list must be 1-D or (n_channels, length).")
        if len({a.shape[0] for a in arrays}) > 1:
            raise DataError(f"{name}: the series have different numbers of channels "
                            f"{sorted({a.shape[0] for a in arrays})}.")
        lens = np.array([a.shape[1] for a in arrays])
        if (lens != lens[0]).any():
            if not allow_unequal:
                raise DataError(f"{name}: series of unequal length ({lens.min()}-{lens.max()}) "
                                f"are not supported here.")
            lengths = lens
            out = np.zeros((len(arrays), arrays[0].shape[0], lens.max()))
            for i, a in enumerate(arrays):
                out[i, :, :a.shape[1]] = a
            X = out
        else:
            X = np.stack(arrays)
    try:
        X = np.asarray(X)
        if np.iscomplexobj(X):
            raise DataError(f"Complex data not supported: {name} must be real-valued series.")
        X = X.astype(np.float64, copy=False)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"{name} must be numeric series; could not convert it ({exc}).") from None
    if X.ndim == 2:
        X = X[:, None, :]
    if X.ndim != 3:
        raise DataError(f"{name} must be a panel of shape (n_series, n_channels, n_timesteps) or "
                        f"(n_series, n_timesteps); got an array of shape {X.shape}.")
    if X.shape[0] == 0 or X.shape[2] == 0:
        raise DataError(f"{name} is empty: shape {X.shape}; at least 1 series of length >= 1 "
                        f"is required.")
    bad = ~np.isfinite(X)
    if lengths is not None:
        bad &= np.arange(X.shape[2])[None, None, :] < lengths[:, None, None]
    if bad.any():
        rows = np.unique(np.nonzero(bad)[0])
        first = rows[0]
        where = np.flatnonzero(bad[first].any(axis=0))
        raise DataError(f"{name} has NaN or infinite values in {len(rows)} series (first: series "
                        f"{first} at time steps {_describe_gaps(np.isin(np.arange(X.shape[2]), where))}); "
                        f"fill or drop them first.")
    return X, lengths


def validate_args(constraints, caller, **params):
    """Check function arguments against scikit-learn style constraints; raise deepmine's error."""
    from deepmine.utils._param_validation import validate_parameter_constraints

    from deepmine.exceptions import InvalidParameterError

    try:
        validate_parameter_constraints(constraints, params, caller_name=caller)
    except ValueError as exc:
        raise InvalidParameterError(str(exc)) from None
