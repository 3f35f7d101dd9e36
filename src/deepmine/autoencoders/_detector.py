"""Outlier detection by reconstruction error, with a bagged ensemble of small autoencoders.

Rows that an autoencoder trained on the (mostly normal) data cannot reconstruct
are outliers (Hawkins et al. 2002, "Outlier detection using replicator neural
networks"); averaging several autoencoders trained on bootstrap weights of a
subsample steadies the scores on small tables (Chen et al. 2017, "Outlier
detection with autoencoder ensembles"). Each member sees and reconstructs its
own random subset of the columns (feature bagging, Lazarevic & Kumar 2005),
which raised the mean ROC-AUC on both benchmark suites (see the class's Notes).
Each mini-batch's worst-reconstructed rows are left out of the loss (a trimmed
loss, as in least trimmed squares, Rousseeuw 1984), so the outliers do not
shape the model that should not fit them; columns can also be scaled by robust
statistics (median and MAD).
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import OutlierMixin
from sklearn.utils import check_random_state

from deepmine.autoencoders._bagging import draw_masks, draw_rows
from deepmine.autoencoders._base import fit_scaler
from deepmine.autoencoders._codespace import fit_reference, member_codes, neighbor_distances
from deepmine.autoencoders._columns import detector_robust_scaler
from deepmine.autoencoders._detector_notes import NOTES
from deepmine.autoencoders._ensemble import EnsembleAutoEncoderNet
from deepmine.base import BaseDeepEstimator, engine_params_doc, store_params
from deepmine.nn._fitdata import FitContext
from deepmine.nn._layers import ACTIVATIONS
from deepmine.utils._param_validation import Interval, StrOptions
from deepmine.utils.validation import check_is_fitted, check_table

#: Training rows (the first ones, at most) whose median error sets each member's scale.
SCALE_ROWS = 4096
#: the fewest rows the command line and the web demo score: fewer show nothing to call usual
MIN_ROWS = 10


_ENGINE_DOC = engine_params_doc(batch_size=128, max_epochs=20)


class AutoEncoderOutlierDetector(OutlierMixin, BaseDeepEstimator):
    __doc__ = f"""Outlier detector: the reconstruction error of a bagged ensemble of autoencoders.

    ``n_estimators`` small autoencoders are trained at once (one batched
    network, one run of the engine), each from its own initialisation and with
    its own bootstrap weights of a random subsample of ``max_samples`` rows,
    sees and reconstructs its own random ``max_features`` share of the
    columns (feature bagging, as the trees of an isolation forest see
    different columns), and keeps its own random ``connection_keep`` share of
    its connections. Each member ignores the ``trim_fraction`` worst-reconstructed rows of every
    mini-batch, so the rare rows do not pull the fit towards themselves. A
    sample's outlier score is its squared reconstruction error (Huber's with
    ``score_error="huber"``) on scaled columns, averaged over each member's columns, divided by the member's
    typical training error and averaged over members, plus ``neighbor_weight``
    times the squared distance of its code to the ``n_neighbors``-th nearest
    code of the training rows (also divided by each member's typical such
    distance and averaged over members). Reconstruction error alone misses
    outliers that lie between clusters of inliers, on the stretch of the code
    manifold that joins them; the distance in code space flags them. The API is
    scikit-learn's (as :class:`~sklearn.ensemble.IsolationForest`).

    Parameters
    ----------
    encoder_layer_sizes : "auto" or tuple of int, default="auto"
        Hidden layers of each member's encoder; "auto" is one layer of
        ``min(64, max(8, 2 * n_inputs))`` units.
    code_size : int, default=2
        Code units per member. A narrow code and short training keep the members
        from reconstructing the rare rows too (see Notes).
    n_estimators : int, default=16
        Number of autoencoders in the ensemble.
    max_samples : "auto", int or float, default="auto"
        Rows per epoch: an int, a share of the rows, or "auto" for
        ``min(2048, max(n_samples, 1024))``. They are drawn without replacement
        from larger tables; smaller tables are repeated up to this size, so an
        epoch is ``max_samples / batch_size`` steps whatever the table's size.
    contamination : "auto" or float, default="auto"
        Expected share of outliers; sets ``offset_`` at that percentile of the
        training scores. "auto" flags training errors beyond Tukey's fence
        (third quartile plus 1.5 interquartile ranges), a boxplot rule that
        flags more rows than there are outliers when the errors are skewed.
    trim_fraction : float in [0, 1), default=0.15
        Share of each mini-batch, per member, with the largest reconstruction
        errors that is left out of the loss (0 trains on every row).
    scaling : {{"standard", "robust"}}, default="standard"
        Column scaling before the autoencoders. ``"standard"``: mean and
        standard deviation. ``"robust"``: centred on the median and divided by
        the normal-consistent MAD (1.4826 x median absolute deviation), so
        outliers cannot inflate the scale that hides them, kept between 0.1
        and 1 standard deviation (a MAD near zero would scale the column's
        other values up to thousands; a column with two modes has a MAD above
        its standard deviation). A column whose MAD is zero (more than half
        its rows at one value: a blank pixel, a rare flag) keeps its standard
        deviation. Constant columns get scale 1.
    n_neighbors : int, default=20
        Which nearest training code measures a sample's distance in code space
        (its ``n_neighbors``-th nearest among at most 2048 training rows, itself
        included when it is one of them); 0 scores by reconstruction error alone.
    neighbor_weight : float, default=0.25
        Weight of the squared code-space distance beside the reconstruction
        error, both in units of their typical training values.
    max_features : int or float, default=0.75
        Columns each member sees and reconstructs (feature bagging): a count,
        or a share of the columns (rounded), at least ``code_size + 1``; every
        member draws its own from ``random_state``. The member's other columns
        are set to 0 (their centre) on its input, and its error is the mean
        over its own columns. 1.0: every member sees every column.
    connection_keep : float in (0, 1], default=1.0
        Share of each member's connections kept: every weight of every layer
        is kept with this probability by a fixed random mask drawn from
        ``random_state`` (randomly dropped connections, as in Chen et al.'s
        RandNet), so the members differ in structure too. 1.0 keeps them all.
    score_error : {{"squared", "huber"}}, default="squared"
        How a reconstructed cell's error counts in the score (training always
        minimises the squared error). ``"huber"``: squared up to one scaled
        unit, linear beyond, so a single heavy-tailed column cannot decide a
        row; it ranks outliers that differ a little in many columns higher (the
        mean average precision of the benchmark suites rises, see Notes) and
        outliers in one column only lower.
    activation : {{"relu", "sigmoid", "tanh", "leaky_relu", "gelu"}}, default="tanh"
    dropout : float, default=0.0
        Drop rate after each hidden layer during training.
    {_ENGINE_DOC}

    Attributes
    ----------
    module_ : torch.nn.Module
        The batched ensemble (``module_.member_scale`` holds each member's
        typical training error, ``module_.feature_mask`` its 0/1 columns,
        ``module_.layers[i].mask`` the kept connections when ``connection_keep < 1``).
    offset_ : float
        ``decision_function = score_samples - offset_``.
    mean_, scale_ : ndarray of shape (n_inputs,)
        Column centre and scale (mean and standard deviation, or median and
        bounded MAD with ``scaling="robust"``; constant columns keep scale 1).
    reference_codes_ : ndarray of shape (n_estimators, n_reference, code_size)
        Each member's codes of the training rows that code-space distances are
        measured to (absent when ``n_neighbors=0``).
    neighbor_scale_ : ndarray of shape (n_estimators,)
        Each member's median code-space distance of those rows.
    history_ : deepmine.nn.History
    n_features_in_ : int
    feature_names_in_ : ndarray of str
    n_inputs_ : int
    n_iter_ : int
    device_ : torch.device

    See Also
    --------
    sklearn.ensemble.IsolationForest
    AutoEncoder

    Notes
    -----
    {NOTES}

    Examples
    --------
    >>> import numpy as np
    >>> from deepmine.autoencoders import AutoEncoderOutlierDetector
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.normal(size=(200, 2)) @ [[1, 1], [0, .2]], [[3, -3]]]
    >>> det = AutoEncoderOutlierDetector(max_epochs=20, random_state=0).fit(X)
    >>> int(np.argmin(det.score_samples(X)))
    200
    >>> det.predict(X[-1:])
    array([-1])
    """

    _warn_convergence = False  # the short training is the design (Notes), not a lapse

    _parameter_constraints = {
        **BaseDeepEstimator._parameter_constraints,
        "encoder_layer_sizes": [StrOptions({"auto"}), tuple, list],
        "code_size": [Interval(Integral, 1, None, closed="left")],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "max_samples": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left"),
                        Interval(Real, 0, 1, closed="right")],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "trim_fraction": [Interval(Real, 0, 1, closed="left")],
        "scaling": [StrOptions({"standard", "robust"})],
        "n_neighbors": [Interval(Integral, 0, None, closed="left")],
        "neighbor_weight": [Interval(Real, 0, None, closed="left")],
        "max_features": [Interval(Integral, 1, None, closed="left"),
                         Interval(Real, 0, 1, closed="right")],
        "connection_keep": [Interval(Real, 0, 1, closed="right")],
        "score_error": [StrOptions({"squared", "huber"})],
    }

    def __init__(self, encoder_layer_sizes="auto", *, code_size=2, n_estimators=16,
                 max_samples="auto", contamination="auto", activation="tanh", dropout=0.0,
                 trim_fraction=0.15, scaling="standard", n_neighbors=20, neighbor_weight=0.25,
                 max_features=0.75, connection_keep=1.0, score_error="squared", optimizer="adam",
                 learning_rate=None,
                 momentum=0.9, weight_decay=0.0, lr_schedule="constant", batch_size=128,
                 max_epochs=20, early_stopping=False, validation_fraction=None, patience=10,
                 tol=1e-4, callbacks=None, device="auto", random_state=None, verbose=0,
                 warm_start=False, devices="auto", strategy=None, precision="32"):
        store_params(self, locals())

    # ---- engine hooks --------------------------------------------------------------------
    def _sizes(self):
        d = self.n_inputs_
        hidden = ((min(64, max(8, 2 * d)),) if self.encoder_layer_sizes == "auto"
                  else tuple(self.encoder_layer_sizes))
        return hidden, self.code_size

    def _validate_fit(self, X, y, reset, context=None):
        X = check_table(self, X, reset=reset)
        if reset:
            self.mean_, self.scale_ = (detector_robust_scaler(X) if self.scaling == "robust"
                                       else fit_scaler(X, True))
        n = X.shape[0]
        rows, weights = draw_rows(n, self.max_samples, self.n_estimators,
                                  check_random_state(self.random_state))
        sw = getattr(context, "sample_weight", None)
        if sw is not None:  # a weight scales the row's bootstrap weights in every member
            from deepmine.nn._fitdata import check_sample_weight

            weights *= check_sample_weight(sw, n)[rows, None]
        return self._scale(X[rows]), weights

    def _validate_predict(self, X):
        return self._scale(check_table(self, X, reset=False))

    def _scale(self, X):
        return ((X - self.mean_) / self.scale_).astype(np.float32)

    def _build_module(self, context=None):
        hidden, code = self._sizes()
        feature_mask, masks = draw_masks(self.n_inputs_, hidden, code, self.n_estimators,
                                         self.max_features, self.connection_keep,
                                         self.random_state)
        return EnsembleAutoEncoderNet(self.n_inputs_, hidden, code, self.n_estimators,
                                      activation=self.activation, dropout=self.dropout,
                                      feature_mask=feature_mask, connection_masks=masks)

    def _compute_loss(self, module, batch):
        X, W = batch  # (B, d), (B, K) bootstrap weights
        err = ((module(X) - X) ** 2 * module.column_weights().unsqueeze(1)).mean(dim=2)  # (K, B)
        W = W.T
        if self.trim_fraction > 0:  # each member drops its worst-reconstructed rows of the batch
            keep = int((1.0 - self.trim_fraction) * (err.shape[1] - 1)) + 1
            worst = err.detach().kthvalue(keep, dim=1, keepdim=True).values
            W = W * (err.detach() <= worst)
        return (err * W).mean()

    def _forward(self, module, X):
        # In float64 (where the device has it, not on MPS), so that a row's score does not
        # depend on the rows scored with it.
        dtype = torch.float32 if X.device.type == "mps" else torch.float64
        state = {k: v.to(dtype) for k, v in [*module.named_parameters(), *module.named_buffers()]}
        X = X.to(dtype)
        recon = torch.func.functional_call(module, state, (X,))
        err = module.scaled_errors(recon, X, state["member_scale"], self.score_error)
        return err.mean(dim=0)  # (N, d): per-feature error, averaged over members

    # ---- fit and scores ------------------------------------------------------------------
    def fit(self, X, y=None, sample_weight=None):
        """Train the ensemble on ``X`` (unlabelled) and set ``offset_``; returns self.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weight of each row in the reconstruction loss (it multiplies the row's
            bootstrap weights); 0 leaves the row out of training. ``offset_`` is
            the unweighted percentile of the training scores.

        Returns
        -------
        self
        """
        self._fit(X, None, partial=False, context=FitContext(sample_weight=sample_weight))
        module = self.module_
        Xs = torch.as_tensor(self._validate_predict(X)[:SCALE_ROWS], device=self.device_)
        with torch.no_grad():
            module.member_scale.fill_(1.0)
            typical = module.errors(Xs, self.score_error).mean(dim=2).median(dim=1).values  # (K,)
            module.member_scale.copy_(typical.clamp_min(1e-6))
        if self.n_neighbors:
            self.reference_codes_, self.neighbor_scale_ = fit_reference(
                module, self._validate_predict(X), self.n_neighbors, self.random_state)
        scores = self.score_samples(X)
        if self.contamination == "auto":
            q1, q3 = np.percentile(-scores, [25, 75])
            self.offset_ = float(-(q3 + 1.5 * (q3 - q1)))
        else:
            self.offset_ = float(np.percentile(scores, 100.0 * self.contamination))
        return self

    def _errors(self, X):
        return self._predict_raw(X).astype(np.float64)

    def score_samples(self, X):
        """Normality of each sample: minus its mean reconstruction error (higher = more normal).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        scores = -self._errors(X).mean(axis=1)
        if self.n_neighbors and self.neighbor_weight:
            codes = member_codes(self.module_, self._validate_predict(X))
            dist = neighbor_distances(self.reference_codes_, self.neighbor_scale_, codes,
                                      self.n_neighbors)
            scores -= self.neighbor_weight * (dist**2).mean(axis=0)
        return scores

    def decision_function(self, X):
        """``score_samples(X) - offset_``: negative for outliers.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "offset_")
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """+1 for inliers, -1 for outliers.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return np.where(self.decision_function(X) < 0, -1, 1)

    def explain(self, X):
        """Each sample's share of its reconstruction error per input column.

        One-hot columns of a DataFrame's text columns are summed back into their
        column, so the shares refer to the user's columns and each row sums to 1.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        pandas.DataFrame of shape (n_samples, n_features)
            Columns named as ``feature_names_in_`` (``x0, x1, ...`` for arrays),
            index as ``X``'s when it is a DataFrame.
        """
        import pandas as pd

        err = self._errors(X)
        encoder = getattr(self, "encoder_", None)
        if encoder is not None:
            groups = np.repeat(np.arange(len(encoder.columns_)),
                               [max(1, len(c)) if k == "cat" else 1
                                for k, c in zip(encoder.kinds_, encoder.categories_)])
            summed = np.zeros((len(err), len(encoder.columns_)))
            np.add.at(summed.T, groups, err.T)
            err = summed
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = [f"x{i}" for i in range(err.shape[1])]
        total = err.sum(axis=1, keepdims=True)
        share = np.divide(err, total, out=np.full_like(err, 1.0 / err.shape[1]), where=total > 0)
        index = X.index if isinstance(X, pd.DataFrame) else None
        return pd.DataFrame(share, columns=list(names), index=index)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "outlier_detector"
        return tags
