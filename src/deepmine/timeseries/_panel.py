"""The panel side of the time-series classifiers: validation, scaling, padding of unequal lengths."""

import numpy as np
from sklearn.base import ClassifierMixin

from deepmine.base import BaseDeepEstimator, DeepClassifierMixin
from deepmine.exceptions import DataError
from deepmine.nn import Checkpoint
from deepmine.timeseries._validation import check_panel
from deepmine.utils._param_validation import StrOptions
from deepmine.utils._table import check_missing_target
from deepmine.utils.validation import explaining_missing

#: ``normalize="auto"`` scales each series on its own when, in some channel, more than
#: this share of the series would be nearly flat after channel scaling (their standard
#: deviation below ``_FLAT_RATIO`` times the channel's): raw counts spanning decades.
_FLAT_SHARE, _FLAT_RATIO = 0.5, 0.05


class _PanelClassifier(DeepClassifierMixin, ClassifierMixin, BaseDeepEstimator):
    """Shared: panel validation, per-channel or per-series scaling, padding of unequal lengths."""

    _pad_start = False

    _parameter_constraints = {
        **BaseDeepEstimator._parameter_constraints,
        "normalize": [StrOptions({"auto", "channel", "series", "none"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def _default_callbacks(self):
        # early stopping restores its own best (validation-loss) weights; otherwise keep
        # the epoch with the lowest validation loss, or eval-mode training loss without one
        return [] if self.early_stopping else [Checkpoint(compute_loss=self._compute_loss)]

    def _length_agnostic(self):
        return True

    def _check_input(self, X, y, reset):
        """-> (X float64 (n, C, T), lengths or None, y); 2-D tables go through scikit-learn's checks."""
        if not reset:
            X = self._as_series_list(X)
        if isinstance(X, np.ndarray) and X.ndim < 2:
            raise DataError(f"X must be a panel of series: (n_series, n_timesteps), (n_series, "
                            f"n_channels, n_timesteps) or a list of series; got an array of shape "
                            f"{X.shape}. Reshape your data: one series is X[None, :].")
        if _is_table(X):                 # (n_series, n_timesteps): univariate series as rows
            from sklearn.utils.validation import validate_data

            kw = dict(reset=reset, dtype=np.float64)
            if y is not None:
                check_missing_target(y)
            with explaining_missing(lambda: check_panel(X)):   # names series and time steps
                if y is None:
                    X = validate_data(self, X, **kw)
                else:
                    X, y = validate_data(self, X, y, **kw)
            if reset:
                self.unequal_length_ = False
            return X[:, None, :], None, y
        X, lengths = check_panel(X)
        if reset:
            self.n_features_in_ = X.shape[2] if X.shape[1] == 1 else X.shape[1] * X.shape[2]
            self.__dict__.pop("feature_names_in_", None)
            self.unequal_length_ = lengths is not None
        elif lengths is None and getattr(self, "unequal_length_", False):
            lengths = np.full(len(X), X.shape[2])    # any length, as in training
        return X, lengths, y

    def _as_series_list(self, X):
        """At predict time, read one series or a 2-D array as the fitted model's kind of input.

        A model fitted on unequal-length series takes any length: a 2-D array is
        then a list of univariate series (or one ``(n_channels, length)`` series),
        a 1-D array one univariate series. A multichannel model also reads a 2-D
        ``(n_channels, length)`` array as one series.
        """
        C = getattr(self, "n_channels_in_", 1)
        if isinstance(X, (list, tuple)):
            if getattr(self, "unequal_length_", False) and all(np.ndim(x) == 1 for x in X):
                return [np.asarray(x)[None, :] for x in X]       # never a table
            return X
        if hasattr(X, "columns") or not hasattr(X, "ndim"):
            return X
        if X.ndim == 2 and C > 1 and X.shape[0] == C:
            return [X]
        if getattr(self, "unequal_length_", False):
            if X.ndim == 1 and C == 1:
                return [X[None, :]]
            if X.ndim == 2:
                return list(X[:, None, :]) if C == 1 else [X]
        return X

    def _resolve_normalize(self, X, mask):
        """The scaling ``normalize="auto"`` stands for on this training panel."""
        if self.normalize != "auto":
            return self.normalize
        w = np.ones(X.shape, dtype=bool) if mask is None else np.broadcast_to(mask, X.shape)
        n = w.sum(axis=2)                                            # (n, C)
        mean = np.where(w, X, 0).sum(axis=2) / n
        series_sd = np.sqrt((np.where(w, X - mean[:, :, None], 0) ** 2).sum(axis=2) / n)
        total = (X * w).sum(axis=(0, 2)) / n.sum(axis=0)
        channel_sd = np.sqrt(((X - total[None, :, None]) ** 2 * w).sum(axis=(0, 2)) / n.sum(axis=0))
        flat = (series_sd < _FLAT_RATIO * channel_sd[None, :]).mean(axis=0)
        return "series" if (flat > _FLAT_SHARE).any() else "channel"

    def _panel(self, X, lengths, reset):
        """Scale, pad and align a checked panel; returns float32 ``(n, C, T)``."""
        mask = None
        if lengths is not None:
            mask = np.arange(X.shape[2])[None, None, :] < lengths[:, None, None]
        if reset:
            self.n_channels_in_, self.n_timesteps_in_ = X.shape[1], X.shape[2]
            self.normalize_ = self._resolve_normalize(X, mask)
            for name in ("channel_mean_", "channel_scale_"):
                self.__dict__.pop(name, None)
            if self.normalize_ == "channel":
                w = np.ones_like(X) if mask is None else np.broadcast_to(mask, X.shape)
                n = w.sum(axis=(0, 2))
                self.channel_mean_ = (X * w).sum(axis=(0, 2)) / n
                var = (((X - self.channel_mean_[None, :, None]) ** 2) * w).sum(axis=(0, 2)) / n
                self.channel_scale_ = np.where(var > 1e-24, np.sqrt(var), 1.0)
        else:
            if X.shape[1] != self.n_channels_in_:
                raise DataError(f"X has {X.shape[1]} channels, but {type(self).__name__} was fitted "
                                f"on {self.n_channels_in_} channels.")
            T = self.n_timesteps_in_
            if lengths is not None and self._length_agnostic():
                T = max(T, X.shape[2])       # ragged input: any length the network can read
            if X.shape[2] != T and (lengths is None or X.shape[2] > T):
                raise DataError(f"X has {X.shape[2]} features, but {type(self).__name__} is "
                                f"expecting {T} features as input (series of {T} time steps; "
                                f"resample or pad the series to that length).")
            if X.shape[2] < T:
                X = np.concatenate([X, np.zeros(X.shape[:2] + (T - X.shape[2],))], axis=2)
                mask = np.concatenate([mask, np.zeros(mask.shape[:2] + (T - mask.shape[2],),
                                                      dtype=bool)], axis=2)
        normalize = getattr(self, "normalize_", self.normalize)
        if normalize == "channel":
            X = (X - self.channel_mean_[None, :, None]) / self.channel_scale_[None, :, None]
        elif normalize == "series":
            m = np.ones_like(X, dtype=bool) if mask is None else np.broadcast_to(mask, X.shape)
            n = m.sum(axis=2, keepdims=True)
            mean = np.where(m, X, 0).sum(axis=2, keepdims=True) / n
            sd = np.sqrt((np.where(m, X - mean, 0) ** 2).sum(axis=2, keepdims=True) / n)
            X = (X - mean) / np.where(sd > 1e-12, sd, 1.0)
        if mask is not None:
            X = np.where(mask, X, 0.0)
            if self._pad_start:       # recurrent nets read the padding first, the data last
                X = _right_align(X, mask)
        return X.astype(np.float32)

    def _validate_fit(self, X, y, reset, context=None):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        X, lengths, y = self._check_input(X, y, reset)
        y = self._encode_targets(y, reset, context)
        if len(y) != len(X):
            raise DataError(f"X has {len(X)} series but y has {len(y)} labels.")
        return self._panel(X, lengths, reset), y

    def _validate_predict(self, X):
        X, lengths, _ = self._check_input(X, None, reset=False)
        return self._panel(X, lengths, reset=False)

    def _compute_loss(self, module, batch):
        X, y, *w = batch                               # X: (B, C, T), y: (B,), w: weights
        return self._classification_loss(module(X), y, *w)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


def _is_table(X):
    """True for 2-D tables (and anything scikit-learn should reject); False for 3-D or ragged panels."""
    import scipy.sparse

    if scipy.sparse.issparse(X) or hasattr(X, "columns"):
        return True
    if isinstance(X, (list, tuple)) and X and all(hasattr(x, "__len__") for x in X):
        if len({len(x) for x in X}) > 1 or any(np.ndim(x) == 2 for x in X):
            return False
    try:
        return np.ndim(X) <= 2
    except ValueError:               # ragged nested lists
        return False
    except TypeError:                # array-likes that refuse NumPy functions
        return True


def _right_align(X, mask):
    """Move every padded series' values to the end of its row (padding first)."""
    out = np.zeros_like(X)
    lengths = mask[:, 0, :].sum(axis=1)
    T = X.shape[2]
    for i, L in enumerate(lengths):
        out[i, :, T - L:] = X[i, :, :L]
    return out
