"""Forecasting by regression over sliding windows (recursive, direct and multi-output strategies).

Any scikit-learn regressor -- by default deepmine's :class:`~deepmine.tabular.MLPRegressor` --
learns to map the last ``window`` values to the next one(s); trend and seasonality
are removed first by (seasonal) differencing and put back on the forecasts, so
the network models what is left instead of extrapolating a level it never saw.
Strategies follow Ben Taieb et al. 2012, "A review and comparison of strategies
for multi-step ahead time series forecasting".
"""

from numbers import Integral

import numpy as np
from sklearn.base import clone

from deepmine.exceptions import DataError
from deepmine.timeseries._base import BaseForecaster, _DifferencingMixin
from deepmine.timeseries._forecast_select import (N_JOBS_DOC, STEPS_PER_EPOCH,
                                                   _AutoSettingsMixin, epochs_within,
                                                   quiet_convergence)
from deepmine.timeseries._windows import sliding_windows
from deepmine.utils._param_validation import HasMethods, Interval, StrOptions

__all__ = ["WindowForecaster"]


class WindowForecaster(_AutoSettingsMixin, _DifferencingMixin, BaseForecaster):
    __doc__ = f"""Forecast a series with any regressor over its sliding windows.

    Parameters
    ----------
    estimator : regressor or None, default=None
        Learns ``window`` past values -> next value(s); None means deepmine's
        ``MLPRegressor((64,), weight_decay=0.01, learning_rate=0.001, batch_size=16,
        max_epochs=100, scale=False)`` (the series is already standardized);
        its fixed 100 epochs are the recipe, so it raises no ConvergenceWarning.
        Beyond {16 * STEPS_PER_EPOCH:,} windows its epochs shrink so that a fit
        takes at most {100 * STEPS_PER_EPOCH:,} optimizer steps (13 epochs on
        8,000 windows), see Notes.
    window : int or "auto", default="auto"
        Number of past (transformed) values the regressor sees. ``"auto"``
        chooses between one and two seasons (4 or 12 values without a season)
        by validation, see Notes.
    strategy : {{"recursive", "direct", "multioutput"}}, default="recursive"
        ``"recursive"``: one model for one step ahead, its forecasts fed back;
        ``"direct"``: one model per step 1..``horizon``; ``"multioutput"``: one
        model with ``horizon`` outputs. Longer forecasts than ``horizon`` chain
        blocks of ``horizon`` steps.
    horizon : int, default=1
        Steps the direct / multi-output models are trained for.
    difference : int or "auto", default="auto"
        Number of first differences taken before windowing (1 removes a trend);
        ``"auto"`` chooses 0 or 1 by validation.
    seasonal_period : int, None or "auto", default="auto"
        Take one seasonal difference ``y[t] - y[t - seasonal_period]`` first
        (12 for monthly data), removing a repeating yearly pattern; None takes
        none. ``"auto"`` reads the season length from the time index (monthly
        12, quarterly 4, weekly 52, daily 7, hourly 24) or, without one, from
        the autocorrelation (:func:`seasonal_period_from_acf`), and takes the
        seasonal difference when the seasonality is strong
        (:func:`seasonal_strength` above 0.64).
    log : bool or "auto", default="auto"
        Model ``log(y)``: turns multiplicative seasonality (swings growing with
        the level) into additive. The series must be positive. ``"auto"``
        logs a positive series whose spread grows with its level
        (:func:`wants_log`).
    random_state : int or None, default=None
        Passed to the regressor when it has a ``random_state`` parameter.
    {N_JOBS_DOC}

    Attributes
    ----------
    estimators_ : list of regressor
        The fitted regressor(s): one, or ``horizon`` for ``"direct"``.
    selected_params_ : dict
        The settings in use: ``seasonal_period``, ``difference``, ``window`` and
        ``log`` (the parameters where they were given, else the chosen ones).
    chosen_ : {{"network", "naive", "seasonal naive"}}
        Whose forecasts :meth:`predict` returns: the regressor's, or the naive
        forecast when the candidates did not beat it by 10% on the validation part.
    period_ : int
        Season length found (1: none); the seasonal-naive fallback repeats it.
    ensemble_ : list of WindowForecaster
        The forecasters fitted with the second- and third-best settings; the
        forecast is the median of theirs and this one's (empty when a naive
        forecast is used or every setting was given).
    validation_scores_ : dict
        Validation MAE of every candidate setting, of the median of the three
        best and of the naive forecasts (empty of candidates when every setting
        was given).
    mean_, scale_ : float
        Standardization of the transformed series (undone on forecasts).
    y_ : ndarray
        The training series.

    See Also
    --------
    SlidingWindowTransformer : the window matrix itself.
    LSTMForecaster : a recurrent network over the whole history.

    Notes
    -----
    Settings left at ``"auto"`` are chosen on the training series itself. The
    last ``min(n // 5, max(2 * season, 12))`` values are forecast from two
    origins (that many and twice that many values before the end) by every
    candidate -- ``difference`` in {{0, 1}} times ``window`` in {{season, 2 x
    season}} -- each fitted on the values before its origin. The three
    candidates with the lowest mean absolute error are refitted on the whole
    series and :meth:`predict` returns the median of their forecasts (a
    forecast combination: on a short validation part the single best
    candidate is a noisy pick, and the median is not carried away by one
    diverging forecast). Unless that median's error on the same values is at
    least 10% below the lower of the naive and seasonal-naive errors,
    :meth:`predict` returns that naive forecast instead (``chosen_``): the best
    of four candidates scored on the values that picked them look better
    there than they are. Giving every setting skips the search: one fit.
    With the defaults on the Airline series given as a plain array (last 24
    months held out) the median MAE over 5 seeds is 24.0 (Holt-Winters 29.0,
    seasonal naive 71.3), for about 3 s of CPU per fit. On long series the
    built-in network's fewer epochs keep a default fit near 30 s: 23-28 s on
    four series of 7,000-11,500 values that ship with aeon (sensor, ECG and
    electricity recordings), where all 100 epochs took 143-255 s and the
    forecast chosen was the same; 32 s on 20,000 values.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from deepmine.timeseries import WindowForecaster
    >>> y = np.sin(np.arange(100) / 3)
    >>> f = WindowForecaster(Ridge(alpha=1e-3), window=5, difference=0, seasonal_period=None,
    ...                      log=False).fit(y)
    >>> bool(np.abs(f.predict(3) - np.sin(np.arange(100, 103) / 3)).max() < 0.05)
    True
    >>> rng = np.random.default_rng(0)
    >>> weekly = 10 + np.tile(rng.normal(size=7), 12) + 0.1 * rng.normal(size=84)
    >>> auto = WindowForecaster(Ridge(), random_state=0).fit(weekly)
    >>> auto.period_, sorted(auto.selected_params_)
    (7, ['difference', 'log', 'seasonal_period', 'window'])
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "window": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "strategy": [StrOptions({"recursive", "direct", "multioutput"})],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "difference": [Interval(Integral, 0, 2, closed="both"), StrOptions({"auto"})],
        "seasonal_period": [Interval(Integral, 1, None, closed="left"), None, StrOptions({"auto"})],
        "log": ["boolean", StrOptions({"auto"})],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    _window_name = "window"

    def __init__(self, estimator=None, *, window="auto", strategy="recursive", horizon=1,
                 difference="auto", seasonal_period="auto", log="auto", random_state=None,
                 n_jobs=None):
        self.estimator = estimator
        self.window = window
        self.strategy = strategy
        self.horizon = horizon
        self.difference = difference
        self.seasonal_period = seasonal_period
        self.log = log
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _n_out(self):
        return 1 if self.strategy == "recursive" else self.horizon

    def _window_length(self, window):
        return window

    @staticmethod
    def _window_candidates(period):
        return [period, 2 * period] if period > 1 else [4, 12]

    def _make_estimator(self, n_rows):
        if self.estimator is None:
            from deepmine.tabular import MLPRegressor

            batch, epochs = 16, 100
            return MLPRegressor((64,), weight_decay=0.01, learning_rate=0.001, batch_size=batch,
                                max_epochs=epochs_within(n_rows, batch, epochs),
                                scale=False,  # the series is standardized already
                                random_state=self.random_state)
        est = clone(self.estimator)
        if self.random_state is not None and "random_state" in est.get_params():
            est.set_params(random_state=self.random_state)
        return est

    def _fit_network(self, values):
        if self.estimator is None:  # the built-in network's 100 epochs are the recipe, not a lapse
            with quiet_convergence():
                return self._fit_estimators(values)
        return self._fit_estimators(values)

    def _fit_estimators(self, values):
        _, zs = self._fit_transform(values)
        X, Y = sliding_windows(zs, self._setting("window"), self._n_out())
        n = len(X)
        if self.strategy == "direct":
            self.estimators_ = [self._make_estimator(n).fit(X, Y[:, k]) for k in range(self.horizon)]
        elif self.strategy == "multioutput" and self.horizon > 1:
            self.estimators_ = [self._make_estimator(n).fit(X, Y)]
        else:
            self.estimators_ = [self._make_estimator(n).fit(X, Y[:, 0])]

    def _predict_block(self, last):
        row = last.reshape(1, -1)
        if self.strategy == "direct":
            return np.array([float(np.ravel(e.predict(row))[0]) for e in self.estimators_])
        return np.ravel(self.estimators_[0].predict(row)).astype(np.float64)

    def _network_forecast(self, values, n_steps):
        levels, zs = self._transform(values)
        w = self._setting("window")
        if len(zs) < w:
            raise DataError(f"The series is too short to forecast from: window={w} "
                            f"needs {w + sum(self._lags())} values; got {len(values)}.")
        buf = list(zs[-w:])
        while len(buf) < w + n_steps:
            buf.extend(self._predict_block(np.asarray(buf[-w:])))
        return self._inverse(buf[w:w + n_steps], levels)
