"""Benchmark: walk extraction of every RDF walker and sampler, deepmine vs pyRDF2Vec, on MUTAG.

Both libraries walk the MUTAG graph (``isMutagenic`` skipped) from all 340
labelled compounds (``--entities N``: the first N) with the same settings (``--depth``
hops, ``--walks`` walks per entity: pyRDF2Vec's ``max_walks``; one job, no
random_state) and the CPU time of
the extraction alone is printed (median over ``--repeats``; the graph is parsed
once beforehand by each library), with the number of distinct walks. The walkers'
own defaults are used otherwise (n-grams of 3, HALK threshold 0.01, community hop
probability 0.1, 4 WL iterations). deepmine also runs its mid walks and
``with_reverse`` walks (pyRDF2Vec's ``with_reverse`` draws ``walks**2`` walks per
entity, so it is left out). pyRDF2Vec 0.2.3 pins torch<2: install it apart,
without dependencies (see ``bench_rdf2vec.py``), and put it on ``PYTHONPATH``:

    PYTHONPATH=src:/tmp/pyrdf2vec_pkgs OMP_NUM_THREADS=1 python benchmarks/bench_rdf_walkers.py

``--no-pyrdf2vec`` (or pyRDF2Vec not importable) runs deepmine alone.
``--equivalence`` instead compares the two libraries' outputs: every walk of depth 1
and 2 (``max_walks=None``, which pyRDF2Vec enumerates breadth first) of random,
anonymous, walklet, split and reversed walks from the first ``--entities`` compounds,
as sets (literals by their value: rdflib writes ``"0.0090"`` as ``0.009``; split
walks without their first token, which pyRDF2Vec leaves out), and each sampler's hop
probabilities from every subject of those walks.
"""

import argparse
import gzip
import os
import shutil
import statistics
import tempfile
from pathlib import Path

import pandas as pd

#: ``../shared/data/rdf2vec/mutag`` beside the checkout (or beside a folder above it)
DATA = next((p / "shared" / "data" / "rdf2vec" / "mutag" for p in Path(__file__).resolve().parents
             if (p / "shared" / "data" / "rdf2vec" / "mutag").exists()),
            Path(__file__).resolve().parents[2] / "shared" / "data" / "rdf2vec" / "mutag")
SKIP = ["http://dl-learner.org/carcinogenesis#isMutagenic"]

WALKERS = ["RandomWalker", "WLWalker", "AnonymousWalker", "WalkletWalker", "NGramWalker",
           "HALKWalker", "SplitWalker", "CommunityWalker"]
SAMPLERS = [("ObjFreqSampler", {}), ("ObjFreqSampler", {"inverse": True}),
            ("ObjFreqSampler", {"split": True}), ("PredFreqSampler", {}),
            ("ObjPredFreqSampler", {}), ("PageRankSampler", {}), ("WideSampler", {})]


def cpu():
    """CPU seconds of this process and its finished children (pyRDF2Vec walks in a Pool)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        start = cpu()
        out = fn()
        times.append(cpu() - start)
    return statistics.median(times), out


def deepmine_cases(depth, walks):
    import deepmine.embeddings as D

    for name in WALKERS:
        kw = {"random_state": 0} if name == "CommunityWalker" else {}
        yield name, "", getattr(D, name)(depth, walks, **kw)
    yield "RandomWalker", "mid_walks", D.RandomWalker(depth, walks, mid_walks=True)
    yield "RandomWalker", "with_reverse", D.RandomWalker(depth, walks, with_reverse=True)
    for name, kw in SAMPLERS:
        label = name + "".join(f"({k})" for k in kw)
        yield "RandomWalker", label, D.RandomWalker(depth, walks, sampler=getattr(D, name)(**kw))


def pyrdf2vec_walker(setting, name, depth, walks):
    import pyrdf2vec.samplers as S
    import pyrdf2vec.walkers as W

    if setting in ("mid_walks", "with_reverse"):
        return None
    kw = {}
    if setting:
        sname = setting.split("(")[0]
        kw["sampler"] = getattr(S, sname)(**{k.strip(")"): True for k in setting.split("(")[1:]})
    return getattr(W, name)(depth, walks, n_jobs=1, **kw)


def equivalence(kg, pkg, entities):
    """Walk sets and hop probabilities of both libraries, compared."""
    import pyrdf2vec.samplers as S
    import pyrdf2vec.walkers as W
    from pyrdf2vec.graphs import Vertex

    import deepmine.embeddings as D

    labels = kg.graph.labels.tolist()
    value = {t: (t[1:t.rfind('"')] if t.startswith('"') else t) for t in labels}

    def canon(t):
        if t in value and t.startswith('"'):
            try:
                return repr(float(value[t]))
            except ValueError:
                return value[t]
        try:
            return repr(float(t))
        except ValueError:
            return t

    for name, kw in [("RandomWalker", {}), ("AnonymousWalker", {}), ("WalkletWalker", {}),
                     ("SplitWalker", {}), ("RandomWalker", {"with_reverse": True})]:
        for depth in (1, 2):
            extra = {"md5_bytes": None} if name in ("RandomWalker", "SplitWalker") else {}
            pw = getattr(W, name)(depth, None, n_jobs=1, **extra, **kw)
            ps = {tuple(canon(t) for t in w) for e in pw.extract(pkg, entities) for w in e}
            dw = getattr(D, name)(depth, None, **kw).extract(kg, entities)
            ds = {tuple(canon(t) for t in w) for w in dw}
            if name == "SplitWalker":
                ds = {w[1:] for w in ds}
            print(f"{name:<16} {str(kw):<24} depth {depth}: {len(ds):>6} walks, "
                  f"{'identical' if ps == ds else f'{len(ps ^ ds)} differ'}", flush=True)
    g = kg.graph
    walks = D.RandomWalker(2, None).extract(kg, entities).to_list()
    nodes = sorted({t for w in walks for t in w[0:-1:2]})
    for name, kw in SAMPLERS + [("WideSampler", {"inverse": True}),
                                ("PageRankSampler", {"split": True})]:
        sp = getattr(S, name)(**kw)
        sp.fit(pkg)
        prob = getattr(D, name)(**kw).edge_probabilities(kg)
        worst = 0.0
        for node in nodes:
            hops = pkg.get_hops(Vertex(node))
            ref = {(h[0].name, canon(h[1].name)): p for h, p in zip(hops, sp.get_weights(hops))}
            v = g.node_ids([node])[0]
            for e in range(g.indptr[v], g.indptr[v + 1]):
                key = (kg.predicates[g.edge_types[e]], canon(labels[g.indices[e]]))
                worst = max(worst, abs(ref[key] - prob[e]))
        print(f"{name:<20} {str(kw):<20} hops of {len(nodes)} nodes: max |p difference| = "
              f"{worst:.1e}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--walks", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--entities", type=int, default=None,
                    help="walk from the first N labelled compounds only (default: all 340)")
    ap.add_argument("--no-pyrdf2vec", action="store_true")
    ap.add_argument("--equivalence", action="store_true")
    ap.add_argument("--select", nargs="*", default=None, metavar="TEXT",
                    help="run only the rows whose walker or setting contains one of these")
    ap.add_argument("--pyrdf2vec-skip", nargs="*", default=[], metavar="WALKER",
                    help="walkers not to run in pyRDF2Vec (e.g. WLWalker, slow there)")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"MUTAG not found under {DATA}; nothing to do.")
        return
    from deepmine.embeddings import KnowledgeGraph

    entities = pd.concat([pd.read_csv(DATA / f, sep="\t") for f in
                          ("trainingSet.tsv", "testSet.tsv")])["bond"].tolist()[:args.entities]
    tmp = Path(tempfile.mkdtemp())
    nt = tmp / "mutag.nt"
    with gzip.open(DATA / "mutag.nt.gz", "rb") as f, open(nt, "wb") as g:
        shutil.copyfileobj(f, g)
    kg = KnowledgeGraph.load(nt).filtered(skip_predicates=SKIP)
    pkg = None
    if not args.no_pyrdf2vec:
        try:
            from pyrdf2vec.graphs import KG
            pkg = KG(str(nt), skip_predicates=set(SKIP), fmt="nt")
        except ImportError:
            print("pyRDF2Vec not importable: deepmine only.")
    if args.equivalence:
        if pkg is None:
            print("--equivalence needs pyRDF2Vec.")
        else:
            equivalence(kg, pkg, entities)
        return
    print(f"MUTAG, {len(entities)} compounds, depth {args.depth}, {args.walks} walks per entity, "
          f"CPU seconds of walk extraction (median of {args.repeats})")
    print(f"{'walker':<16} {'setting':<28} {'deepmine s':>10} {'walks':>8} "
          f"{'pyRDF2Vec s':>11} {'walks':>8} {'speed-up':>8}")
    for name, setting, walker in deepmine_cases(args.depth, args.walks):
        if args.select and not any(t in f"{name} {setting}" for t in args.select):
            continue
        secs, corpus = timed(lambda: walker.extract(kg, entities, random_state=0), args.repeats)
        row = f"{name:<16} {setting or 'default':<28} {secs:>10.2f} {len(corpus):>8}"
        pw = None
        if pkg is not None and not (name in args.pyrdf2vec_skip and not setting):
            pw = pyrdf2vec_walker(setting, name, args.depth, args.walks)
        if pw is not None:
            try:
                psecs, pwalks = timed(lambda: pw.extract(pkg, entities), args.repeats)
            except Exception as exc:  # pyRDF2Vec's own failures are reported, not fatal
                row += f"  pyRDF2Vec failed: {type(exc).__name__}: {str(exc)[:40]}"
            else:
                n = sum(len(w) for w in pwalks)
                row += f" {psecs:>11.2f} {n:>8} {psecs / max(secs, 1e-9):>7.0f}x"
        print(row, flush=True)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
