"""Sliding windows, forecasters, baselines, metrics and backtesting."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import mean_absolute_error, mean_absolute_percentage_error, root_mean_squared_error
from sklearn.pipeline import Pipeline

from sklearn.exceptions import ConvergenceWarning, NotFittedError

from deepmine.exceptions import DataError, DataWarning, InvalidParameterError
from deepmine.timeseries import (LSTMForecaster, NaiveForecaster, SlidingWindowTransformer,
                                 WindowForecaster, backtest, load_airline, mae, mape, mase, rmse,
                                 seasonal_period_from_acf, seasonal_period_from_index,
                                 sliding_windows, smape, temporal_train_test_split, wants_log)


# ---- windows -------------------------------------------------------------------------------
def test_sliding_windows_rows_are_consecutive_values():
    """Row i holds y[i*step : i*step + window] and its targets the next horizon values."""
    X, Y = sliding_windows(np.arange(10.0), window=3, horizon=2, step=2)
    assert X.tolist() == [[0, 1, 2], [2, 3, 4], [4, 5, 6]]
    assert Y.tolist() == [[3, 4], [5, 6], [7, 8]]


def test_transformer_make_xy_keeps_time_index_of_targets():
    """With a pandas Series, X and y are indexed by the time of the value being predicted."""
    y = pd.Series(np.arange(8.0), index=pd.period_range("2000-01", periods=8, freq="M"))
    X, Y = SlidingWindowTransformer(window=5).make_xy(y)
    assert list(X.columns) == ["lag_5", "lag_4", "lag_3", "lag_2", "lag_1"]
    assert str(X.index[0]) == "2000-06" and Y.iloc[0] == 5.0 and X.iloc[0, -1] == 4.0


def test_transformer_in_pipeline_and_clone_pickle():
    """The window matrix feeds the next step of a Pipeline; the transformer clones and pickles."""
    tr = SlidingWindowTransformer(window=4)
    pipe = Pipeline([("windows", tr), ("pca", PCA(n_components=2))])
    Z = pipe.fit_transform(np.sin(np.arange(50) / 4))
    assert Z.shape == (47, 2)
    assert clone(tr).get_params() == tr.get_params()
    assert pickle.loads(pickle.dumps(tr)).window == 4


def test_too_short_series_and_nan_gaps_are_clear_errors():
    """Too-short series say how many values are needed; NaN gaps say where they are."""
    with pytest.raises(DataError, match="at least 6 values; got 4"):
        SlidingWindowTransformer(window=5).make_xy([1.0, 2, 3, 4])
    y = pd.Series([1.0, 2, np.nan, np.nan, 5, 6, 7, 8],
                  index=pd.date_range("2020-01-01", periods=8, freq="D"))
    with pytest.raises(DataError, match="2 missing .* 2020-01-03 00:00:00-2020-01-04"):
        WindowForecaster(Ridge(), window=2).fit(y)
    with pytest.raises(DataError, match="1-D"):
        WindowForecaster(Ridge()).fit(np.zeros((3, 4, 5)))
    with pytest.raises(InvalidParameterError, match="window"):
        SlidingWindowTransformer(window=0).make_xy(np.arange(10.0))


# ---- metrics and splits ----------------------------------------------------------------------
def test_metrics_match_scikit_learn_and_definitions():
    """MAE/RMSE/MAPE agree with scikit-learn (MAPE in percent); sMAPE and MASE follow their formulas."""
    rng = np.random.default_rng(0)
    t, p = rng.uniform(1, 5, 20), rng.uniform(1, 5, 20)
    assert mae(t, p) == pytest.approx(mean_absolute_error(t, p))
    assert rmse(t, p) == pytest.approx(root_mean_squared_error(t, p))
    assert mape(t, p) == pytest.approx(100 * mean_absolute_percentage_error(t, p))
    assert smape(t, p) == pytest.approx(200 * np.mean(np.abs(t - p) / (np.abs(t) + np.abs(p))))
    train = np.array([1.0, 3, 2, 4, 3])    # seasonal (m=2) naive in-sample MAE = 1
    assert mase([5, 5], [6, 3], train, seasonal_period=2) == pytest.approx(1.5)
    with pytest.raises(DataError, match="zeros"):
        mape([0, 1], [1, 1])


def test_temporal_split_keeps_order_and_index():
    """The test part is the last values, never shuffled."""
    y_train, y_test = temporal_train_test_split(load_airline(), test_size=24)
    assert len(y_test) == 24 and y_train.index.max() < y_test.index.min()


# ---- baselines and index handling ------------------------------------------------------------
def test_naive_baselines_and_extended_period_index():
    """Naive repeats the last value, seasonal naive the last season; the PeriodIndex continues."""
    y = load_airline()[:24]
    last = NaiveForecaster().fit(y).predict(3)
    seasonal = NaiveForecaster("seasonal", seasonal_period=12).fit(y).predict(fh=[1, 13])
    assert (last.to_numpy() == y.iloc[-1]).all() and str(last.index[0]) == "1951-01"
    assert seasonal.tolist() == [y.iloc[12], y.iloc[12]]
    assert [str(i) for i in seasonal.index] == ["1951-01", "1952-01"]
    drift = NaiveForecaster("drift").fit(np.arange(10.0)).predict(2)
    assert drift.tolist() == [10.0, 11.0]


def test_datetime_index_with_inferred_frequency_is_extended():
    """A DatetimeIndex without freq set is continued at its inferred frequency."""
    idx = pd.DatetimeIndex(pd.date_range("2021-01-04", periods=10, freq="W-MON").tolist())
    f = NaiveForecaster().fit(pd.Series(np.arange(10.0), index=idx))
    assert f.predict(1).index[0] == pd.Timestamp("2021-03-15")


# ---- WindowForecaster -------------------------------------------------------------------------
def test_differencing_lets_a_linear_model_follow_trend_and_season():
    """Seasonal plus first differencing turn trend + season into a series a window model forecasts exactly."""
    t = np.arange(60.0)
    season = np.tile([0.0, 5, -3, 2], 15)
    y = 2 * t + season
    f = WindowForecaster(LinearRegression(), window=2, seasonal_period=4, difference=1).fit(y[:48])
    np.testing.assert_allclose(f.predict(12), y[48:], atol=1e-6)


@pytest.mark.parametrize("strategy", ["recursive", "direct", "multioutput"])
def test_strategies_forecast_a_sine(strategy):
    """All three multi-step strategies forecast a clean sine closely."""
    y = np.sin(np.arange(200) / 5)
    f = WindowForecaster(Ridge(alpha=1e-6), window=8, strategy=strategy, horizon=5).fit(y[:180])
    assert mae(y[180:], f.predict(20)) < 0.02


def test_predict_from_another_series_and_fh_subset():
    """predict(y=...) forecasts from the end of a new series; fh picks steps."""
    y = np.sin(np.arange(200) / 5)
    f = WindowForecaster(Ridge(alpha=1e-6), window=8).fit(y[:100])
    full = f.predict(10, y=y[:150])
    np.testing.assert_allclose(full, y[150:160], atol=0.01)
    np.testing.assert_allclose(f.predict(fh=[2, 10], y=y[:150]), full[[1, 9]])
    with pytest.raises(InvalidParameterError, match="either horizon"):
        f.predict()


def test_log_requires_positive_series():
    """log=True on a series with zeros or negatives is a clear error."""
    with pytest.raises(DataError, match="positive"):
        WindowForecaster(Ridge(), window=2, log=True).fit(np.arange(-5.0, 20))


def test_default_mlp_beats_seasonal_naive_on_airline():
    """The default MLP window forecaster (log + seasonal differencing) beats seasonal naive by far."""
    y = load_airline()
    y_train, y_test = temporal_train_test_split(y, test_size=24)
    pred = (WindowForecaster(window=12, seasonal_period=12, log=True, difference=0, random_state=0)
            .fit(y_train).predict(24))
    snaive = NaiveForecaster("seasonal", seasonal_period=12).fit(y_train).predict(24)
    assert mae(y_test, pred) < 0.6 * mae(y_test, snaive)
    assert str(pred.index[-1]) == "1960-12"


# ---- settings chosen from the series --------------------------------------------------------
def test_auto_seasonal_period_from_a_monthly_index():
    """With a monthly index the season is 12 (quarterly 4, daily 7, half-hourly 48), whatever the values."""
    y = pd.Series(np.random.default_rng(0).normal(size=48),
                  index=pd.period_range("2000-01", periods=48, freq="M"))
    f = WindowForecaster(Ridge(), window=3, difference=0, log=False).fit(y)
    assert f.period_ == 12
    assert seasonal_period_from_index("datetime", "QS-OCT") == 4
    assert seasonal_period_from_index("datetime", "D") == 7
    assert seasonal_period_from_index("datetime", "30min") == 48
    assert seasonal_period_from_index("int", 1) is None


def test_auto_seasonal_period_from_the_autocorrelation_of_a_plain_array():
    """Without an index the season comes from the ACF: 7 for a weekly pattern, 1 for white noise."""
    rng = np.random.default_rng(0)
    y = 10 + np.tile(3 * rng.normal(size=7), 20) + rng.normal(size=140)
    assert seasonal_period_from_acf(y) == 7
    assert WindowForecaster(Ridge(), window=3, difference=0, log=False).fit(y).period_ == 7
    assert seasonal_period_from_acf(rng.normal(size=140)) == 1


def test_acf_finds_a_smooth_daily_cycle_whose_peak_repeats():
    """aeon's half-hourly solar series: the peak at 48 is inside the Bartlett band but recurs at 96."""
    ad = pytest.importorskip("aeon.datasets")
    y = np.asarray(ad.load_solar(), dtype=float).ravel()[:-48]
    assert seasonal_period_from_acf(y) == 48
    walk = np.cumsum(np.random.default_rng(0).normal(size=240))    # no season, no repeat
    assert seasonal_period_from_acf(walk) == 1


def test_acf_ignores_the_short_lags_of_a_smooth_finely_sampled_signal():
    """aeon's arterial-pressure series: the season is the heartbeat (~183 samples), not lag 2."""
    ad = pytest.importorskip("aeon.datasets")
    y = np.asarray(ad.load_kdd_tsad_135()[0], dtype=float)[:2000]
    z = np.diff(y) - np.diff(y).mean()
    acf = np.correlate(z, z, mode="full")[len(z) - 1:] / (z @ z)
    assert acf[2] > max(acf[1], acf[3], acf[183])      # lag 2 is a higher local peak
    assert seasonal_period_from_acf(y) == 183


def test_auto_log_for_a_spread_growing_with_the_level():
    """log="auto" logs a series whose swings grow with its level, not one with constant swings."""
    t = np.arange(144)
    assert wants_log(np.exp(t / 50) * (1 + 0.2 * np.sin(t * np.pi / 6)), period=12)
    assert not wants_log(100 + t + 5 * np.sin(t * np.pi / 6), period=12)
    assert not wants_log(np.sin(t) - 0.5)


def test_falls_back_to_seasonal_naive_when_no_network_beats_it():
    """On a seasonal random walk the seasonal-naive forecast wins the validation and is used."""
    y = 50 + np.cumsum(np.random.default_rng(0).normal(size=(20, 6)), axis=0).ravel()
    f = WindowForecaster(Ridge(), random_state=0).fit(y)
    assert f.chosen_ == "seasonal naive" and f.period_ == 6
    expected = NaiveForecaster("seasonal", seasonal_period=6).fit(y).predict(8)
    np.testing.assert_allclose(f.predict(8), expected)
    assert f.validation_scores_["seasonal naive"] <= min(f.validation_scores_.values())


@pytest.mark.parametrize("kind", ["random walk", "seasonal with trend"])
def test_network_is_used_only_when_it_beats_the_better_naive_by_the_margin(kind):
    """A random walk gets the naive forecast here (on 2 of 4 seeds Ridge's level model still wins the
    short validation by more); a trending seasonal series keeps the network; in both the network
    is used exactly when its validation error is 10% below the better naive one's."""
    rng = np.random.default_rng(0)
    if kind == "random walk":
        y = 100 + np.cumsum(rng.normal(size=120))
    else:
        y = 10 + 0.05 * np.arange(84) + np.tile(rng.normal(size=7), 12) + 0.1 * rng.normal(size=84)
    f = WindowForecaster(Ridge(), random_state=0).fit(y)
    scores = f.validation_scores_
    combined = next(v for k, v in scores.items() if k.startswith("median of"))
    naive = min(scores["naive"], scores.get("seasonal naive", np.inf))
    assert f.chosen_ == ("naive" if kind == "random walk" else "network")
    assert (f.chosen_ == "network") == (combined < 0.9 * naive)


def test_auto_settings_take_the_median_of_the_three_best_candidates():
    """The forecast is the median of the three best validated settings' forecasts, each fitted on
    all values, so one diverging forecast cannot carry it."""
    rng = np.random.default_rng(0)
    y = 10 + 0.05 * np.arange(84) + np.tile(rng.normal(size=7), 12) + 0.1 * rng.normal(size=84)
    f = WindowForecaster(Ridge(), random_state=0).fit(y)
    assert f.chosen_ == "network" and len(f.ensemble_) == 2
    members = [f.selected_params_] + [m.selected_params_ for m in f.ensemble_]
    ranked = sorted((s, k) for k, s in f.validation_scores_.items() if k.startswith("seasonal_"))
    labels = [", ".join(f"{k}={p[k]}" for k in ("seasonal_period", "difference", "window"))
              for p in members]
    assert labels == [k for _, k in ranked[:3]]
    alone = [clone(f).set_params(**{k: p[k] for k in ("seasonal_period", "difference", "window",
                                                      "log")}).fit(y).predict(5)
             for p in members]
    np.testing.assert_allclose(f.predict(5), np.median(alone, axis=0))
    np.testing.assert_allclose(pickle.loads(pickle.dumps(f)).predict(5), f.predict(5))


def test_lstm_default_is_validated_and_too_short_series_are_clear_errors():
    """LSTMForecaster() validates crops of two and four seasons (12 and 24 without one); a series
    too short for those validates the shortest crops instead, and a tiny one is refused."""
    y = np.cumsum(np.random.default_rng(0).normal(size=80))
    make = lambda: LSTMForecaster(hidden_size=4, max_epochs=2, device="cpu", random_state=0)
    f = make().fit(y)
    assert f.period_ == 1 and f.selected_params_["sequence_length"] in (12, 24)
    assert {"sequence_length=12", "sequence_length=24"} <= {
        k.rsplit(", ", 1)[-1] for k in f.validation_scores_}
    short = make().fit(np.sin(np.arange(60) / 3))          # a season of about 19 values
    assert short.selected_params_["sequence_length"] is None
    assert any(k.endswith("sequence_length=None") for k in short.validation_scores_)
    with pytest.raises(DataError, match=r"too short.*got 2\."):
        LSTMForecaster(horizon=12, max_epochs=2, device="cpu").fit(np.arange(1.0, 3))


def test_candidates_fitted_in_two_processes_give_the_same_forecast():
    """n_jobs=2 fits the candidates and combined members in joblib workers: same scores, same
    chosen settings, same forecast as one process, and no worker's warning reaches the user."""
    y = 20 + np.sin(np.arange(90) / 2) + np.cumsum(np.random.default_rng(2).normal(size=90)) / 4
    make = lambda n_jobs: LSTMForecaster(hidden_size=4, max_epochs=3, device="cpu",
                                         random_state=0, n_jobs=n_jobs)
    one = make(None).fit(y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        two = make(2).fit(y)
    assert two.validation_scores_ == one.validation_scores_ and len(one.validation_scores_) > 4
    assert two.selected_params_ == one.selected_params_ and two.chosen_ == one.chosen_
    assert len(two.ensemble_) == len(one.ensemble_)
    np.testing.assert_array_equal(two.predict(5), one.predict(5))
    assert len([w for w in caught if issubclass(w.category, ConvergenceWarning)]) <= 1
    with pytest.raises(InvalidParameterError, match="'n_jobs'.*got 0"):
        make(0).fit(y)


def test_an_unconverged_forecaster_warns_once_naming_itself():
    """The validation candidates and the combined members are fitted silently; the forecaster's
    own network says once that max_epochs ended its training."""
    y = 20 + np.cumsum(np.random.default_rng(0).normal(size=80))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f = LSTMForecaster(hidden_size=4, max_epochs=2, device="cpu", random_state=0).fit(y)
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(f.validation_scores_) > 4        # several candidates were fitted
    assert messages == ["LSTMForecaster stopped at max_epochs=2 while the train_loss was still "
                        "improving by more than tol=0.0001; raise max_epochs or use "
                        "early_stopping=True."]


def test_the_warning_of_an_unconverged_auto_epoch_limit_says_auto():
    """With max_epochs="auto" the user set no number: the warning names "auto" and its epochs."""
    y = 20 + np.cumsum(np.random.default_rng(0).normal(size=80))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LSTMForecaster(hidden_size=2, learning_rate=1e-4, sequence_length=8, difference=0,
                       seasonal_period=None, log=False, device="cpu", random_state=0).fit(y)
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert messages == ["LSTMForecaster stopped at max_epochs='auto' (200 epochs, at most 12,800 "
                        "optimizer steps) while the train_loss was still improving by more than "
                        "tol=0.0001; raise max_epochs or use early_stopping=True."]


@pytest.mark.parametrize("make", [
    lambda: WindowForecaster(Ridge(), random_state=0),
    lambda: LSTMForecaster(hidden_size=4, max_epochs=2, device="cpu", random_state=0)],
    ids=["window", "lstm"])
def test_every_candidate_is_scored_on_values_it_was_not_fitted_on(make):
    """Both forecasters score a setting by the same rule: a forecaster with that setting and the
    same seed, fitted (scaling included) on the values before each of the two origins only, is
    scored by its MAE on the next ones, averaged over the origins."""
    y = 20 + np.cumsum(np.random.default_rng(1).normal(size=90))
    f = make().fit(y)
    v = min(len(y) // 5, 12)
    origins = [len(y) - v, len(y) - 2 * v]
    name = f._window_name
    labels = [k for k in f.validation_scores_ if k.startswith("seasonal_period=None, ")]
    assert len(labels) == 4
    for label in labels:
        params = dict(part.split("=") for part in label.split(", "))
        setting = {"seasonal_period": None, "difference": int(params["difference"]),
                   name: int(params[name]), "log": f.selected_params_["log"]}
        errors = [mae(y[o:o + v], clone(f).set_params(**setting).fit(y[:o]).predict(v))
                  for o in origins]
        assert f.validation_scores_[label] == pytest.approx(np.mean(errors))


def test_default_window_forecaster_on_airline_as_a_plain_array():
    """No arguments, no index: the ACF finds 12, log is chosen, and the forecast has less than half
    the seasonal-naive error (71.3; seeds 0-4 give 18.5-30.4, median 24.0, Holt-Winters 29.0)."""
    y_train, y_test = temporal_train_test_split(load_airline().to_numpy(), test_size=24)
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # the built-in network's 100 epochs are the recipe
        f = WindowForecaster(random_state=0).fit(y_train)
    assert f.period_ == 12 and f.selected_params_["log"] and f.chosen_ == "network"
    assert mae(y_test, f.predict(24)) < 0.5 * 71.25


# ---- time index safety -------------------------------------------------------------------------
def test_reversed_series_is_sorted_with_a_warning_and_dated_after_its_end():
    """A reversed Airline forecasts what the ordered one does, dated from 1961-01 on."""
    y = load_airline()
    make = lambda: WindowForecaster(Ridge(), window=12, seasonal_period=12, difference=0, log=True)
    with pytest.warns(DataWarning, match="not in time order"):
        rev = make().fit(y[::-1]).predict(3)
    assert str(rev.index[0]) == "1961-01"
    np.testing.assert_allclose(rev.to_numpy(), make().fit(y).predict(3).to_numpy())


def test_duplicate_dates_are_an_error_naming_the_first():
    """Two values for the same date are refused, naming the date."""
    y = load_airline()[:12]
    with pytest.raises(DataError, match="duplicate .*first: 1949-05"):
        NaiveForecaster().fit(pd.concat([y[:5], y[4:]]))


def test_integer_year_index_continues_with_the_next_years():
    """An integer year index (1700, 1701, ...) labels forecasts with the years that follow."""
    y = pd.Series(np.arange(30.0), index=np.arange(1700, 1730))
    assert NaiveForecaster().fit(y).predict(2).index.tolist() == [1730, 1731]


def test_too_short_series_names_the_length_and_the_setting():
    """A series too short for horizon + seasonal differencing says how long it must be."""
    with pytest.raises(DataError, match=r"at least 26 values .*seasonal_period=12.*got 20"):
        LSTMForecaster(horizon=12, seasonal_period=12).fit(np.arange(1.0, 21))
    f = LSTMForecaster(horizon=12, seasonal_period=12, max_epochs=2, device="cpu").fit(
        np.arange(1.0, 31))
    assert f.predict(12).shape == (12,)


def test_transform_before_fit_is_not_fitted_error():
    """SlidingWindowTransformer.transform needs fit first, as every scikit-learn transformer."""
    with pytest.raises(NotFittedError):
        SlidingWindowTransformer(window=3).transform(np.arange(10.0))


# ---- LSTMForecaster ---------------------------------------------------------------------------
def test_lstm_forecaster_learns_a_sine_and_chains_blocks():
    """The LSTM forecasts a sine 12 steps ahead (3 blocks of 4) far better than the naive forecast."""
    y = np.sin(np.arange(150) * 2 * np.pi / 12)
    f = LSTMForecaster(hidden_size=16, horizon=4, max_epochs=60, learning_rate=0.01, batch_size=32,
                       seasonal_period=None, difference=0, log=False, sequence_length=None,
                       random_state=0, device="cpu").fit(y[:138])
    naive = NaiveForecaster().fit(y[:138]).predict(12)
    assert mae(y[138:], f.predict(12)) < 0.3 * mae(y[138:], naive)


# ---- backtest ---------------------------------------------------------------------------------
def test_backtest_rolls_the_origin():
    """Origins advance by step; each forecast is scored on the values that follow it."""
    scores, preds = backtest(NaiveForecaster(), np.arange(30.0), initial=10, horizon=5, step=10,
                             return_predictions=True)
    assert scores["origin"].tolist() == [10, 20]
    assert scores["mae"].tolist() == [3.0, 3.0]
    assert preds.shape == (10, 4) and preds["y_pred"].iloc[0] == 9.0


def test_backtest_without_refit_reuses_the_model():
    """refit=False fits once and forecasts from later origins with predict(y=...)."""
    y = np.sin(np.arange(120) / 4)
    scores = backtest(WindowForecaster(Ridge(alpha=1e-6), window=6), y, initial=60, horizon=6,
                      refit=False)
    assert len(scores) == 10 and scores["mae"].max() < 0.05
    with pytest.raises(DataError, match="initial"):
        backtest(NaiveForecaster(), y, initial=118, horizon=6)


def test_dates_without_a_frequency_warn_and_number_the_forecasts():
    """A daily series with missing days cannot be continued by date: a DataWarning says so once,
    and the forecasts are numbered after the last position."""
    from deepmine.exceptions import DataWarning

    days = pd.date_range("2000-01-01", periods=40, freq="D").delete([5, 17])
    y = pd.Series(np.arange(38.0), index=days)
    with pytest.warns(DataWarning, match=r"no regular frequency \(38 values from 2000-01-01 to "
                                         r"2000-02-09: dates missing\?\)") as caught:
        f = NaiveForecaster().fit(y)
    assert len(caught) == 1
    assert list(f.predict(2).index) == [38, 39]
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # a regular daily index: no warning, dated forecasts
        regular = NaiveForecaster().fit(pd.Series(np.arange(40.0), index=days.union(
            pd.DatetimeIndex(["2000-01-06", "2000-01-18"]))))
    assert regular.predict(1).index[0] == pd.Timestamp("2000-02-10")


def test_built_in_networks_train_fewer_epochs_on_long_series():
    """Up to 64 batches an epoch the built-in networks run all their epochs; beyond, the epochs
    shrink so that a fit takes the same number of optimizer steps (at most 6,400 and 12,800)."""
    y = np.sin(np.arange(2060) / 5) + 0.1 * np.random.default_rng(0).normal(size=2060)
    fixed = dict(difference=0, seasonal_period=None, log=False, random_state=0)
    short = WindowForecaster(window=4, **fixed).fit(y[:1000])
    assert short.estimators_[0].n_iter_ == 100                      # 63 batches: every epoch
    long = WindowForecaster(window=4, **fixed).fit(y)
    assert long.estimators_[0].n_iter_ == 50                        # 129 batches x 50 = 6,450
    auto = LSTMForecaster()                                         # 2,055 crops: 129 batches
    assert [auto._max_epochs(n) for n in (1024, 2055)] == [200, 100]
    lstm = LSTMForecaster(hidden_size=2, sequence_length=4, max_epochs=3, device="cpu",
                          **fixed).fit(y)
    assert lstm.n_iter_ == 3                                        # a given number is kept
