"""Tables in, float matrices out: pandas DataFrames with numeric, boolean, category,
string and "yes"/"no" columns are encoded inside the estimator, and the numeric
columns' standardization is learned beside them."""

import re
import warnings

import numpy as np
import pandas as pd

from deepmine.exceptions import DataError, DataWarning
from deepmine.utils._warnings import user_stacklevel

_YES = {"yes", "y", "true", "t", "1"}
_NO = {"no", "n", "false", "f", "0"}
_FLOAT32_MAX = float(np.finfo(np.float32).max)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
#: a text column is "mostly numeric" (a typo or a missing-value marker) from this share of numbers
_MOSTLY_NUMERIC = 0.5


def needs_encoding(X):
    """True for a DataFrame with at least one non-numeric, non-boolean column."""
    if not isinstance(X, pd.DataFrame):
        return False
    return any(not (pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t))
               for t in X.dtypes)


def standard_scaling(X):
    """Mean and scale of each column of a float matrix, for standardizing it.

    The scale is the standard deviation, but at least a tenth of the column's
    range, so that a column that is nearly constant with a few large values
    (a border pixel, say) is not blown up to dominate the others; it leaves
    Gaussian or uniform columns at their standard deviation. Columns whose
    values are all 0 or 1 (booleans, yes/no, one-hot indicators, 0/1 numbers)
    keep mean 0 and scale 1, so they stay 0/1; constant columns get scale 1
    (they are only centred).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_columns)

    Returns
    -------
    mean, scale : ndarray of float64, shape (n_columns,)

    Examples
    --------
    >>> import numpy as np
    >>> mean, scale = standard_scaling(np.array([[0.0, 10.0, 5.0], [1.0, 30.0, 5.0]]))
    >>> mean.tolist(), scale.tolist()
    ([0.0, 20.0, 5.0], [1.0, 10.0, 1.0])
    """
    X = np.asarray(X)
    if len(X) > _CHUNK_ROWS:  # large tables: no temporary copy of the whole matrix
        mean = sum(c.sum(axis=0, dtype=np.float64) for c in _row_chunks(X)) / len(X)
        var = sum(((c - mean) ** 2).sum(axis=0) for c in _row_chunks(X)) / len(X)
        scale = np.sqrt(var)
    else:
        mean = X.mean(axis=0, dtype=np.float64)
        scale = X.std(axis=0, dtype=np.float64)
    if len(X):
        spread = X.max(axis=0).astype(np.float64) - X.min(axis=0)
        scale = np.maximum(scale, spread / 10)
    scale = np.where(scale > 1e-12 * np.maximum(1.0, np.abs(mean)), scale, 1.0)
    binary = np.logical_and.reduce([((c == 0) | (c == 1)).all(axis=0) for c in _row_chunks(X)]) \
        if len(X) else ((X == 0) | (X == 1)).all(axis=0)
    return np.where(binary, 0.0, mean), np.where(binary, 1.0, scale)


#: Rows per chunk of the column statistics of large tables (bounds their temporary memory).
_CHUNK_ROWS = 65536


def _row_chunks(X):
    return (X[i:i + _CHUNK_ROWS] for i in range(0, len(X), _CHUNK_ROWS))


def check_float32_range(X, names=None):
    """Raise a DataError naming the first column with values beyond float32's range."""
    try:
        X = np.asarray(X)
    except (TypeError, ValueError):  # ragged or odd input: left to the caller's own checks
        return
    if X.dtype.kind != "f" or X.dtype.itemsize <= 4 or X.ndim != 2:
        return
    with np.errstate(invalid="ignore"):
        offset = 0
        if len(X) > _CHUNK_ROWS:  # large tables: find the offending chunk without a full copy
            offset, X = next(((i, c) for i, c in enumerate(_row_chunks(X))
                              if (np.abs(c) > _FLOAT32_MAX).any()), (0, X[:0]))
            offset *= _CHUNK_ROWS
        big = np.abs(X) > _FLOAT32_MAX
    cols = np.flatnonzero(big.any(axis=0))
    if len(cols):
        j = int(cols[0])
        name = repr(str(names[j])) if names is not None else str(j)
        row = int(np.flatnonzero(big[:, j])[0])
        value = X[row, j]
        if np.isinf(value):
            raise DataError(f"Column {name} holds an infinite value ({value:g} in row "
                            f"{offset + row}); "
                            f"replace it (e.g. by NaN, then impute) or drop that row.")
        raise DataError(f"Column {name} holds values beyond float32's range (±3.4e38), e.g. "
                        f"{value:g}; rescale it (e.g. divide it by a power of 10) or take its log.")


def _missing_error(column, rows):
    return DataError(f"Column {column} has missing (NaN) or infinite values (rows {rows[:5].tolist()}"
                     f"{', ...' if len(rows) > 5 else ''}); impute them first, e.g. with "
                     f"sklearn.impute.SimpleImputer, or drop those rows.")


def check_missing(X, names=None):
    """Raise a DataError naming the first column with NaN (or infinite) cells and their rows.

    For the error path: called after scikit-learn refused a table, to say where.
    Returns quietly when ``X`` is not a numeric 2-D table or holds no such cell.
    """
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        return
    if X.ndim != 2:
        return
    bad = ~np.isfinite(X)
    cols = np.flatnonzero(bad.any(axis=0))
    if len(cols):
        j = int(cols[0])
        raise _missing_error(repr(str(names[j])) if names is not None else str(j),
                             np.flatnonzero(bad[:, j]))


def check_missing_target(y):
    """Raise a DataError naming the rows where the target ``y`` is missing (NaN or None)."""
    try:
        a = np.asarray(y)
    except (TypeError, ValueError):
        return
    if a.dtype.kind in "fc":
        missing = np.isnan(a)
    elif a.dtype.kind == "O":
        missing = pd.isna(a)
    else:                                   # integers, booleans, strings: nothing is missing
        return
    if np.ndim(missing) == 2:
        missing = missing.any(axis=1)
    if np.ndim(missing) == 1 and missing.any():
        rows = np.flatnonzero(missing)
        raise DataError(f"Input y contains NaN: {len(rows)} missing value(s) (rows "
                        f"{rows[:5].tolist()}{', ...' if len(rows) > 5 else ''}); drop those rows "
                        f"(X and y together) or fill them.")


def _is_date_column(col):
    dtype = col.dtype
    if (pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype)
            or isinstance(dtype, pd.PeriodDtype)):
        return True
    values = col.dropna()
    if len(values) == 0 or not all(isinstance(v, str) for v in values.head(1000)):
        return False
    return bool(values.head(1000).str.strip().str.match(_ISO_DATE).all())


def _kind(name, col):
    """'num', 'yesno' or 'cat' for one column; refuse dates and numbers mixed with text."""
    if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
        return "num"
    if _is_date_column(col):
        raise DataError(f"Column {name!r} holds dates or times, which are not encoded: convert "
                        f"it to numbers first (e.g. df[{name!r}].dt.year, or days since the first "
                        f"date) or drop it.")
    values = col.dropna()
    if isinstance(col.dtype, pd.CategoricalDtype) or len(values) == 0:
        return "cat"
    numbers = pd.to_numeric(values, errors="coerce")
    text = values[numbers.isna()]
    if len(text) == 0:
        return "num"  # a text column of numbers only: read as numbers
    low = {str(v).strip().lower() for v in values.unique()}
    if low <= (_YES | _NO) and not low <= {"0", "1"}:
        return "yesno"
    if numbers.notna().mean() >= _MOSTLY_NUMERIC:
        examples = list(dict.fromkeys(map(str, text)))[:3]
        raise DataError(
            f"Column {name!r} is mostly numbers but {len(text)} of its {len(values)} values are "
            f"text (e.g. {examples}); turn them into missing values (pd.read_csv(..., "
            f"na_values={examples})) and impute or drop those rows, or make the column a pandas "
            f"'category' to one-hot encode it.")
    return "cat"


def _yesno(name, col):
    """A yes/no column as 0/1; missing values and other words are errors naming the column."""
    missing = col.isna().to_numpy()
    if missing.any():
        raise DataError(f"Column {name!r} holds yes/no values but {int(missing.sum())} are missing "
                        f"(rows {np.flatnonzero(missing)[:5].tolist()}); fill them (e.g. with 'no') "
                        f"or drop those rows.")
    text = col.astype(str)
    low = text.str.strip().str.lower()
    unknown = ~low.isin(_YES | _NO).to_numpy()
    if unknown.any():
        bad = list(dict.fromkeys(text[unknown]))[:5]
        raise DataError(f"Column {name!r} was a yes/no column during fit but holds {bad} now; "
                        f"use yes/no (or true/false, y/n, 1/0) only.")
    padded = (text != text.str.strip()).to_numpy()
    if padded.any():
        warnings.warn(f"Column {name!r}: values with surrounding spaces such as "
                      f"{text[padded].iloc[0]!r} were read as yes/no.",
                      DataWarning, stacklevel=user_stacklevel())
    return np.where(low.isin(_YES), 1.0, 0.0)


def _warn_near_duplicates(name, categories):
    seen = {}
    for c in categories:
        key = c.strip().casefold()
        if key in seen:
            warnings.warn(f"Column {name!r} has categories that differ only in case or spaces "
                          f"({seen[key]!r} and {c!r}); they are encoded as different categories.",
                          DataWarning, stacklevel=user_stacklevel())
            return
        seen[key] = c


class TableEncoder:
    """Encode a DataFrame column by column into a float32 matrix.

    Numeric and boolean columns pass through (a text column holding only
    numbers is read as numbers); columns of "yes"/"no" (and true/false, y/n,
    any case, surrounding spaces ignored with a warning) become 1/0; other
    string or ``category`` columns are one-hot encoded, and categories unseen
    during ``fit`` become all zeros. Errors that name the column refuse:
    missing numeric or yes/no values, other words in a yes/no column, text
    columns that are mostly numbers with some text (a missing-value marker
    such as "missing" or "?"), date/time columns, and values beyond float32's
    range. Standardizing the encoded columns is :func:`standard_scaling`'s job.

    Examples
    --------
    >>> import pandas as pd
    >>> enc = TableEncoder().fit(pd.DataFrame({"a": ["yes", "no"], "c": ["x", "y"]}))
    >>> enc.transform(pd.DataFrame({"a": ["no"], "c": ["z"]})).tolist()
    [[0.0, 0.0, 0.0]]
    >>> enc.output_names_
    ['a', 'c=x', 'c=y']
    """

    def fit(self, df):
        self.columns_ = [str(c) for c in df.columns]
        self.kinds_, self.categories_ = [], []
        for name in df.columns:
            col = df[name]
            kind = _kind(str(name), col)
            cats = sorted({str(v) for v in col.dropna().unique()}) if kind == "cat" else []
            _warn_near_duplicates(str(name), cats)
            self.kinds_.append(kind)
            self.categories_.append(cats)
        self.output_names_ = []
        for name, kind, cats in zip(self.columns_, self.kinds_, self.categories_):
            self.output_names_ += [f"{name}={c}" for c in cats] if kind == "cat" else [name]
        return self

    def transform(self, df):
        missing = [c for c in self.columns_ if c not in set(map(str, df.columns))]
        if missing:
            raise DataError(f"Columns {missing} were seen during fit but are missing from the input.")
        df = df.rename(columns=str)
        parts = []
        for name, kind, cats in zip(self.columns_, self.kinds_, self.categories_):
            col = df[name]
            if kind == "num":
                try:
                    values = pd.to_numeric(col).astype("float64").to_numpy()
                except (ValueError, TypeError):
                    raise DataError(f"Column {name!r} was numeric during fit but holds "
                                    f"non-numeric values now.") from None
                if not np.isfinite(values).all():
                    raise _missing_error(repr(name), np.flatnonzero(~np.isfinite(values)))
                check_float32_range(values[:, None], [name])
                parts.append(values[:, None])
            elif kind == "yesno":
                parts.append(_yesno(name, col)[:, None])
            else:
                text = col.astype(str).to_numpy()
                onehot = (text[:, None] == np.asarray(cats, dtype=object)[None, :]).astype("float64")
                onehot[col.isna().to_numpy()] = 0.0
                parts.append(onehot)
        if not parts:
            return np.zeros((len(df), 0), dtype=np.float32)
        return np.hstack(parts).astype(np.float32)
