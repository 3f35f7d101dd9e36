"""Public names exist, import stays light, modules stay short."""

import importlib
import pathlib
import subprocess
import sys

import pytest

import deepmine

SRC = pathlib.Path(deepmine.__file__).parent
SUBPACKAGES = sorted(p.name for p in SRC.iterdir() if (p / "__init__.py").exists())


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_all_names_exist(name):
    """Every name in a subpackage's __all__ can be imported from it."""
    mod = importlib.import_module(f"deepmine.{name}")
    for attr in getattr(mod, "__all__", []):
        assert hasattr(mod, attr), f"deepmine.{name}.{attr}"


def test_import_deepmine_does_not_import_torch():
    """`import deepmine` is cheap: torch, matplotlib and gensim load only when used."""
    code = "import sys, deepmine; print(any(m in sys.modules for m in ('torch', 'matplotlib', 'gensim')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_modules_stay_within_the_size_budget():
    """No module passes the hard limit of 800 lines."""
    too_long = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                if len(p.read_text(encoding="utf-8").splitlines()) > 800]
    assert not too_long


def test_foundation_api_paths():
    """The paths the foundation promises exist."""
    from deepmine.datasets import load_credit  # noqa: F401
    from deepmine.nn import Trainer  # noqa: F401
    from deepmine.tabular import MLPClassifier, MLPRegressor, Perceptron  # noqa: F401

    assert callable(deepmine.load)
