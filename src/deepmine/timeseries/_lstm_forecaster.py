"""Forecasting with an LSTM that reads the whole history ("introduce a memory").

A window model sees only its last ``k`` values; an LSTM (Hochreiter &
Schmidhuber 1997) carries a state through the entire series, so a signal
further back than any window -- a long seasonal lag, a phase -- can still shape
the forecast. Trained sequence-to-sequence on crops of the series: at every
time step the network predicts the next ``horizon`` values (multi-output), and
forecasts come from the state after the last observed value.
"""

from numbers import Integral

import numpy as np
import torch.nn.functional as F

from deepmine.base import BaseDeepEstimator, engine_params_doc, store_params
from deepmine.exceptions import DataError
from deepmine.nn import EarlyStopping
from deepmine.timeseries._architectures import LSTMNet
from deepmine.timeseries._base import BaseForecaster, _DifferencingMixin
from deepmine.timeseries._forecast_select import (N_JOBS_DOC, STEPS_PER_EPOCH,
                                                   _AutoSettingsMixin, epochs_within)
from deepmine.utils._param_validation import Interval, StrOptions

__all__ = ["LSTMForecaster"]

#: the epochs ``max_epochs="auto"`` means up to STEPS_PER_EPOCH batches per epoch
AUTO_EPOCHS = 200


class LSTMForecaster(_AutoSettingsMixin, _DifferencingMixin, BaseForecaster, BaseDeepEstimator):
    __doc__ = f"""LSTM forecaster over the whole history, with multi-step output.

    Parameters
    ----------
    hidden_size : int, default=32
        Size of the LSTM state.
    num_layers : int, default=1
    horizon : int, default=1
        Values predicted at once from each state; longer forecasts feed these
        back in blocks.
    sequence_length : int, None or "auto", default="auto"
        Length of the training crops (the span of back-propagation through
        time); None means half the (transformed) training series, at least 8.
        ``"auto"`` chooses between ``max(2 * season, 12)`` and
        ``max(4 * season, 24)`` by validation, as :class:`WindowForecaster`
        chooses its window.
    difference : int or "auto", default="auto"
        First differences taken before training (1 removes a trend); ``"auto"``
        chooses 0 or 1 by validation.
    seasonal_period : int, None or "auto", default="auto"
        Take one seasonal difference first (12 for monthly data); ``"auto"``
        finds the season from the time index or the autocorrelation and takes
        the difference when the seasonality is strong, as in
        :class:`WindowForecaster`.
    log : bool or "auto", default="auto"
        Model ``log(y)`` (multiplicative seasonality); the series must be
        positive. ``"auto"`` logs a positive series whose spread grows with its level.
    {engine_params_doc(batch_size=16, max_epochs="auto", kinds={"max_epochs": 'int or "auto"'},
                       descriptions={"max_epochs": f'''
        Number of passes over the training crops. ``"auto"`` is {AUTO_EPOCHS}, fewer
        beyond {STEPS_PER_EPOCH} batches per epoch ({16 * STEPS_PER_EPOCH:,} crops at
        ``batch_size=16``), so that a fit takes at most {AUTO_EPOCHS * STEPS_PER_EPOCH:,}
        optimizer steps; ``n_iter_`` is the number run.'''})}
    {N_JOBS_DOC}

    Attributes
    ----------
    module_ : torch.nn.Module
    history_ : deepmine.nn.History
    selected_params_ : dict
        The settings in use (``seasonal_period``, ``difference``,
        ``sequence_length``, ``log``).
    chosen_ : {"network", "naive", "seasonal naive"}
        Whose forecasts :meth:`predict` returns (see :class:`WindowForecaster`).
    period_ : int
        Season length found (1: none).
    ensemble_ : list of LSTMForecaster
        The forecasters fitted with the second- and third-best settings; the
        forecast is the median of theirs and this one's (empty when a naive
        forecast is used or every setting was given).
    validation_scores_ : dict
        Validation MAE of every candidate setting, of the median of the three
        best and of the naive forecasts.
    sequence_length_ : int
        Crop length used in training.
    mean_, scale_ : float
        Standardization of the transformed series (undone on forecasts).
    y_ : ndarray
        The training series.
    n_iter_ : int
    loss_curve_ : list of float
    device_ : torch.device

    See Also
    --------
    WindowForecaster : any regressor over the last ``window`` values.

    Notes
    -----
    The ``"auto"`` settings go through the same validation as
    :class:`WindowForecaster` (two forecast origins on the end of the training
    series, the median of the three best candidates, naive and
    seasonal-naive fallback unless that median beats them by 10%), so the
    default fit trains up to 11 networks: 10-13 s of one idle CPU thread on
    the 120-month Airline training series, 87 s on the 684 training months of
    the El Nino series. Give every setting for a single fit, or ``n_jobs`` to
    fit the candidates in parallel with the same forecast. On two cores
    ``n_jobs=2`` took 51 s wall on El Nino instead of 87 s. On Airline it took
    9.5 s instead of 10.3 s in a new process, where starting the workers
    (each imports torch) costs about 3 s, and 6.3 s once they were running.
    Beyond about 1,000 values ``max_epochs="auto"`` caps the steps: on the last
    3,000 values of aeon's electricity series a default fit took 110 s (70
    epochs) instead of 469 s. A step costs more as the crops grow with the
    season: with a season of 184 values the crops span up to 736, a step
    takes about 15 ms and a candidate up to 3 minutes; give
    ``sequence_length`` there.

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.timeseries import LSTMForecaster
    >>> y = np.sin(np.arange(120) / 3)
    >>> f = LSTMForecaster(hidden_size=8, max_epochs=5, difference=0, seasonal_period=None,
    ...                    log=False, sequence_length=None, random_state=0).fit(y)
    >>> f.predict(3).shape, f.chosen_
    ((3,), 'network')
    """

    _parameter_constraints = {
        **BaseDeepEstimator._parameter_constraints,
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "sequence_length": [Interval(Integral, 2, None, closed="left"), None,
                            StrOptions({"auto"})],
        "difference": [Interval(Integral, 0, 2, closed="both"), StrOptions({"auto"})],
        "seasonal_period": [Interval(Integral, 1, None, closed="left"), None, StrOptions({"auto"})],
        "log": ["boolean", StrOptions({"auto"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "n_jobs": [Integral, None],
    }

    _window_name = "sequence_length"

    def __init__(self, hidden_size=32, *, num_layers=1, horizon=1, sequence_length="auto",
                 difference="auto", seasonal_period="auto", log="auto", optimizer="adam",
                 learning_rate=None, momentum=0.9, weight_decay=0.0, lr_schedule="constant",
                 batch_size=16, max_epochs="auto", early_stopping=False, validation_fraction=None,
                 patience=10, tol=1e-4, callbacks=None, device="auto", random_state=None,
                 verbose=0, warm_start=False, devices="auto",
                 strategy=None, precision="32", n_jobs=None):
        store_params(self, locals())

    def _n_out(self):
        return self.horizon

    @staticmethod
    def _window_length(sequence_length):
        return sequence_length or 2

    @staticmethod
    def _window_candidates(period):
        # two and four seasons: crops of a fixed span keep an epoch linear in the series length
        return [max(2 * period, 12), max(4 * period, 24)]

    def _fallback_grid(self, grid):
        if self.sequence_length != "auto":
            return []
        return [{**g, "sequence_length": None} for g in grid]

    def _default_callbacks(self):
        if self.early_stopping:
            return []
        # the weights of the epoch with the lowest training loss (training never stops early)
        return [EarlyStopping(monitor="train_loss", patience=2**31, min_delta=0.0,
                              restore_best_weights=True)]

    def _max_epochs(self, n_rows):
        if self.max_epochs == "auto":
            return epochs_within(n_rows, self.batch_size, AUTO_EPOCHS)
        return self.max_epochs

    def _max_epochs_text(self, epochs):
        if self.max_epochs != "auto":
            return None
        return (f"max_epochs='auto' ({epochs} epochs, at most {AUTO_EPOCHS * STEPS_PER_EPOCH:,} "
                f"optimizer steps)")

    def _fit_network(self, values):
        self._fit(values, None, partial=False)

    def _validate_fit(self, X, y, reset, context=None):
        _, z = self._fit_transform(X)
        H = self.horizon
        L = self._setting("sequence_length") or min(max(min(8, len(z) - H), len(z) // 2),
                                                    len(z) - H)
        if L < 2 or L + H > len(z):
            need = self._length_for(self.selected_params_)
            raise DataError(f"The series is too short: LSTMForecaster needs at least {need} values "
                            f"{self._length_text(self.selected_params_)}; got {len(X)}.")
        self.sequence_length_ = L
        frames = np.lib.stride_tricks.sliding_window_view(z, L + H)     # (N, L + H)
        inputs = frames[:, None, :L]                                     # (N, 1, L)
        steps = np.lib.stride_tricks.sliding_window_view(frames[:, 1:], H, axis=1)
        targets = steps[:, :L]                                           # (N, L, H)
        return inputs.astype(np.float32), targets.astype(np.float32)

    def _validate_predict(self, X):
        return np.asarray(X, dtype=np.float32)

    def _build_module(self, context=None):
        return LSTMNet(1, self.horizon, hidden_size=self.hidden_size, num_layers=self.num_layers,
                       every_step=True)

    def _compute_loss(self, module, batch):
        X, Y = batch                                   # X: (B, 1, L), Y: (B, L, H)
        warmup = min(4, X.shape[2] // 4)               # the first steps have too little context
        return F.mse_loss(module(X)[:, warmup:], Y[:, warmup:])

    def _forward(self, module, X):
        return module(X)[:, -1]                        # (B, H): forecasts after the last value

    def _network_forecast(self, values, n_steps):
        levels, z = self._transform(values)
        buf = list(z)
        while len(buf) < len(z) + n_steps:
            block = self._predict_raw(np.asarray(buf, dtype=np.float32)[None, None, :])[0]
            buf.extend(block.astype(np.float64))
        return self._inverse(buf[len(z):len(z) + n_steps], levels)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        return tags

