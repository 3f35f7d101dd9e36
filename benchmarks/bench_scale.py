"""Scale of the graph path: parse / walk / word2vec CPU time and peak memory per phase.

Synthetic inputs, generated once and cached (``--cache``):

* power-law N-Triples (Zipf-distributed subjects and objects over ``triples / 10``
  entities, 100 predicates, 30 % literal objects), walked like RDF2Vec's default
  walker (depth 4) from 1,000 entities with ``--walks-per-entity`` walks each;
* networkx ``gnm_random_graph(n, 5 n)`` graphs, embedded like DeepWalk (walks of
  ``--walk-length`` nodes, ``--walks-per-node`` per node, one word2vec epoch).

Every size runs in its own process; after each phase the process reports the CPU
seconds of that phase (``time.process_time``: all threads) and its peak resident
set so far (``resource.getrusage``). ``--pecanpy`` adds pecanpy's ``SparseOTF``
walks and gensim training on the same graph where pecanpy is importable.

Examples::

    python benchmarks/bench_scale.py --triples 1M --nodes 100k
    python benchmarks/bench_scale.py --triples 5M,20M --nodes 1M --threads 2 --pecanpy
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


def child_graph(n, args):
    from deepmine.embeddings import DeepWalk, Word2Vec
    from deepmine.embeddings._node import as_csr_graph

    ph = _Phases("deepwalk", n)
    G = ph.run("networkx", lambda: gnm(n))
    g = ph.run("to_csr", lambda: as_csr_graph(G))
    del G
    emb = Word2Vec(vector_size=128, window=5, min_count=1, epochs=1, workers=args.threads,
                   random_state=0)
    dw = DeepWalk(args.walk_length, args.walks_per_node, embedder=emb, random_state=0)
    ph.run("walk", lambda: dw._walk_ids(g, 0))
    ph.run("fit (walk+word2vec)", lambda: dw.fit(g), walks=n * args.walks_per_node)


def child_pecanpy(n, args):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    _numpy2_aliases()
    from gensim.models import Word2Vec as GensimWord2Vec
    from pecanpy import pecanpy as pp

    ph = _Phases("pecanpy", n)
    G = ph.run("networkx", lambda: gnm(n))
    edg = os.path.join(args.cache, f"gnm_{n}.edg")
    if not os.path.exists(edg):
        np.savetxt(edg, np.asarray(G.edges(), dtype=np.int64), fmt="%d", delimiter="\t")
    del G

    def load():
        g = pp.SparseOTF(p=1, q=1, workers=args.threads, verbose=False)
        g.read_edg(edg, weighted=False, directed=False)
        return g

    g = ph.run("load", load)
    walks = ph.run("walk", lambda: g.simulate_walks(num_walks=args.walks_per_node,
                                                    walk_length=args.walk_length))
    ph.run("word2vec", lambda: GensimWord2Vec(walks, vector_size=128, window=5, min_count=0, sg=1,
                                              workers=args.threads, epochs=1, seed=0),
           walks=len(walks))


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
    from deepmine.embeddings._walks import WalkCorpus, random_walks

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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--triples", default="", help="comma-separated N-Triples sizes, e.g. 1M,5M,20M")
    ap.add_argument("--nodes", default="", help="comma-separated gnm graph sizes, e.g. 100k,1M")
    ap.add_argument("--modes", default="", help="gnm sizes for the word2vec input comparison")
    ap.add_argument("--threads", type=int, default=1, help="word2vec (and pecanpy) threads")
    ap.add_argument("--walks-per-entity", type=int, default=100)
    ap.add_argument("--walks-per-node", type=int, default=10)
    ap.add_argument("--walk-length", type=int, default=80)
    ap.add_argument("--pecanpy", action="store_true", help="also run pecanpy on the gnm graphs")
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
        elif kind == "rdf2vec":
            child_kg(os.path.join(args.cache, f"triples_{size}.nt"), size, args)
        else:
            {"deepwalk": child_graph, "pecanpy": child_pecanpy, "modes": child_modes}[kind](size, args)
        return
    jobs = []
    for m in filter(None, args.triples.split(",")):
        m = _size(m)
        path = os.path.join(args.cache, f"triples_{m}.nt")
        if not os.path.exists(path):  # in a child: ru_maxrss would carry over to later children
            subprocess.run([sys.executable, os.path.abspath(__file__), "--cache", args.cache,
                            "--child", "generate", str(m)], check=True)
        jobs.append(("rdf2vec", m))
    for n in filter(None, args.nodes.split(",")):
        jobs.append(("deepwalk", _size(n)))
        if args.pecanpy:
            jobs.append(("pecanpy", _size(n)))
    jobs += [("modes", _size(n)) for n in filter(None, args.modes.split(","))]
    print(f"{'kind':<10} {'size':>10} {'phase':<22} {'CPU s':>8} {'wall s':>8} {'peak RSS MB':>12}")
    passthrough = [a for a in sys.argv[1:]]
    for kind, size in jobs:
        cmd = [sys.executable, os.path.abspath(__file__), *passthrough, "--child", kind, str(size)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        for line in proc.stdout.splitlines():
            r = json.loads(line)
            more = f"  ({r['walks']} walks)" if "walks" in r else ""
            print(f"{r['kind']:<10} {r['size']:>10,} {r['phase']:<22} {r['cpu_s']:>8.2f} "
                  f"{r['wall_s']:>8.2f} {r['peak_rss_mb']:>12,}{more}", flush=True)
        if proc.returncode:
            print(f"{kind} {size}: failed: {proc.stderr.strip().splitlines()[-1:]}", flush=True)


if __name__ == "__main__":
    main()
