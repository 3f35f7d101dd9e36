"""Benchmark: deepmine's RDF2Vec vs pyRDF2Vec on MUTAG and AIFB (node classification).

Both pipelines walk the same graph (label predicates skipped: MUTAG isMutagenic;
AIFB affiliation and employs) from all labelled entities, embed the walks with
gensim word2vec (the same settings: 100-d, window 5, ``--epochs`` epochs, one
worker) and train an SVC with a grid on C (5-fold CV) on the standard training
split; the test accuracy is printed with the CPU time of each phase (parse,
walk extraction, word2vec), median over ``--repeats``, runs alternating.

deepmine runs three configurations: the same settings as pyRDF2Vec (random walks,
depth 4, 500 walks per entity, CBOW), its defaults (skip-gram), and the
Weisfeiler-Lehman walker (``--wl-walks`` walks per entity and WL iteration, CBOW).
pyRDF2Vec 0.2.3 pins torch<2, so install it without dependencies:

    pip install --no-deps --target /tmp/pyrdf2vec_pkgs pyrdf2vec==0.2.3 attrs==21.4.0 \\
        cachetools==4.2.4 tomlkit nest_asyncio aiohttp multidict yarl idna propcache \\
        aiohappyeyeballs aiosignal frozenlist requests urllib3 certifi python-louvain
    PYTHONPATH=/tmp/pyrdf2vec_pkgs python benchmarks/bench_rdf2vec.py --threads 1

``--defaults-grid`` instead runs the fixed candidate grid on which ``RDF2Vec()``'s
defaults were chosen, on all four graphs (MUTAG, AIFB, CORA, CITESEER; label predicates
skipped): random walks of depth {2, 4} with {100, 500} walks per entity, skip-gram or
CBOW, 100-d, window 5, 10 epochs. Walks are extracted once per (graph, walker, seed) and
shared by both word2vec modes. Each candidate gets a selection score that never looks
at a test entity (MUTAG/AIFB: the SVC's 5-fold CV accuracy on the training entities;
CORA/CITESEER, Planetoid split: accuracy on the 500 validation papers of the SVC fitted
on the 140/120 training papers) and the test accuracy; the default is the candidate
with the best mean selection score over the four graphs:

    OMP_NUM_THREADS=1 python benchmarks/bench_rdf2vec.py --defaults-grid --seeds 0 1 2

``--suite`` is the standard evaluation (``_rdf2vec_suite.py``): the four variants (classic,
oa, e, p) with random walks and every other ``*Walker`` class of ``deepmine.embeddings`` (WL,
Anonymous, Walklet, NGram, Community, HALK, Split) with the classic variant, on MUTAG, AIFB,
CORA and CITESEER, with settings fixed before any run (``SUITE_*``: depth 4, 50 walks per
entity and per WL iteration, 2 WL iterations, other walker parameters at their defaults;
100-d, window 5, 10 epochs, min_count 1, one worker; ``light="auto"``), one seed after the
other, the order-aware rows last; an SVC with C in 10^-3..10^3 by 5-fold CV on the train
split, scored on the test split. Every run is appended to ``--results`` (JSON lines) and
skipped when it is already there, so an interrupted suite resumes. It prints mean ± sd test
accuracy and mean fit CPU seconds (walks + embedding, graph already parsed) beside the
published figures (``PUBLISHED_SUITE``), and with ``--suite-pyrdf2vec PYTHON`` pyRDF2Vec
0.2.3's random and WL walks with the same settings on MUTAG and AIFB, run by that interpreter
(``_rdf2vec_suite_pyrdf2vec.py`` says how to install it); ``--table-only`` reprints the table:

    OMP_NUM_THREADS=1 python benchmarks/bench_rdf2vec.py --suite --seeds 0 1 2 3 4 \
        --results rdf2vec_suite.jsonl --suite-pyrdf2vec /tmp/pyrdf2vec-venv/bin/python \
        --markdown suite.md

``--sgns CORPUS`` trains deepmine's ``SkipGram`` and gensim's skip-gram (one worker, the
same settings: 100-d, window 5, 5 negatives, min_count 5, sample 1e-3, 5 epochs) on a
one-sentence-a-line corpus (e.g. ``debwiki10m.txt`` of ``../shared/tools/text-corpus``,
``--max-tokens`` for a prefix) and prints analogy accuracy (questions-words, restrict_vocab
30,000), WordSim-353 Spearman and CPU seconds.

Targets: accuracy at or above pyRDF2Vec's (recorded: MUTAG 73.5 %, AIFB
91.7 %), walk extraction at least 50x and end to end at least 5x faster, WL walks
that finish. Published RDF2Vec + SVM: MUTAG 67.2 %, AIFB 88.9 %.
"""

import argparse
import gzip
import os
import shutil
import statistics
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import _rdf2vec_suite

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "rdf2vec"
DATASETS = {
    "mutag": dict(graph="mutag/mutag.nt.gz", train="mutag/trainingSet.tsv", test="mutag/testSet.tsv",
                  entity="bond", label="label_mutagenic",
                  skip=["http://dl-learner.org/carcinogenesis#isMutagenic"]),
    "aifb": dict(graph="aifb/aifb.nt.gz", train="aifb/AIFB_train.tsv", test="aifb/AIFB_test.tsv",
                 entity="person", label="label_affiliation",
                 skip=["http://swrc.ontoware.org/ontology#affiliation",
                       "http://swrc.ontoware.org/ontology#employs"]),
}
PUBLISHED = {"mutag": 0.672, "aifb": 0.889}
RECORDED_PYRDF2VEC = {"mutag": (0.735, 39.0, 5.0), "aifb": (0.917, 35.0, 3.0)}


def cpu():
    """CPU seconds of this process and of its finished children (pyRDF2Vec walks in a Pool)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def svc_accuracy(X, y, train, seed):
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import SVC

    grid = GridSearchCV(SVC(random_state=seed), {"C": [10.0 ** k for k in range(-3, 4)]}, cv=5)
    grid.fit(X[train], y[train])
    return grid.score(X[~train], y[~train])


def run_deepmine(path, entities, skip, walker, mode, epochs, seed):
    from deepmine.embeddings import KnowledgeGraph, Word2Vec

    t0 = cpu()
    kg = KnowledgeGraph.load(path).filtered(skip_predicates=skip)
    t1 = cpu()
    corpus = walker.extract(kg, entities, random_state=seed)
    t2 = cpu()
    w2v = Word2Vec(mode, vector_size=100, window=5, min_count=1, epochs=epochs, workers=1,
                   random_state=seed).fit(corpus.for_training())
    t3 = cpu()
    X = w2v.wv_.vectors[[w2v.wv_.key_to_index[e] for e in entities]]
    return X, {"parse": t1 - t0, "walks": t2 - t1, "word2vec": t3 - t2, "n_walks": len(corpus)}


def planetoid_task(root, name):
    """CORA / CITESEER as RDF: entities (train, dev, test papers), labels and split names."""
    labels = pd.read_csv(root / name / "label.txt", sep="\t", header=None, names=["i", "c"])
    cls = dict(zip(labels.i, labels.c))
    parts = {s: [int(x) for x in (root / name / f"{s}.txt").read_text().split()]
             for s in ("train", "dev", "test")}
    idx = parts["train"] + parts["dev"] + parts["test"]
    split = np.array([s for s in ("train", "dev", "test") for _ in parts[s]])
    return (root / name / f"{name}.ttl.gz", [f"http://paper_{i}" for i in idx],
            np.array([cls[i] for i in idx]), split, ["http://hasLabel"])


def standard_task(root, name):
    spec = DATASETS[name]
    tr = pd.read_csv(root / spec["train"], sep="\t")
    te = pd.read_csv(root / spec["test"], sep="\t")
    entities = tr[spec["entity"]].tolist() + te[spec["entity"]].tolist()
    y = np.array(tr[spec["label"]].astype(str).tolist() + te[spec["label"]].astype(str).tolist())
    split = np.array(["train"] * len(tr) + ["test"] * len(te))
    return root / spec["graph"], entities, y, split, spec["skip"]


def select_and_test(X, y, split, seed):
    """(selection score without test entities, test accuracy) of an SVC with C by 5-fold CV."""
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import SVC

    tr = split == "train"
    grid = GridSearchCV(SVC(random_state=seed), {"C": [10.0 ** k for k in range(-3, 4)]},
                        cv=5).fit(X[tr], y[tr])
    dev = split == "dev"
    select = grid.score(X[dev], y[dev]) if dev.any() else grid.best_score_
    return select, grid.score(X[split == "test"], y[split == "test"])


def defaults_grid(args):
    from deepmine.embeddings import KnowledgeGraph, RandomWalker, Word2Vec

    root = Path(args.data_dir)
    walkers = {f"depth {d}, {n} walks": (d, n) for d in (4, 2) for n in (500, 100)}
    records = []
    for seed in args.seeds:
        for name in ("mutag", "aifb", "cora", "citeseer"):
            task = planetoid_task if name in ("cora", "citeseer") else standard_task
            path, entities, y, split, skip = task(root, name)
            kg = KnowledgeGraph.load(path).filtered(skip_predicates=skip)
            for label, (depth, n) in walkers.items():
                t0 = cpu()
                corpus = RandomWalker(depth, n).extract(kg, entities, random_state=seed)
                walk_s = cpu() - t0
                data = corpus.for_training()
                for mode in ("skipgram", "cbow"):
                    t0 = cpu()
                    w2v = Word2Vec(mode, vector_size=100, window=5, min_count=1, epochs=10,
                                   workers=1, random_state=seed).fit(data)
                    w2v_s = cpu() - t0
                    X = w2v.wv_.vectors[[w2v.wv_.key_to_index[e] for e in entities]]
                    select, test = select_and_test(X, y, split, seed)
                    records.append(dict(graph=name, candidate=f"{label}, {mode}", seed=seed,
                                        select=select, test=test, walk_s=walk_s, w2v_s=w2v_s))
                    print(f"[seed {seed}] {name} {label}, {mode}: select {select:.3f} test "
                          f"{test:.3f} walks {walk_s:.1f} s word2vec {w2v_s:.1f} s CPU", flush=True)
    df = pd.DataFrame(records)
    table = df.pivot_table(index="candidate", columns="graph", values=["select", "test"])
    table[("select", "mean of 4")] = table["select"].mean(axis=1)
    table[("test", "mean of 4")] = table["test"].mean(axis=1)
    pd.set_option("display.width", 200)
    print(table.sort_values(("select", "mean of 4"), ascending=False).to_string(
        float_format=lambda v: f"{100 * v:.1f}"))


def sgns_compare(args):
    """deepmine's SkipGram (order_aware=False and True) against gensim's skip-gram on one corpus."""
    from gensim.models import Word2Vec as GensimWord2Vec

    from deepmine.embeddings import SkipGram, evaluate_analogies, evaluate_similarity

    sentences, n = [], 0
    with open(args.sgns, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            sentences.append(words)
            n += len(words)
            if args.max_tokens and n >= args.max_tokens:
                break
    print(f"corpus {args.sgns}: {len(sentences):,} sentences, {n:,} tokens", flush=True)
    common = dict(vector_size=100, window=5, negative=5, min_count=5, sample=1e-3, epochs=5)
    runs = {
        "gensim skip-gram (1 worker)": lambda s: GensimWord2Vec(
            sentences, sg=1, workers=1, seed=s, **common).wv,
        "deepmine SkipGram": lambda s: SkipGram(random_state=s, **common).fit(sentences).wv_,
    }
    if args.sgns_no_gensim:
        del runs["gensim skip-gram (1 worker)"]
    if args.sgns_oa:
        runs["deepmine SkipGram(order_aware=True)"] = lambda s: SkipGram(
            order_aware=True, random_state=s, **common).fit(sentences).wv_
    rows = []
    for seed in args.seeds:
        for label, fn in runs.items():
            t0 = cpu()
            wv = fn(seed)
            sec = cpu() - t0
            acc, sections = evaluate_analogies(wv, restrict_vocab=30_000)
            covered = int(sections.iloc[-1][["correct", "incorrect"]].sum())
            sim = evaluate_similarity(wv)["spearman"]
            rows.append(dict(trainer=label, seed=seed, analogy=acc, wordsim353=sim, cpu_s=sec,
                             words_per_cpu_s=5 * n / sec, covered=covered))
            print(f"[seed {seed}] {label}: analogy {acc:.3f} ({covered} covered), WordSim-353 "
                  f"{sim:.3f}, {sec:.0f} CPU s", flush=True)
    df = pd.DataFrame(rows).groupby("trainer")[["analogy", "wordsim353", "cpu_s",
                                                 "words_per_cpu_s"]].agg(["mean", "std"])
    pd.set_option("display.width", 200)
    print(df.to_string(float_format=lambda v: f"{v:.3f}"))


def run_pyrdf2vec(nt_path, entities, skip, epochs, seed):
    from pyrdf2vec import RDF2VecTransformer
    from pyrdf2vec.embedders import Word2Vec
    from pyrdf2vec.graphs import KG
    from pyrdf2vec.walkers import RandomWalker

    t0 = cpu()
    kg = KG(str(nt_path), skip_predicates=set(skip), fmt="nt")
    t1 = cpu()
    tr = RDF2VecTransformer(Word2Vec(epochs=epochs, vector_size=100, window=5, workers=1, sg=0,
                                     seed=seed),
                            walkers=[RandomWalker(4, 500, n_jobs=1, random_state=seed)], verbose=0)
    walks = tr.get_walks(kg, entities)
    t2 = cpu()
    tr.fit(walks)
    t3 = cpu()
    X, _ = tr.transform(kg, entities)
    return np.asarray(X), {"parse": t1 - t0, "walks": t2 - t1, "word2vec": t3 - t2,
                           "n_walks": sum(len(w) for w in walks)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--datasets", nargs="+", default=["mutag", "aifb"], choices=list(DATASETS))
    ap.add_argument("--data-dir", default=str(DATA))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--wl-walks", type=int, default=100)
    ap.add_argument("--no-pyrdf2vec", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--defaults-grid", action="store_true",
                    help="run the candidate grid RDF2Vec's defaults were chosen on")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--suite", action="store_true",
                    help="every variant x walker on MUTAG, AIFB, CORA and CITESEER")
    ap.add_argument("--datasets-suite", nargs="+", default=["mutag", "aifb", "cora", "citeseer"])
    ap.add_argument("--walkers", nargs="+", help="--suite: only these walker classes")
    ap.add_argument("--variants", nargs="+", help="--suite: only these variants")
    ap.add_argument("--table-only", action="store_true",
                    help="--suite: only print the table of the --results file")
    ap.add_argument("--markdown", help="--suite: also write the table to this file")
    _rdf2vec_suite.add_arguments(ap)
    ap.add_argument("--sgns", metavar="CORPUS",
                    help="compare SkipGram with gensim's skip-gram on a one-sentence-a-line corpus")
    ap.add_argument("--max-tokens", type=int, default=0, help="--sgns: read only this prefix")
    ap.add_argument("--sgns-oa", action="store_true", help="--sgns: also the order-aware trainer")
    ap.add_argument("--sgns-no-gensim", action="store_true", help="--sgns: only deepmine's runs")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    try:
        import torch

        torch.set_num_threads(args.threads)
    except ImportError:
        pass
    from deepmine.embeddings import RandomWalker, WLWalker

    if args.sgns:
        return sgns_compare(args)
    if args.suite and args.table_only:
        return print(_rdf2vec_suite.suite_table(_rdf2vec_suite.load_results(args.results),
                                                args.datasets_suite), *_rdf2vec_suite.SUITE_NOTES,
                     sep="\n")
    if args.suite:
        return _rdf2vec_suite.suite(args)
    if args.defaults_grid:
        return defaults_grid(args)
    have_py = False
    if not args.no_pyrdf2vec:
        try:
            import pyrdf2vec  # noqa: F401

            have_py = True
        except ImportError as exc:
            print(f"pyRDF2Vec not importable ({exc}); printing its recorded figures instead.")
    tmp = Path(tempfile.mkdtemp())
    rows = []
    for name in args.datasets:
        spec = DATASETS[name]
        root = Path(args.data_dir)
        tr = pd.read_csv(root / spec["train"], sep="\t")
        te = pd.read_csv(root / spec["test"], sep="\t")
        entities = tr[spec["entity"]].tolist() + te[spec["entity"]].tolist()
        y = np.array(tr[spec["label"]].tolist() + te[spec["label"]].tolist())
        train = np.arange(len(y)) < len(tr)
        gz = root / spec["graph"]
        nt = tmp / (name + ".nt")  # pyRDF2Vec (rdflib) reads plain N-Triples
        with gzip.open(gz, "rb") as src, open(nt, "wb") as dst:
            shutil.copyfileobj(src, dst)
        configs = {
            "deepmine RDF2Vec (random, 500 walks, CBOW)": lambda: run_deepmine(
                gz, entities, spec["skip"], RandomWalker(4, 500), "cbow", args.epochs, args.seed),
            "deepmine RDF2Vec (random, 500 walks, skip-gram)": lambda: run_deepmine(
                gz, entities, spec["skip"], RandomWalker(4, 500), "skipgram", args.epochs, args.seed),
            f"deepmine RDF2Vec (WL, 4 iterations, {args.wl_walks} walks, CBOW)": lambda: run_deepmine(
                gz, entities, spec["skip"], WLWalker(4, args.wl_walks), "cbow", args.epochs, args.seed),
        }
        if have_py:
            configs["pyRDF2Vec 0.2.3 (random, 500 walks, CBOW)"] = lambda: run_pyrdf2vec(
                nt, entities, spec["skip"], args.epochs, args.seed)
        results = {k: [] for k in configs}
        for r in range(args.repeats):
            for label, fn in configs.items():
                X, t = fn()
                t["accuracy"] = svc_accuracy(X, y, train, args.seed)
                results[label].append(t)
                print(f"[{name} run {r + 1}] {label}: acc {t['accuracy']:.3f}, parse "
                      f"{t['parse']:.2f} s, walks {t['walks']:.2f} s ({t['n_walks']} walks), "
                      f"word2vec {t['word2vec']:.1f} s", flush=True)
        for label, runs in results.items():
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            rows.append({"dataset": name, "pipeline": label, "test accuracy": med["accuracy"],
                         "parse cpu s": med["parse"], "walk cpu s": med["walks"],
                         "word2vec cpu s": med["word2vec"],
                         "total cpu s": med["parse"] + med["walks"] + med["word2vec"],
                         "walks": int(med["n_walks"])})
        acc, walk_s, w2v_s = RECORDED_PYRDF2VEC[name]
        rows.append({"dataset": name, "pipeline": "pyRDF2Vec 0.2.3 recorded (quiet machine)",
                     "test accuracy": acc, "walk cpu s": walk_s, "word2vec cpu s": w2v_s})
        rows.append({"dataset": name, "pipeline": "published RDF2Vec + SVM", "test accuracy":
                     PUBLISHED[name]})
    df = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 60)
    print(df.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    for name in args.datasets:
        d = df[df.dataset == name].set_index("pipeline")
        ours = d.loc["deepmine RDF2Vec (random, 500 walks, CBOW)"]
        ref_label = "pyRDF2Vec 0.2.3 (random, 500 walks, CBOW)"
        ref = d.loc[ref_label] if ref_label in d.index else d.loc[
            "pyRDF2Vec 0.2.3 recorded (quiet machine)"]
        ref_total = ref["walk cpu s"] + ref["word2vec cpu s"] + (
            0 if pd.isna(ref.get("parse cpu s")) else ref["parse cpu s"])
        print(f"{name}: walk extraction {ref['walk cpu s'] / ours['walk cpu s']:.0f}x faster, "
              f"end to end {ref_total / ours['total cpu s']:.1f}x faster than {ref.name}; accuracy "
              f"{ours['test accuracy']:.3f} vs {ref['test accuracy']:.3f}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
