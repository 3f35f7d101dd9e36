"""MLPs on tables: pandas input, class weights, regression, sklearn tooling, persistence."""

import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import deepmine
from deepmine.exceptions import DataError, ModelFileError
from deepmine.tabular import MLPClassifier, MLPRegressor


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def test_digits_accuracy(digits):
    """An MLP reaches scikit-learn's held-out accuracy (about 0.90) on the later writers of the digits."""
    X, y = digits
    clf = MLPClassifier((64,), max_epochs=30, random_state=0).fit(X[:1400], y[:1400])
    assert clf.score(X[1400:], y[1400:]) > 0.88


def test_mixed_dataframe_with_unseen_category():
    """Numeric, boolean, category and yes/no columns work; unseen categories do not crash."""
    rng = np.random.RandomState(0)
    n = 300
    df = pd.DataFrame({
        "income": rng.normal(size=n),
        "member": rng.rand(n) > 0.5,
        "city": pd.Categorical(rng.choice(["a", "b", "c"], n)),
        "owns_house": rng.choice(["yes", "no"], n),
    })
    y = ((df["income"] > 0) ^ (df["owns_house"] == "yes")).map({True: "good", False: "bad"})
    clf = MLPClassifier((32,), max_epochs=60, learning_rate=0.01, random_state=0).fit(df, y)
    assert clf.score(df, y) > 0.9
    assert list(clf.feature_names_in_) == ["income", "member", "city", "owns_house"]
    new = df.head(3).copy()
    new["city"] = pd.Categorical(["zzz", "a", "b"])
    assert clf.predict(new).shape == (3,)
    with pytest.raises(DataError, match="missing"):
        clf.predict(df.drop(columns=["city"]))


def test_nan_input_gives_clear_error():
    """NaN cells are refused with their column and rows, in arrays, DataFrames and targets."""
    from deepmine.exceptions import DataError

    X = np.ones((10, 2))
    X[3, 1] = X[7, 1] = np.nan
    with pytest.raises(DataError, match=r"Column 1 has missing \(NaN\).*rows \[3, 7\]"):
        MLPClassifier(max_epochs=1).fit(X, [0, 1] * 5)
    with pytest.raises(DataError, match=r"Column 'b' has missing \(NaN\).*rows \[3, 7\]"):
        MLPClassifier(max_epochs=1).fit(pd.DataFrame(X, columns=["a", "b"]), [0, 1] * 5)
    with pytest.raises(DataError, match=r"Input y contains NaN: 1 missing value\(s\) \(rows \[2\]\)"):
        MLPClassifier(max_epochs=1).fit(np.ones((4, 2)), ["a", "b", None, "a"])
    with pytest.raises(DataError, match=r"Input y contains NaN.*rows \[0\]"):
        MLPRegressor(max_epochs=1).fit(np.ones((4, 2)), [np.nan, 1.0, 2.0, 3.0])


def test_class_weight_raises_minority_recall():
    """class_weight='balanced' finds more of a rare class than no weighting."""
    X, y = make_classification(n_samples=1000, weights=[0.95], flip_y=0.02, class_sep=0.6,
                               random_state=1)
    plain = MLPClassifier((16,), max_epochs=20, random_state=0).fit(X, y)
    weighted = MLPClassifier((16,), max_epochs=20, random_state=0, class_weight="balanced").fit(X, y)
    recall = lambda m: (m.predict(X)[y == 1] == 1).mean()  # noqa: E731
    assert recall(weighted) > recall(plain)


def test_multi_output_regression_and_coefs_shapes():
    """Two targets at once; coefs_/intercepts_ have scikit-learn's shapes."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 3))
    Y = np.c_[X[:, 0] * 100 + 5, np.sin(X[:, 1])]
    reg = MLPRegressor((32, 16), max_epochs=150, learning_rate=0.01, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (400, 2)
    assert reg.score(X, Y) > 0.9
    assert [w.shape for w in reg.coefs_] == [(3, 32), (32, 16), (16, 2)]
    assert [b.shape for b in reg.intercepts_] == [(32,), (16,), (2,)]


def test_dropout_only_while_training(digits):
    """Dropout makes training passes random but predictions deterministic."""
    X, y = digits
    clf = MLPClassifier((32,), dropout=0.5, max_epochs=2, random_state=0).fit(X, y)
    assert np.array_equal(clf.predict_proba(X[:20]), clf.predict_proba(X[:20]))
    assert any(m.__class__.__name__ == "Dropout" for m in clf.module_)


def test_works_with_sklearn_tools(digits):
    """Pipeline, cross_val_score, GridSearchCV and clone work as with any sklearn estimator."""
    X, y = digits
    X, y = X[:400], y[:400]
    pipe = make_pipeline(StandardScaler(), MLPClassifier((16,), max_epochs=40, random_state=0))
    assert cross_val_score(pipe, X, y, cv=3).mean() > 0.75
    grid = GridSearchCV(MLPClassifier(max_epochs=5, random_state=0),
                        {"hidden_layer_sizes": [(8,), (32,)]}, cv=2).fit(X, y)
    assert grid.best_params_["hidden_layer_sizes"] in [(8,), (32,)]
    c = clone(grid.best_estimator_)
    assert not hasattr(c, "module_") and c.get_params() == grid.best_estimator_.get_params()


def test_pickle_joblib_and_save_round_trip(digits, tmp_path):
    """pickle, joblib and save()/deepmine.load() give the same predictions."""
    X, y = digits
    clf = MLPClassifier((16,), max_epochs=3, random_state=0).fit(X, y.astype(str))
    expected = clf.predict_proba(X)
    assert np.array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X), expected)
    joblib.dump(clf, tmp_path / "m.joblib")
    assert np.array_equal(joblib.load(tmp_path / "m.joblib").predict_proba(X), expected)
    clf.save(tmp_path / "m.dm")
    loaded = deepmine.load(tmp_path / "m.dm")
    assert np.allclose(loaded.predict_proba(X), expected)
    assert list(loaded.classes_) == list(clf.classes_)
    assert len(loaded.history_) == 3
    assert loaded.weight_decay_ == clf.weight_decay_ == 15 / len(X)


def test_auto_weight_decay_shrinks_with_more_rows_and_stays_over_partial_fit(digits):
    """The default L2 penalty is 0.03 up to 500 rows and 15/n beyond; partial_fit keeps it."""
    X, y = digits
    assert MLPClassifier((4,), max_epochs=1).fit(X[:300], y[:300]).weight_decay_ == 0.03
    big = MLPClassifier((4,), max_epochs=1).fit(X[:1500], y[:1500])
    assert big.weight_decay_ == 0.01 and big.optimizer_.defaults["weight_decay"] == 0.01
    big.partial_fit(X[:64], y[:64])
    assert big.optimizer_.defaults["weight_decay"] == 0.01
    assert MLPClassifier((4,), weight_decay=0.2, max_epochs=1).fit(X, y).weight_decay_ == 0.2


def test_load_rejects_foreign_files(tmp_path):
    """A file that is not a deepmine model gives ModelFileError, and pickles are never loaded."""
    bad = tmp_path / "bad.dm"
    bad.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ModelFileError, match="not a deepmine model"):
        deepmine.load(bad)
    import json
    import zipfile

    evil = tmp_path / "evil.dm"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("deepmine.json", json.dumps({"format": "deepmine-model", "version": 1,
                                                  "estimator": {"__object__": "os:system",
                                                                "state": {}}}))
        zf.writestr("tensors.safetensors", b"")
    with pytest.raises(ModelFileError, match="not one of the classes deepmine writes"):
        deepmine.load(evil)


def test_init_from_incompatible_encoder_is_explained(digits):
    """fit(init=...) with an object that has no encoder explains what is expected."""
    X, y = digits
    with pytest.raises(ValueError, match="encoder_layers"):
        MLPClassifier((8,), max_epochs=1).fit(X, y, init=object())


def test_bf16_mixed_precision_estimator_matches_float32_closely():
    """precision="bf16-mixed" runs the forward pass under autocast and learns the same rule."""
    from sklearn.datasets import load_breast_cancer

    from deepmine.exceptions import InvalidParameterError

    X, y = load_breast_cancer(return_X_y=True)
    fp32 = MLPClassifier((32,), max_epochs=15, random_state=0).fit(X, y)
    bf16 = MLPClassifier((32,), max_epochs=15, precision="bf16-mixed", random_state=0).fit(X, y)
    assert abs(fp32.score(X, y) - bf16.score(X, y)) <= 0.02
    assert np.abs(fp32.predict_proba(X) - bf16.predict_proba(X)).max() < 0.15
    with pytest.raises(InvalidParameterError, match="precision"):
        MLPClassifier(precision="fp8").fit(X, y)
