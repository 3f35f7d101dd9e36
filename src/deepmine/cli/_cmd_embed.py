"""``deepmine embed words|rdf`` and ``deepmine analogy``: word2vec and RDF2Vec from the shell."""

import os
import zlib

from deepmine.cli._common import (add_long_options, check_output, fit_interrupted, int_range,
                                  next_step, note, progress, save_atomic)
from deepmine.cli._main import CLIError, Interrupted

_OPENERS = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}

_ANALOGY_HELP = """\
Word analogies with vector arithmetic: the words closest to
sum(--positive) - sum(--negative), the query words excluded.

"A is to B as C is to ?" (A:B::C:?) is B - A + C, i.e. --positive B C --negative A:

  deepmine analogy vectors.bin --positive king woman --negative man   # king - man + woman
  deepmine analogy vectors.bin man king woman                         # man:king::woman:?

Both ask for the word that is to "woman" what "king" is to "man" (queen)."""


def register(sub):
    import argparse

    p = sub.add_parser("embed", help="train word vectors on a text file, or entity vectors on RDF")
    esub = p.add_subparsers(dest="embed_command", metavar="{words,rdf}")
    w = esub.add_parser(
        "words", help="word2vec on CORPUS.txt (one sentence a line)",
        description="Train word2vec on a text file, one sentence a line. Each line is lowercased "
                    "and split into runs of letters, digits and underscores "
                    "(deepmine.embeddings.simple_tokenize), exactly as Word2Vec().fit does with "
                    "a list of strings: 'The King's speech.' -> the, king, s, speech.")
    w.add_argument("corpus", help="text file, one sentence a line (UTF-8; .gz/.bz2/.xz ok)")
    w.add_argument("--out", default="vectors.bin", help="output file (default: vectors.bin); "
                   "word2vec binary format, text format when it ends in .txt or .vec")
    w.add_argument("--mode", choices=["skipgram", "cbow"], default="skipgram")
    w.add_argument("--size", type=int_range(1, 10_000), default=100,
                   help="vector size (default: 100)")
    w.add_argument("--window", type=int_range(1, 1000), default=5)
    w.add_argument("--min-count", type=int_range(1), default=5)
    w.add_argument("--epochs", type=_epochs_arg, default="auto",
                   help="passes over the corpus, or 'auto' (the library's default: enough passes "
                        "for about 2 million tokens, between 5 and 100)")
    w.add_argument("--workers", type=int_range(1, 256), default=1)
    w.add_argument("--seed", type=int, default=0)
    add_long_options(w)
    w.set_defaults(func=run_words)
    r = esub.add_parser("rdf", help="RDF2Vec entity vectors from an RDF graph")
    r.add_argument("graph", help="N-Triples, Turtle, N3 or RDF/XML file (.gz ok), or the URL "
                                 "of a SPARQL endpoint (the entities' neighbourhood is fetched)")
    r.add_argument("--entities", required=True, help="text file with one entity IRI a line")
    r.add_argument("--out", default="vectors.tsv", help="TSV: entity, then the vector (default: vectors.tsv)")
    r.add_argument("--skip-predicate", action="append", default=[], metavar="IRI",
                   help="drop the triples of this predicate (repeatable; use for label predicates)")
    r.add_argument("--depth", type=int_range(1, 100), default=4)
    r.add_argument("--walks", type=int_range(1, 1_000_000), default=500,
                   help="walks per entity (default: 500)")
    r.add_argument("--wl", action="store_true", help="Weisfeiler-Lehman walks instead of random walks")
    r.add_argument("--mode", choices=["skipgram", "cbow"], default="skipgram")
    r.add_argument("--size", type=int_range(1, 10_000), default=100)
    r.add_argument("--epochs", type=int_range(1, 100_000), default=10)
    r.add_argument("--drop-literals", action="store_true")
    r.add_argument("--seed", type=int, default=0)
    add_long_options(r)
    r.set_defaults(func=run_rdf)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    a = sub.add_parser("analogy", help='"A is to B as C is to ?" with a vector file',
                       description=_ANALOGY_HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("vectors", help="word2vec binary or text file (e.g. GoogleNews-vectors-negative300.bin.gz)")
    a.add_argument("words", nargs="*", metavar="WORD",
                   help="A B C: answers A:B::C:?, i.e. B - A + C (or use --positive/--negative)")
    a.add_argument("--positive", nargs="+", default=[], metavar="WORD",
                   help="words whose vectors are added (e.g. king woman)")
    a.add_argument("--negative", nargs="+", default=[], metavar="WORD",
                   help="words whose vectors are subtracted (e.g. man)")
    a.add_argument("--topn", type=int_range(1, 10_000), default=5)
    a.add_argument("--method", choices=["3cosadd", "3cosmul"], default="3cosadd")
    a.add_argument("--limit", type=int_range(1), default=None, help="read only the first N vectors")
    a.set_defaults(func=run_analogy)


def _open_text(path):
    ext = os.path.splitext(path)[1].lower()
    if ext in _OPENERS:
        module = __import__(_OPENERS[ext])
        return module.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


class _FileLines:
    """The lines of a text file, read again on each pass (word2vec reads the corpus once per epoch)."""

    def __init__(self, path, bar=None):
        self.path = path
        self.bar = bar

    def __iter__(self):
        with _open_text(self.path) as fh:
            for line in fh:
                if self.bar is not None:
                    self.bar.update()
                yield line


def _scan_corpus(path):
    """Check the whole corpus decodes (one line naming the line if not); return (lines, tokens)."""
    from deepmine.embeddings import simple_tokenize

    if not os.path.exists(path):
        raise CLIError(f"file not found: {path}")
    if os.path.isdir(path):
        raise CLIError(f"{path} is a folder, not a text file")
    n_lines = n_tokens = 0
    try:
        with _open_text(path) as fh:
            for n_lines, line in enumerate(fh, 1):
                n_tokens += len(simple_tokenize(line))
    except UnicodeDecodeError as exc:
        raise CLIError(f"{path}, line {n_lines + 1}: not UTF-8 text ({exc.reason} at byte "
                       f"{exc.start})") from None
    except (OSError, EOFError, zlib.error) as exc:  # a .gz/.bz2/.xz that is not one
        if isinstance(exc, (FileNotFoundError, PermissionError)):
            raise
        raise CLIError(f"{path} cannot be decompressed: {exc}") from None
    if n_tokens == 0:
        raise CLIError(f"{path} holds no words")
    return n_lines, n_tokens


def _epochs_arg(text):
    return text if text == "auto" else int_range(1, 100_000)(text)


def run_words(args):
    from deepmine.embeddings import Word2Vec
    from deepmine.embeddings._word2vec import resolve_epochs

    check_output(args.out)
    n_lines, n_tokens = _scan_corpus(args.corpus)
    epochs = resolve_epochs(args.epochs, n_tokens)
    w2v = Word2Vec(args.mode, vector_size=args.size, window=args.window, min_count=args.min_count,
                   epochs=args.epochs, workers=args.workers, random_state=args.seed)
    w2v._check_params()
    note(args, f"word2vec ({args.mode}) on {n_tokens} tokens in {n_lines} lines, "
               f"{epochs} epochs (Ctrl-C stops)")
    with progress(args, total=n_lines * (epochs + 1), desc="word2vec", unit="line") as bar:
        if fit_interrupted(lambda: w2v.fit(_FileLines(args.corpus, bar))):
            raise Interrupted
    binary = not args.out.endswith((".txt", ".vec"))
    save_atomic(args.out, lambda path: w2v.save_vectors(path, binary=binary))
    print(f"{len(w2v.wv_)} words x {args.size} dimensions from {w2v.corpus_total_words_} tokens "
          f"in {w2v.train_seconds_:.1f} s")
    print(f"vectors written to {args.out} ({'binary' if binary else 'text'} word2vec format)")
    words = w2v.wv_.index_to_key        # by frequency: the first of 4+ letters is a content word
    word = next((w for w in words if len(w) >= 4 and w.isalpha()), words[0])
    next_step(f"deepmine analogy {args.out} --positive {word}   (its nearest words; "
              f"--positive B C --negative A answers A:B::C:?)")
    return 0


def run_rdf(args):
    import numpy as np

    from deepmine.embeddings import RDF2Vec, RandomWalker, WLWalker, Word2Vec
    from deepmine.embeddings._graph_source import is_endpoint

    check_output(args.out)
    remote = is_endpoint(args.graph)
    for path, what in ((args.graph, "graph"), (args.entities, "entity list")):
        if not os.path.isfile(path) and not (remote and what == "graph"):
            raise CLIError(f"{what} file not found: {path}" if not os.path.exists(path)
                           else f"{what} {path} is not a file")
    try:
        with open(args.entities, encoding="utf-8") as f:
            entities = [line.strip().strip("<>") for line in f if line.strip()]
    except UnicodeDecodeError as exc:
        raise CLIError(f"{args.entities} is not UTF-8 text ({exc.reason})") from None
    if not entities:
        raise CLIError(f"{args.entities} lists no entities.")
    walker = (WLWalker if args.wl else RandomWalker)(args.depth, args.walks)
    model = RDF2Vec(walker, Word2Vec(args.mode, vector_size=args.size, min_count=1,
                                     epochs=args.epochs),
                    skip_predicates=args.skip_predicate,
                    literals="drop" if args.drop_literals else "keep", random_state=args.seed)
    note(args, f"RDF2Vec on {args.graph}: {len(entities)} entities (Ctrl-C stops)")
    X = []
    try:
        if fit_interrupted(lambda: X.append(model.fit_transform(args.graph, entities))):
            raise Interrupted
    except (EOFError, zlib.error) as exc:  # a .gz that is not one
        raise CLIError(f"{args.graph} cannot be decompressed: {exc}") from None

    def write(path):
        with open(path, "w", encoding="utf-8") as f:
            for e, row in zip(entities, X[0]):
                f.write(e + "\t" + "\t".join(np.char.mod("%.6g", row)) + "\n")
    save_atomic(args.out, write)
    print(f"{model.kg_.n_triples} triples, {len(entities)} entities, {model.n_walks_} walks "
          f"(walks {model.walk_seconds_:.2f} s, word2vec {model.embed_seconds_:.1f} s)")
    print(f"vectors written to {args.out}")
    next_step(f"load {args.out} (entity, then {args.size} numbers a line) as features, e.g. "
              f"pandas.read_csv({args.out!r}, sep='\\t', header=None, index_col=0)")
    return 0


def _check_vector_header(path, limit):
    """Refuse a word2vec header that promises more vectors than the file can hold (before allocating)."""
    import gzip

    ext = os.path.splitext(path)[1].lower()
    opener = gzip.open if ext == ".gz" else (__import__("bz2").open if ext == ".bz2" else open)
    try:
        with opener(path, "rb") as fh:
            header = fh.readline(200)
    except (OSError, EOFError, zlib.error) as exc:
        if isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError)):
            raise
        raise CLIError(f"{path} cannot be decompressed: {exc}") from None
    parts = header.split()
    if not (len(parts) == 2 and all(p.isdigit() for p in parts)):
        return  # GloVe-style text without a header: read line by line
    count, dim = int(parts[0]), int(parts[1])
    if dim < 1:
        raise CLIError(f"{path}: the header declares vectors of dimension {dim}")
    n = min(count, limit) if limit else count
    size = os.path.getsize(path) * (1100 if ext in (".gz", ".bz2") else 1)  # most a deflate stream expands
    if n * (2 * dim + 2) > size:  # every vector takes at least 2 bytes a dimension (text or float32)
        raise CLIError(f"{path}: the header declares {count} vectors of dimension {dim}, more than "
                       f"the file's {os.path.getsize(path)} bytes can hold; is it truncated?")


def run_analogy(args):
    from deepmine.embeddings import analogy, load_vectors
    from deepmine.embeddings._vectors import check_words

    if args.words and (args.positive or args.negative):
        raise CLIError("give either three words A B C or --positive/--negative, not both")
    if not args.words and not args.positive:
        raise CLIError("give three words A B C (A:B::C:?) or --positive WORD ... [--negative WORD ...]")
    if args.words and len(args.words) != 3:
        raise CLIError(f"the A:B::C:? form takes exactly three words; got {len(args.words)} "
                       f"(use --positive/--negative for other sums)")
    if not os.path.isfile(args.vectors):
        raise CLIError(f"vector file not found: {args.vectors}" if not os.path.exists(args.vectors)
                       else f"{args.vectors} is not a vector file")
    _check_vector_header(args.vectors, args.limit)
    kv = load_vectors(args.vectors, limit=args.limit)
    if args.words:
        a, b, c = args.words
        answers = analogy(kv, a, b, c, topn=args.topn, method=args.method)
        print(f"{a} : {b} :: {c} : ?")
    else:
        check_words(kv, [*args.positive, *args.negative])
        query = dict(positive=args.positive, negative=args.negative, topn=args.topn)
        answers = (kv.most_similar(**query) if args.method == "3cosadd"
                   else kv.most_similar_cosmul(**query))
        print(" + ".join(args.positive) + "".join(f" - {w}" for w in args.negative) + " = ?")
    for word, score in answers:
        print(f"{word}\t{score:.4f}")
    return 0
