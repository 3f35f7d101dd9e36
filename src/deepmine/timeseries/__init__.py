"""Time series: sliding windows, forecasting with MLPs and LSTMs, CNN/LSTM time-series classification.

Univariate series are 1-D arrays or pandas Series (a DatetimeIndex/PeriodIndex
is kept and extended in forecasts); collections of series ("panels") are
``(n_series, n_channels, n_timesteps)`` arrays as in aeon, or lists of
unequal-length series.
"""

from deepmine.datasets._timeseries import (UCR_DATASETS, load_airline, load_arrow_head,
                                           load_basic_motions, load_gunpoint,
                                           load_italy_power_demand, load_japanese_vowels,
                                           load_lynx, load_osuleaf, load_shampoo_sales, load_ucr,
                                           read_ts)
from deepmine.timeseries._base import NaiveForecaster
from deepmine.timeseries._classifiers import CNNTimeSeriesClassifier, LSTMClassifier
from deepmine.timeseries._evaluation import (backtest, mae, mape, mase, rmse, smape,
                                             temporal_train_test_split)
from deepmine.timeseries._lstm_forecaster import LSTMForecaster
from deepmine.timeseries._series_traits import (seasonal_period_from_acf,
                                                seasonal_period_from_index, seasonal_strength,
                                                wants_log)
from deepmine.timeseries._window_forecaster import WindowForecaster
from deepmine.timeseries._windows import SlidingWindowTransformer, sliding_windows

__all__ = [
    "SlidingWindowTransformer", "sliding_windows", "WindowForecaster", "LSTMForecaster",
    "NaiveForecaster", "LSTMClassifier", "CNNTimeSeriesClassifier",
    "seasonal_period_from_index", "seasonal_period_from_acf", "seasonal_strength", "wants_log",
    "temporal_train_test_split", "backtest", "mae", "rmse", "mape", "smape", "mase",
    "load_airline", "load_lynx", "load_shampoo_sales", "load_ucr", "UCR_DATASETS",
    "load_gunpoint", "load_italy_power_demand", "load_arrow_head", "load_basic_motions",
    "load_japanese_vowels", "load_osuleaf", "read_ts",
]
