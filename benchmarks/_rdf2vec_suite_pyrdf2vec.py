"""pyRDF2Vec's rows of ``bench_rdf2vec.py --suite``, run by an interpreter that has pyrdf2vec.

pyRDF2Vec 0.2.3 pins torch<2, so it lives in its own virtual environment, e.g.::

    python3.11 -m venv /tmp/pyrdf2vec-venv
    /tmp/pyrdf2vec-venv/bin/pip install pyrdf2vec==0.2.3 "numpy<2" gensim rdflib \\
        scikit-learn nest_asyncio aiohttp requests    # its wheel does not declare these

and ``bench_rdf2vec.py --suite --suite-pyrdf2vec /tmp/pyrdf2vec-venv/bin/python`` calls this
script. It runs pyRDF2Vec's RandomWalker and WLWalker with the suite's settings (depth 4,
50 walks per entity, 2 WL iterations; gensim skip-gram, 100-d, window 5, 10 epochs,
min_count 1, one worker; walks from the labelled entities only) on MUTAG and AIFB, scores
them with the same SVC protocol and appends one JSON line per run to ``--results`` (done
runs are skipped). ``fit_s`` is the CPU time of walk extraction and word2vec; reading the
graph (rdflib) is ``parse_s``. Needs neither deepmine nor pandas.
"""

import argparse
import csv
import gzip
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _rdf2vec_suite import (SUITE_DEPTH, SUITE_EPOCHS, SUITE_SETTINGS,  # noqa: E402
                            SUITE_WALKS, SUITE_WL_ITERATIONS, append_result, git_commit,
                            load_results, run_key)

TASKS = {
    "mutag": ("mutag/mutag.nt.gz", "mutag/trainingSet.tsv", "mutag/testSet.tsv", "bond",
              "label_mutagenic", ["http://dl-learner.org/carcinogenesis#isMutagenic"]),
    "aifb": ("aifb/aifb.nt.gz", "aifb/AIFB_train.tsv", "aifb/AIFB_test.tsv", "person",
             "label_affiliation", ["http://swrc.ontoware.org/ontology#affiliation",
                                   "http://swrc.ontoware.org/ontology#employs"]),
}


def cpu():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def task(root, name):
    graph, train, test, ent, lab, skip = TASKS[name]
    rows = {}
    for part, fname in (("train", train), ("test", test)):
        with open(root / fname, newline="") as f:
            rows[part] = [(r[ent], str(r[lab])) for r in csv.DictReader(f, delimiter="\t")]
    pairs = rows["train"] + rows["test"]
    split = np.array(["train"] * len(rows["train"]) + ["test"] * len(rows["test"]))
    return root / graph, [e for e, _ in pairs], np.array([c for _, c in pairs]), split, skip


def test_accuracy(X, y, split, seed):
    """The suite's protocol: SVC, C in 10^-3..10^3 by 5-fold CV on the train split."""
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import SVC

    tr = split == "train"
    grid = GridSearchCV(SVC(random_state=seed), {"C": [10.0 ** k for k in range(-3, 4)]},
                        cv=5).fit(X[tr], y[tr])
    return grid.score(X[~tr], y[~tr])


def _alarm(signum, frame):
    raise TimeoutError


def main():
    signal.signal(signal.SIGALRM, _alarm)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--datasets", nargs="+", default=list(TASKS), choices=list(TASKS))
    ap.add_argument("--walkers", nargs="+", default=["RandomWalker", "WLWalker"])
    ap.add_argument("--run-timeout", type=int, default=900,
                    help="wall seconds per run; a run cut there is recorded as not finished")
    args = ap.parse_args()
    import pyrdf2vec
    from pyrdf2vec import RDF2VecTransformer
    from pyrdf2vec.embedders import Word2Vec
    from pyrdf2vec.graphs import KG
    from pyrdf2vec.walkers import RandomWalker, WLWalker

    library = f"pyRDF2Vec {getattr(pyrdf2vec, '__version__', '0.2.3')}"
    make = {"RandomWalker": lambda s: RandomWalker(SUITE_DEPTH, SUITE_WALKS, n_jobs=1,
                                                   random_state=s),
            "WLWalker": lambda s: WLWalker(SUITE_DEPTH, SUITE_WALKS, n_jobs=1, random_state=s,
                                           wl_iterations=SUITE_WL_ITERATIONS)}
    root, tmp = Path(args.data_dir), Path(tempfile.mkdtemp())
    done = {run_key(r) for r in load_results(args.results)}
    commit = git_commit()
    try:
        for wname in args.walkers:
            for seed in args.seeds:
                for name in args.datasets:
                    if (name, wname, "classic", seed, SUITE_SETTINGS, library) in done:
                        continue
                    path, entities, y, split, skip = task(root, name)
                    nt = tmp / (name + ".nt")  # rdflib reads plain N-Triples
                    if not nt.exists():
                        with gzip.open(path, "rb") as src, open(nt, "wb") as dst:
                            shutil.copyfileobj(src, dst)
                    t0 = cpu()
                    kg = KG(str(nt), skip_predicates=set(skip), fmt="nt")
                    t1 = cpu()
                    tr = RDF2VecTransformer(
                        Word2Vec(epochs=SUITE_EPOCHS, vector_size=100, window=5, workers=1,
                                 sg=1, min_count=1, seed=seed),
                        walkers=[make[wname](seed)], verbose=0)
                    record = dict(graph=name, walker=wname, variant="classic", seed=seed,
                                  settings=SUITE_SETTINGS, parse_s=t1 - t0, light=True,
                                  library=library, commit=commit)
                    signal.alarm(args.run_timeout)
                    try:
                        X, _ = tr.fit_transform(kg, entities)
                    except TimeoutError:  # its walk pool is terminated on the way out
                        append_result(args.results, dict(
                            record, accuracy=None, fit_s=cpu() - t1,
                            unfinished_after_wall_s=args.run_timeout))
                        print(f"[seed {seed}] {name} {library} {wname}: not finished after "
                              f"{args.run_timeout} s wall, {cpu() - t1:.0f} CPU s", flush=True)
                        continue
                    finally:
                        signal.alarm(0)
                    fit_s = cpu() - t1
                    test = test_accuracy(np.asarray(X), y, split, seed)
                    append_result(args.results, dict(record, accuracy=100 * test, fit_s=fit_s))
                    print(f"[seed {seed}] {name} {library} {wname}: {100 * test:.1f} %, fit "
                          f"{fit_s:.1f} CPU s (graph {t1 - t0:.1f} s)", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
