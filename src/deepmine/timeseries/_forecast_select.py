"""Settings a forecaster reads off its training series: season length, log, differencing, window.

``seasonal_period="auto"`` takes the season from the time index (monthly -> 12,
quarterly -> 4, weekly -> 52, daily -> 7, hourly -> 24) and otherwise from the
autocorrelation of the first-differenced series: the highest local peak above
a 99% Bartlett band (Box & Jenkins 1970, 2.1.6). ``log="auto"`` logs a positive
series whose spread grows with its level. Differencing and window are chosen by
a forecast of the last part of the training series (a fixed, small candidate
set); the forecast is the median of the three best candidates' forecasts, and
the better of the naive and seasonal-naive forecasts stands in unless that
median beats it there by at least 10% (Hyndman & Athanasopoulos,
*Forecasting: Principles and Practice*, 5.8: a method must beat the simple
benchmarks to be worth it; the margin offsets the optimism of scoring the
best of several candidates on the values that chose them).
"""

import re

import numpy as np
from sklearn.base import clone

from deepmine.exceptions import DataError

__all__ = ["seasonal_period_from_index", "seasonal_period_from_acf", "seasonal_strength",
           "wants_log"]

# Base pandas frequency code -> season length.
_FREQ_PERIODS = {"M": 12, "MS": 12, "ME": 12, "BM": 12, "BMS": 12, "BME": 12, "SM": 24,
                 "SMS": 24, "SME": 24, "Q": 4, "QS": 4, "QE": 4, "BQ": 4, "BQS": 4, "BQE": 4,
                 "W": 52, "D": 7, "B": 5, "C": 5, "H": 24, "h": 24, "BH": 8, "bh": 8,
                 "T": 60, "min": 60, "S": 60, "s": 60, "A": 1, "Y": 1, "AS": 1, "YS": 1,
                 "YE": 1, "BA": 1, "BY": 1}
_PER_DAY = {"H": 24, "h": 24, "T": 1440, "min": 1440, "S": 86400, "s": 86400}
N_ORIGINS = 2              # forecast origins of the validation (each refits the candidates)
N_COMBINED = 3             # the best candidates whose forecasts are combined (median)
MARGIN = 0.1               # the median must beat the better naive forecast by this fraction
_Z_SEASON = 2.576          # two-sided 99% band: the peak must stand out among many lags
_STRONG_SEASON = 0.64      # seasonal strength above which one seasonal difference is taken


def seasonal_period_from_index(kind, freq):
    """Season length implied by a time index frequency, or None when it implies none.

    Parameters
    ----------
    kind : {"period", "datetime", "int", "position"} or None
        How the training index is continued (``index_kind_`` of a fitted forecaster).
    freq : str or int or None
        Its pandas frequency string (e.g. ``"M"``, ``"QS-OCT"``, ``"W-SUN"``).

    Returns
    -------
    int or None
        12 for monthly, 4 for quarterly, 52 for weekly, 7 for daily, 24 for
        hourly data, a day for multiples of minutes or hours (48 for
        ``"30min"``); 1 for yearly data (no season); None when unknown.

    Examples
    --------
    >>> from deepmine.timeseries import seasonal_period_from_index
    >>> seasonal_period_from_index("period", "M"), seasonal_period_from_index("datetime", "QS-OCT")
    (12, 4)
    >>> seasonal_period_from_index("datetime", "30min")
    48
    """
    if kind not in ("period", "datetime") or not isinstance(freq, str):
        return None
    match = re.fullmatch(r"(\d*)([A-Za-z]+)(-\w+)?", freq)
    if match is None:
        return None
    k, unit = int(match.group(1) or 1), match.group(2)
    if k == 1:
        return _FREQ_PERIODS.get(unit)
    per_day = _PER_DAY.get(unit)                  # "30min" -> 48 half hours in a day
    return per_day // k if per_day and per_day % k == 0 and per_day > k else None


def seasonal_period_from_acf(y, *, max_period=None):
    """Season length from the autocorrelation of the first-differenced series, or 1 when none is significant.

    The season is the lag (>= 2) of the highest local maximum of the
    autocorrelation function that is significant: above ``2.576`` Bartlett
    standard errors (a 99% band for a moving-average process up to that lag),
    or above the 99% white-noise band ``2.576 / sqrt(n)`` with a local
    maximum above that band again at twice the lag (the pattern repeats). The
    second test finds smooth daily cycles, whose strong short-lag correlations
    widen the Bartlett band past the seasonal peak.

    Parameters
    ----------
    y : array-like of shape (n_timesteps,)
    max_period : int or None, default=None
        Longest lag considered; None means a third of the series, so that at
        least three seasons are seen.

    Returns
    -------
    int
        The season length; 1 means no seasonality was found.

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.timeseries import seasonal_period_from_acf
    >>> rng = np.random.default_rng(0)
    >>> y = np.tile(rng.normal(size=7), 20) + 0.3 * rng.normal(size=140)
    >>> seasonal_period_from_acf(y)
    7
    >>> day = np.clip(np.sin(np.arange(48) * np.pi / 24), 0, None)   # half-hourly sun
    >>> seasonal_period_from_acf(np.tile(day, 6) * np.repeat(rng.uniform(0.5, 1, size=6), 48))
    48
    """
    z = np.diff(np.asarray(y, dtype=np.float64))
    n = len(z)
    max_lag = min(n // 3 if max_period is None else int(max_period), n - 2)
    if max_lag < 2 or np.std(z) == 0:
        return 1
    z = z - z.mean()
    acf = np.correlate(z, z, mode="full")[n - 1:] / (z @ z)
    se = np.sqrt((1 + 2 * np.r_[0.0, np.cumsum(acf[1:max_lag + 1] ** 2)]) / n)  # Bartlett, lags < k
    white = _Z_SEASON / np.sqrt(n)
    peak = np.r_[False, (acf[1:-1] >= acf[:-2]) & (acf[1:-1] >= acf[2:]), False]

    def repeats(k):
        near = range(2 * k - 1, min(2 * k + 2, n - 1))
        return any(peak[j] and acf[j] > white for j in near)

    best, best_r = 1, 0.0
    for k in range(2, max_lag + 1):
        if peak[k] and acf[k] > best_r and (acf[k] > _Z_SEASON * se[k]
                                            or (acf[k] > white and repeats(k))):
            best, best_r = k, acf[k]
    return best


def seasonal_strength(y, period):
    """Strength of seasonality in [0, 1] (Wang, Smith & Hyndman 2006): ``1 - Var(R) / Var(S + R)``.

    ``S`` and ``R`` come from a classical additive decomposition: a centred
    moving average over one season is the trend, the mean of the detrended
    values at each phase the seasonal component, the rest the remainder.

    Parameters
    ----------
    y : array-like of shape (n_timesteps,)
    period : int

    Returns
    -------
    float
        0 when ``period < 2`` or the series spans fewer than two seasons.

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.timeseries import seasonal_strength
    >>> rng = np.random.default_rng(0)
    >>> round(seasonal_strength(np.tile([0.0, 3, 1, -4], 12) + 0.1 * rng.normal(size=48), 4), 2)
    1.0
    """
    y = np.asarray(y, dtype=np.float64)
    m = int(period or 1)
    if m < 2 or len(y) < 2 * m + 1:
        return 0.0
    kernel = np.full(m + 1, 1.0 / m) if m % 2 == 0 else np.full(m, 1.0 / m)
    if m % 2 == 0:
        kernel[[0, -1]] = 0.5 / m                                   # the 2 x m moving average
    trend = np.convolve(y, kernel, mode="valid")
    start = (len(kernel) - 1) // 2
    detrended = y[start:start + len(trend)] - trend
    phase = (np.arange(len(detrended)) + start) % m
    means = np.array([detrended[phase == k].mean() for k in range(m)])
    seasonal = (means - means.mean())[phase]
    rest = detrended - seasonal
    total = np.var(detrended)
    return float(max(0.0, 1 - np.var(rest) / total)) if total > 0 else 0.0


def wants_log(y, period=1):
    """Whether ``log(y)`` suits the series better: positive, with a spread that grows with its level.

    The series is cut into blocks (a season each, at least 6 values); ``log`` is
    chosen when the block means vary by more than a factor 1.5 and the
    standard deviation of the first differences in each block grows with the
    block mean with an elasticity above 0.5 (1 is purely multiplicative, 0
    additive).

    Parameters
    ----------
    y : array-like of shape (n_timesteps,)
    period : int, default=1
        Season length; blocks span whole seasons.

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.timeseries import wants_log
    >>> t = np.arange(120)
    >>> wants_log(np.exp(t / 40) * (1 + 0.2 * np.sin(t))), wants_log(10 + np.sin(t))
    (True, False)
    """
    y = np.asarray(y, dtype=np.float64)
    if (y <= 0).any():
        return False
    block = max(int(period or 1), 6)
    if period and period > 1:
        block = period * max(1, -(-6 // period))
    n_blocks = len(y) // block
    if n_blocks < 3:
        return False
    parts = y[len(y) - n_blocks * block:].reshape(n_blocks, block)
    means = parts.mean(axis=1)
    spread = np.diff(parts, axis=1).std(axis=1)
    if means.max() / means.min() < 1.5 or (spread <= 0).any():
        return False
    slope = np.polyfit(np.log(means), np.log(spread), 1)[0]
    return bool(slope > 0.5)


def naive_forecast(kind, values, n_steps, period):
    """The fallback forecasts: ``"naive"`` repeats the last value, ``"seasonal naive"`` the last season."""
    if kind == "seasonal naive":
        return values[len(values) - period + np.arange(n_steps) % period]
    return np.full(n_steps, values[-1])


def validation_length(n, period):
    """Values held out at the end of the training series to choose the settings."""
    return int(min(max(n // 5, 1), max(2 * period, 12)))


def select_and_fit(est, values, grid, *, period, log):
    """Choose among ``grid`` by a forecast of the last part of ``values``; refit the winners on all of it.

    The pointwise median of the forecasts of the ``N_COMBINED`` candidates with
    the lowest validation error is the forecast (a forecast combination, Bates
    & Granger 1969: the best of several candidates on a short validation part
    is a noisy pick; the median of three, unlike their mean, is not carried
    away by one network whose forecast diverges); the combination is scored on
    the same origins and must have an error at least
    ``MARGIN`` (10%) below that of the better naive forecast there to be used:
    it was picked on those values, so its score there is optimistic.

    ``est`` gets ``selected_params_`` (the settings of its own network, the
    best candidate), ``ensemble_`` (fitted forecasters with the other
    combined settings), ``chosen_`` (``"network"``, ``"naive"`` or
    ``"seasonal naive"``: whose forecasts ``predict`` returns), ``period_`` and
    ``validation_scores_``. ``grid`` is a list of parameter dicts (concrete
    values, ``log`` excluded).
    """
    n = len(values)
    v = validation_length(n, period)
    fixed = {"log": log}
    origins = [n - v * (k + 1) for k in range(N_ORIGINS)]
    shortest = min(est._length_for({**g, **fixed}) for g in grid)
    origins = [o for o in origins if o >= shortest] or [n - v]
    scores, ranked = {}, []
    if len(grid) > 1 or est._auto_names():
        ranked = _validate(est, values, grid, fixed, origins, v, scores)
        if not ranked:                   # no candidate fits the origins: try the short fallbacks
            ranked = _validate(est, values, est._fallback_grid(grid), fixed, origins, v, scores)
    ranked.sort(key=lambda t: t[:2])
    top = ranked[:N_COMBINED]
    naive = {"naive": _validation_mae(values, origins, v, [np.full(v, values[o - 1])
                                                           for o in origins])}
    if period > 1 and min(origins) >= period:
        naive["seasonal naive"] = _validation_mae(values, origins, v, [
            naive_forecast("seasonal naive", values[:o], v, period) for o in origins])
    if len(top) > 1:
        combined = [np.median([t[3][k] for t in top], axis=0) for k in range(len(origins))]
        best_score = _validation_mae(values, origins, v, combined)
        labels = [f"({_label(t[2])})" for t in top]
        scores["median of " + ", ".join(labels[:-1]) + " and " + labels[-1]] = best_score
    elif top:
        best_score = top[0][0]
    else:
        best_score = np.inf
        top = [(np.inf, 0, _smallest_feasible(est, grid + est._fallback_grid(grid), fixed, n),
                None)]
    base = min(naive, key=naive.get)
    est.validation_scores_ = {**scores, **naive}
    est.period_ = int(period)
    est.chosen_ = ("network" if (best_score < (1 - MARGIN) * naive[base] or not est._auto_names())
                   else base)
    est.selected_params_ = {**top[0][2], **fixed}
    est._fit_network(values)
    est.ensemble_ = ([clone(est).set_params(**t[2], **fixed).fit(values) for t in top[1:]]
                     if est.chosen_ == "network" else [])


def _validate(est, values, grid, fixed, origins, v, scores):
    """(score, rank, params, forecasts per origin) of each candidate that fits every origin."""
    ranked = []
    for g in grid:
        if any(est._length_for({**g, **fixed}) > o for o in origins):
            continue
        preds = [clone(est).set_params(**g, **fixed).fit(values[:o]).predict(v) for o in origins]
        if np.all(np.isfinite(preds)):
            scores[_label(g)] = _validation_mae(values, origins, v, preds)
            ranked.append((scores[_label(g)], len(ranked), g, preds))
    return ranked


def _validation_mae(values, origins, v, preds):
    """Mean absolute error of the forecasts ``preds`` (one per origin), averaged over the origins."""
    return float(np.mean([np.mean(np.abs(values[o:o + v] - p)) for o, p in zip(origins, preds)]))


def _smallest_feasible(est, grid, fixed, n):
    lengths = [est._length_for({**g, **fixed}) for g in grid]
    k = int(np.argmin(lengths))
    if lengths[k] > n:
        raise DataError(f"The series is too short: {type(est).__name__} needs at least "
                        f"{lengths[k]} values {est._length_text({**grid[k], **fixed})}; got {n}. "
                        f"Pass a longer series or smaller settings.")
    return grid[k]


def _label(params):
    return ", ".join(f"{k}={v}" for k, v in params.items())


def resolve_period(est, values):
    """The season length: the parameter, else the index frequency, else the autocorrelation."""
    if est.seasonal_period != "auto":
        return int(est.seasonal_period or 1)
    m = seasonal_period_from_index(getattr(est, "index_kind_", None),
                                   getattr(est, "index_freq_", None))
    if m is None or len(values) < 3 * m + 2:
        m = seasonal_period_from_acf(values)
    return int(m)


def resolve_log(est, values, period):
    if est.log == "auto":
        return wants_log(values, period)
    if est.log and (values <= 0).any():
        raise DataError(f"log=True needs a positive series; found {int((values <= 0).sum())} "
                        f"values <= 0. Use log=False or log='auto'.")
    return bool(est.log)


class _AutoSettingsMixin:
    """``"auto"`` settings resolved in ``fit``; the shared fit path of the window and LSTM forecasters.

    A subclass names its window parameter (``_window_name``), gives the window
    candidates for a season length (``_window_candidates``), and implements
    ``_fit_network(values)`` and ``_network_forecast(values, n_steps)``.
    """

    _auto_params = ("seasonal_period", "difference", "log")

    def _auto_names(self):
        names = self._auto_params + (self._window_name,)
        return [k for k in names if getattr(self, k) == "auto"]

    def fit(self, y, X=None):
        for name in ("selected_params_", "chosen_", "period_", "validation_scores_", "ensemble_"):
            self.__dict__.pop(name, None)
        return super().fit(y, X)

    def _fit_values(self, values):
        period = resolve_period(self, values)
        log = resolve_log(self, values, period)
        strong = seasonal_strength(np.log(values) if log else values, period) > _STRONG_SEASON
        select_and_fit(self, values, self._grid(period, strong), period=period, log=log)

    def _grid(self, period, strong):
        if self.seasonal_period == "auto":
            seasonal = [period if strong else None]
        else:
            seasonal = [self.seasonal_period]
        diffs = [0, 1] if self.difference == "auto" else [self.difference]
        windows = (self._window_candidates(period) if getattr(self, self._window_name) == "auto"
                   else [getattr(self, self._window_name)])
        return [{"seasonal_period": m, "difference": d, self._window_name: w}
                for m in seasonal for d in diffs for w in windows]

    def _fallback_grid(self, grid):
        """Settings fitted (not validated) when the series is too short for every candidate."""
        return []

    def _length_for(self, params):
        """Series length the concrete settings ``params`` need."""
        lags = (params["seasonal_period"] or 0) + params["difference"]
        return self._window_length(params[self._window_name]) + lags + self._n_out()

    def _length_text(self, params):
        m, d, w = params["seasonal_period"], params["difference"], params[self._window_name]
        strategy = f", strategy={self.strategy!r}" if hasattr(self, "strategy") else ""
        return (f"for {self._window_length(w)} input value(s) ({self._window_name}={w}), "
                f"{self._n_out()} target value(s) (horizon={self.horizon}{strategy}) and "
                f"{(m or 0) + d} value(s) lost to differencing (seasonal_period={m}, "
                f"difference={d})")

    def _required_length(self):
        if getattr(self, "selected_params_", None) is None:
            if self._auto_names():
                return 2                     # the settings are checked once they are chosen
            return self._length_for(self.get_params())
        return self._length_for(self.selected_params_)

    def _length_reason(self):
        params = getattr(self, "selected_params_", None)
        if params is None:
            if self._auto_names():
                return ""
            params = self.get_params()
        return " " + self._length_text({k: params[k] for k in ("seasonal_period", "difference",
                                                              self._window_name)})

    def _forecast(self, values, n_steps):
        if self.chosen_ != "network":
            return naive_forecast(self.chosen_, values, n_steps, self.period_)
        forecasts = [self._network_forecast(values, n_steps)]
        forecasts += [m._network_forecast(values, n_steps) for m in getattr(self, "ensemble_", [])]
        return np.median(forecasts, axis=0)
