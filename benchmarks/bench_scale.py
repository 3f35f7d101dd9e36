"""Scale of the graph path: parse / walk / word2vec CPU time and peak memory per phase.

Synthetic inputs, generated once and cached (``--cache``):

* power-law N-Triples (Zipf-distributed subjects and objects over ``triples / 10``
  entities, 100 predicates, 30 % literal objects), walked like RDF2Vec's default
  walker (depth 4) from 1,000 entities with ``--walks-per-entity`` walks each;
* networkx ``gnm_random_graph(n, 5 n)`` graphs, embedded like DeepWalk (walks of
  ``--walk-length`` nodes, ``--walks-per-node`` per node, one word2vec epoch).

The graphs are written once as pecanpy's tab-separated edge list; both libraries start
from that file. ``--nodes``: the walk pipeline end to end, from the edge-list file to a
corpus word2vec can read (deepmine: CSR, walks, the corpus file ``DeepWalk.fit``
trains from; pecanpy: ``read_edg`` and ``simulate_walks``, which returns lists of str
tokens, numba's JIT compilation included). ``--fit``: the full fit, walks and one
gensim word2vec epoch (deepmine: ``DeepWalk.fit(path)``; pecanpy: its walks given to
gensim's ``Word2Vec``).

Every job runs in its own process; after each phase the process reports the CPU
seconds of that phase (``time.process_time``: all threads) and its peak resident
set so far (``resource.getrusage``). pecanpy runs in the interpreter given by
``--pecanpy-python`` (a separate virtual environment: it pins an older NumPy).

Examples::

    python benchmarks/bench_scale.py --triples 1M --nodes 100k
    python benchmarks/bench_scale.py --triples 1M,5M,20M
    python benchmarks/bench_scale.py --nodes 100k,1M --fit 100k --fit-walks-per-node 1 \\
        --pecanpy-python /path/to/pecanpy-venv/bin/python
    python benchmarks/bench_scale.py --modes 100k     # list vs corpus_file word2vec input
"""

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np


def _size(text):
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Phases:
    """Emit one JSON line per phase: CPU seconds, wall seconds, peak RSS so far."""

    def __init__(self, kind, size):
        self.kind, self.size = kind, size

    def run(self, name, fn, **extra):
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        out = fn()
        row = {"kind": self.kind, "size": self.size, "phase": name,
               "cpu_s": round(time.process_time() - cpu, 2),
               "wall_s": round(time.perf_counter() - wall, 2), "peak_rss_mb": round(_rss_mb()), **extra}
        print(json.dumps(row), flush=True)
        return out


def write_triples(path, m, seed=0):
    """Power-law N-Triples: ``m`` triples over ``m // 10`` entities and 100 predicates."""
    rng = np.random.default_rng(seed)
    n_ent = max(m // 10, 10)
    with open(path, "w") as f:
        for lo in range(0, m, 500_000):
            k = min(500_000, m - lo)
            s = (rng.zipf(1.5, k) - 1) % n_ent
            p = (rng.zipf(2.0, k) - 1) % 100
            o = (rng.zipf(1.5, k) - 1) % n_ent
            lit = rng.random(k) < 0.3
            val = rng.integers(0, 1_000_000, k)
            lines = [f'<http://e.org/e{a}> <http://e.org/p{b}> "{v}" .\n' if t else
                     f"<http://e.org/e{a}> <http://e.org/p{b}> <http://e.org/e{c}> .\n"
                     for a, b, c, t, v in zip(s.tolist(), p.tolist(), o.tolist(), lit.tolist(),
                                              val.tolist())]
            f.writelines(lines)


def gnm(n, seed=0):
    import networkx as nx

    return nx.gnm_random_graph(n, 5 * n, seed=seed)


def edge_file(cache, n):
    return os.path.join(cache, f"gnm_{n}.edg")


def write_edge_file(path, n):
    """The gnm graph's edges as pecanpy's tab-separated edge list (isolated nodes are absent)."""
    edges = np.asarray(gnm(n).edges(), dtype=np.int64)
    with open(path + ".part", "w") as f:
        for lo in range(0, len(edges), 1_000_000):
            np.savetxt(f, edges[lo:lo + 1_000_000], fmt="%d", delimiter="\t")
    os.replace(path + ".part", path)


def child_kg(path, m, args):
    from deepmine.embeddings import KnowledgeGraph, RandomWalker, Word2Vec

    ph = _Phases("rdf2vec", m)
    ph.run("start", lambda: None)
    kg = ph.run("parse", lambda: KnowledgeGraph.load(path))
    ids = np.flatnonzero(~kg.is_literal)[:1000]
    walker = RandomWalker(depth=4, walks_per_entity=args.walks_per_entity)
    corpus = ph.run("walk", lambda: walker.extract(kg, ids, random_state=0))
    w2v = Word2Vec(vector_size=100, window=5, min_count=1, epochs=10, workers=args.threads,
                   random_state=0)
    ph.run("word2vec", lambda: w2v.fit(corpus.for_training()), walks=len(corpus))


def _deepwalk(args, walks_per_node, threads=None):
    from deepmine.embeddings import DeepWalk, Word2Vec

    emb = Word2Vec(vector_size=128, window=5, min_count=1, epochs=1,
                   workers=threads or args.threads, random_state=0)
    return DeepWalk(args.walk_length, walks_per_node, embedder=emb, random_state=0)


def child_walks(n, args):
    """deepmine's walk pipeline: edge-list file -> CSR -> walks -> corpus file for word2vec."""
    from deepmine.embeddings._node import as_csr_graph

    ph = _Phases("deepmine", n)
    g = ph.run("read edge list -> CSR", lambda: as_csr_graph(edge_file(args.cache, n)))
    out = os.path.join(tempfile.mkdtemp(), "walks.txt")
    dw = _deepwalk(args, args.walks_per_node)
    ph.run("walks -> corpus file", lambda: dw.write_walks(g, out),
           walks=g.n_nodes * args.walks_per_node)
    os.remove(out)


def child_walks_nx(n, args):
    """The same pipeline from a networkx graph (its construction is the user's, not counted)."""
    from deepmine.embeddings._node import as_csr_graph

    ph = _Phases("deepmine-nx", n)
    graph = [gnm(n)]
    g = ph.run("networkx -> CSR", lambda: as_csr_graph(graph.pop()))
    out = os.path.join(tempfile.mkdtemp(), "walks.txt")
    ph.run("walks -> corpus file", lambda: _deepwalk(args, args.walks_per_node).write_walks(g, out),
           walks=g.n_nodes * args.walks_per_node)
    os.remove(out)


def child_fit(n, args):
    """deepmine's full fit from the edge-list file: walks and word2vec (``--fit-walks-per-node``)."""
    ph = _Phases("deepmine", n)
    dw = _deepwalk(args, args.fit_walks_per_node)
    dw = ph.run("fit (read+walk+word2vec)", lambda: dw.fit(edge_file(args.cache, n)),
                walks=n * args.fit_walks_per_node)
    print(json.dumps({"kind": "deepmine", "size": n, "phase": "  of which walks (wall)",
                      "cpu_s": None, "wall_s": round(dw.walk_seconds_, 2),
                      "peak_rss_mb": None}), flush=True)


def _pecanpy_graph(ph, n, args):
    _numpy2_aliases()
    from pecanpy import pecanpy as pp

    def load():
        g = pp.SparseOTF(p=1, q=1, workers=args.threads, verbose=False, random_state=0)
        g.read_edg(edge_file(args.cache, n), weighted=False, directed=False)
        return g

    return ph.run("read_edg", load)


def child_pecanpy(n, args):
    """pecanpy's walk pipeline: read_edg, then simulate_walks (lists of str tokens, for gensim)."""
    ph = _Phases("pecanpy", n)
    g = _pecanpy_graph(ph, n, args)
    ph.run("simulate_walks (incl. JIT)", lambda: g.simulate_walks(
        num_walks=args.walks_per_node, walk_length=args.walk_length),
        walks=g.num_nodes * args.walks_per_node)


def child_pecanpy_fit(n, args):
    from gensim.models import Word2Vec as GensimWord2Vec

    ph = _Phases("pecanpy", n)
    g = _pecanpy_graph(ph, n, args)
    walks = ph.run("simulate_walks (incl. JIT)", lambda: g.simulate_walks(
        num_walks=args.fit_walks_per_node, walk_length=args.walk_length))
    ph.run("word2vec (gensim, lists)", lambda: GensimWord2Vec(
        walks, vector_size=128, window=5, min_count=0, sg=1, workers=args.threads, epochs=1,
        seed=0), walks=len(walks))


def _numpy2_aliases():
    """pecanpy's dependency nptyping still names aliases that NumPy 2 removed."""
    for old, new in [("bool8", "bool_"), ("object0", "object_"), ("int0", "intp"),
                     ("uint0", "uintp"), ("float_", "float64"), ("complex_", "complex128"),
                     ("unicode_", "str_"), ("string_", "bytes_"), ("void0", "void"),
                     ("longfloat", "longdouble"), ("singlecomplex", "complex64"),
                     ("cfloat", "complex128"), ("clongfloat", "clongdouble"),
                     ("longcomplex", "clongdouble"), ("str0", "str_"), ("bytes0", "bytes_")]:
        if old not in np.__dict__:
            setattr(np, old, getattr(np, new))


def child_modes(n, args):
    """word2vec input with ``workers=--threads``: token lists (GC on / frozen) vs a corpus file."""
    from gensim.models import Word2Vec as GensimWord2Vec

    from deepmine.embeddings._node import as_csr_graph
    from deepmine.embeddings._walk_corpus import WalkCorpus
    from deepmine.embeddings._walks import random_walks

    g = as_csr_graph(gnm(n))
    starts = np.tile(np.arange(g.n_nodes, dtype=np.int64), args.walks_per_node)
    ids = random_walks(g, starts, args.walk_length, np.random.default_rng(0))
    tokens = np.array([str(v) for v in g.labels], dtype=object)
    corpus = WalkCorpus(ids, tokens)
    ph = _Phases("w2v-input", n)
    kw = dict(vector_size=128, window=5, min_count=1, sg=1, workers=args.threads, epochs=1, seed=0)

    def as_list(frozen):
        if frozen:
            gc.freeze()
            gc.disable()
        try:
            walks = list(corpus)
        finally:
            gc.enable()
            gc.unfreeze()
        return walks

    walks = ph.run("to lists, GC on", lambda: as_list(False))
    del walks
    walks = ph.run("to lists, GC frozen", lambda: as_list(True))
    ph.run("train on lists", lambda: GensimWord2Vec(walks, **kw))
    del walks
    path = os.path.join(tempfile.mkdtemp(), "walks.txt")
    ph.run("write corpus_file", lambda: corpus.write(path))
    ph.run("train on corpus_file", lambda: GensimWord2Vec(corpus_file=path, **kw))
    os.remove(path)


CHILDREN = {"rdf2vec": None, "walks": child_walks, "walks-nx": child_walks_nx, "fit": child_fit,
            "pecanpy": child_pecanpy, "pecanpy-fit": child_pecanpy_fit, "modes": child_modes}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--triples", default="", help="comma-separated N-Triples sizes, e.g. 1M,5M,20M")
    ap.add_argument("--nodes", default="", help="comma-separated gnm graph sizes, e.g. 100k,1M")
    ap.add_argument("--fit", default="", help="gnm sizes for the full DeepWalk fit (with word2vec)")
    ap.add_argument("--nx", action="store_true", help="also walk from a networkx graph")
    ap.add_argument("--modes", default="", help="gnm sizes for the word2vec input comparison")
    ap.add_argument("--threads", type=int, default=1, help="word2vec (and pecanpy) threads")
    ap.add_argument("--walks-per-entity", type=int, default=100)
    ap.add_argument("--walks-per-node", type=int, default=10)
    ap.add_argument("--fit-walks-per-node", type=int, default=10,
                    help="walks per node of the full fits (word2vec dominates their time)")
    ap.add_argument("--walk-length", type=int, default=80)
    ap.add_argument("--pecanpy-python", default=None,
                    help="a Python interpreter with pecanpy installed: also run pecanpy")
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "deepmine_bench_scale"))
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    if args.child:
        kind, size = args.child[0], int(args.child[1])
        if kind == "generate":
            path = os.path.join(args.cache, f"triples_{size}.nt")
            write_triples(path + ".part", size)
            os.replace(path + ".part", path)
        elif kind == "edges":
            write_edge_file(edge_file(args.cache, size), size)
        elif kind == "rdf2vec":
            child_kg(os.path.join(args.cache, f"triples_{size}.nt"), size, args)
        else:
            if kind.startswith("pecanpy"):
                os.environ["NUMBA_NUM_THREADS"] = str(args.threads)
            CHILDREN[kind](size, args)
        return
    here = os.path.abspath(__file__)
    prep = []  # in children: ru_maxrss would carry over to later children
    jobs = []
    for m in filter(None, args.triples.split(",")):
        m = _size(m)
        if not os.path.exists(os.path.join(args.cache, f"triples_{m}.nt")):
            prep.append(("generate", m))
        jobs.append(("rdf2vec", m, sys.executable))
    for spec, kinds in [(args.nodes, ["walks"] + ["walks-nx"] * args.nx + ["pecanpy"]),
                        (args.fit, ["fit", "pecanpy-fit"])]:
        for n in filter(None, spec.split(",")):
            n = _size(n)
            if not os.path.exists(edge_file(args.cache, n)) and ("edges", n) not in prep:
                prep.append(("edges", n))
            for kind in kinds:
                if kind.startswith("pecanpy"):
                    if args.pecanpy_python:
                        jobs.append((kind, n, args.pecanpy_python))
                else:
                    jobs.append((kind, n, sys.executable))
    jobs += [("modes", _size(n), sys.executable) for n in filter(None, args.modes.split(","))]
    for kind, size in prep:
        subprocess.run([sys.executable, here, "--cache", args.cache, "--child", kind, str(size)],
                       check=True)
    print(f"{'kind':<12} {'size':>10} {'phase':<28} {'CPU s':>8} {'wall s':>8} {'peak RSS MB':>12}")
    passthrough = [a for a in sys.argv[1:]]
    totals = {}
    for kind, size, python in jobs:
        cmd = [python, here, *passthrough, "--child", kind, str(size)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        for line in proc.stdout.splitlines():
            r = json.loads(line)
            more = f"  ({r['walks']:,} walks)" if "walks" in r else ""
            cpu = "" if r["cpu_s"] is None else f"{r['cpu_s']:.2f}"
            rss = "" if r["peak_rss_mb"] is None else f"{r['peak_rss_mb']:,}"
            print(f"{r['kind']:<12} {r['size']:>10,} {r['phase']:<28} {cpu:>8} "
                  f"{r['wall_s']:>8.2f} {rss:>12}{more}", flush=True)
            if r["cpu_s"] is not None:
                t = totals.setdefault((kind, size), [0.0, 0.0, 0, 0])
                t[0] += r["cpu_s"]
                t[1] += r["wall_s"]
                t[2] = max(t[2], r["peak_rss_mb"])
                t[3] = max(t[3], r.get("walks", 0))
        if proc.returncode:
            print(f"{kind} {size}: failed: {proc.stderr.strip().splitlines()[-1:]}", flush=True)
    for ours, theirs, what in [("walks", "pecanpy", "walk pipeline (file -> corpus)"),
                               ("fit", "pecanpy-fit", "full fit (walks + word2vec)")]:
        for (kind, size), (cpu, wall, rss, walks) in sorted(totals.items()):
            if kind != ours:
                continue
            line = (f"{what}, {size:,} nodes: deepmine {cpu:.1f} CPU s ({walks / cpu:,.0f} walks/s), "
                    f"peak {rss:,} MB")
            other = totals.get((theirs, size))
            if other:
                line += (f"; pecanpy {other[0]:.1f} CPU s ({other[3] / other[0]:,.0f} walks/s), "
                         f"peak {other[2]:,} MB; deepmine {other[0] / cpu:.2f}x pecanpy's walks/s")
            print(line, flush=True)


if __name__ == "__main__":
    main()
