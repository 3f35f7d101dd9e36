"""How a forecaster chooses the settings left at ``"auto"``; the fit path both forecasters share.

The season length and ``log`` are read off the training series
(:func:`seasonal_period_from_index`, :func:`seasonal_period_from_acf`,
:func:`wants_log`). Differencing and window are chosen by
a forecast of the last part of the training series (a fixed, small candidate
set); the forecast is the median of the three best candidates' forecasts, and
the better of the naive and seasonal-naive forecasts stands in unless that
median beats it there by at least 10% (Hyndman & Athanasopoulos,
*Forecasting: Principles and Practice*, 5.8: a method must beat the simple
benchmarks to be worth it; the margin offsets the optimism of scoring the
best of several candidates on the values that chose them).
"""

import contextlib
import warnings

import numpy as np
from sklearn.base import clone

from deepmine.exceptions import DataError
from deepmine.timeseries._series_traits import (seasonal_period_from_acf,
                                                seasonal_period_from_index, seasonal_strength,
                                                wants_log)

N_ORIGINS = 2              # forecast origins of the validation (each refits the candidates)
N_COMBINED = 3             # the best candidates whose forecasts are combined (median)
MARGIN = 0.1               # the median must beat the better naive forecast by this fraction
#: the forecasters' ``n_jobs`` parameter, for their docstrings
N_JOBS_DOC = """n_jobs : int or None, default=None
        Processes that fit the validation candidates and the combined members
        (joblib; None means 1, -1 every core). Each fit gets the seed it gets in
        one process, so with an int ``random_state`` the same settings win."""
_STRONG_SEASON = 0.64      # seasonal strength above which one seasonal difference is taken
#: batches per epoch up to which a built-in network trains all its epochs; beyond, its epochs
#: shrink so that a fit takes as many optimizer steps as it does at this many batches
STEPS_PER_EPOCH = 64


def epochs_within(n_rows, batch_size, max_epochs):
    """Epochs of a built-in network on ``n_rows`` training samples: ``max_epochs``, fewer on long series.

    The fit takes at most ``max_epochs * STEPS_PER_EPOCH`` optimizer steps, so a
    series of 20,000 values trains for about as long as one of 1,000 (the same
    batches and steps, each window seen fewer times).

    Examples
    --------
    >>> from deepmine.timeseries._forecast_select import epochs_within
    >>> epochs_within(1_000, 16, 100), epochs_within(8_000, 16, 100), epochs_within(10**6, 16, 100)
    (100, 13, 1)
    """
    steps = max(1, -(-int(n_rows) // int(batch_size)))
    return int(max(1, min(max_epochs, -(-max_epochs * STEPS_PER_EPOCH // steps))))


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
    est._fit_network(values)               # its ConvergenceWarning, if any, is the user's one
    est.ensemble_ = (_run(est, [(clone(est).set_params(**t[2], **fixed), values, None)
                                for t in top[1:]])
                     if est.chosen_ == "network" else [])


@contextlib.contextmanager
def quiet_convergence():
    """Silence ConvergenceWarning: the candidates and the combined members are internal fits."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _validate(est, values, grid, fixed, origins, v, scores):
    """(score, rank, params, forecasts per origin) of each candidate that fits every origin."""
    feasible = [g for g in grid if all(est._length_for({**g, **fixed}) <= o for o in origins)]
    forecasts = _run(est, [(clone(est).set_params(**g, **fixed), values[:o], v)
                           for g in feasible for o in origins])
    ranked = []
    for i, g in enumerate(feasible):
        preds = forecasts[i * len(origins):(i + 1) * len(origins)]
        if np.all(np.isfinite(preds)):
            scores[_label(g)] = _validation_mae(values, origins, v, preds)
            ranked.append((scores[_label(g)], len(ranked), g, preds))
    return ranked


def _fit_quietly(model, values, n_steps):
    """Fit ``model`` on ``values``; return its ``n_steps`` forecast, or the model when None."""
    with quiet_convergence():
        model.fit(values)
    return model if n_steps is None else model.predict(n_steps)


def _run(est, tasks):
    """``_fit_quietly`` over ``tasks``, in ``est.n_jobs`` processes (joblib) when that is not 1."""
    n_jobs = getattr(est, "n_jobs", None)
    if n_jobs in (None, 1) or len(tasks) < 2:
        return [_fit_quietly(*task) for task in tasks]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=n_jobs)(delayed(_fit_quietly)(*task) for task in tasks)


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
        if getattr(self, "n_jobs", None) == 0:
            from deepmine.exceptions import InvalidParameterError

            raise InvalidParameterError(f"The 'n_jobs' parameter of {type(self).__name__} must be "
                                        f"a positive int, -1 (every core) or None; got 0.")
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
