"""Numeric columns are standardized inside the table estimators; 0/1 columns stay 0/1."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

import deepmine
from deepmine.tabular import MLPClassifier, MLPRegressor, Perceptron


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


def _mixed(n=120, seed=0):
    rng = np.random.RandomState(seed)
    return pd.DataFrame({
        "income": rng.normal(50_000, 10_000, n),
        "age": rng.randint(18, 90, n).astype(float),
        "flag": rng.randint(0, 2, n),
        "const": np.full(n, 7.0),
        "member": rng.rand(n) > 0.5,
        "city": rng.choice(["a", "b"], n),
    })


def test_statistics_are_learned_per_column_and_01_columns_are_kept():
    """mean_/scale_ are the columns' mean and std; 0/1, boolean, one-hot and constant columns stay put."""
    df = _mixed()
    y = (df["income"] > 50_000).astype(int)
    clf = MLPClassifier((4,), max_epochs=1, random_state=0).fit(df, y)
    # encoded columns: income, age, flag, const, member, city=a, city=b
    np.testing.assert_allclose(clf.mean_[:2], [df["income"].mean(), df["age"].mean()])
    np.testing.assert_allclose(clf.scale_[:2], [df["income"].std(ddof=0), df["age"].std(ddof=0)])
    assert clf.mean_[2:].tolist() == [0.0, 7.0, 0.0, 0.0, 0.0]
    assert clf.scale_[2:].tolist() == [1.0] * 5
    assert np.isfinite(clf.predict_proba(df)).all()


def test_scaling_fixes_badly_scaled_columns(cancer):
    """On breast cancer's raw columns (0.001 to 4000) the default beats the unscaled network."""
    Xtr, Xte, ytr, yte = cancer
    scaled = MLPClassifier((32,), max_epochs=30, random_state=0).fit(Xtr, ytr)
    raw = MLPClassifier((32,), max_epochs=30, random_state=0, scale=False).fit(Xtr, ytr)
    assert scaled.score(Xte, yte) > 0.95
    assert scaled.score(Xte, yte) > raw.score(Xte, yte) + 0.02
    assert raw.mean_ is None and not isinstance(raw.module_[0], type(scaled.module_[0]))


def test_module_takes_raw_columns_and_arrays_equal_frames(cancer):
    """module_ standardizes itself (raw X in); a NumPy array and a DataFrame give the same model."""
    Xtr, _, ytr, _ = cancer
    clf = MLPClassifier((8,), max_epochs=3, random_state=0).fit(Xtr, ytr)
    with torch.no_grad():
        logits = clf.module_(torch.as_tensor(Xtr, dtype=torch.float32)).double()
    np.testing.assert_allclose(torch.softmax(logits, 1).numpy(), clf.predict_proba(Xtr), atol=1e-6)
    frame = MLPClassifier((8,), max_epochs=3, random_state=0).fit(pd.DataFrame(Xtr), ytr)
    np.testing.assert_array_equal(frame.predict_proba(Xtr), clf.predict_proba(Xtr))


def test_coefs_act_on_raw_columns():
    """coefs_/intercepts_ have the scaling folded in: a NumPy forward pass on raw X reproduces predict."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3)) * [1, 100, 1e4] + [0, 50, 1e5]
    y = X @ [1.0, 0.02, 1e-4]
    reg = MLPRegressor((8,), max_epochs=5, random_state=0).fit(X, y)
    W, b = reg.coefs_, reg.intercepts_
    out = np.maximum(X @ W[0] + b[0], 0) @ W[1] + b[1]
    np.testing.assert_allclose(out.ravel() * reg.y_scale_ + reg.y_mean_, reg.predict(X),
                               rtol=1e-4, atol=1e-4 * np.abs(y).max())


def test_scaling_is_saved_and_loaded(tmp_path):
    """save()/deepmine.load keep mean_/scale_ and the predictions, for a DataFrame and for scale=False."""
    df = _mixed()
    y = df["age"] * 2 + df["flag"]
    for reg in (MLPRegressor((4,), max_epochs=2, random_state=0).fit(df, y),
                MLPRegressor((4,), max_epochs=2, random_state=0, scale=False).fit(df.values[:, :4], y)):
        X = df if reg.scale else df.values[:, :4]
        reg.save(tmp_path / "m.dm")
        loaded = deepmine.load(tmp_path / "m.dm")
        np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
        if reg.scale:
            np.testing.assert_array_equal(loaded.mean_, reg.mean_)
            np.testing.assert_array_equal(loaded.scale_, reg.scale_)
        else:
            assert loaded.mean_ is None
    p = Perceptron(max_epochs=3, random_state=0).fit(df, df["flag"])
    p.save(tmp_path / "p.dm")
    loaded = deepmine.load(tmp_path / "p.dm")
    np.testing.assert_array_equal(loaded.decision_function(df), p.decision_function(df))
    np.testing.assert_array_equal(loaded.coef_, p.coef_)


def test_perceptron_decision_function_is_the_net_input(cancer):
    """decision_function is X @ coef_.T + intercept_ (raw units), and its sign is the prediction."""
    Xtr, Xte, ytr, yte = cancer
    p = Perceptron(random_state=0, max_epochs=5).fit(Xtr, ytr)
    net = Xte @ p.coef_.T.astype(np.float64) + p.intercept_
    d = p.decision_function(Xte)
    assert d.shape == (len(Xte),)
    np.testing.assert_allclose(d, net.ravel(), rtol=1e-4, atol=1e-3 * np.abs(net).max())
    np.testing.assert_array_equal(p.predict(Xte), p.classes_[(d >= 0).astype(int)])
    # above the majority class (0.63) on held-out rows
    assert p.score(Xte, yte) > 0.9


def test_perceptron_keeps_integer_weights_on_yes_no_columns():
    """The README's credit table: yes/no columns are not scaled, so the rule gives [[1 1 1]] [-2]."""
    df = deepmine.datasets.load_credit()
    X, y = df[["Employed", "Owns House", "Balanced Account"]], df["Get Credit"]
    p = Perceptron(random_state=0).fit(X, y)
    assert p.coef_.tolist() == [[1.0, 1.0, 1.0]] and p.intercept_.tolist() == [-2.0]
    np.testing.assert_array_equal(p.decision_function(X), X.eq("yes").sum(axis=1).to_numpy() - 2.0)
