"""What the commands do with well-formed but tricky input (in-process, tiny data)."""

import numpy as np
import pandas as pd
import pytest

from deepmine.cli import main


@pytest.fixture()
def cancer_csv(tmp_path):
    """A 143-row slice of breast cancer (5 columns) with a numeric patient_id and a row number."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True)
    df = data.frame.iloc[::4, :5].copy().reset_index(drop=True)
    df.insert(0, "patient_id", np.random.RandomState(0).permutation(900000)[:len(df)] + 100000)
    df.insert(0, "row", np.arange(1, len(df) + 1))
    df["diagnosis"] = np.where(data.target.iloc[::4].to_numpy() == 1, "benign", "malignant")
    path = tmp_path / "cancer.csv"
    df.to_csv(path, index=False)
    return path


def test_fit_drops_numeric_ids_and_ends_with_next_command(cancer_csv, tmp_path, capsys):
    """patient_id (by name) and the row number (one integer per row) are dropped with a note."""
    out = tmp_path / "m.dm"
    assert main(["fit", str(cancer_csv), "--target", "diagnosis", "--model", "perceptron",
                 "--cv", "2", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "ignoring identifier column(s) ['row', 'patient_id']" in captured.err
    assert "5 feature columns" in captured.out
    last = captured.out.strip().splitlines()[-1]
    assert last.startswith(f"next: deepmine predict {out} NEW.csv")
    import deepmine

    assert "patient_id" not in list(deepmine.load(out).feature_names_in_)


def test_fit_and_outliers_set_date_columns_aside_for_every_model(cancer_csv, tmp_path, capsys):
    """A column of ISO dates (repeated, so no identifier) is dropped with a note before any fold,
    instead of failing in deepmine's encoder while the baselines one-hot encode it."""
    df = pd.read_csv(cancer_csv)
    df.insert(1, "visit", np.repeat(["2024-01-05", "2024-02-09", "2024-03-01"], 48)[:len(df)])
    df.to_csv(cancer_csv, index=False)
    out = tmp_path / "m.dm"
    assert main(["fit", str(cancer_csv), "--target", "diagnosis", "--model", "perceptron",
                 "--cv", "2", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines()[0].startswith("ignoring date column(s) ['visit'] (dates are "
                                                   "not encoded")
    assert "5 feature columns" in captured.out
    import deepmine

    assert "visit" not in list(deepmine.load(out).feature_names_in_)
    assert main(["outliers", str(cancer_csv), "--epochs", "1", "--contamination", "0.05"]) == 0
    captured = capsys.readouterr()
    assert "ignoring date column(s) ['visit']" in captured.err
    header = captured.out.splitlines()[0].split(",")               # the table has a "row" column
    assert header[:6] == ["row_", "outlier_score", "outlier", "top_features", "row", "visit"]


def test_fit_names_empty_cells_and_dropna_skips_them(cancer_csv, tmp_path, capsys):
    """Empty cells: one line with the column and the CSV line numbers; --dropna trains without them."""
    df = pd.read_csv(cancer_csv)
    df.loc[[3, 10], "mean texture"] = np.nan
    df.to_csv(cancer_csv, index=False)
    out = tmp_path / "m.dm"
    argv = ["fit", str(cancer_csv), "--target", "diagnosis", "--model", "perceptron", "--cv", "2",
            "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("ignoring identifier column(s)") and len(err) == 2
    assert "['mean texture']" in err[1] and "line(s) 5, 12" in err[1] and "--dropna" in err[1]
    assert not out.exists()
    assert main([*argv, "--dropna"]) == 0
    assert "skipping 2 of 143 rows" in capsys.readouterr().err and out.exists()


def test_fit_invalid_parameter_fails_before_cross_validation(cancer_csv, tmp_path, capsys,
                                                             monkeypatch):
    """A parameter the estimator refuses is one line, before any fold (not 'All the N fits failed')."""
    import functools

    import deepmine.tabular

    cls = deepmine.tabular.MLPClassifier
    calls = []
    monkeypatch.setattr(cls, "fit", lambda self, *a, **k: calls.append(1))
    original = cls.__init__

    @functools.wraps(original)
    def bad_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.batch_size = 0
    monkeypatch.setattr(cls, "__init__", bad_init)
    assert main(["fit", str(cancer_csv), "--target", "diagnosis", "--cv", "2", "--out",
                 str(tmp_path / "m.dm")]) == 2
    err = capsys.readouterr().err
    assert "batch_size" in err and "fits failed" not in err and len(err.strip().splitlines()) == 2
    assert calls == []


def test_outliers_prints_flagged_rows_unless_all(tmp_path, capsys):
    """outliers prints only the flagged rows, most unusual first; --all prints every row."""
    rng = np.random.RandomState(0)
    df = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    df.loc[5, "a"] = 25.0
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    assert main(["outliers", str(path), "--epochs", "3", "--contamination", "0.05"]) == 0
    flagged = capsys.readouterr().out.strip().splitlines()
    assert len(flagged) == 1 + 3 and flagged[1].split(",")[0] == "5"
    assert main(["outliers", str(path), "--epochs", "3", "--contamination", "0.05", "--all"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 1 + 60


@pytest.mark.parametrize("n_rows", [1, 9])
def test_outliers_refuses_a_table_too_small_to_show_what_is_usual(tmp_path, capsys, n_rows):
    """Fewer than 10 rows: one line and exit 2, instead of a table where nothing is flagged."""
    path = tmp_path / "t.csv"
    pd.DataFrame({"a": np.arange(n_rows, dtype=float), "b": 1.0}).to_csv(path, index=False)
    out = tmp_path / "scored.csv"
    assert main(["outliers", str(path), "--epochs", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(f"t.csv has {n_rows} row(s); the detector needs at least 10 to learn "
                        f"what a usual row looks like") and "\n" not in err
    assert not out.exists()


@pytest.mark.parametrize("as_float", [False, True])
def test_forecast_reads_integer_years_as_a_yearly_index(tmp_path, capsys, as_float):
    """A YEAR column 1700..1760 is a yearly index: the forecast continues at 1761, not at 1970.

    statsmodels' sunspots hold YEAR as floats, which pandas writes as 1700.0: years too."""
    years = np.arange(1700, 1761)
    values = 50 + 30 * np.sin(2 * np.pi * (years - 1700) / 11)
    path = tmp_path / "sunspots.csv"
    pd.DataFrame({"YEAR": years.astype(float) if as_float else years,
                  "SUNACTIVITY": values}).to_csv(path, index=False)
    out = tmp_path / "fc.csv"
    assert main(["forecast", str(path), "--column", "SUNACTIVITY", "--horizon", "3",
                 "--out", str(out)]) == 0
    fc = pd.read_csv(out, index_col=0)
    assert list(fc.index) == [1761, 1762, 1763]
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("next: ")


def _vectors(path):
    """A vector file where queen = king - man + woman exactly, with distractors near the query."""
    words = {"man": [1, 0, 0, 0], "woman": [1, 1, 0, 0], "king": [1, 0, 1, 0],
             "queen": [1, 1, 1, 0], "prince": [1, 0, 1, 0.3], "apple": [0, 0, 0, 1],
             "girl": [0.5, 1, 0, 0.2]}
    path.write_text(f"{len(words)} 4\n" + "".join(f"{w} {' '.join(map(str, v))}\n"
                                                  for w, v in words.items()))
    return str(path)


def test_analogy_readme_examples_return_queen(tmp_path, capsys):
    """The named-role form and the A:B::C:? form both answer queen."""
    vec = _vectors(tmp_path / "v.txt")
    assert main(["analogy", vec, "--positive", "king", "woman", "--negative", "man",
                 "--topn", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "king + woman - man = ?" and out[1].split("\t")[0] == "queen"
    assert main(["analogy", vec, "man", "king", "woman", "--topn", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split("\t")[0] == "queen"
    assert main(["analogy", vec, "man", "king"]) == 2
    assert "exactly three words" in capsys.readouterr().err


def test_analogy_refuses_a_header_larger_than_the_file(tmp_path, capsys):
    """A 1 KB file claiming 2e9 vectors of 300 numbers is refused before anything is allocated."""
    path = tmp_path / "huge.txt"
    path.write_text("2000000000 300\n" + "a " + " ".join(["0.1"] * 300) + "\n")
    assert main(["analogy", str(path), "a", "b", "c"]) == 2
    assert "declares 2000000000 vectors" in capsys.readouterr().err


def test_embed_words_tokenizes_like_the_python_api(tmp_path, capsys):
    """The file is lowercased and split into words exactly as Word2Vec().fit does a list of strings."""
    from deepmine.embeddings import Word2Vec

    rng = np.random.RandomState(0)
    words = ["King", "queen,", "MAN", "woman.", "Crown's"]
    lines = [" ".join(rng.choice(words, 6)) for _ in range(40)]
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(lines) + "\n")
    out = tmp_path / "v.txt"
    assert main(["embed", "words", str(corpus), "--min-count", "1", "--size", "4", "--epochs", "1",
                 "--out", str(out)]) == 0
    from deepmine.embeddings import load_vectors

    api = Word2Vec(vector_size=4, min_count=1, epochs=1, random_state=0).fit(lines)
    assert sorted(load_vectors(out).index_to_key) == sorted(api.wv_.index_to_key)
    assert sorted(api.wv_.index_to_key) == ["crown", "king", "man", "queen", "s", "woman"]


def test_tsc_predict_writes_labels_and_reports_accuracy(tmp_path, capsys):
    """tsc predict applies a model saved by tsc fit to a .ts file."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(16, 1, 24)) + np.repeat([0.0, 3.0], 8)[:, None, None]
    y = np.repeat(["low", "high"], 8)
    ts = tmp_path / "d.ts"
    ts.write_text("@problemName d\n@univariate true\n@classLabel true high low\n@data\n"
                  + "".join(",".join(f"{v:.3f}" for v in x[0]) + f":{c}\n" for x, c in zip(X, y)))
    model = tmp_path / "m.dm"
    assert main(["tsc", "fit", str(ts), "--model", "mcdcnn", "--epochs", "30",
                 "--out", str(model)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"next: deepmine tsc predict {model} NEW.ts"
    preds = tmp_path / "p.csv"
    assert main(["tsc", "predict", str(model), str(ts), "--out", str(preds)]) == 0
    table = pd.read_csv(preds)
    assert list(table.columns) == ["prediction", "proba_high", "proba_low"] and len(table) == 16
    err = capsys.readouterr().err
    acc = float(err.split("accuracy ")[1].split()[0])
    assert acc == np.mean(table["prediction"] == y)


@pytest.mark.parametrize("labels, expected", [
    (pd.period_range("1949-01", periods=48, freq="M").strftime("%Y-%m"), ["1953-01", "1953-02"]),
    (pd.period_range("1959Q1", periods=48, freq="Q").strftime("%YQ%q"), ["1971Q1", "1971Q2"]),
    (pd.period_range("1959Q1", periods=48, freq="Q").strftime("%Y-Q%q"), ["1971Q1", "1971Q2"]),
])
def test_forecast_keeps_months_and_quarters_as_periods(tmp_path, capsys, labels, expected):
    """'1949-01' and '1959Q1' labels continue as months and quarters, not as midnight dates;
    the error table prints every MAE with the same decimals."""
    steps = np.arange(48)
    path = tmp_path / "s.csv"
    pd.DataFrame({"when": labels, "value": 100 + steps + 10 * np.sin(steps)}).to_csv(path,
                                                                                   index=False)
    out = tmp_path / "fc.csv"
    assert main(["forecast", str(path), "--column", "value", "--horizon", "2", "--model",
                 "window-mlp", "--window", "4", "--out", str(out)]) == 0
    assert list(pd.read_csv(out, index_col=0).index) == expected
    table = [line for line in capsys.readouterr().out.splitlines() if " MAE " in line]
    places = {len(line.split("MAE")[1].split()[0].split(".")[1]) for line in table}
    assert len(table) >= 2 and len(places) == 1


def test_one_line_errors_for_degenerate_files(tmp_path, capsys):
    """A one-class target, a class with one row, a horizon that leaves nothing to train on and
    an empty vector file each end with one line and exit code 2, and no output file."""
    (tmp_path / "one.csv").write_text("a,b,y\n1,2,x\n3,4,x\n5,6,x\n")
    (tmp_path / "rare.csv").write_text("a,b,y\n1,2,x\n3,4,x\n5,6,z\n7,8,x\n")
    (tmp_path / "short.csv").write_text("v\n1\n2\n3\n")
    (tmp_path / "names.csv").write_text("a,name\n1.5,ann\n2.5,bob\n1.5,cy\n0.5,di\n")
    (tmp_path / "empty.txt").write_text("")
    out = tmp_path / "model.dm"
    cases = [
        (["fit", str(tmp_path / "one.csv"), "--target", "y", "--out", str(out)],
         "target 'y' holds one value only ('x'): there is nothing to predict"),
        (["fit", str(tmp_path / "rare.csv"), "--target", "y", "--out", str(out)],
         "class(es) 'z' of target 'y' have a single row"),
        (["fit", str(tmp_path / "names.csv"), "--target", "name", "--out", str(out)],
         "target 'name' has a different value in every row"),
        (["forecast", str(tmp_path / "short.csv"), "--column", "v", "--out", str(out)],
         "has 3 values of 'v'; holding out the last 12 (--horizon) to compare leaves 0"),
        (["analogy", str(tmp_path / "empty.txt"), "a", "b", "c"], "is empty"),
    ]
    for argv, message in cases:
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert message in captured.err and len(captured.err.strip().splitlines()) == 1
        assert captured.out == "" and not out.exists()


@pytest.mark.parametrize("sep", [";", "\t"])
def test_fit_reads_semicolon_and_tab_separated_files(tmp_path, capsys, sep):
    """A file whose header has no comma but a semicolon or a tab is read with that separator."""
    rng = np.random.RandomState(0)
    df = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40)})
    df["y"] = np.where(df["a"] > 0, "yes", "no")
    path = tmp_path / "t.csv"
    df.to_csv(path, sep=sep, index=False)
    assert main(["fit", str(path), "--target", "y", "--cv", "2", "--out",
                 str(tmp_path / "m.dm")]) == 0
    assert "2 feature columns, target 'y'" in capsys.readouterr().out


def test_forecast_notes_dates_without_a_frequency_once(tmp_path, capsys):
    """Missing days: one line on stderr, numbered forecasts, no repeated warnings."""
    days = pd.date_range("2000-01-01", periods=60, freq="D").delete([5, 17, 30])
    pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "v": np.sin(np.arange(57) / 3) + 5}).to_csv(
        tmp_path / "gappy.csv", index=False)
    out = tmp_path / "fc.csv"
    assert main(["forecast", str(tmp_path / "gappy.csv"), "--column", "v", "--horizon", "2",
                 "--window", "4", "--out", str(out)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["the dates in 'day' have no regular frequency (dates missing?): forecasts are "
                   "numbered, not dated; resample the series to forecast dates"]
    assert list(pd.read_csv(out, index_col=0).index) == [57, 58]
