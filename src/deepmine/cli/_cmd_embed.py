"""``deepmine embed words|rdf`` and ``deepmine analogy``: word2vec and RDF2Vec from the shell."""

from deepmine.cli import CLIError


def register(sub):
    p = sub.add_parser("embed", help="train word vectors on a text file, or entity vectors on RDF")
    esub = p.add_subparsers(dest="embed_command", metavar="{words,rdf}")
    w = esub.add_parser("words", help="word2vec on CORPUS.txt (one sentence a line)")
    w.add_argument("corpus", help="text file, one whitespace-tokenized sentence a line (.gz ok)")
    w.add_argument("--out", default="vectors.bin", help="output file (default: vectors.bin); "
                   "word2vec binary format, text format when it ends in .txt or .vec")
    w.add_argument("--mode", choices=["skipgram", "cbow"], default="skipgram")
    w.add_argument("--size", type=int, default=100, help="vector size (default: 100)")
    w.add_argument("--window", type=int, default=5)
    w.add_argument("--min-count", type=int, default=5)
    w.add_argument("--epochs", type=int, default=5)
    w.add_argument("--workers", type=int, default=1)
    w.add_argument("--seed", type=int, default=0)
    w.set_defaults(func=run_words)
    r = esub.add_parser("rdf", help="RDF2Vec entity vectors from an RDF graph")
    r.add_argument("graph", help="N-Triples, Turtle, N3 or RDF/XML file (.gz ok)")
    r.add_argument("--entities", required=True, help="text file with one entity IRI a line")
    r.add_argument("--out", default="vectors.tsv", help="TSV: entity, then the vector (default: vectors.tsv)")
    r.add_argument("--skip-predicate", action="append", default=[], metavar="IRI",
                   help="drop the triples of this predicate (repeatable; use for label predicates)")
    r.add_argument("--depth", type=int, default=4)
    r.add_argument("--walks", type=int, default=500, help="walks per entity (default: 500)")
    r.add_argument("--wl", action="store_true", help="Weisfeiler-Lehman walks instead of random walks")
    r.add_argument("--mode", choices=["skipgram", "cbow"], default="skipgram")
    r.add_argument("--size", type=int, default=100)
    r.add_argument("--epochs", type=int, default=10)
    r.add_argument("--drop-literals", action="store_true")
    r.add_argument("--seed", type=int, default=0)
    r.set_defaults(func=run_rdf)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    a = sub.add_parser("analogy", help='"A is to B as C is to ?" with a vector file')
    a.add_argument("vectors", help="word2vec binary or text file (e.g. GoogleNews-vectors-negative300.bin.gz)")
    a.add_argument("words", nargs=3, metavar="WORD", help="A B C: answers B - A + C")
    a.add_argument("--topn", type=int, default=5)
    a.add_argument("--method", choices=["3cosadd", "3cosmul"], default="3cosadd")
    a.add_argument("--limit", type=int, default=None, help="read only the first N vectors")
    a.set_defaults(func=run_analogy)


def _positive(name, value):
    if value < 1:
        raise CLIError(f"--{name} must be at least 1 (got {value}).")


def run_words(args):
    from deepmine.embeddings import Word2Vec

    for name in ("size", "window", "min_count", "epochs", "workers"):
        _positive(name.replace("_", "-"), getattr(args, name))
    w2v = Word2Vec(args.mode, vector_size=args.size, window=args.window, min_count=args.min_count,
                   epochs=args.epochs, workers=args.workers, random_state=args.seed).fit(args.corpus)
    binary = not args.out.endswith((".txt", ".vec"))
    w2v.save_vectors(args.out, binary=binary)
    print(f"{len(w2v.wv_)} words x {args.size} dimensions from {w2v.corpus_total_words_} tokens "
          f"in {w2v.train_seconds_:.1f} s")
    print(f"vectors written to {args.out} ({'binary' if binary else 'text'} word2vec format)")
    return 0


def run_rdf(args):
    import numpy as np

    from deepmine.embeddings import RDF2Vec, RandomWalker, WLWalker, Word2Vec

    for name in ("depth", "walks", "size", "epochs"):
        _positive(name, getattr(args, name))
    with open(args.entities, encoding="utf-8") as f:
        entities = [line.strip().strip("<>") for line in f if line.strip()]
    if not entities:
        raise CLIError(f"{args.entities} lists no entities.")
    walker = (WLWalker if args.wl else RandomWalker)(args.depth, args.walks)
    model = RDF2Vec(walker, Word2Vec(args.mode, vector_size=args.size, min_count=1,
                                     epochs=args.epochs),
                    skip_predicates=args.skip_predicate,
                    literals="drop" if args.drop_literals else "keep", random_state=args.seed)
    X = model.fit_transform(args.graph, entities)
    with open(args.out, "w", encoding="utf-8") as f:
        for e, row in zip(entities, X):
            f.write(e + "\t" + "\t".join(np.char.mod("%.6g", row)) + "\n")
    print(f"{model.kg_.n_triples} triples, {len(entities)} entities, {model.n_walks_} walks "
          f"(walks {model.walk_seconds_:.2f} s, word2vec {model.embed_seconds_:.1f} s)")
    print(f"vectors written to {args.out}")
    return 0


def run_analogy(args):
    from deepmine.embeddings import analogy, load_vectors

    kv = load_vectors(args.vectors, limit=args.limit)
    a, b, c = args.words
    answers = analogy(kv, a, b, c, topn=args.topn, method=args.method)
    print(f"{a} : {b} :: {c} : ?")
    for word, score in answers:
        print(f"{word}\t{score:.4f}")
    return 0
