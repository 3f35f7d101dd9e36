"""Tables are never silently misread: dirty yes/no, text in numbers, dates, huge values, bad sizes."""

import numpy as np
import pandas as pd
import pytest

from deepmine.exceptions import DataError, DataWarning, InvalidParameterError
from deepmine.tabular import MLPClassifier, MLPRegressor

Y = [0, 1] * 4


def _fit(df, y=Y):
    return MLPClassifier((4,), max_epochs=1, random_state=0).fit(df, y)


def test_yes_no_with_missing_values_is_refused():
    """A yes/no column with a missing value is not read as 'no'."""
    df = pd.DataFrame({"x": range(8), "owns": ["yes", "no", None, "yes", "no", "no", "yes", "no"]})
    with pytest.raises(DataError, match=r"'owns'.*missing.*rows \[2\]"):
        _fit(df)


def test_unknown_words_in_a_yes_no_column_are_refused_at_predict():
    """'maybe' and missing values at predict time are errors naming the column and the values."""
    df = pd.DataFrame({"x": range(8), "owns": ["yes", "no"] * 4})
    clf = _fit(df)
    new = pd.DataFrame({"x": [1, 2], "owns": ["no", "maybe"]})
    with pytest.raises(DataError, match=r"'owns'.*\['maybe'\]"):
        clf.predict(new)
    with pytest.raises(DataError, match=r"'owns'.*missing"):
        clf.predict(pd.DataFrame({"x": [1], "owns": [None]}))


def test_case_and_spaces_in_yes_no_are_read_with_a_warning():
    """'Yes ' is yes (case ignored; surrounding spaces warned about)."""
    df = pd.DataFrame({"x": range(8), "owns": ["yes", "no"] * 4})
    clf = _fit(df)
    with pytest.warns(DataWarning, match="'owns'.*'Yes '"):
        a = clf.predict_proba(pd.DataFrame({"x": [3], "owns": ["Yes "]}))
    b = clf.predict_proba(pd.DataFrame({"x": [3], "owns": ["YES"]}))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(b, clf.predict_proba(pd.DataFrame({"x": [3], "owns": ["yes"]})))


def test_mostly_numeric_text_column_is_refused():
    """A numeric column with 25% 'missing' is not one-hot encoded: the error names column and values."""
    age = [str(v) for v in range(20, 26)] + ["missing", "missing"]
    with pytest.raises(DataError, match=r"'age' is mostly numbers.*\['missing'\].*na_values"):
        _fit(pd.DataFrame({"age": age}))
    # made a category on purpose, it is one-hot encoded
    clf = _fit(pd.DataFrame({"age": pd.Categorical(age)}))
    assert clf.n_inputs_ == 7


def test_text_column_of_numbers_is_read_as_numbers():
    """Numbers stored as text become one numeric input, not one column per distinct value."""
    clf = _fit(pd.DataFrame({"age": [str(v) for v in range(20, 28)], "c": list("ab") * 4}))
    assert clf.n_inputs_ == 3


@pytest.mark.parametrize("dates", [
    pd.date_range("2020-01-01", periods=8),
    ["2020-01-%02d" % d for d in range(1, 9)],
    ["2020-01-01T10:00:00"] * 8,
])
def test_date_columns_are_refused(dates):
    """Dates (datetime dtype or ISO strings) are not one-hot encoded: a clear error says what to do."""
    with pytest.raises(DataError, match=r"'day' holds dates.*\.dt\.year"):
        _fit(pd.DataFrame({"x": range(8), "day": dates}))


def test_values_beyond_float32_are_refused_with_the_column():
    """1e39 does not become inf/NaN: arrays name the column index, DataFrames the column name."""
    X = np.ones((8, 3))
    X[5, 2] = 1e39
    with pytest.raises(DataError, match=r"Column 2 .*float32"):
        _fit(X)
    with pytest.raises(DataError, match=r"Column 'big' .*float32"):
        _fit(pd.DataFrame({"a": np.ones(8), "big": X[:, 2]}))
    with pytest.raises(DataError, match=r"Column 'big' .*float32"):
        _fit(pd.DataFrame({"c": list("ab") * 4, "big": X[:, 2]}))
    clf = _fit(np.ones((8, 3)))
    with pytest.raises(DataError, match=r"Column 2 .*float32"):
        clf.predict(X)


def test_categories_differing_in_case_or_spaces_warn():
    """'Paris' and 'paris ' stay two categories, with a warning."""
    with pytest.warns(DataWarning, match="differ only in case or spaces"):
        _fit(pd.DataFrame({"city": ["Paris", "paris ", "Rome", "Oslo"] * 2}))


@pytest.mark.parametrize("sizes", [(0,), (16, 0), 0, (-3,), (2.5,)])
def test_hidden_layer_sizes_must_be_positive(sizes):
    """A zero-width layer is refused instead of training a majority-class model."""
    with pytest.raises(InvalidParameterError, match="hidden_layer_sizes"):
        MLPRegressor(sizes, max_epochs=1).fit(np.ones((8, 2)), np.arange(8.0))


@pytest.mark.parametrize("X", [np.array([["1", "2"], ["3", "x"]] * 4),
                               [[1, 2], [3, "x"]] * 4,
                               np.array([[1.0, 2], [3, "x"]] * 4, dtype=object)],
                         ids=["str array", "list", "object array"])
def test_text_in_an_array_names_the_cell_and_the_dataframe_route(X):
    """An array (not a DataFrame) with text: one DataError naming the first text cell."""
    with pytest.raises(DataError, match=r"X holds text \('x' in row 1, column 1\); pass a "
                                        r"pandas DataFrame"):
        _fit(X)
    from deepmine.autoencoders import AutoEncoderOutlierDetector

    with pytest.raises(DataError, match="X holds text"):
        AutoEncoderOutlierDetector(max_epochs=1, random_state=0).fit(X)


def test_numbers_written_as_text_in_an_array_still_fit():
    """Digit strings convert, as scikit-learn's check_array converts them."""
    clf = _fit(np.array([["1", "2"], ["3", "4"]] * 4))
    assert clf.n_features_in_ == 2


def test_an_infinite_value_is_named_as_such_with_its_row():
    """inf is not 'beyond the range, rescale it': the message says infinite and gives the row,
    also past the first chunk of a large table."""
    X = np.ones((70_000, 3))
    X[66_000, 1] = -np.inf
    with pytest.raises(DataError, match=r"Column 1 holds an infinite value \(-inf in row 66000\)"):
        MLPRegressor(max_epochs=1).fit(X, np.ones(70_000))
