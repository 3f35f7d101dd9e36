"""Offline loaders of aeon's bundled series and the .ts reader."""

import numpy as np
import pytest

from deepmine.exceptions import DataError
from deepmine.timeseries import (UCR_DATASETS, load_airline, load_basic_motions,
                                 load_japanese_vowels, load_lynx, load_shampoo_sales, load_ucr,
                                 read_ts)


def test_read_ts_matches_aeons_reader():
    """read_ts returns the same values and labels as aeon's own .ts reader (equal and unequal length)."""
    pytest.importorskip("aeon")
    from aeon.datasets import load_from_ts_file

    from deepmine.datasets._timeseries import _aeon_data_dir

    for name in ("GunPoint", "BasicMotions", "JapaneseVowels"):
        path = _aeon_data_dir() / name / f"{name}_TRAIN.ts"
        X_ref, y_ref = load_from_ts_file(str(path))
        X, y = read_ts(path)
        assert len(X) == len(X_ref)
        for a, b in zip(X, X_ref):
            np.testing.assert_array_equal(a, b)
        assert [s.lower() for s in y] == [s.lower() for s in y_ref]


def test_read_ts_missing_values_timestamps_and_targets(tmp_path):
    """'?' becomes NaN, timestamped values are read, @targetLabel gives float targets."""
    path = tmp_path / "a.ts"
    path.write_text("# comment\n@problemName a\n@targetLabel true\n@data\n1,?,3:2.5\n4,5,6:-1\n")
    X, y = read_ts(path)
    assert X.shape == (2, 1, 3) and np.isnan(X[0, 0, 1]) and y.tolist() == [2.5, -1.0]
    path.write_text("@timeStamps true\n@classLabel true a b\n@data\n"
                    "(2020-01-01 00:00:00,1.5),(2020-01-01 00:01:00,2.5):a\n")
    X, y = read_ts(path)
    assert X.tolist() == [[[1.5, 2.5]]] and y.tolist() == ["a"]


def test_read_ts_errors_name_the_line(tmp_path):
    """Unreadable values name the file and the line; a file without @data is rejected."""
    path = tmp_path / "bad.ts"
    path.write_text("@classLabel true a\n@data\n1,2,3:a\n1,x,3:a\n")
    with pytest.raises(DataError, match="bad.ts, line 4"):
        read_ts(path)
    path.write_text("1,2,3\n")
    with pytest.raises(DataError, match="no '@data'"):
        read_ts(path)


def test_bundled_classification_sets_load_offline():
    """The bundled UCR/UEA sets load with their documented shapes; unknown names list the options."""
    X, y = load_basic_motions(split="test")
    assert X.shape == (40, 6, 100) and len(set(y)) == 4
    X, y = load_japanese_vowels(split="train")
    assert isinstance(X, list) and X[0].shape[0] == 12 and len(X) == 270
    X, y = load_ucr("ItalyPowerDemand")
    assert X.shape == (67 + 1029, 1, 24)
    assert "GunPoint" in UCR_DATASETS
    with pytest.raises(DataError, match="read_ts"):
        load_ucr("Coffee")


def test_forecasting_series_have_time_indexes():
    """Airline, Lynx and shampoo sales come with PeriodIndexes."""
    air, lynx, shampoo = load_airline(), load_lynx(), load_shampoo_sales()
    assert len(air) == 144 and air.index.freqstr == "M" and air.iloc[0] == 112
    assert str(lynx.index[0]) == "1821" and len(shampoo) == 36


@pytest.mark.parametrize("header, body, line, what", [
    ("@seriesLength 3\n@classLabel true a b", "1,2,3:a\n1,2:b", 6, "2 values, not the @seriesLength 3"),
    ("@classLabel true a b", "1,2,3:a\n1,2,3:c", 5, "label 'c' is not one of the declared"),
    ("@equalLength true\n@classLabel true a b", "1,2,3:a\n1,2,3,4:b", 6, "under @equalLength true"),
    ("@dimensions 2\n@classLabel true a b", "1,2:3,4:a\n1,2:b", 6, "1 channel"),
    ("@univariate true\n@classLabel true a b", "1,2:3,4:a", 5, "2 channel"),
])
def test_read_ts_refuses_body_that_contradicts_header(tmp_path, header, body, line, what):
    """A series that contradicts @seriesLength/@classLabel/@equalLength/@dimensions names file and line."""
    path = tmp_path / "mismatch.ts"
    path.write_text(f"@problemName m\n{header}\n@data\n{body}\n")
    with pytest.raises(DataError, match=f"mismatch.ts, line {line}: .*{what}"):
        read_ts(path)


def test_read_ts_reads_every_bundled_file():
    """The header checks accept every .ts file that ships with aeon."""
    pytest.importorskip("aeon")
    from deepmine.datasets._timeseries import _aeon_data_dir

    files = sorted(_aeon_data_dir().glob("*/*.ts"))
    assert len(files) > 20
    for path in files:
        X, _ = read_ts(path)
        assert len(X) > 0


def test_read_ts_non_utf8_labels_stay_distinct(tmp_path):
    """A latin-1 file warns and keeps 'café' and 'cafè' apart; a declared encoding reads it silently."""
    from deepmine.exceptions import DataWarning

    path = tmp_path / "latin.ts"
    path.write_bytes("@classLabel true café cafè\n@data\n1,2:café\n3,4:cafè\n".encode("latin-1"))
    with pytest.warns(DataWarning, match="not UTF-8"):
        _, y = read_ts(path)
    assert y.tolist() == ["café", "cafè"]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, y = read_ts(path, encoding="latin-1")
    assert y.tolist() == ["café", "cafè"]
    with pytest.raises(DataError, match="latin.ts, line 1: not valid utf-8"):
        read_ts(path, encoding="utf-8")
