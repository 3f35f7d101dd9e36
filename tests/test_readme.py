"""The README's first two code blocks run as scripts and print what the README says."""

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _block(heading):
    """The first ```python block after the line ``heading``."""
    text = README.read_text()
    start = text.index(heading + "\n")
    return re.search(r"```python\n(.*?)```", text[start:], re.S).group(1)


def _run(code, tmp_path, *flags):
    script = tmp_path / "example.py"
    script.write_text(code)
    return subprocess.run([sys.executable, *flags, str(script)], cwd=tmp_path, text=True,
                          capture_output=True, timeout=300,
                          env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})


def test_quick_start_prints_the_rule_without_a_warning(tmp_path):
    """The perceptron learns 'at least 2 of 3' ([[1. 1. 1.]] [-2.] 1.0, as the comment says);
    the MLP trains, saves and loads without any warning."""
    code = _block("## Quick start")
    claimed = re.search(r"# (\[\[.*?\]\] \[.*?\] [\d.]+):", code).group(1)
    done = _run(code, tmp_path, "-W", "error")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == claimed == "[[1. 1. 1.]] [-2.] 1.0"
    assert (tmp_path / "credit.dm").exists()


def test_own_network_example_runs_as_a_script(tmp_path):
    """The NeuralNetClassifier block: grid search, summary, save, and load by trusted class."""
    done = _run(_block("### Your own network (`NeuralNetClassifier`, `NeuralNetRegressor`, "
                       "`NeuralNetTransformer`)"), tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Linear" in done.stdout and (tmp_path / "net.dm").exists()
