"""``deepmine outliers`` on a CSV file the test writes."""

import numpy as np
import pandas as pd

from deepmine.cli import main


def _table(tmp_path):
    rng = np.random.RandomState(0)
    n = 150
    z = rng.normal(size=n)
    df = pd.DataFrame({"id": [f"r{i}" for i in range(n)], "a": z, "b": 2 * z + 0.05 * rng.normal(size=n),
                       "c": rng.choice(["x", "y"], n), "note": "same"})
    df.loc[7, "b"] = -10.0  # breaks the a-b relation
    path = tmp_path / "data.csv"
    df.to_csv(path, index=False)
    return path


def test_outliers_command_ranks_and_explains(tmp_path, capsys):
    """The broken row comes first, is flagged, and its top feature is the broken column."""
    out = tmp_path / "scored.csv"
    code = main(["outliers", str(_table(tmp_path)), "--contamination", "0.02",
                 "--exclude-columns", "note", "--epochs", "10", "--out", str(out)])
    assert code == 0
    scored = pd.read_csv(out)
    assert scored["row"].iloc[0] == 7 and scored["outlier"].iloc[0] == 1
    assert scored["top_features"].iloc[0].startswith("b (")
    assert scored["outlier"].sum() == 3 and scored["outlier_score"].is_monotonic_decreasing
    assert "ignoring identifier column(s) ['id']" in capsys.readouterr().err


def test_outliers_command_user_errors(tmp_path, capsys):
    """Bad options give one line on stderr and exit code 2."""
    path = _table(tmp_path)
    assert main(["outliers", str(path), "--contamination", "0.9"]) == 2
    assert "--contamination" in capsys.readouterr().err
    assert main(["outliers", str(path), "--exclude-columns", "nope"]) == 2
    assert "unknown columns ['nope']" in capsys.readouterr().err
    assert main(["outliers", str(tmp_path / "missing.csv")]) == 2
