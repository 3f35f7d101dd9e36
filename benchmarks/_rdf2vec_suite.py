"""The standard RDF2Vec evaluation of ``bench_rdf2vec.py --suite`` (resumable).

Every pipeline of ``SUITE_PIPELINES`` (the four variants with random walks, every other
walker with the classic variant) on MUTAG, AIFB, CORA and CITESEER, one seed after the other.
Each finished run is appended as one JSON line to ``--results``; a run already there (same
graph, walker, variant, seed and settings) is skipped, so an interrupted suite goes on where it
stopped. The order-aware rows run after all the others. The table is built from every line
of the file, pyRDF2Vec's rows (``_rdf2vec_suite_pyrdf2vec.py``) included.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

#: the fixed settings, chosen before any run: every walker with depth 4 and SUITE_WALKS walks
#: per entity (per WL iteration; WL with 2 iterations), its other parameters at their defaults;
#: 100-d, window 5, SUITE_EPOCHS epochs, min_count 1, one worker; light="auto"
SUITE_DEPTH, SUITE_WALKS, SUITE_EPOCHS, SUITE_WL_ITERATIONS = 4, 50, 10, 2
SUITE_SETTINGS = (f"depth {SUITE_DEPTH}, {SUITE_WALKS} walks, {SUITE_WL_ITERATIONS} WL iterations, "
                  f"100-d, window 5, {SUITE_EPOCHS} epochs, min_count 1")
#: (walker, variant): the variants on random walks, every other walker on the classic variant
SUITE_PIPELINES = [("RandomWalker", v) for v in ("classic", "e", "p")] + [
    (w, "classic") for w in ("WLWalker", "AnonymousWalker", "WalkletWalker", "NGramWalker",
                             "CommunityWalker", "HALKWalker", "SplitWalker")] + [
    ("RandomWalker", "oa")]
SUITE_GRAPHS = ["mutag", "aifb", "cora", "citeseer"]

#: published test accuracies (percent) of RDF2Vec with an SVM on these graphs, keyed by
#: (graph, walker, variant); the value is (accuracy, source). Filled from the papers' tables.
PUBLISHED_SUITE = {
    ("mutag", "RandomWalker", "classic"): (67.2, "Ristoski & Paulheim 2016, Table 3 (best RDF2Vec + SVM)"),
    ("aifb", "RandomWalker", "classic"): (88.9, "Ristoski & Paulheim 2016, Table 3 (best RDF2Vec + SVM)"),
}


def make_walker(name, seed):
    """The walker class ``name`` of deepmine.embeddings with the suite's settings."""
    import inspect

    import deepmine.embeddings as emb

    cls = getattr(emb, name)
    fixed = {"depth": SUITE_DEPTH, "walks_per_entity": SUITE_WALKS,
             "wl_iterations": SUITE_WL_ITERATIONS, "random_state": seed}
    params = inspect.signature(cls).parameters
    return cls(**{k: v for k, v in fixed.items() if k in params})


def load_results(path):
    """Every record of the JSONL file (none when it does not exist)."""
    if not Path(path).exists():
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def append_result(path, record):
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")
        f.flush()
        os.fsync(f.fileno())


def run_key(r):
    return (r["graph"], r["walker"], r["variant"], r["seed"], r.get("settings"),
            r.get("library", "deepmine"))


def git_commit():
    try:
        root = Path(__file__).resolve().parents[1]
        return subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def suite(args):
    """Run what is missing from ``args.results``, then print the table of the whole file."""
    from bench_rdf2vec import cpu, planetoid_task, select_and_test, standard_task

    from deepmine.embeddings import KnowledgeGraph, RDF2Vec, SkipGram, Word2Vec

    root = Path(args.data_dir)
    pipelines = [(w, v) for w, v in SUITE_PIPELINES
                 if (not args.walkers or w in args.walkers)
                 and (not args.variants or v in args.variants)]
    done = {run_key(r) for r in load_results(args.results)}
    commit, graphs = git_commit(), {}
    # the order-aware rows last, then one seed after the other, so a cut-short run is balanced
    phases = [[p for p in pipelines if p[1] != "oa"], [p for p in pipelines if p[1] == "oa"]]
    for phase in phases:
        for seed in args.seeds:
            for name in args.datasets_suite:
                todo = [p for p in phase if (name, *p, seed, SUITE_SETTINGS, "deepmine")
                        not in done]
                if not todo:
                    continue
                task = planetoid_task if name in ("cora", "citeseer") else standard_task
                path, entities, y, split, skip = task(root, name)
                if name not in graphs:
                    graphs[name] = KnowledgeGraph.load(path).filtered(skip_predicates=skip)
                for wname, variant in todo:
                    kw = dict(vector_size=100, window=5, min_count=1, epochs=SUITE_EPOCHS,
                              random_state=seed)
                    emb = SkipGram(**kw) if variant == "oa" else Word2Vec(workers=1, **kw)
                    model = RDF2Vec(make_walker(wname, seed), emb, variant=variant,
                                    light="auto", random_state=seed)
                    t0 = cpu()
                    X = model.fit_transform(graphs[name], entities)
                    fit_s = cpu() - t0
                    _, test = select_and_test(X, y, split, seed)
                    record = dict(graph=name, walker=wname, variant=variant, seed=seed,
                                  settings=SUITE_SETTINGS, accuracy=100 * test, fit_s=fit_s,
                                  walk_wall_s=model.walk_seconds_,
                                  embed_wall_s=model.embed_seconds_, light=model.light_,
                                  walks=model.n_walks_, library="deepmine", commit=commit)
                    append_result(args.results, record)
                    print(f"[seed {seed}] {name} {wname} {variant}: {100 * test:.1f} % "
                          f"({model.n_walks_} walks, light={model.light_}), fit {fit_s:.1f} CPU s",
                          flush=True)
    if args.suite_pyrdf2vec:
        run_pyrdf2vec(args)
    print(suite_table(load_results(args.results), args.datasets_suite), flush=True)
    if args.markdown:
        Path(args.markdown).write_text(suite_table(load_results(args.results),
                                                   args.datasets_suite) + "\n")


def run_pyrdf2vec(args):
    """pyRDF2Vec's rows, by its own interpreter (it pins torch<2 and an older gensim)."""
    script = Path(__file__).with_name("_rdf2vec_suite_pyrdf2vec.py")
    cmd = [args.suite_pyrdf2vec, str(script), "--results", args.results, "--data-dir",
           args.data_dir, "--seeds", *map(str, args.pyrdf2vec_seeds or args.seeds)]
    print("pyRDF2Vec:", " ".join(cmd), flush=True)
    try:
        proc = subprocess.run(cmd, text=True, capture_output=True, timeout=args.pyrdf2vec_timeout)
        sys.stdout.write(proc.stdout)
        if proc.returncode:
            last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            print(f"pyRDF2Vec rows incomplete: {cmd[0]} exited {proc.returncode}: {last}")
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"pyRDF2Vec rows incomplete: {exc}")


def suite_table(records, graphs=SUITE_GRAPHS):
    """Markdown: mean ± sd test accuracy and mean fit CPU seconds per configuration."""
    import pandas as pd

    df = pd.DataFrame(records)
    if df.empty:
        return "(no results yet)"
    df["settings"] = df.get("settings", SUITE_SETTINGS)
    if "library" not in df:
        df["library"] = "deepmine"
    df["library"] = df["library"].fillna("deepmine")
    order = {g: i for i, g in enumerate(graphs)}
    pipes = {p: i for i, p in enumerate(SUITE_PIPELINES)}
    agg = df.groupby(["graph", "library", "walker", "variant"], sort=False).agg(
        acc_mean=("accuracy", "mean"), acc_sd=("accuracy", "std"), fit_s=("fit_s", "mean"),
        seeds=("seed", lambda s: sorted(set(s))), commit=("commit", lambda c: ",".join(
            sorted(set(map(str, c)))))).reset_index()
    agg["o1"] = agg.graph.map(order).fillna(99)
    agg["o2"] = [(lib != "deepmine", pipes.get((w, v), 99)) for lib, w, v in
                 zip(agg.library, agg.walker, agg.variant)]
    agg = agg.sort_values(["o1", "o2"])
    lines = ["| graph | library | walker | variant | test accuracy % (mean ± sd) | fit CPU s "
             "| seeds | published (RDF2Vec + SVM) |", "|---|---|---|---|---|---|---|---|"]
    for r in agg.itertuples():
        sd = "" if len(r.seeds) < 2 else f" ± {r.acc_sd:.1f}"
        pub = PUBLISHED_SUITE.get((r.graph, r.walker, r.variant)) if r.library == "deepmine" \
            else None
        pub = f"{pub[0]:.1f} ({pub[1]})" if pub else ""
        seeds = (f"{len(r.seeds)}" if r.seeds == list(range(len(r.seeds)))
                 else ",".join(map(str, r.seeds)))
        lines.append(f"| {r.graph} | {r.library} | {r.walker} | {r.variant} | "
                     f"{r.acc_mean:.1f}{sd} | {r.fit_s:.1f} | {seeds} | {pub} |")
    return "\n".join(lines)


def add_arguments(ap):
    ap.add_argument("--results", default="rdf2vec_suite.jsonl",
                    help="--suite: JSONL file the runs are appended to (done runs are skipped)")
    ap.add_argument("--suite-pyrdf2vec", metavar="PYTHON",
                    help="--suite: interpreter with pyrdf2vec installed; adds its rows")
    ap.add_argument("--pyrdf2vec-seeds", type=int, nargs="+",
                    help="--suite-pyrdf2vec: seeds (default: --seeds)")
    ap.add_argument("--pyrdf2vec-timeout", type=float, default=3600.0)
