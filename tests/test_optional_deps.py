"""The core works without the optional packages; a missing one names the extra to install."""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import deepmine
from deepmine.utils._optional import EXTRAS, TOUR_MODULES, import_optional, missing

ROOT = Path(__file__).resolve().parents[1]
OPTIONAL = ("gensim", "networkx", "pyoxigraph", "rdflib", "aeon", "torchvision", "pygments",
            "starlette", "uvicorn", "multipart")

# Runs in a fresh interpreter where every optional package is unimportable.
_SCRIPT = """
import json, sys
for m in {optional!r}:
    sys.modules[m] = None
import warnings; warnings.simplefilter("ignore")
import numpy as np
out = {{}}
import deepmine.tabular, deepmine.autoencoders, deepmine.timeseries, deepmine.vision
import deepmine.embeddings, deepmine.adversarial, deepmine.visualize, deepmine.datasets
from deepmine.tabular import MLPClassifier
from deepmine.autoencoders import AutoEncoderOutlierDetector
from deepmine.timeseries import CNNTimeSeriesClassifier
rng = np.random.default_rng(0)
X = rng.normal(size=(60, 3)); y = (X[:, 0] > 0).astype(int)
out["mlp"] = float(MLPClassifier(max_epochs=40, random_state=0).fit(X, y).score(X, y))
out["outliers"] = AutoEncoderOutlierDetector(max_epochs=2).fit(X).decision_function(X).shape[0]
Xs = rng.normal(size=(20, 1, 16))
out["tsc"] = CNNTimeSeriesClassifier(max_epochs=1).fit(Xs, np.arange(20) % 2).predict(Xs).shape[0]
def err(f):
    try:
        f()
    except ImportError as exc:
        return type(exc).__name__ + ": " + str(exc)
    return "no error"
from deepmine.embeddings import Word2Vec, DeepWalk, KnowledgeGraph
out["word2vec"] = err(lambda: Word2Vec().fit([["a", "b"], ["b", "c"]]))
out["kg"] = err(lambda: KnowledgeGraph.load({nt!r}))
out["ucr"] = err(lambda: deepmine.datasets.load_gunpoint())
from deepmine.cli import main
out["tour_code"] = main(["tour", "--quick", "--out", {tour!r}])
print(json.dumps(out))
"""


def test_core_without_optional_packages(tmp_path):
    nt = tmp_path / "g.nt"
    nt.write_text("<http://x/a> <http://x/p> <http://x/b> .\n")
    script = _SCRIPT.format(optional=OPTIONAL, nt=str(nt), tour=str(tmp_path / "tour"))
    env = dict(os.environ, PYTHONPATH=str(Path(deepmine.__file__).parents[1]))
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=240, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["mlp"] >= 0.9
    assert out["outliers"] == 60 and out["tsc"] == 20
    assert out["word2vec"] == ("MissingDependencyError: Word2Vec needs the gensim package, which "
                               "is not installed: pip install 'deepmine[text]'")
    assert "pip install 'deepmine[rdf]'" in out["kg"]
    assert "pip install 'deepmine[timeseries]'" in out["ucr"]
    assert out["tour_code"] == 2
    line, = [s for s in run.stderr.splitlines() if s.startswith("deepmine tour: error:")]
    assert line.endswith("pip install 'deepmine[tour]'")
    assert not (tmp_path / "tour").exists()


def test_missing_names_the_extra_and_keeps_other_import_errors():
    assert str(missing("networkx.algorithms", "CommunityWalker")) == (
        "CommunityWalker needs the networkx package, which is not installed: "
        "pip install 'deepmine[graphs]'")
    assert isinstance(missing("gensim"), ImportError)
    with pytest.raises(ModuleNotFoundError, match="no_such_package"):
        import_optional("no_such_package")  # not an optional package: python's own error


def test_every_named_extra_installs_its_package():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = meta["optional-dependencies"]

    def packages(extra):
        found = set()
        for req in extras[extra]:
            name = req.split(">")[0].split("=")[0].split("[")[0].strip()
            if name == "deepmine":
                for sub in req[req.index("[") + 1:req.index("]")].split(","):
                    found |= packages(sub)
            else:
                found.add(name.lower())
        return found

    for module, (package, extra) in EXTRAS.items():
        assert package.lower() in packages(extra), (module, extra)
        assert package.lower() in packages("all"), module
    for module in TOUR_MODULES:
        assert EXTRAS[module][0].lower() in packages("tour")
    core = {r.split(">")[0].lower() for r in meta["dependencies"]}
    assert not core & {EXTRAS[m][0].lower() for m in OPTIONAL}
    readme = (ROOT / "README.md").read_text()
    for extra in ("vision", "text", "graphs", "rdf", "timeseries", "tour", "serve", "all"):
        assert f"| `{extra}` |" in readme
