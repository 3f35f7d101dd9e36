"""Graph section of ``bench_defaults.py``: graph and knowledge-graph embeddings, defaults vs tuned.

- **DeepWalk / Node2Vec** on Zachary's karate club (networkx): 3-fold CV accuracy of a
  logistic regression on the node vectors, predicting the club each member joined.
  Tuned: the tour's settings (20-node walks, 40 per node, 32-d, 3 epochs). Baseline:
  scikit-learn's ``SpectralEmbedding`` (its defaults, the adjacency matrix as affinity).
- **Graph2Vec** on five families of small graphs (cycles, stars, paths, wheels, random
  trees; 12 of each, 7-14 nodes): 3-fold CV accuracy of ``Graph2Vec`` + logistic
  regression. Tuned: the tour's settings (32-d, ``min_count=1``, 20 epochs). Baseline: a
  degree histogram + logistic regression.
- **RDF2Vec** on MUTAG (bundled) and, when ``../shared/data/rdf2vec`` is present (or
  ``$DEEPMINE_SHARED_DATA/rdf2vec``), AIFB: test accuracy on the standard split of an SVC
  whose ``C`` is chosen by 5-fold CV on the training entities, as in
  ``bench_rdf2vec.py``. Tuned: that benchmark's settings (depth 4, 500 walks, CBOW, 10
  epochs).

``fit_seconds`` is the CPU time of one embedding fit. ``quick=True``: two seeds on the karate
club, one for Graph2Vec and for RDF2Vec's default on MUTAG. Run alone for the table:

    OMP_NUM_THREADS=1 python benchmarks/_defaults_graphs.py [--quick] [--seeds 3]
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np

AREA = "graphs"
CV_METRIC = "3-fold CV accuracy (logistic regression)"
RDF_METRIC = "test accuracy (SVC, C by 5-fold CV)"
AIFB_SKIP = ["http://swrc.ontoware.org/ontology#affiliation",
             "http://swrc.ontoware.org/ontology#employs"]


def _rdf_dir():
    here = Path(__file__).resolve().parents[2] / "shared" / "data" / "rdf2vec"
    if here.is_dir():
        return here
    env = os.environ.get("DEEPMINE_SHARED_DATA")
    if env and (Path(env) / "rdf2vec").is_dir():
        return Path(env) / "rdf2vec"
    return None


def _row(estimator, setting, dataset, metric, scores, seconds):
    return {"area": AREA, "estimator": estimator, "setting": setting, "dataset": dataset,
            "metric": metric, "scores": [float(s) for s in scores],
            "fit_seconds": [float(s) for s in seconds]}


def _timed(fn):
    start = time.process_time()
    out = fn()
    return out, time.process_time() - start


def _karate_rows(seeds):
    import networkx as nx
    from sklearn.linear_model import LogisticRegression
    from sklearn.manifold import SpectralEmbedding
    from sklearn.model_selection import cross_val_score

    from deepmine.embeddings import DeepWalk, Node2Vec, Word2Vec

    G = nx.karate_club_graph()
    y = np.array([G.nodes[v]["club"] == "Mr. Hi" for v in G.nodes()])
    adjacency = nx.to_numpy_array(G, weight=None)
    makers = {
        ("DeepWalk", "default"): lambda s: DeepWalk(random_state=s),
        ("DeepWalk", "tuned: 20-node walks, 40 per node, 32-d, 3 epochs (tour)"):
            lambda s: DeepWalk(walk_length=20, walks_per_node=40, random_state=s,
                               embedder=Word2Vec(vector_size=32, window=5, min_count=1, epochs=3)),
        ("Node2Vec", "default"): lambda s: Node2Vec(random_state=s),
    }
    for (name, setting), make in makers.items():
        scores, secs = [], []
        for s in seeds:
            X, t = _timed(lambda: make(s).fit_transform(G))
            scores.append(cross_val_score(LogisticRegression(), X, y, cv=3).mean())
            secs.append(t)
        yield _row(name, setting, "karate club", CV_METRIC, scores, secs)
    scores, secs = [], []
    for s in seeds:
        X, t = _timed(lambda: SpectralEmbedding(affinity="precomputed", random_state=s)
                      .fit_transform(adjacency))
        scores.append(cross_val_score(LogisticRegression(), X, y, cv=3).mean())
        secs.append(t)
    yield _row("DeepWalk", "baseline: SpectralEmbedding (defaults, adjacency affinity)",
               "karate club", CV_METRIC, scores, secs)


def _graph_families(seed):
    import networkx as nx

    rng = np.random.RandomState(seed)
    makers = {"cycle": nx.cycle_graph, "star": nx.star_graph, "path": nx.path_graph,
              "wheel": nx.wheel_graph,
              "tree": lambda n: nx.random_labeled_tree(n, seed=int(rng.randint(1 << 30)))}
    graphs, family = [], []
    for _ in range(12):
        for name, make in makers.items():
            graphs.append(make(int(rng.randint(7, 15))))
            family.append(name)
    return graphs, np.array(family)


def _graph2vec_rows(seeds):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    from deepmine.embeddings import Graph2Vec

    makers = {"default": lambda s: Graph2Vec(random_state=s),
              "tuned: 32-d, min_count=1, 20 epochs (tour)": lambda s: Graph2Vec(
                  wl_iterations=2, vector_size=32, min_count=1, epochs=20, random_state=s)}
    data = {s: _graph_families(s) for s in seeds}
    for setting, make in makers.items():
        scores, secs = [], []
        for s in seeds:
            graphs, y = data[s]
            _, t = _timed(lambda: make(s).fit(graphs))
            pipe = make_pipeline(make(s), LogisticRegression(max_iter=2000))
            scores.append(cross_val_score(pipe, graphs, y, cv=3).mean())
            secs.append(t)
        yield _row("Graph2Vec", setting, "5 graph families", CV_METRIC, scores, secs)
    scores, secs = [], []
    for s in seeds:
        graphs, y = data[s]

        def hist():
            H = np.zeros((len(graphs), 16))
            for i, g in enumerate(graphs):
                d = np.bincount([min(k, 15) for _, k in g.degree()], minlength=16)
                H[i] = d / d.sum()
            return H

        H, t = _timed(hist)
        scores.append(cross_val_score(LogisticRegression(max_iter=2000), H, y, cv=3).mean())
        secs.append(t)
    yield _row("Graph2Vec", "baseline: degree histogram + LogisticRegression", "5 graph families",
               CV_METRIC, scores, secs)


def _rdf_tasks(quick):
    import pandas as pd

    from deepmine.datasets import load_mutag

    m = load_mutag()
    yield "MUTAG", m.graph, list(m.entities), m.target, m.train, m.skip_predicates
    root = _rdf_dir()
    if quick or root is None:
        return
    tr = pd.read_csv(root / "aifb" / "AIFB_train.tsv", sep="\t")
    te = pd.read_csv(root / "aifb" / "AIFB_test.tsv", sep="\t")
    entities = tr["person"].tolist() + te["person"].tolist()
    y = np.array(tr["label_affiliation"].tolist() + te["label_affiliation"].tolist())
    yield "AIFB", str(root / "aifb" / "aifb.nt.gz"), entities, y, np.arange(len(y)) < len(tr), \
        AIFB_SKIP


def _rdf2vec_rows(seeds, quick):
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import SVC

    from deepmine.embeddings import RandomWalker, RDF2Vec, Word2Vec

    makers = {"default": lambda: {},
              "tuned: depth 4, 500 walks, CBOW, 10 epochs (bench_rdf2vec.py)": lambda: dict(
                  walker=RandomWalker(4, 500),
                  embedder=Word2Vec("cbow", vector_size=100, window=5, min_count=1, epochs=10))}
    if quick:  # one seed of the default on MUTAG: about 20 s of CPU
        makers = {"default": makers["default"]}
    for dataset, graph, entities, y, train, skip in _rdf_tasks(quick):
        for setting, make in makers.items():
            scores, secs = [], []
            for s in seeds:
                model = RDF2Vec(**make(), skip_predicates=skip, random_state=s)
                X, t = _timed(lambda: model.fit_transform(graph, entities))
                grid = GridSearchCV(SVC(random_state=s), {"C": [10.0 ** k for k in range(-3, 4)]},
                                    cv=5).fit(X[train], y[train])
                scores.append(grid.score(X[~train], y[~train]))
                secs.append(t)
            yield _row("RDF2Vec", setting, dataset, RDF_METRIC, scores, secs)


def rows(seeds, quick=False):
    """Yield one dict per (estimator, setting, dataset); see the module docstring."""
    seeds = list(seeds)
    yield from _karate_rows(seeds[:2] if quick else seeds)
    yield from _graph2vec_rows(seeds[:1] if quick else seeds)
    yield from _rdf2vec_rows(seeds[:1] if quick else seeds, quick)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    for r in rows(range(args.seeds), quick=args.quick):
        sc = np.asarray(r["scores"])
        print(f"{r['estimator']:9s} {r['dataset']:17s} {r['setting']:64s} {sc.mean():.3f} ± "
              f"{sc.std():.3f}  fit {np.mean(r['fit_seconds']):6.2f} s CPU", flush=True)


if __name__ == "__main__":
    main()
