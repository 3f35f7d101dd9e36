"""Forecasting section of ``bench_defaults.py``: default forecasters against tuned settings and baselines.

Every univariate series that ships with aeon and statsmodels, given to the
forecasters as a plain array (no time index, so the season comes from the
autocorrelation). The last ``h`` values are held out (monthly 24, quarterly 8,
yearly 10, Lynx 12 and Shampoo 12 as in ``bench_timeseries.py``, half-hourly
solar one day) and scored by MAE; ``scores`` are ``-MAE`` (higher is better).
Baselines: naive, seasonal naive, statsmodels' Holt-Winters (additive trend,
multiplicative season on positive series) and SARIMA(1,1,1)(0,1,1)m
(ARIMA(1,1,1) without season). Run alone for the per-series MAE table and each
forecaster's MAE over that of the better of naive and seasonal naive:

    OMP_NUM_THREADS=1 python benchmarks/_defaults_forecast.py [--quick] [--seeds 3] [--json out.json]

``--origins K`` scores every method on the last ``K`` non-overlapping held-out
tails instead of the last one (rolling origin, Tashman 2000): origin ``k``
trains on ``y[:n - k * h]`` and forecasts the next ``h`` values (while that
training part keeps at least half the series). The MAE is
then the mean over origins and seeds, and the ratio to the better naive
forecast is taken per origin (the better of naive and seasonal naive on that
tail) before averaging; the ratio on the last tail alone is printed beside it.
``--origins 1`` (the default) is the single-tail protocol above.

``--long`` adds four long recordings that ship with aeon (7,040-11,532 values:
arterial pressure, electricity use, an ECG and an ankle accelerometer), last 50
values held out, season ``m`` from the autocorrelation of the training part
(there is no calendar). Run them with ``--only WindowForecaster statsmodels``:
the LSTM's default validation over crops of four heartbeats (732 steps) runs
for hours. SARIMA takes a season only up to 52.
"""

import argparse
import json
import time
import warnings

import numpy as np

from deepmine.exceptions import DataError
from deepmine.timeseries import (LSTMForecaster, NaiveForecaster, WindowForecaster, load_airline,
                                 load_lynx, load_shampoo_sales, mae)

AREA = "forecast"
METRIC = "-MAE on the held-out tail"


def _statsmodels_series():
    import statsmodels.api as sm
    from statsmodels.datasets import co2, elec_equip

    macro = sm.datasets.macrodata.load_pandas().data
    elnino = sm.datasets.elnino.load_pandas().data.drop(columns="YEAR").to_numpy().ravel()
    co2_monthly = co2.load_pandas().data["co2"].resample("MS").mean().ffill().to_numpy()
    infl = sm.datasets.interest_inflation.load_pandas().data
    danish = sm.datasets.danish_data.load_pandas().data
    yield "co2", co2_monthly, 12, 24
    yield "elec_equip", elec_equip.load_pandas().data.iloc[:, 0].to_numpy(), 12, 24
    yield "elnino", elnino, 12, 24
    yield "realgdp", macro["realgdp"].to_numpy(), 4, 8
    yield "realinv", macro["realinv"].to_numpy(), 4, 8
    yield "interest_R", infl["R"].to_numpy(), 4, 8
    yield "danish_lrm", danish["lrm"].to_numpy(), 4, 8
    yield "Nile", sm.datasets.nile.load_pandas().data["volume"].to_numpy(), 1, 10
    yield "sunspots", sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(), 1, 10


def _aeon_series():
    import aeon.datasets as ad

    yield "Airline", load_airline().to_numpy(), 12, 24
    yield "Lynx", load_lynx().to_numpy(), 1, 12
    yield "ShampooSales", load_shampoo_sales().to_numpy(), 12, 12
    yield "PBS", np.asarray(ad.load_PBS_dataset(), dtype=float), 12, 24
    yield "uschange_consumption", np.asarray(ad.load_uschange()[0], dtype=float), 4, 8
    yield "solar", np.asarray(ad.load_solar(), dtype=float).ravel(), 48, 48


def _long_series():
    import aeon.datasets as ad

    from deepmine.timeseries import seasonal_period_from_acf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)        # two of the loaders are deprecated
        recordings = {"InternalBleeding": ad.load_kdd_tsad_135()[0],
                      "ElectricDevices": ad.load_electric_devices_segmentation()[0],
                      "ECG": ad.load_ecg_diff_count_3()[0],
                      "Daphnet_ankle": np.asarray(ad.load_daphnet_s06r02e0()[0])[:, 0]}
    for name, y in recordings.items():
        y = np.asarray(y, dtype=float)
        yield name, y, seasonal_period_from_acf(y[:-50]), 50


def series(quick=False, long=False):
    """(name, values, season length, held-out length) of every series that ships."""
    out = list(_aeon_series())
    try:
        out += list(_statsmodels_series())
    except ImportError:
        pass
    if quick:
        out = [s for s in out if s[0] in ("Airline", "Nile", "realgdp")]
    if long:
        out += list(_long_series())
    return out


def _holt_winters(train, h, m):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    seasonal = None if m < 2 else ("mul" if (train > 0).all() else "add")
    model = ExponentialSmoothing(train, trend="add", seasonal=seasonal,
                                 seasonal_periods=m if seasonal else None)
    return model.fit().forecast(h)


def _sarima(train, h, m):
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    seasonal = (0, 1, 1, m) if 1 < m <= 52 else (0, 0, 0, 0)
    return SARIMAX(train, order=(1, 1, 1), seasonal_order=seasonal).fit(disp=False).forecast(h)


def _timed(fn):
    t = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pred = fn()
    return np.asarray(pred, dtype=float), time.process_time() - t


def _methods(m, positive, quick):
    """(setting, estimator name, make(seed) -> forecaster or None, fits per seed?)."""
    season = m if m > 1 else None
    yield ("default", "WindowForecaster", lambda s: WindowForecaster(random_state=s), True)
    if not quick:
        yield ("default", "LSTMForecaster",
               lambda s: LSTMForecaster(random_state=s, device="cpu"), True)
    yield ("tuned: window=12, seasonal_period=m, log (README)", "WindowForecaster",
           lambda s: WindowForecaster(window=12, seasonal_period=season, log=positive,
                                      difference=0, random_state=s), True)
    if not quick:
        yield ("tuned: horizon=12 if m, seasonal_period=m, log (bench_timeseries)",
               "LSTMForecaster",
               lambda s: LSTMForecaster(horizon=12 if season else 1, seasonal_period=season,
                                        log=positive, difference=0, sequence_length=None,
                                        random_state=s, device="cpu"), True)
    yield ("baseline: naive (defaults)", "NaiveForecaster", lambda s: NaiveForecaster(), False)
    if m > 1:
        yield ("baseline: seasonal naive (seasonal_period=m)", "NaiveForecaster",
               lambda s: NaiveForecaster("seasonal", seasonal_period=m), False)


def _matches(only, name):
    return not only or any(o in name for o in only)


def _tails(y, h, origins):
    """(train, test) of each of the last ``origins`` non-overlapping tails, the last tail first.

    A tail is used only while its training part keeps at least half the series
    (ShampooSales, 36 months with 12 held out, has one).
    """
    n = len(y)
    return [(y[:n - k * h], y[n - k * h:n - (k - 1) * h]) for k in range(1, origins + 1)
            if k == 1 or n - k * h >= n / 2]


def _score(test, pred):
    return -mae(test, pred) if np.isfinite(pred).all() else float("nan")


def rows(seeds, quick=False, only=None, setting_filter=None, names=None, origins=1, long=False):
    """Yield one dict per (estimator, setting, dataset).

    ``only``: substrings (one string or several) of the estimator names to run,
    ``"statsmodels"`` for its baselines (all when None; the naive baselines run
    whatever ``only`` says); ``setting_filter``: a substring of the deepmine
    forecasters' settings to run; ``names``: the series to run (all when None).
    ``origins``: held-out tails per series (see the module docstring); with more
    than one, ``scores`` are ``-MAE`` averaged over the tails and each row also
    has ``origin_scores`` (per seed, per tail, the last tail first). ``long``
    adds the long recordings.
    """
    seeds = list(seeds)[:1] if quick else list(seeds)
    only = (only,) if isinstance(only, str) else only
    for name, y, m, h in series(quick, long):
        if names and name not in names:
            continue
        tails = _tails(y, h, origins)
        positive = bool((tails[0][0] > 0).all())
        for setting, est, make, seeded in _methods(m, positive, quick):
            naive = est == "NaiveForecaster"                 # ratios need the naive forecasts
            if not naive and (not _matches(only, est)
                              or (setting_filter and setting_filter not in setting)):
                continue
            per_seed, secs = [], []
            for s in (seeds if seeded else seeds[:1]):
                sc, sec_sum = [], 0.0
                for train, test in tails:
                    try:
                        pred, sec = _timed(lambda: make(s).fit(train).predict(h))
                    except DataError:            # a fixed recipe too long for a short series
                        pred, sec = np.full(h, np.nan), float("nan")
                    sc.append(_score(test, pred))
                    sec_sum += sec
                per_seed.append(sc)
                secs.append(sec_sum / len(tails))
            if not seeded:
                per_seed, secs = per_seed * len(seeds), secs * len(seeds)
            yield _row(est, name, setting, per_seed, secs, origins)
        for label, fn in (("Holt-Winters", _holt_winters), ("SARIMA", _sarima)):
            if not _matches(only, "statsmodels " + label):
                continue
            sc, secs = [], []
            try:
                for train, test in tails:
                    try:
                        pred, sec = _timed(lambda: fn(train, h, m))
                    except ImportError:
                        raise
                    except Exception:    # a model statsmodels cannot fit on this series
                        pred, sec = np.full(h, np.nan), 0.0
                    sc.append(_score(test, pred))
                    secs.append(sec)
            except ImportError:
                continue
            yield _row(f"statsmodels {label}", name, f"baseline: {label} (trend and season m)",
                       [sc] * len(seeds), [float(np.mean(secs))] * len(seeds), origins)


def _row(est, name, setting, per_seed, secs, origins):
    row = {"area": AREA, "estimator": est, "dataset": name, "setting": setting,
           "metric": METRIC, "scores": [float(np.mean(sc)) for sc in per_seed],
           "fit_seconds": secs}
    if origins > 1:
        row["metric"] = f"-MAE, mean over the last {origins} held-out tails"
        row["origin_scores"] = per_seed
    return row


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--json", help="also write the rows to this JSON file")
    p.add_argument("--first-seed", type=int, default=0, help="seeds run: first .. first+seeds-1")
    p.add_argument("--origins", type=int, default=1,
                   help="score on the last K non-overlapping held-out tails (default 1)")
    p.add_argument("--only", nargs="+", help="run only the estimators whose name contains one of "
                   "these ('statsmodels' for its baselines; the naive ones always run)")
    p.add_argument("--setting", help="run only the settings that contain this (e.g. default)")
    p.add_argument("--series", nargs="+", help="run only these series")
    p.add_argument("--long", action="store_true",
                   help="add four long aeon recordings (7,040-11,532 values)")
    p.add_argument("--from-json", nargs="+", metavar="FILE",
                   help="fit nothing: print the ratios of rows saved with --json (the seeds of "
                   "the same forecaster in several files are pooled)")
    args = p.parse_args(argv)
    if args.from_json:
        _print_ratios(_pooled(args.from_json))
        return
    out = []
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    for row in rows(seeds, quick=args.quick, only=args.only, setting_filter=args.setting,
                    names=args.series, origins=args.origins, long=args.long):
        out.append(row)
        sc = -np.asarray(row["scores"])
        print(f"{row['dataset']:22s} {row['estimator']:22s} {row['setting'][:40]:40s} "
              f"MAE {np.mean(sc):10.3f} (median {np.median(sc):.3f}, sd {np.std(sc):.3f}) "
              f"CPU {np.mean(row['fit_seconds']):6.1f} s", flush=True)
        if args.json:
            with open(args.json, "w") as fh:
                json.dump(out, fh, indent=1)
    _print_ratios(out)


def _pooled(paths):
    """Rows of several ``--json`` files; a forecaster's seeds are pooled, a baseline's kept once."""
    out, seen = [], {}
    for path in paths:
        with open(path) as fh:
            for row in json.load(fh):
                key = (row["dataset"], row["estimator"], row["setting"])
                if key not in seen:
                    seen[key] = dict(row)
                    out.append(seen[key])
                elif not row["estimator"].startswith(("NaiveForecaster", "statsmodels")):
                    for field in ("scores", "fit_seconds", "origin_scores"):
                        if field in row:
                            seen[key][field] = seen[key][field] + row[field]
    return out


def _ratio(err, base):
    # a naive forecast without error (a series that stopped): equal is 1, anything else inf
    err, base = np.asarray(err, dtype=float), np.asarray(base, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(base > 0, err / base, np.where(err == 0, 1.0, np.inf))


def _print_ratios(out, bound=1.05):
    """Each forecaster's mean MAE over the better of naive / seasonal naive, per series.

    With several held-out tails the better naive is taken per tail; the mean
    ratio over tails and seeds is printed, then the ratio on the last tail.
    Last, per forecaster, the series whose ratio is at most ``bound``.
    """
    within = {}
    for name in dict.fromkeys(r["dataset"] for r in out):
        rs = [r for r in out if r["dataset"] == name]
        naive = [r for r in rs if r["estimator"] == "NaiveForecaster"]
        if "origin_scores" in rs[0]:
            # (tails,): the better naive on each tail (naive forecasts are the same for every seed)
            base = np.min([-np.asarray(r["origin_scores"][0]) for r in naive], axis=0)
        else:
            base = min((-np.mean(r["scores"]) for r in naive), default=float("nan"))
        for r in rs:
            if r["estimator"] == "NaiveForecaster" or not np.all(np.asarray(base) >= 0):
                continue
            counts = within.setdefault((r["estimator"], r["setting"][:40]), [0, 0, 0])
            if "origin_scores" in r:
                err = -np.asarray(r["origin_scores"])            # (seeds, tails)
                ratio = _ratio(err, base)
                mean, last = np.mean(ratio), ratio[:, 0].mean()
                per_tail = " ".join(f"{v:.2f}" for v in ratio.mean(axis=0))
                print(f"ratio to the better naive  {name:22s} {r['estimator']:22s} "
                      f"{r['setting'][:40]:40s} mean over {ratio.shape[1]} tails {mean:6.2f}  "
                      f"last tail {last:6.2f}  per tail (last first) [{per_tail}]  "
                      f"seeds {ratio.shape[0]}")
            else:
                ratio = _ratio(-np.asarray(r["scores"]), base)
                mean = last = np.mean(ratio)
                print(f"ratio to the better naive  {name:22s} {r['estimator']:22s} "
                      f"{r['setting'][:40]:40s} {mean:6.2f} "
                      f"[{' '.join(f'{v:.2f}' for v in ratio)}]")
            counts[0] += 1
            counts[1] += bool(last <= bound)
            counts[2] += bool(mean <= bound)
    for (est, setting), (n, n_last, n_mean) in within.items():
        print(f"within {bound} of the better naive  {est:22s} {setting:40s} last tail "
              f"{n_last}/{n} series, mean over the tails {n_mean}/{n}")


if __name__ == "__main__":
    main()
