"""What every forecaster shares: the series API (``fit(y)``, ``predict(horizon)``), time indexes,
differencing, and the naive baselines every forecast is compared with."""

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.timeseries._validation import check_series
from deepmine.utils._param_validation import Interval, StrOptions, validate_params

__all__ = ["NaiveForecaster"]


def _resolve_steps(horizon, fh):
    """``predict(horizon)`` or ``predict(fh=[1, 3, 12])`` -> sorted positive int array."""
    if (horizon is None) == (fh is None):
        raise InvalidParameterError("Pass either horizon (an int, e.g. 12) or fh (the steps ahead, "
                                    "e.g. [1, 2, 3]), not both or neither.")
    if horizon is not None:
        if isinstance(horizon, bool) or not isinstance(horizon, Integral) or horizon < 1:
            raise InvalidParameterError(f"horizon must be a positive int; got {horizon!r}.")
        return np.arange(1, int(horizon) + 1)
    steps = np.atleast_1d(np.asarray(fh))
    if steps.size == 0 or steps.dtype.kind not in "iu" or (steps < 1).any():
        raise InvalidParameterError(f"fh must be positive ints (steps ahead, 1 = next value); "
                                    f"got {fh!r}.")
    return np.unique(steps.astype(np.int64))


class _Differencer:
    """Apply lag-``k`` differences in order and undo them on forecasts (Box & Jenkins 1970)."""

    def __init__(self, lags):
        self.lags = [int(k) for k in lags]

    def forward(self, y):
        """Return the list of series ``[y, diff_1(y), diff_2(diff_1(y)), ...]``."""
        levels = [np.asarray(y, dtype=np.float64)]
        for k in self.lags:
            s = levels[-1]
            levels.append(s[k:] - s[:-k])
        return levels

    def inverse(self, forecast, levels):
        """Integrate a forecast of the last level back to the original scale."""
        out = np.asarray(forecast, dtype=np.float64)
        for k, prev in zip(reversed(self.lags), reversed(levels[:-1])):
            ext = np.concatenate([prev, np.empty(len(out))])
            n = len(prev)
            for t in range(len(out)):
                ext[n + t] = out[t] + ext[n + t - k]
            out = ext[n:]
        return out

    @property
    def span(self):
        return sum(self.lags)


class _DifferencingMixin:
    """log / (seasonal) differencing / standardization of a series, undone on forecasts.

    Needs parameters ``seasonal_period``, ``difference``, ``log`` and ``_n_out()``.
    """

    def _setting(self, name):
        """The value in use for ``name``: the fitted choice (``selected_params_``) or the parameter."""
        chosen = getattr(self, "selected_params_", None) or {}
        return chosen[name] if name in chosen else getattr(self, name)

    def _lags(self):
        m = self._setting("seasonal_period")
        return ([m] if m else []) + [1] * self._setting("difference")

    def _required_length(self):
        return self._min_window() + sum(self._lags()) + self._n_out()

    def _length_reason(self):
        return (f" with {self._min_window()} input value(s), {self._n_out()} target value(s) and "
                f"{sum(self._lags())} values lost to differencing")

    def _fit_transform(self, values):
        if self._setting("log") and (values <= 0).any():
            raise DataError("log=True needs a positive series; found values <= 0.")
        z = _Differencer(self._lags()).forward(np.log(values) if self._setting("log") else values)[-1]
        self.mean_ = float(z.mean())
        self.scale_ = float(z.std()) or 1.0
        return self._transform(values)

    def _transform(self, values):
        """Original scale -> (differencing levels, standardized last level)."""
        if self._setting("log"):
            if (values <= 0).any():
                raise DataError("log=True needs a positive series; found values <= 0.")
            values = np.log(values)
        levels = _Differencer(self._lags()).forward(values)
        return levels, (levels[-1] - self.mean_) / self.scale_

    def _inverse(self, z, levels):
        """Standardized forecasts of the last level -> forecasts on the original scale."""
        out = _Differencer(self._lags()).inverse(np.asarray(z) * self.scale_ + self.mean_, levels)
        return np.exp(out) if self._setting("log") else out


class BaseForecaster(BaseEstimator):
    """Series in, forecasts out: ``fit(y)`` then ``predict(horizon)`` or ``predict(fh=[...])``.

    Subclasses implement ``_fit_values(values)`` and ``_forecast(values, n_steps)``
    (the next ``n_steps`` values after ``values``); the base keeps the time index
    and extends it, and handles ``fh``.
    """

    _min_length = 2

    def _check_params(self):
        try:
            validate_params(self)
        except ValueError as exc:
            raise InvalidParameterError(str(exc)) from None

    def fit(self, y, X=None):
        """Fit the forecaster to the series ``y``.

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or pandas.Series
            With a DatetimeIndex/PeriodIndex, forecasts carry the continued index.
        X : None
            Ignored (no exogenous variables).

        Returns
        -------
        self
        """
        self._check_params()
        values, index = check_series(y, min_length=self._required_length(),
                                     what=type(self).__name__ + self._length_reason())
        self._store_index(index, getattr(y, "name", None))
        self.y_ = values
        self._fit_values(values)
        return self

    def _required_length(self):
        return self._min_length

    def _length_reason(self):
        return ""

    def predict(self, horizon=None, *, fh=None, y=None):
        """Forecast the next values after the training series (or after ``y``).

        Parameters
        ----------
        horizon : int or None
            Forecast steps 1..horizon.
        fh : array-like of int or None
            Steps ahead to return (1 = next value), e.g. ``[1, 6, 12]``.
        y : array-like or pandas.Series or None, default=None
            Forecast from the end of this series with the fitted model (no
            refit); None means the training series.

        Returns
        -------
        forecast : ndarray or pandas.Series
            A Series with the continued time index when the series had one.
        """
        check_is_fitted(self, "y_")
        steps = _resolve_steps(horizon, fh)
        if y is None:
            values, index_info = self.y_, self._index_info()
        else:
            values, index = check_series(y, min_length=self._required_length(),
                                         what=type(self).__name__ + self._length_reason())
            index_info = _index_info(index)
        path = np.asarray(self._forecast(values, int(steps.max())), dtype=np.float64)
        out = path[steps - 1]
        if index_info is None:
            return out
        future = _future_index(index_info, len(values), steps)
        return pd.Series(out, index=future, name=self.y_name_)

    def _store_index(self, index, name):
        info = _index_info(index)
        if isinstance(index, pd.DatetimeIndex) and info[0] == "position":
            import warnings

            from deepmine.exceptions import DataWarning
            from deepmine.utils._warnings import user_stacklevel

            fmt = "%Y-%m-%d" if index.equals(index.normalize()) else "%Y-%m-%d %H:%M:%S"
            warnings.warn(f"The dates of y have no regular frequency ({len(index)} values from "
                          f"{index[0]:{fmt}} to {index[-1]:{fmt}}: dates missing?), so forecasts are "
                          f"numbered {len(index)}, {len(index) + 1}, ... instead of dated; give a "
                          f"regular series (e.g. y.asfreq('D').interpolate()) to forecast dates.",
                          DataWarning, stacklevel=user_stacklevel())
        self.index_kind_, self.index_freq_, self.index_last_ = info or (None, None, None)
        self.y_name_ = name if isinstance(name, (str, int, float)) else None

    def _index_info(self):
        return None if self.index_kind_ is None else (self.index_kind_, self.index_freq_,
                                                      self.index_last_)

    def save(self, path):
        """Write the fitted forecaster to ``path``; read it back with :func:`deepmine.load`.

        Parameters
        ----------
        path : str or path-like
        """
        from deepmine._persistence import save_estimator

        check_is_fitted(self, "y_")
        save_estimator(self, path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.target_tags.required = False
        return tags


def datetime_frequency(index):
    """The frequency string a (sorted) DatetimeIndex continues with, or None (gaps, too short)."""
    return index.freqstr or (pd.infer_freq(index) if len(index) >= 3 else None)


def _index_info(index):
    """JSON-able description of how to continue ``index``: (kind, freq, last) or None."""
    if index is None:
        return None
    if isinstance(index, pd.PeriodIndex):
        return "period", index.freqstr, str(index[-1])
    if isinstance(index, pd.DatetimeIndex):
        freq = datetime_frequency(index)
        return ("datetime", freq, index[-1].isoformat()) if freq else ("position", None, None)
    if isinstance(index, pd.RangeIndex) or pd.api.types.is_integer_dtype(index.dtype):
        step = int(index[-1] - index[-2]) if len(index) >= 2 else 1
        return "int", step, int(index[-1])
    return "position", None, None


def _future_index(info, n, steps):
    kind, freq, last = info
    if kind == "period":
        start = pd.Period(last, freq=freq)
        return pd.PeriodIndex([start + int(s) for s in steps])
    if kind == "datetime":
        offset = pd.tseries.frequencies.to_offset(freq)
        return pd.DatetimeIndex([pd.Timestamp(last) + int(s) * offset for s in steps])
    if kind == "int":
        return pd.Index(last + freq * steps)
    return pd.RangeIndex(n, n + int(steps.max()))[steps - 1]


class NaiveForecaster(BaseForecaster):
    """The baselines: repeat the last value, the last season, the mean, or extend the drift.

    Parameters
    ----------
    strategy : {"last", "seasonal", "mean", "drift"}, default="last"
        ``"last"``: every forecast is the last value (random-walk forecast);
        ``"seasonal"``: the value one season earlier; ``"mean"``: the training
        mean; ``"drift"``: the line through the first and last values
        (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 5.2).
    seasonal_period : int, default=1
        Season length for ``"seasonal"`` (12 for monthly data).

    Attributes
    ----------
    y_ : ndarray
        The training series.

    Examples
    --------
    >>> from deepmine.timeseries import NaiveForecaster
    >>> NaiveForecaster("seasonal", seasonal_period=3).fit([1, 2, 3, 4, 5, 6]).predict(4).tolist()
    [4.0, 5.0, 6.0, 4.0]
    """

    _parameter_constraints = {
        "strategy": [StrOptions({"last", "seasonal", "mean", "drift"})],
        "seasonal_period": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, strategy="last", *, seasonal_period=1):
        self.strategy = strategy
        self.seasonal_period = seasonal_period

    def _required_length(self):
        return self.seasonal_period if self.strategy == "seasonal" else 1

    def _length_reason(self):
        return f" with seasonal_period={self.seasonal_period}" if self.strategy == "seasonal" else ""

    def _fit_values(self, values):
        pass

    def _forecast(self, values, n_steps):
        h = np.arange(1, n_steps + 1)
        if self.strategy == "last":
            return np.full(n_steps, values[-1])
        if self.strategy == "mean":
            return np.full(n_steps, values.mean())
        if self.strategy == "drift":
            slope = (values[-1] - values[0]) / max(len(values) - 1, 1)
            return values[-1] + slope * h
        m = self.seasonal_period
        if len(values) < m:
            raise DataError(f"The series is shorter ({len(values)}) than seasonal_period={m}.")
        return values[len(values) - m + (h - 1) % m]
