"""Benchmark: deepmine's Word2Vec vs plain gensim, and the walk engine vs a plain Python walk loop.

Part 1 trains skip-gram and CBOW on the same corpus file (streamed line by line)
with the same settings (100-d, window 5, negative 5, min_count 5, sample 1e-3,
5 epochs, ``--workers`` threads), deepmine and gensim alternating ``--repeats``
times, and prints training time, words per second, deepmine's overhead, the
analogy accuracy (questions-words.txt, 30k most frequent words) and the
WordSim-353 Spearman correlation of each.

Part 2 generates DeepWalk (uniform) and node2vec (p=0.5, q=2) walks of 40 nodes on
a random graph with ``--edges`` undirected edges and compares walks per second
with a plain Python loop over adjacency lists (random.choice per step; node2vec
by rejection sampling with set lookups, the fastest pure-Python way without
precomputed transition tables).

The corpus is the 10M-token one made by ../shared/tools/text-corpus/build.sh
(see its README for gensim's reference figures); ``--max-tokens`` uses its first
lines only (its lines are shuffled, so the head is a random sample).

    bash ../shared/tools/text-corpus/build.sh /tmp/corpus
    python benchmarks/bench_word2vec.py --corpus /tmp/corpus/debwiki10m.txt --threads 1

Targets: overhead under 5 %, quality identical (with ``--workers 1`` the
vectors are bit-identical).
"""

import argparse
import os
import random
import statistics
import tempfile
import time

import numpy as np

SETTINGS = dict(vector_size=100, window=5, negative=5, min_count=5, sample=1e-3, epochs=5)


def truncate(path, max_tokens):
    if not max_tokens:
        return path, None
    out = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8")
    n = 0
    with open(path, encoding="utf-8") as f, out:
        for line in f:
            out.write(line)
            n += len(line.split())
            if n >= max_tokens:
                break
    return out.name, out.name


def quality(kv):
    from deepmine.embeddings import evaluate_analogies, evaluate_similarity

    acc, _ = evaluate_analogies(kv, restrict_vocab=30000)
    return acc, evaluate_similarity(kv)["spearman"]


def train_deepmine(path, mode, workers, seed):
    from deepmine.embeddings import Word2Vec

    w = Word2Vec(mode, workers=workers, random_state=seed, **SETTINGS)
    t0, c0 = time.perf_counter(), time.process_time()
    w.fit(path)
    return w.wv_, time.perf_counter() - t0, time.process_time() - c0, w.corpus_total_words_


def train_gensim(path, mode, workers, seed):
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    t0, c0 = time.perf_counter(), time.process_time()
    m = Word2Vec(LineSentence(path), sg=int(mode == "skipgram"), workers=workers, seed=seed,
                 **SETTINGS)
    return m.wv, time.perf_counter() - t0, time.process_time() - c0, m.corpus_total_words


def part_word2vec(args):
    path, tmp = truncate(args.corpus, args.max_tokens)
    print(f"corpus {args.corpus}" + (f", first {args.max_tokens:,} tokens" if tmp else ""))
    print("mode       impl      wall s  cpu s  words/s   analogy  wordsim")
    for mode in args.modes:
        res = {"deepmine": [], "gensim": []}
        kvs = {}
        for _ in range(args.repeats):
            for name, fn in (("deepmine", train_deepmine), ("gensim", train_gensim)):
                kv, wall, cpu_s, words = fn(path, mode, args.workers, args.seed)
                res[name].append((wall, cpu_s, words))
                kvs[name] = kv
        for name in ("deepmine", "gensim"):
            wall = statistics.median(r[0] for r in res[name])
            cpu_s = statistics.median(r[1] for r in res[name])
            words = res[name][0][2] * SETTINGS["epochs"]
            acc, rho = quality(kvs[name])
            print(f"{mode:10s} {name:8s} {wall:7.1f} {cpu_s:6.1f} {words / wall:9.0f} "
                  f"{acc:8.3f} {rho:8.3f}")
        w_dm = statistics.median(r[0] for r in res["deepmine"])
        w_gs = statistics.median(r[0] for r in res["gensim"])
        same = (kvs["deepmine"].index_to_key == kvs["gensim"].index_to_key and
                np.array_equal(kvs["deepmine"].vectors, kvs["gensim"].vectors))
        print(f"{mode}: deepmine overhead {100 * (w_dm / w_gs - 1):+.1f} % wall; vectors "
              f"{'bit-identical' if same else 'differ (expected with several workers)'}")
    if tmp:
        os.unlink(tmp)


def python_walks(adj, starts, length, rng):
    walks = []
    for s in starts:
        walk = [s]
        while len(walk) < length:
            nbrs = adj[walk[-1]]
            if not nbrs:
                break
            walk.append(rng.choice(nbrs))
        walks.append(walk)
    return walks


def python_node2vec(adj, adjset, starts, length, p, q, rng):
    top = max(1 / p, 1.0, 1 / q)
    walks = []
    for s in starts:
        walk = [s]
        while len(walk) < length:
            cur = walk[-1]
            nbrs = adj[cur]
            if not nbrs:
                break
            if len(walk) == 1:
                walk.append(rng.choice(nbrs))
                continue
            prev = walk[-2]
            while True:
                x = rng.choice(nbrs)
                a = 1 / p if x == prev else (1.0 if x in adjset[prev] else 1 / q)
                if rng.random() * top < a:
                    break
            walk.append(x)
        walks.append(walk)
    return walks


def part_walks(args):
    from deepmine.embeddings import CSRGraph
    from deepmine.embeddings._walks import random_walks

    rng = np.random.default_rng(args.seed)
    n = args.edges // 10
    src, dst = rng.integers(0, n, args.edges), rng.integers(0, n, args.edges)
    t0 = time.perf_counter()
    g = CSRGraph.from_edges(src, dst, np.arange(n), directed=False)
    build = time.perf_counter() - t0
    print(f"\ngraph: {n:,} nodes, {args.edges:,} undirected edges ({g.n_edges:,} CSR entries), "
          f"built in {build:.2f} s; walks of 40 nodes")
    adj = [g.indices[g.indptr[v]:g.indptr[v + 1]].tolist() for v in range(n)]
    adjset = [set(a) for a in adj]
    starts = np.arange(n, dtype=np.int64)
    prng = random.Random(args.seed)
    n_py = min(n, args.python_walks)
    print("walk kind  impl            walks    seconds   walks/s   speedup")
    for kind, p, q in (("deepwalk", 1.0, 1.0), ("node2vec", 0.5, 2.0)):
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            w = random_walks(g, starts, 40, np.random.default_rng(args.seed), p=p, q=q)
            times.append(time.perf_counter() - t0)
        ours = statistics.median(times)
        t0 = time.perf_counter()
        if kind == "deepwalk":
            python_walks(adj, starts[:n_py].tolist(), 40, prng)
        else:
            python_node2vec(adj, adjset, starts[:n_py].tolist(), 40, p, q, prng)
        py = time.perf_counter() - t0
        print(f"{kind:10s} deepmine (numpy) {len(w):8,} {ours:9.2f} {len(w) / ours:9.0f} "
              f"{(len(w) / ours) / (n_py / py):8.0f}x")
        print(f"{kind:10s} python loop      {n_py:8,} {py:9.2f} {n_py / py:9.0f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=None, help="text file, one sentence a line")
    ap.add_argument("--max-tokens", type=int, default=None)
    ap.add_argument("--modes", nargs="+", default=["skipgram", "cbow"], choices=["skipgram", "cbow"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--edges", type=int, default=1_000_000)
    ap.add_argument("--python-walks", type=int, default=20_000)
    ap.add_argument("--skip-word2vec", action="store_true")
    ap.add_argument("--skip-walks", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    try:
        import torch

        torch.set_num_threads(args.threads)
    except ImportError:
        pass
    if not args.skip_word2vec:
        if not args.corpus or not os.path.isfile(args.corpus):
            ap.error("--corpus PATH is required (build it with ../shared/tools/text-corpus/build.sh)")
        part_word2vec(args)
    if not args.skip_walks:
        part_walks(args)


if __name__ == "__main__":
    main()
