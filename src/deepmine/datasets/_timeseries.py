"""Time series that ship inside installed packages, and a reader for the UCR/UEA ``.ts`` format.

The UCR/UEA archives (Dau et al. 2019; Bagnall et al. 2018) distribute each
dataset as ``NAME_TRAIN.ts`` / ``NAME_TEST.ts``: a header of ``@key value``
lines, then one case per line, channels separated by ``:``, values by ``,``
and the class label (or regression target) last. aeon's wheel bundles a few of
them together with classic forecasting series; they are read here from aeon's
package folder without importing aeon and without any network access.
"""

import importlib.util
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from deepmine.exceptions import DataError, DataWarning
from deepmine.utils._optional import missing
from deepmine.utils._warnings import user_stacklevel

__all__ = [
    "read_ts", "load_ucr", "UCR_DATASETS", "load_airline", "load_lynx", "load_shampoo_sales",
    "load_gunpoint", "load_italy_power_demand", "load_arrow_head", "load_basic_motions",
    "load_japanese_vowels", "load_osuleaf",
]

#: Classification datasets bundled in aeon's wheel, readable offline by :func:`load_ucr`.
UCR_DATASETS = ("ACSF1", "ArrowHead", "BasicMotions", "Covid3Month_disc", "GunPoint",
                "ItalyPowerDemand", "JapaneseVowels", "OSULeaf", "PickupGestureWiimoteZ")

_TIMESTAMPED = re.compile(r"\(([^,()]*),([^()]*)\)")
_CHANNEL_SEP = re.compile(r"(?<=\)):")


def _aeon_data_dir():
    spec = importlib.util.find_spec("aeon")
    if spec is None or spec.origin is None:
        raise missing("aeon", "Loading a bundled time-series dataset")
    return Path(spec.origin).parent / "datasets" / "data"


def _parse_channel(text, timestamps):
    if timestamps:
        text = ",".join(v for _, v in _TIMESTAMPED.findall(text))
    if "?" in text:
        text = text.replace("?", "nan")
    return np.array(text.split(","), dtype=np.float64) if text.strip() else np.zeros(0)


def _decode(raw, path, encoding):
    """Bytes of a .ts file -> text: the declared encoding, else UTF-8, else cp1252 / latin-1 with a warning."""
    if encoding is not None:
        try:
            return raw.decode(encoding)
        except LookupError:
            raise DataError(f"Unknown encoding {encoding!r} for {path.name}; use e.g. 'utf-8' "
                            f"or 'latin-1'.") from None
        except UnicodeDecodeError as exc:
            line = raw[:exc.start].count(b"\n") + 1
            raise DataError(f"{path.name}, line {line}: not valid {encoding} ({exc.reason}); "
                            f"pass the file's encoding, e.g. encoding='latin-1'.") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        for fallback in ("cp1252", "latin-1"):
            try:
                text = raw.decode(fallback)
            except UnicodeDecodeError:
                continue
            warnings.warn(f"{path.name} is not UTF-8 (first bad byte on line {line}); read it as "
                          f"{fallback}. Pass encoding=... to read_ts if that is wrong.",
                          DataWarning, stacklevel=user_stacklevel())
            return text
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _is_true(meta, key):
    return meta.get(key, "").lower().split()[:1] == ["true"]


def _header_int(meta, key, path, lines):
    value = meta.get(key)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise DataError(f"{path.name}, line {lines[key]}: @{key} must be an integer; got "
                        f"{value!r}.") from None


def read_ts(path, *, return_meta=False, encoding=None):
    """Read a time-series dataset in the UCR/UEA ``.ts`` format.

    The body is checked against the header: a series whose length differs from
    ``@seriesLength``, unequal lengths under ``@equalLength true``, a channel
    count other than ``@dimensions`` (or more than one under ``@univariate
    true``) and a label missing from the ``@classLabel true ...`` list raise
    :class:`~deepmine.exceptions.DataError` naming the file and the line.

    Parameters
    ----------
    path : str or path-like
        A ``.ts`` file, e.g. ``GunPoint_TRAIN.ts`` from timeseriesclassification.com.
    return_meta : bool, default=False
        Also return the header as a dict (``problemname``, ``univariate``, ...).
    encoding : str or None, default=None
        Text encoding of the file. None reads UTF-8 and, when the file is not
        valid UTF-8, falls back to cp1252 (else latin-1) with a
        :class:`~deepmine.exceptions.DataWarning`, so distinct labels stay distinct.

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, n_timesteps) or list of ndarray
        A 3-D array when all series have the same length, otherwise a list of
        ``(n_channels, length_i)`` arrays. Missing values (``?``) become NaN.
    y : ndarray of shape (n_cases,) or None
        Class labels as strings (``@classLabel true``), float targets
        (``@targetLabel true``), or None when the file has no labels.
    meta : dict
        Only with ``return_meta=True``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deepmine.timeseries import read_ts
    >>> text = "@problemName demo\\n@classLabel true a b\\n@data\\n1,2,3:a\\n4,5,6:b\\n"
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.ts"
    >>> _ = path.write_text(text)
    >>> X, y = read_ts(path)
    >>> X.shape, y.tolist()
    ((2, 1, 3), ['a', 'b'])
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"No .ts file at {str(path)!r}.")
    text = _decode(path.read_bytes(), path, encoding)
    meta, lines, cases, labels, case_lines = {}, {}, [], [], []
    in_data = False
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            if line.lower() == "@data":
                in_data = True
                head = _Header(meta, lines, path)
            elif line.startswith("@"):
                key, _, value = line[1:].partition(" ")
                if key.lower() not in meta:
                    meta[key.lower()], lines[key.lower()] = value.strip(), lineno
            continue
        parts = _CHANNEL_SEP.split(line) if head.timestamps else line.split(":")
        if head.labelled:
            if len(parts) < 2:
                raise DataError(f"{path.name}, line {lineno}: expected values followed by "
                                f"':label'; got {line[:60]!r}.")
            labels.append(parts.pop().strip())
        try:
            case = [_parse_channel(p, head.timestamps) for p in parts]
        except ValueError as exc:
            raise DataError(f"{path.name}, line {lineno}: cannot read the values ({exc}).") from None
        head.check_case(case, labels[-1] if head.labelled else None, lineno)
        cases.append(case)
        case_lines.append(lineno)
    if not in_data:
        raise DataError(f"{path.name} has no '@data' line; is it a .ts file?")
    if not cases:
        raise DataError(f"{path.name} contains no series after '@data'.")
    n_channels = [len(c) for c in cases]
    if len(set(n_channels)) > 1:
        i = next(i for i, n in enumerate(n_channels) if n != n_channels[0])
        raise DataError(f"{path.name}, line {case_lines[i]}: {n_channels[i]} channel(s), but the "
                        f"first series (line {case_lines[0]}) has {n_channels[0]}.")
    lengths = {len(ch) for c in cases for ch in c}
    if len(lengths) == 1:
        X = np.array(cases, dtype=np.float64)
    else:
        X = []
        for i, c in enumerate(cases):
            if len({len(ch) for ch in c}) > 1:
                raise DataError(f"{path.name}, line {case_lines[i]}: the channels of this series "
                                f"have different lengths {sorted({len(ch) for ch in c})}.")
            X.append(np.array(c, dtype=np.float64))
    y = None
    if labels:
        if head.regression:
            try:
                y = np.array(labels, dtype=np.float64)
            except ValueError:
                bad = next(i for i, v in enumerate(labels) if not _is_number(v))
                raise DataError(f"{path.name}, line {case_lines[bad]}: @targetLabel true needs "
                                f"numeric targets; got {labels[bad]!r}.") from None
        else:
            y = np.array(labels, dtype=str)
    return (X, y, meta) if return_meta else (X, y)


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


class _Header:
    """What the ``@`` lines promise about the body, checked series by series."""

    def __init__(self, meta, lines, path):
        self.path, self.lines = path, lines
        self.regression = _is_true(meta, "targetlabel")
        self.labelled = _is_true(meta, "classlabel") or self.regression
        self.timestamps = _is_true(meta, "timestamps")
        declared = meta.get("classlabel", "").split()[1:]
        self.classes = set(declared) if _is_true(meta, "classlabel") and declared else None
        self.length = _header_int(meta, "serieslength", path, lines)
        self.dimensions = _header_int(meta, "dimensions", path, lines)
        if self.dimensions is None and _is_true(meta, "univariate"):
            self.dimensions, self.lines = 1, {**lines, "dimensions": lines["univariate"]}
        self.equal = _is_true(meta, "equallength")
        self.first_length = None

    def _fail(self, lineno, what, key):
        raise DataError(f"{self.path.name}, line {lineno}: {what}, but the header says "
                        f"otherwise (line {self.lines[key]}); fix the header or the series.")

    def check_case(self, case, label, lineno):
        if self.classes is not None and label not in self.classes:
            self._fail(lineno, f"label {label!r} is not one of the declared classes "
                               f"{sorted(self.classes)}", "classlabel")
        if self.dimensions is not None and len(case) != self.dimensions:
            self._fail(lineno, f"the series has {len(case)} channel(s), not the "
                               f"{self.dimensions} of @dimensions/@univariate", "dimensions")
        for ch in case:
            if self.length is not None and len(ch) != self.length:
                self._fail(lineno, f"the series has {len(ch)} values, not the @seriesLength "
                                   f"{self.length}", "serieslength")
            if self.equal:
                if self.first_length is None:
                    self.first_length = len(ch)
                elif len(ch) != self.first_length:
                    self._fail(lineno, f"the series has {len(ch)} values and an earlier one "
                                       f"{self.first_length}, under @equalLength true",
                               "equallength")


def load_ucr(name, split=None):
    """Load one of the UCR/UEA classification datasets bundled with aeon (no download).

    Parameters
    ----------
    name : str
        One of :data:`UCR_DATASETS` (e.g. ``"GunPoint"``); ``"JapaneseVowels_eq"``
        and ``"PickupGestureWiimoteZ_eq"`` are the equal-length versions.
        Other archive datasets: download them and use :func:`read_ts`.
    split : {"train", "test"} or None, default=None
        The archive's default split; None returns train and test concatenated.

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, n_timesteps) or list of ndarray
    y : ndarray of str, shape (n_cases,)

    Examples
    --------
    >>> from deepmine.timeseries import load_ucr
    >>> X, y = load_ucr("GunPoint", split="train")
    >>> X.shape, sorted(set(y.tolist()))
    ((50, 1, 150), ['1', '2'])
    """
    base = name[:-3] if name.endswith("_eq") else name
    if base not in UCR_DATASETS:
        raise DataError(f"{name!r} is not bundled; available offline: {list(UCR_DATASETS)}. "
                        "For any other UCR/UEA dataset, download the .ts files and use read_ts.")
    if split is not None and str(split).lower() not in ("train", "test"):
        raise DataError(f"split must be 'train', 'test' or None; got {split!r}.")
    folder = _aeon_data_dir() / base
    parts = ["TRAIN", "TEST"] if split is None else [split.upper()]
    loaded = [read_ts(folder / f"{name}_{p}.ts") for p in parts]
    if len(loaded) == 1:
        return loaded[0]
    (X1, y1), (X2, y2) = loaded
    if isinstance(X1, np.ndarray) and isinstance(X2, np.ndarray) and X1.shape[1:] == X2.shape[1:]:
        X = np.concatenate([X1, X2])
    else:
        X = list(X1) + list(X2)
    return X, np.concatenate([y1, y2])


def _ucr_loader(name, func_name, n_train, n_test, shape):
    def loader(split=None):
        return load_ucr(name, split)

    loader.__name__ = loader.__qualname__ = func_name
    loader.__doc__ = f"""Load the {name} classification dataset (UCR/UEA archive, bundled with aeon).

    Parameters
    ----------
    split : {{"train", "test"}} or None, default=None
        None returns the {n_train} training and {n_test} test cases concatenated.

    Returns
    -------
    X : {shape}
    y : ndarray of str

    Examples
    --------
    >>> from deepmine.timeseries import {loader.__name__}
    >>> X, y = {loader.__name__}(split="train")
    >>> len(X) == {n_train}
    True
    """
    return loader


load_gunpoint = _ucr_loader("GunPoint", "load_gunpoint", 50, 150,
                            "ndarray of shape (n_cases, 1, 150)")
load_italy_power_demand = _ucr_loader("ItalyPowerDemand", "load_italy_power_demand", 67, 1029,
                                      "ndarray of shape (n_cases, 1, 24)")
load_arrow_head = _ucr_loader("ArrowHead", "load_arrow_head", 36, 175,
                              "ndarray of shape (n_cases, 1, 251)")
load_basic_motions = _ucr_loader("BasicMotions", "load_basic_motions", 40, 40,
                                 "ndarray of shape (n_cases, 6, 100)")
load_japanese_vowels = _ucr_loader("JapaneseVowels", "load_japanese_vowels", 270, 370,
                                   "list of ndarray of shape (12, length_i), lengths 7 to 29")
load_osuleaf = _ucr_loader("OSULeaf", "load_osuleaf", 200, 242,
                           "ndarray of shape (n_cases, 1, 427)")


def _load_csv_series(folder, name, freq):
    s = pd.read_csv(_aeon_data_dir() / folder / f"{folder}.csv", index_col=0).squeeze("columns")
    s = s.astype(np.float64)
    s.index = pd.PeriodIndex(s.index.astype(str), freq=freq, name="Period")
    s.name = name
    return s


def load_airline():
    """Monthly totals of international airline passengers, 1949-1960 (Box & Jenkins series G).

    Trend, growing seasonal swings (multiplicative seasonality) and 144 points:
    the classic forecasting example.

    Returns
    -------
    y : pandas.Series of length 144 with a monthly PeriodIndex

    Examples
    --------
    >>> from deepmine.timeseries import load_airline
    >>> y = load_airline()
    >>> len(y), str(y.index[0])
    (144, '1949-01')
    """
    return _load_csv_series("Airline", "Number of airline passengers", "M")


def load_lynx():
    """Annual Canadian lynx trappings, 1821-1934 (a roughly 10-year cycle, 114 points).

    Returns
    -------
    y : pandas.Series of length 114 with a yearly PeriodIndex

    Examples
    --------
    >>> from deepmine.timeseries import load_lynx
    >>> len(load_lynx())
    114
    """
    return _load_csv_series("Lynx", "Number of lynx trappings", "Y")


def load_shampoo_sales():
    """Monthly shampoo sales over three years (Makridakis et al.; 36 points, trend).

    Returns
    -------
    y : pandas.Series of length 36 with a monthly PeriodIndex

    Examples
    --------
    >>> from deepmine.timeseries import load_shampoo_sales
    >>> len(load_shampoo_sales())
    36
    """
    return _load_csv_series("ShampooSales", "Shampoo sales", "M")
