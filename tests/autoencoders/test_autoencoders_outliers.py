"""AutoEncoderOutlierDetector: scores, thresholds, explanations, degenerate input."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from deepmine.autoencoders import AutoEncoderOutlierDetector


def _planted(n=300, n_out=15, seed=0):
    """Inliers near a 2-D plane in 6-D; outliers are inliers with column 3 pushed far off the plane."""
    rng = np.random.RandomState(seed)
    Z = rng.normal(size=(n, 2))
    A = rng.normal(size=(2, 6))
    X = Z @ A + 0.05 * rng.normal(size=(n, 6))
    y = np.zeros(n, dtype=int)
    out = rng.choice(n, n_out, replace=False)
    X[out, 3] += rng.choice([-1, 1], n_out) * 4 * X[:, 3].std()
    y[out] = 1
    return X, y


def _det(**kw):
    return AutoEncoderOutlierDetector(**{"max_epochs": 20, "max_samples": 512, "device": "cpu", "random_state": 0, **kw})


def test_planted_outliers_rank_first_and_are_explained():
    """Planted outliers get the lowest scores and are flagged, and explain() blames the perturbed column."""
    X, y = _planted()
    det = _det(max_samples="auto").fit(X)
    assert roc_auc_score(y, -det.score_samples(X)) > 0.95
    shares = det.explain(X[y == 1])
    assert list(shares.columns) == [f"x{i}" for i in range(6)]
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert (shares.idxmax(axis=1) == "x3").mean() >= 0.8
    flagged = det.predict(X) == -1  # contamination="auto": Tukey's fence on the errors
    assert flagged[y == 1].all() and flagged.mean() < 0.25


def test_contamination_sets_the_threshold():
    """A float contamination flags that share of the training rows; decision = score - offset_."""
    X, y = _planted()
    det = _det(contamination=0.1).fit(X)
    pred = det.predict(X)
    assert set(np.unique(pred)) == {-1, 1}
    assert abs((pred == -1).mean() - 0.1) < 0.01
    np.testing.assert_allclose(det.decision_function(X), det.score_samples(X) - det.offset_)


def test_constant_and_integer_columns_do_not_break_scores():
    """Constant columns and integer data give finite scores and still rank the outliers."""
    X, y = _planted()
    X = np.c_[np.round(X * 10).astype(np.int16), np.zeros(len(X), np.int16), np.full(len(X), 7)]
    det = _det().fit(X)
    scores = det.score_samples(X)
    assert np.isfinite(scores).all()
    assert roc_auc_score(y, -scores) > 0.9


def test_dataframe_explain_uses_user_columns():
    """With a DataFrame, explain() names the user's columns (one-hot columns summed) and keeps the index."""
    X, y = _planted(120, 6)
    rng = np.random.RandomState(1)
    df = pd.DataFrame(X, columns=list("abcdef"), index=np.arange(1000, 1120))
    df["kind"] = rng.choice(["u", "v", "w"], len(df))
    det = _det(max_epochs=5).fit(df)
    shares = det.explain(df.iloc[:5])
    assert list(shares.columns) == [*"abcdef", "kind"]
    assert list(shares.index) == list(range(1000, 1005))
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)


def test_members_differ_and_are_reproducible():
    """The members start and train differently; a fixed seed gives identical scores, also after pickling."""
    X, _ = _planted(100, 5)
    a, b = _det(max_epochs=3).fit(X), _det(max_epochs=3).fit(X)
    np.testing.assert_array_equal(a.score_samples(X), b.score_samples(X))
    w = a.module_.layers[0].weight.detach()
    assert not np.allclose(w[0].numpy(), w[1].numpy())
    assert (a.module_.member_scale > 0).all()
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.score_samples(X), a.score_samples(X))


def test_bootstrap_weights_select_rows_per_member():
    """A member's loss ignores rows whose bootstrap weight is zero."""
    import torch

    det = _det(n_estimators=2, max_epochs=1, trim_fraction=0.0).fit(_planted(50, 2)[0])
    X = torch.randn(4, 6)
    W = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    X2 = X.clone()
    X2[2:] += 100.0  # only member 1 sees these rows
    err0 = lambda Xb: ((det.module_(Xb) - Xb) ** 2).mean(2)[0, :2]  # noqa: E731
    torch.testing.assert_close(err0(X), err0(X2))
    assert det._compute_loss(det.module_, (X2, W)) > det._compute_loss(det.module_, (X, W))


def test_trimmed_loss_leaves_out_each_members_worst_rows():
    """With trim_fraction=0.25 on 4 rows, each member's loss is the mean error of its 3 best rows."""
    import torch

    det = _det(n_estimators=2, max_epochs=1, trim_fraction=0.25, max_features=1.0).fit(_planted(50, 2)[0])
    X = torch.randn(4, 6)
    X[0] += 50.0  # by far the worst row of both members
    W = torch.ones(4, 2)
    err = ((det.module_(X) - X) ** 2).mean(2)  # (members, rows)
    kept = err.sort(dim=1).values[:, :3]
    torch.testing.assert_close(det._compute_loss(det.module_, (X, W)), kept.sum() / err.numel())


def _clustered(n=400, n_out=40, seed=0):
    """Inliers near a plane in 6-D, and a tight cluster of 10% outliers off it (easy to learn)."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2)) @ rng.normal(size=(2, 6)) + 0.05 * rng.normal(size=(n, 6))
    y = np.zeros(n, dtype=int)
    out = rng.choice(n, n_out, replace=False)
    X[out] = 2 * rng.normal(size=6) + 0.05 * rng.normal(size=(n_out, 6))
    y[out] = 1
    return X, y


def test_trimming_keeps_a_cluster_of_outliers_unlearned():
    """A frequent, tight cluster of outliers is ranked better with the trimmed loss than by a plain fit.

    Measured on the reconstruction error alone (n_neighbors=0): the cluster has
    more rows than ``n_neighbors``, so its codes are each other's neighbours and
    the code-space distance does not flag it; the default score still ranks it.
    """
    for seed in (0, 1):
        X, y = _clustered(seed=seed)
        plain = _det(trim_fraction=0.0, n_neighbors=0).fit(X)
        trimmed = _det(n_neighbors=0).fit(X)
        auc_plain = roc_auc_score(y, -plain.score_samples(X))
        auc_trimmed = roc_auc_score(y, -trimmed.score_samples(X))
        assert auc_trimmed > auc_plain + 0.01 and auc_trimmed > 0.93
        assert roc_auc_score(y, -_det().fit(X).score_samples(X)) > 0.9


def test_robust_scaling_resists_extreme_rows_within_its_floor():
    """Median/MAD scaling is not inflated by 5% huge rows beyond its floor of 0.1 x the std;
    a zero-MAD column keeps its std, and a two-mode column is never scaled wider than its std."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 4))
    X[:20, 0] = 1e4
    X[:, 2] = np.r_[np.ones(20), np.zeros(380)]  # zero MAD: the std
    X[:, 3] = np.r_[rng.normal(-3, 0.1, 200), rng.normal(3, 0.1, 200)]  # MAD above the std
    robust = _det(max_epochs=1, scaling="robust").fit(X)
    standard = _det(max_epochs=1).fit(X)
    assert standard.scale_[0] == pytest.approx(X[:, 0].std(), rel=1e-6)
    assert robust.scale_[0] == pytest.approx(0.1 * X[:, 0].std(), rel=1e-6)
    assert robust.scale_[2] == pytest.approx(X[:, 2].std(), rel=1e-6)
    assert robust.scale_[3] == pytest.approx(X[:, 3].std(), rel=1e-6)
    assert robust.mean_[0] == pytest.approx(np.median(X[:, 0]), rel=1e-5)
    X[:, 0] = rng.normal(size=400)  # no extreme rows: the MAD itself, about the std
    assert 0.85 < _det(max_epochs=1, scaling="robust").fit(X).scale_[0] < 1.15


def test_robust_scaling_bounds_columns_whose_mad_is_nearly_zero():
    """A mostly-blank column with a MAD near zero (not zero) is not scaled up to huge values.

    Its scaled values stay within 10 x (|standard z| + 1), as |median - mean| <= std.
    """
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    X[:, 1] = np.where(rng.rand(300) < 0.7, 1e-9 * rng.rand(300), rng.uniform(1, 16, 300))
    det = _det(max_epochs=1, scaling="robust").fit(X)
    z = np.abs(det._scale(X))
    z_std = np.abs((X - X.mean(0)) / X.std(0))
    assert (z[:, 1] <= 10 * (z_std[:, 1] + 1) + 1e-4).all() and z[:, 1].max() < 100
    assert np.isfinite(det.score_samples(X)).all()


def _flags(seed):
    """Inliers near a 2-D plane in 4-D, 15 pushed off it in column 1, beside 4 independent
    flag columns that are 0 in 80% of the rows (zero MAD) and 1-5 otherwise."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(300, 2)) @ rng.normal(size=(2, 4)) + 0.05 * rng.normal(size=(300, 4))
    flags = np.where(rng.rand(300, 4) < 0.8, 0.0, rng.uniform(1, 5, (300, 4)))
    y = np.zeros(300, int)
    out = rng.choice(300, 15, replace=False)
    y[out] = 1
    X[out, 1] += rng.choice([-1, 1], 15) * 3 * X[:, 1].std()
    return np.c_[X, flags], y


def test_robust_scaling_does_not_weigh_up_mostly_zero_columns():
    """With zero-MAD flag columns kept at their std, robust scaling still finds the outliers
    (a 0.1 x std floor on those columns weighed their rare values tenfold: ROC-AUC 0.63 and 0.65)."""
    for seed in (0, 1):
        X, y = _flags(seed)
        det = _det(scaling="robust").fit(X)
        np.testing.assert_allclose(det.scale_[4:], X[:, 4:].std(axis=0), rtol=1e-6)
        assert roc_auc_score(y, -det.score_samples(X)) > 0.75


def test_documented_defaults_match_the_signature():
    """Every parameter is documented with the default it has."""
    import ast
    import inspect
    import re

    doc = AutoEncoderOutlierDetector.__doc__
    for name, param in inspect.signature(AutoEncoderOutlierDetector).parameters.items():
        found = re.search(rf"^\s*{name} : .*default=(.+)$", doc, re.M)
        assert found, f"{name} is not documented with its default"
        assert ast.literal_eval(found.group(1).strip()) == param.default, name


def test_bad_contamination_is_a_clear_error():
    """contamination outside (0, 0.5] names the parameter."""
    with pytest.raises(ValueError, match="contamination"):
        _det(contamination=0.7).fit(_planted(30, 2)[0])


def _between(seed=0):
    """Two tight clusters of inliers in 4-D and a few outliers halfway between them."""
    rng = np.random.RandomState(seed)
    centre = rng.normal(size=4) * 3
    X = np.r_[rng.normal(size=(100, 4)) * 0.3 + centre, rng.normal(size=(100, 4)) * 0.3 - centre,
              rng.normal(size=(6, 4)) * 0.3]
    return X, np.r_[np.zeros(200, int), np.ones(6, int)]


def test_code_space_distance_flags_outliers_between_clusters():
    """Rows between two inlier clusters: the default score (with the code-space distance)
    ranks them first; reconstruction error alone (n_neighbors=0) does much worse."""
    for seed in (0, 1):
        X, y = _between(seed)
        default = _det(random_state=seed).fit(X)
        recon = _det(random_state=seed, n_neighbors=0).fit(X)
        auc_default = roc_auc_score(y, -default.score_samples(X))
        auc_recon = roc_auc_score(y, -recon.score_samples(X))
        assert auc_default > 0.95 and auc_default > auc_recon + 0.1, (auc_default, auc_recon)
        assert default.reference_codes_.shape == (default.n_estimators, 206, 2)


def test_scores_of_new_rows_match_scores_of_the_same_rows_in_training():
    """score_samples is a function of each row alone: scoring rows one by one or all at once agrees."""
    X, _ = _between()
    det = _det(max_epochs=3).fit(X)
    np.testing.assert_allclose(np.r_[[det.score_samples(X[i:i + 1])[0] for i in (0, 150, 205)]],
                               det.score_samples(X)[[0, 150, 205]], rtol=1e-10)


def test_default_short_training_does_not_warn_about_convergence():
    """The default 20 epochs are short by design: fitting them raises no ConvergenceWarning."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    X, _ = _planted(120, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        AutoEncoderOutlierDetector(max_samples=256, device="cpu", random_state=0).fit(X)


def test_column_subsets_are_drawn_from_random_state():
    """Each member sees its own max_features share of the columns; a seed fixes the subsets."""
    X, _ = _planted(120, 5)  # 6 columns
    a, b, c = (_det(max_features=0.5, max_epochs=1, random_state=s).fit(X) for s in (0, 0, 1))
    masks = a.module_.feature_mask.numpy()
    assert masks.shape == (a.n_estimators, 6) and set(np.unique(masks)) == {0.0, 1.0}
    assert (masks.sum(axis=1) == 3).all() and len({tuple(m) for m in masks}) > 1
    np.testing.assert_array_equal(masks, b.module_.feature_mask.numpy())
    np.testing.assert_array_equal(a.score_samples(X), b.score_samples(X))
    assert not np.array_equal(masks, c.module_.feature_mask.numpy())
    assert (_det(max_features=1.0, max_epochs=1).fit(X).module_.feature_mask == 1).all()
    assert (_det(max_features=2, code_size=2, max_epochs=1).fit(X).module_.feature_mask.sum(1) == 3).all()


def test_dropped_connections_are_fixed_per_member_and_reproducible():
    """connection_keep masks every layer's weights; a seed fixes the masks; 1.0 keeps all."""
    X, _ = _planted(120, 5)
    a, b = (_det(connection_keep=0.5, max_epochs=1).fit(X) for _ in range(2))
    masks = [m.mask.numpy() for m in a.module_.layers if hasattr(m, "mask")]
    assert len(masks) == 4 and 0.4 < np.mean(np.concatenate([m.ravel() for m in masks])) < 0.6
    np.testing.assert_array_equal(masks[0], b.module_.layers[0].mask.numpy())
    assert not np.array_equal(masks[0][0], masks[0][1])  # each member its own
    full = _det(connection_keep=1.0, max_epochs=1).fit(X)
    assert not any(hasattr(m, "mask") for m in full.module_.layers)


def test_a_member_ignores_the_columns_it_does_not_see():
    """A member's reconstruction and error do not change with a column outside its subset."""
    import torch

    det = _det(max_features=0.5, n_estimators=2, max_epochs=1).fit(_planted(60, 2)[0])
    mask = det.module_.feature_mask
    hidden = int(np.flatnonzero(mask[0].numpy() == 0)[0])
    X = torch.randn(5, 6)
    X2 = X.clone()
    X2[:, hidden] += 50.0
    with torch.no_grad():
        torch.testing.assert_close(det.module_.errors(X)[0], det.module_.errors(X2)[0])
        torch.testing.assert_close(det.module_(X)[0], det.module_(X2)[0])


def test_outlier_in_a_few_of_many_columns_is_flagged_with_column_subsets():
    """Rows off the inliers' plane in 2 of 24 columns rank first with the default column subsets."""
    rng = np.random.RandomState(0)
    n, d = 300, 24
    X = rng.normal(size=(n, 2)) @ rng.normal(size=(2, d)) + 0.1 * rng.normal(size=(n, d))
    out = rng.choice(n, 10, replace=False)
    X[np.ix_(out, [4, 17])] += 3.0 * X[:, [4, 17]].std(axis=0)
    y = np.isin(np.arange(n), out).astype(int)
    det = AutoEncoderOutlierDetector(random_state=0, device="cpu").fit(X)
    assert det.module_.feature_mask.sum(1).max() < d  # the default draws subsets
    assert roc_auc_score(y, -det.score_samples(X)) > 0.95


def test_huber_score_error_ranks_other_digits_above_inliers_with_one_odd_pixel():
    """On one digit with 5% other digits, Huber's error lifts the average precision and
    keeps the ROC-AUC, and below one scaled unit it equals the squared error."""
    import math

    import torch
    from sklearn.datasets import load_digits
    from sklearn.metrics import average_precision_score, roc_auc_score

    from deepmine.autoencoders._ensemble import cell_errors

    X, t = load_digits(return_X_y=True)
    rng = np.random.RandomState(3)
    inl = np.flatnonzero(t == 3)
    out = rng.choice(np.flatnonzero(t != 3), math.ceil(len(inl) / 19), replace=False)
    X, y = X[np.r_[inl, out]], np.r_[np.zeros(len(inl)), np.ones(len(out))]
    got = {}
    for kind in ("squared", "huber"):
        s = -AutoEncoderOutlierDetector(score_error=kind, random_state=0,
                                        device="cpu").fit(X).score_samples(X)
        got[kind] = roc_auc_score(y, s), average_precision_score(y, s)
    assert got["huber"][1] > got["squared"][1] + 0.08      # 0.76 against 0.61
    assert got["huber"][0] >= got["squared"][0]
    e = torch.tensor([-0.9, 0.3, 2.0])
    torch.testing.assert_close(cell_errors(e, torch.zeros(3), "huber"), torch.tensor([0.81, 0.09, 3.0]))
