"""``deepmine fit`` / ``deepmine predict`` on CSV files, and their one-line errors."""

import io

import numpy as np
import pandas as pd
import pytest

from deepmine.cli import main
from deepmine.datasets import load_credit


@pytest.fixture()
def credit_csv(tmp_path):
    path = tmp_path / "credit.csv"
    load_credit().to_csv(path, index=False)
    return path


def test_fit_prints_baselines_and_predict_round_trips(credit_csv, tmp_path, capsys):
    """fit reports the model beside three baselines, saves it, and predict reproduces the labels."""
    model = tmp_path / "credit.dm"
    assert main(["fit", str(credit_csv), "--target", "Get Credit", "--model", "perceptron",
                 "--out", str(model)]) == 0
    out = capsys.readouterr().out
    for name in ("deepmine perceptron", "majority class", "decision tree", "logistic regression"):
        assert name in out
    preds = tmp_path / "preds.csv"
    assert main(["predict", str(model), str(credit_csv), "--out", str(preds)]) == 0
    assert list(pd.read_csv(preds)["prediction"]) == list(load_credit()["Get Credit"])


def test_jobs_runs_the_folds_in_processes_with_the_same_scores(tmp_path, capfd):
    """--jobs 2 prints the scores one process prints; the folds' warnings are one line each."""
    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.normal(size=(80, 3)), columns=["a", "b", "c"])
    df["y"] = np.where(df["a"] + df["b"] > 0, "yes", "no")
    df["bad"] = np.r_[[" x"] * 40, ["x"] * 40]   # one fold-level DataWarning per fit
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    outs = []
    for jobs in ([], ["--jobs", "2"]):
        assert main(["fit", str(path), "--target", "y", "--epochs", "5", "--cv", "3",
                     "--out", str(tmp_path / "m.dm"), *jobs]) == 0
        out, err = capfd.readouterr()   # the workers' output too
        outs.append([line for line in out.splitlines() if "+/-" in line])
        assert "deepmine fit: warning: Column 'bad' has categories" in err
        assert "DataWarning" not in err and "Traceback" not in err
    assert outs[0] == outs[1] and len(outs[0]) == 4
    assert main(["fit", str(path), "--target", "y", "--jobs", "0"]) == 2
    assert "--jobs must be" in capfd.readouterr().err


def test_regression_target_reports_r2(tmp_path, capsys):
    """A continuous target is cross-validated with R^2 against regression baselines."""
    rng = np.random.RandomState(0)
    df = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    df["y"] = 3 * df["a"] - df["b"] + 0.1 * rng.normal(size=120)
    path = tmp_path / "reg.csv"
    df.to_csv(path, index=False)
    assert main(["fit", str(path), "--target", "y", "--cv", "3", "--epochs", "30",
                 "--out", str(tmp_path / "r.dm")]) == 0
    out = capsys.readouterr().out
    assert "r2" in out and "linear regression" in out


@pytest.mark.parametrize("content, args, message", [
    (None, ["--target", "x"], "file not found"),
    ("", ["--target", "x"], "is empty"),
    ("a,b\n", ["--target", "b"], "no rows"),
    ("a,b\n1,2\n3,4\n", ["--target", "zz"], "target column 'zz'"),
    ("a,b\n1,2\n3,4\n", [], "name the column to predict with --target; columns of "),
    ("a,b\n1,x\n2,y\n3,x\n4,y\n5,x\nfoo,y\n", ["--target", "b"], "unparseable value 'foo'"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, content, args, message):
    """Missing file, empty table, missing target, unparseable value: exit 2 and one line on stderr."""
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    assert main(["fit", str(path), *args, "--out", str(tmp_path / "m.dm")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err
    assert not (tmp_path / "m.dm").exists()


def test_predict_with_missing_model_or_columns(credit_csv, tmp_path, capsys):
    """predict names a missing model file and missing feature columns."""
    assert main(["predict", str(tmp_path / "none.dm"), str(credit_csv)]) == 2
    assert "model file not found" in capsys.readouterr().err
    model = tmp_path / "m.dm"
    main(["fit", str(credit_csv), "--target", "Get Credit", "--model", "perceptron", "--out", str(model)])
    other = tmp_path / "other.csv"
    load_credit().drop(columns=["Employed"]).to_csv(other, index=False)
    capsys.readouterr()
    assert main(["predict", str(model), str(other)]) == 2
    assert "Employed" in capsys.readouterr().err


def test_predict_names_ignored_columns_and_unseen_categories(tmp_path, capsys):
    """Columns the model never saw and unseen categories are named on stderr; stdout stays CSV."""
    rng = np.random.RandomState(0)
    df = pd.DataFrame({"color": rng.choice(["red", "blue"], 40), "size": rng.normal(size=40)})
    df["y"] = np.where(df["size"] > 0, "big", "small")
    df.to_csv(tmp_path / "t.csv", index=False)
    model = tmp_path / "m.dm"
    assert main(["fit", str(tmp_path / "t.csv"), "--target", "y", "--cv", "2", "--epochs", "5",
                 "--out", str(model)]) == 0
    pd.DataFrame({"color": ["red", "green", "green"], "size": [0.1, 0.2, -1.0],
                  "note": ["a", "b", "c"]}).to_csv(tmp_path / "new.csv", index=False)
    capsys.readouterr()
    assert main(["predict", str(model), str(tmp_path / "new.csv")]) == 0
    captured = capsys.readouterr()
    assert "ignoring column(s) ['note']" in captured.err
    assert "column 'color': 2 row(s) hold categories unseen in training (['green'])" in captured.err
    assert len(pd.read_csv(io.StringIO(captured.out))) == 3
