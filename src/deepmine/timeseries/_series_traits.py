"""What a forecaster reads off its training series before any fit: season length and log.

``seasonal_period="auto"`` takes the season from the time index (monthly -> 12,
quarterly -> 4, weekly -> 52, daily -> 7, hourly -> 24) and otherwise from the
autocorrelation of the first-differenced series: the highest local peak above
a 99% Bartlett band (Box & Jenkins 1970, 2.1.6) once the autocorrelation has
been negative. :func:`seasonal_strength`
decides whether the seasonal difference is taken. ``log="auto"`` logs a
positive series whose spread grows with its level.
"""

import re

import numpy as np

__all__ = ["seasonal_period_from_index", "seasonal_period_from_acf", "seasonal_strength",
           "wants_log"]

# Base pandas frequency code -> season length.
_FREQ_PERIODS = {"M": 12, "MS": 12, "ME": 12, "BM": 12, "BMS": 12, "BME": 12, "SM": 24,
                 "SMS": 24, "SME": 24, "Q": 4, "QS": 4, "QE": 4, "BQ": 4, "BQS": 4, "BQE": 4,
                 "W": 52, "D": 7, "B": 5, "C": 5, "H": 24, "h": 24, "BH": 8, "bh": 8,
                 "T": 60, "min": 60, "S": 60, "s": 60, "A": 1, "Y": 1, "AS": 1, "YS": 1,
                 "YE": 1, "BA": 1, "BY": 1}
_PER_DAY = {"H": 24, "h": 24, "T": 1440, "min": 1440, "S": 86400, "s": 86400}
_Z_SEASON = 2.576          # two-sided 99% band: the peak must stand out among many lags


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
    autocorrelation function that comes after the function has dipped below
    zero (the autocorrelation of a repeating pattern does within one season;
    the high short-lag correlation of a smooth, finely sampled signal is no
    season) and is significant: above ``2.576`` Bartlett
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
    dipped = np.r_[False, np.minimum.accumulate(acf[1:]) < 0]      # below zero at some lag <= k

    def repeats(k):
        near = range(2 * k - 1, min(2 * k + 2, n - 1))
        return any(peak[j] and acf[j] > white for j in near)

    best, best_r = 1, 0.0
    for k in range(2, max_lag + 1):
        significant = acf[k] > _Z_SEASON * se[k] or (acf[k] > white and repeats(k))
        if peak[k] and dipped[k - 1] and acf[k] > best_r and significant:
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
