"""Sliding windows: turn a series into a supervised table ("use the last five values as features").

Every row holds ``window`` consecutive values and, as target, the ``horizon``
values that follow -- the classic reduction of forecasting to regression
(Bontempi, Ben Taieb & Le Borgne 2013). Built on NumPy's
``sliding_window_view``, so the table is a view, not a copy, until it is used.
"""

from numbers import Integral

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from deepmine.exceptions import InvalidParameterError
from deepmine.timeseries._validation import check_series
from deepmine.utils._param_validation import Interval, validate_params

__all__ = ["SlidingWindowTransformer", "sliding_windows"]


def sliding_windows(y, window, horizon=1, step=1):
    """Window matrix and targets of a 1-D array.

    Parameters
    ----------
    y : ndarray of shape (n_timesteps,)
    window : int
    horizon : int, default=1
    step : int, default=1

    Returns
    -------
    X : ndarray of shape (n_windows, window)
        ``X[i] = y[i*step : i*step + window]``.
    Y : ndarray of shape (n_windows, horizon)
        ``Y[i] = y[i*step + window : i*step + window + horizon]``.

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.timeseries import sliding_windows
    >>> X, Y = sliding_windows(np.arange(6.0), window=3)
    >>> X[0].tolist(), Y[:, 0].tolist()
    ([0.0, 1.0, 2.0], [3.0, 4.0, 5.0])
    """
    y = np.asarray(y)
    frames = sliding_window_view(y, window + horizon)[::step]   # (n_windows, window + horizon)
    return frames[:, :window], frames[:, window:]


class SlidingWindowTransformer(TransformerMixin, BaseEstimator):
    """Turn a series into the window matrix of its last ``window`` values (and the targets that follow).

    ``transform(y)`` returns one row per complete window (features only, for a
    :class:`~sklearn.pipeline.Pipeline`); :meth:`make_xy` returns the
    supervised pair ``(X, Y)`` a regressor is trained on.

    Parameters
    ----------
    window : int, default=5
        Number of past values per row (the lecture's "last five values").
    horizon : int, default=1
        Number of future values per target row (:meth:`make_xy`).
    step : int, default=1
        Distance between the starts of consecutive windows.

    Attributes
    ----------
    n_features_in_ : int
        Always 1: one series.

    See Also
    --------
    WindowForecaster : a regressor over these windows, used to forecast.

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.timeseries import SlidingWindowTransformer
    >>> X, Y = SlidingWindowTransformer(window=3).make_xy(np.arange(6.0))
    >>> X.tolist()
    [[0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [2.0, 3.0, 4.0]]
    >>> Y.ravel().tolist()
    [3.0, 4.0, 5.0]
    """

    _parameter_constraints = {
        "window": [Interval(Integral, 1, None, closed="left")],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "step": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, window=5, *, horizon=1, step=1):
        self.window = window
        self.horizon = horizon
        self.step = step

    def _check(self, y, need):
        try:
            validate_params(self)
        except ValueError as exc:
            raise InvalidParameterError(str(exc)) from None
        return check_series(y, min_length=need, what=f"window={self.window} with "
                            f"horizon={self.horizon}" if need > self.window else
                            f"window={self.window}")

    def fit(self, y, X=None):
        """Check the parameters and the series; nothing is learned.

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or pandas.Series
        X : None
            Ignored.

        Returns
        -------
        self
        """
        self._check(y, self.window)
        self.n_features_in_ = 1
        return self

    def transform(self, y):
        """All complete windows, shape ``(n_windows, window)``, oldest value first.

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or pandas.Series

        Returns
        -------
        X : ndarray of shape ((n_timesteps - window) // step + 1, window)

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before :meth:`fit` (``fit_transform`` does both).
        """
        check_is_fitted(self, "n_features_in_")
        values, _ = self._check(y, self.window)
        return sliding_window_view(values, self.window)[::self.step].copy()

    def make_xy(self, y):
        """The supervised table: past ``window`` values -> next ``horizon`` values.

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or pandas.Series
            With a pandas Series, ``X`` is a DataFrame with columns
            ``lag_window ... lag_1`` and ``Y`` is indexed by the time of the
            first target value.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_windows, window)
        Y : ndarray of shape (n_windows,) when ``horizon == 1``, else (n_windows, horizon)
        """
        values, index = self._check(y, self.window + self.horizon)
        X, Y = sliding_windows(values, self.window, self.horizon, self.step)
        X, Y = X.copy(), (Y[:, 0].copy() if self.horizon == 1 else Y.copy())
        if index is not None:
            at = index[self.window::self.step][:len(X)]
            X = pd.DataFrame(X, index=at, columns=self.get_feature_names_out())
            cols = [f"t+{h}" for h in range(1, self.horizon + 1)]
            Y = (pd.Series(Y, index=at, name=getattr(y, "name", None)) if self.horizon == 1
                 else pd.DataFrame(Y, index=at, columns=cols))
        return X, Y

    def get_feature_names_out(self, input_features=None):
        """Column names ``lag_<window>`` ... ``lag_1`` (``lag_1`` is the latest value)."""
        return np.array([f"lag_{k}" for k in range(self.window, 0, -1)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        return tags
