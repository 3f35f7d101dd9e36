"""``deepmine forecast`` and ``deepmine tsc fit`` on files the test writes."""

import numpy as np
import pandas as pd

from deepmine.cli import main
from deepmine.timeseries import load_airline, load_italy_power_demand


def test_forecast_command_writes_forecast_and_compares_baselines(tmp_path, capsys):
    """The forecast CSV continues the monthly dates; the baselines' errors are printed."""
    y = load_airline()
    csv = tmp_path / "air.csv"
    pd.DataFrame({"month": y.index.astype(str), "value": y.to_numpy()}).to_csv(csv, index=False)
    out = tmp_path / "fc.csv"
    assert main(["forecast", str(csv), "--column", "value", "--horizon", "6", "--log",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "season length 12" in text and "seasonal naive" in text
    fc = pd.read_csv(out, index_col=0)
    assert fc.index[0] == "1961-01" and len(fc) == 6   # months stay months
    assert list(fc.columns) == ["window-mlp", "naive", "seasonal naive"]


def test_forecast_command_user_errors_exit_2(tmp_path, capsys):
    """A missing column or a too-short series is one error line and exit code 2."""
    csv = tmp_path / "s.csv"
    pd.DataFrame({"value": [1.0, 2, 3, 4]}).to_csv(csv, index=False)
    assert main(["forecast", str(csv), "--column", "other"]) == 2
    assert "not in" in capsys.readouterr().err
    assert main(["forecast", str(csv)]) == 2
    assert "with --column; columns of" in capsys.readouterr().err.strip().splitlines()[-1]
    assert main(["forecast", str(csv), "--column", "value", "--horizon", "2"]) == 2
    assert "too short" in capsys.readouterr().err
    assert main(["forecast", str(csv), "--column", "value", "--jobs", "0", "--out",
                 str(tmp_path / "f.csv")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--jobs must be" in captured.err
    assert not (tmp_path / "f.csv").exists()


def _write_ts(path, X, y):
    lines = ["@problemName demo", "@univariate true",
             "@classLabel true " + " ".join(sorted(set(y))), "@data"]
    lines += [",".join(f"{v:.6g}" for v in x[0]) + f":{label}" for x, label in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")


def test_tsc_fit_reports_accuracy_and_saves(tmp_path, capsys):
    """tsc fit trains on a .ts file, reports test accuracy and saves a loadable model."""
    import deepmine

    X, y = load_italy_power_demand(split="train")
    Xt, yt = load_italy_power_demand(split="test")
    _write_ts(tmp_path / "tr.ts", X, y)
    _write_ts(tmp_path / "te.ts", Xt[:200], yt[:200])
    model = tmp_path / "m.dm"
    assert main(["tsc", "fit", str(tmp_path / "tr.ts"), "--test", str(tmp_path / "te.ts"),
                 "--model", "mcdcnn", "--epochs", "15", "--out", str(model)]) == 0
    text = capsys.readouterr().out
    acc = float(text.split("test accuracy")[1].split()[0])
    assert acc > 0.8
    clf = deepmine.load(model)
    assert np.mean(clf.predict(Xt[:200]) == yt[:200]) == acc
