"""Evaluating forecasts: temporal splits, rolling-origin backtests and the usual error measures.

MASE is Hyndman & Koehler 2006 (scaled by the in-sample seasonal-naive error);
sMAPE is the M3/M4 competitions' symmetric percentage error; rolling-origin
evaluation is Tashman 2000.
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import clone

from deepmine.exceptions import DataError
from deepmine.timeseries._validation import check_series, validate_args
from deepmine.utils._param_validation import Interval

__all__ = ["mae", "rmse", "mape", "smape", "mase", "temporal_train_test_split", "backtest"]


def _pair(y_true, y_pred):
    t = np.asarray(y_true, dtype=np.float64).ravel()
    p = np.asarray(y_pred, dtype=np.float64).ravel()
    if t.shape != p.shape:
        raise DataError(f"y_true and y_pred have different lengths ({len(t)} and {len(p)}).")
    if len(t) == 0:
        raise DataError("y_true is empty.")
    return t, p


def mae(y_true, y_pred):
    """Mean absolute error.

    Examples
    --------
    >>> from deepmine.timeseries import mae
    >>> mae([1, 2, 3], [2, 2, 5])
    1.0
    """
    t, p = _pair(y_true, y_pred)
    return float(np.mean(np.abs(t - p)))


def rmse(y_true, y_pred):
    """Root mean squared error.

    Examples
    --------
    >>> from deepmine.timeseries import rmse
    >>> rmse([0, 0], [3, 4]) == (12.5) ** 0.5
    True
    """
    t, p = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((t - p) ** 2)))


def mape(y_true, y_pred):
    """Mean absolute percentage error, in percent (undefined when ``y_true`` has zeros).

    Examples
    --------
    >>> from deepmine.timeseries import mape
    >>> mape([100, 200], [110, 180])
    10.0
    """
    t, p = _pair(y_true, y_pred)
    if (t == 0).any():
        raise DataError("MAPE is undefined when y_true contains zeros; use smape or mase.")
    return float(100 * np.mean(np.abs((t - p) / t)))


def smape(y_true, y_pred):
    """Symmetric MAPE in percent, ``200 * mean(|y - f| / (|y| + |f|))`` (0 where both are 0).

    Examples
    --------
    >>> from deepmine.timeseries import smape
    >>> round(smape([100, 200], [110, 180]), 3)
    10.025
    """
    t, p = _pair(y_true, y_pred)
    denom = np.abs(t) + np.abs(p)
    ratio = np.divide(np.abs(t - p), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(200 * np.mean(ratio))


def mase(y_true, y_pred, y_train, *, seasonal_period=1):
    """Mean absolute scaled error: MAE divided by the in-sample MAE of the (seasonal) naive forecast.

    Below 1 means better than the naive forecast was on the training data.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (horizon,)
    y_train : array-like
        The series the forecast was made from.
    seasonal_period : int, default=1

    Examples
    --------
    >>> from deepmine.timeseries import mase
    >>> mase([5, 6], [5, 7], y_train=[1, 2, 3, 4])
    0.5
    """
    t, p = _pair(y_true, y_pred)
    train = np.asarray(y_train, dtype=np.float64).ravel()
    m = int(seasonal_period)
    if len(train) <= m:
        raise DataError(f"mase needs more than seasonal_period={m} training values; got {len(train)}.")
    scale = np.mean(np.abs(train[m:] - train[:-m]))
    if scale == 0:
        raise DataError("mase is undefined: the training series is constant over its seasons.")
    return float(np.mean(np.abs(t - p)) / scale)


def temporal_train_test_split(y, *, test_size=None, train_size=None):
    """Split a series (or table) in time: the first part trains, the last ``test_size`` values test.

    Never shuffles. ``test_size``/``train_size`` are counts (int) or fractions
    (float), as in :func:`sklearn.model_selection.train_test_split` (which does the
    work, with ``shuffle=False``); the default holds out the last 25%.

    Parameters
    ----------
    y : array-like or pandas.Series / DataFrame
    test_size : int, float or None, default=None
    train_size : int, float or None, default=None

    Returns
    -------
    y_train, y_test : same type as ``y``

    Examples
    --------
    >>> from deepmine.timeseries import load_airline, temporal_train_test_split
    >>> y_train, y_test = temporal_train_test_split(load_airline(), test_size=24)
    >>> len(y_train), str(y_test.index[0])
    (120, '1959-01')
    """
    from sklearn.model_selection import train_test_split

    return train_test_split(y, test_size=test_size, train_size=train_size, shuffle=False)


_BACKTEST_CONSTRAINTS = {
    "initial": [Interval(Integral, 1, None, closed="left"), Interval(Real, 0, 1, closed="neither")],
    "horizon": [Interval(Integral, 1, None, closed="left")],
    "step": [Interval(Integral, 1, None, closed="left"), None],
    "refit": ["boolean"], "seasonal_period": [Interval(Integral, 1, None, closed="left")],
    "return_predictions": ["boolean"],
}


def backtest(forecaster, y, initial, horizon, step=None, *, refit=True, seasonal_period=1,
             return_predictions=False):
    """Rolling-origin evaluation: forecast from successive origins and score each forecast.

    The forecaster is trained on ``y[:origin]`` and forecasts ``horizon`` values;
    the origin moves by ``step`` until the horizon reaches the end of ``y``.

    Parameters
    ----------
    forecaster : forecaster
        E.g. a :class:`WindowForecaster`; cloned, never modified.
    y : array-like or pandas.Series
    initial : int or float
        Training length at the first origin (a count, or a fraction of ``y``).
    horizon : int
    step : int or None, default=None
        Distance between origins; None means ``horizon`` (non-overlapping tests).
    refit : bool, default=True
        Refit at every origin; False fits once on the first ``initial`` values and
        then forecasts with ``predict(y=...)`` from each later origin.
    seasonal_period : int, default=1
        Season length of the MASE scale.
    return_predictions : bool, default=False
        Also return every forecast in a long DataFrame.

    Returns
    -------
    scores : pandas.DataFrame
        One row per origin: ``origin`` (position), ``n_train``, ``mae``, ``rmse``,
        ``smape``, ``mase``.
    predictions : pandas.DataFrame
        Only with ``return_predictions``: ``origin``, ``step``, ``y_true``, ``y_pred``.

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.timeseries import NaiveForecaster, backtest
    >>> scores = backtest(NaiveForecaster(), np.arange(20.0), initial=10, horizon=5)
    >>> scores["mae"].tolist()
    [3.0, 3.0]
    """
    validate_args(_BACKTEST_CONSTRAINTS, "backtest", initial=initial, horizon=horizon, step=step,
                  refit=refit, seasonal_period=seasonal_period,
                  return_predictions=return_predictions)
    values, _ = check_series(y)
    n = len(values)
    first = int(initial) if isinstance(initial, Integral) else int(round(initial * n))
    step = horizon if step is None else step
    if first + horizon > n:
        raise DataError(f"backtest needs initial + horizon <= len(y); got {first} + {horizon} > {n}.")
    rows, preds, fitted = [], [], None
    for origin in range(first, n - horizon + 1, step):
        train, test = values[:origin], values[origin:origin + horizon]
        if refit or fitted is None:
            fitted = clone(forecaster).fit(train)
            pred = np.asarray(fitted.predict(horizon), dtype=np.float64)
        else:
            pred = np.asarray(fitted.predict(horizon, y=train), dtype=np.float64)
        rows.append({"origin": origin, "n_train": origin, "mae": mae(test, pred),
                     "rmse": rmse(test, pred), "smape": smape(test, pred),
                     "mase": _safe_mase(test, pred, train, seasonal_period)})
        preds.extend({"origin": origin, "step": k + 1, "y_true": test[k], "y_pred": pred[k]}
                     for k in range(horizon))
    scores = pd.DataFrame(rows)
    return (scores, pd.DataFrame(preds)) if return_predictions else scores


def _safe_mase(test, pred, train, m):
    try:
        return mase(test, pred, train, seasonal_period=m)
    except DataError:
        return float("nan")
