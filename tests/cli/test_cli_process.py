"""The CLI as a process: Ctrl-C, a closed pipe, and what ``--help`` imports."""

import os
import signal
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _start(args, cwd):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "deepmine", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _interrupt_after(proc, marker, delay=0.0):
    """Wait for ``marker`` on stderr, send one SIGINT, return (rc, stdout, stderr)."""
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if marker in line:
            break
    else:
        proc.wait(timeout=5)
        raise AssertionError("the command ended before " + repr(marker) + ": " + "".join(seen))
    if delay:
        import time

        time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, "".join(seen) + err


def _table(path, n=3000):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 8))
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(8)])
    df["y"] = (np.sin(3 * X[:, 0]) + X[:, 1] * X[:, 2] > 0).astype(int)
    df.to_csv(path, index=False)


def test_one_ctrl_c_ends_fit_during_cross_validation(tmp_path):
    """One SIGINT in the first fold: exit 130, one line, no CV score printed, no model saved."""
    _table(tmp_path / "t.csv")
    proc = _start(["fit", "t.csv", "--target", "y", "--cv", "3", "--hidden", "256", "256",
                   "--epochs", "100000", "--out", "m.dm"], tmp_path)
    rc, out, err = _interrupt_after(proc, "cross-validating")
    assert rc == 130, err
    assert "interrupted; nothing saved" in err and "Traceback" not in err
    assert "cross-validated" not in out and "+/-" not in out
    assert not (tmp_path / "m.dm").exists()


@pytest.mark.parametrize("keep", [False, True])
def test_ctrl_c_in_tsc_fit_saves_only_with_keep_partial(tmp_path, keep):
    """Ctrl-C during training: nothing saved, or with --keep-partial the model trained so far."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 64))
    lines = [",".join(f"{v:.3f}" for v in x) + f":{'ab'[i % 2]}" for i, x in enumerate(X)]
    (tmp_path / "d.ts").write_text("@problemName d\n@univariate true\n@classLabel true a b\n@data\n"
                                   + "\n".join(lines) + "\n")
    proc = _start(["tsc", "fit", "d.ts", "--epochs", "100000", "--out", "m.dm"]
                  + (["--keep-partial"] if keep else []), tmp_path)
    rc, out, err = _interrupt_after(proc, "training fcn", delay=2.0)
    assert rc == 130 and "Traceback" not in err, err
    assert len(err.strip().splitlines()) <= 3, err
    assert (tmp_path / "m.dm").exists() == keep
    assert not (tmp_path / "m.dm.json").exists()
    if keep:
        import deepmine

        assert "the model trained so far is saved" in err
        assert deepmine.load(tmp_path / "m.dm").predict(X[:, None, :]).shape == (40,)


def test_predict_into_a_closed_pipe_exits_quietly(tmp_path):
    """``deepmine predict ... | head -1``: no BrokenPipeError, exit code 0."""
    from deepmine.tabular import MLPClassifier

    _table(tmp_path / "t.csv", n=5000)  # ~200 KB of output: more than a pipe buffer
    df = pd.read_csv(tmp_path / "t.csv")
    MLPClassifier((4,), max_epochs=1, random_state=0).fit(df.drop(columns="y")[:200],
                                                          df["y"][:200]).save(tmp_path / "m.dm")
    proc = _start(["predict", "m.dm", "t.csv"], tmp_path)
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    proc.wait(timeout=120)
    assert first.startswith("prediction,proba_0,proba_1")
    # the training table still holds the target: the one note on stderr, no traceback
    assert proc.returncode == 0, err
    assert err.strip() == "ignoring column(s) ['y'] (not among the model's columns)", err


def test_help_imports_no_heavy_library():
    """``deepmine <command> --help`` imports neither scikit-learn, torch, pandas nor gensim."""
    code = ("import sys, contextlib, io\n"
            "from deepmine.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    codes = [main([*c.split(), '--help']) for c in ['', 'fit', 'predict', 'outliers',"
            " 'forecast', 'tsc fit', 'tsc predict', 'images fit', 'images predict', 'embed words',"
            " 'embed rdf', 'analogy', 'tour']]\n"
            "heavy = {'sklearn', 'torch', 'pandas', 'gensim', 'numpy', 'scipy', 'PIL'}\n"
            "print(codes, sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"{[0] * 13} []", out.stdout + out.stderr
