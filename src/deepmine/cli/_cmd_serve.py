"""``deepmine serve``: the lecture's interactive demos as a local web app."""

import ipaddress
import os
import socket
import sys

from deepmine.cli._common import int_range, load_model
from deepmine.cli._main import CLIError


def register(sub):
    p = sub.add_parser("serve", help="the interactive demos (draw a digit, attacks, analogies, "
                                     "images, outliers) as a local web app")
    p.add_argument("--port", type=int_range(1, 65535), default=8765, help="default: 8765")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this computer only)")
    p.add_argument("--model", nargs="+", default=[], metavar="FILE.dm",
                   help="model files to show: a one-channel ConvNetClassifier (digit pages), "
                        "another ConvNetClassifier (image page), an AutoEncoderOutlierDetector")
    p.add_argument("--vectors", metavar="FILE",
                   help="word vectors (word2vec binary/text or GloVe text, or the name of "
                        "vectors cached by gensim's downloader, e.g. word2vec-google-news-300)")
    p.add_argument("--vectors-limit", type=int_range(1, 10_000_000), default=500_000,
                   help="read at most this many word vectors (default: 500000)")
    p.add_argument("--max-csv-cells", type=int_range(1, 10**9), default=1_000_000,
                   help="largest table (rows x columns) the outlier page scores (default: 1000000)")
    p.set_defaults(func=run)


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _vectors_path(name):
    """A file, or the file gensim's downloader keeps for ``name`` (``$GENSIM_DATA_DIR`` or ~/gensim-data)."""
    if os.path.isfile(name):
        return name
    base = os.environ.get("GENSIM_DATA_DIR") or os.path.join(os.path.expanduser("~"), "gensim-data")
    folder = os.path.join(base, os.path.basename(name))
    if os.path.sep not in name and os.path.isdir(folder):
        for f in sorted(os.listdir(folder)):
            if f.endswith((".gz", ".bin", ".txt")) and not f.startswith("__"):
                return os.path.join(folder, f)
    raise CLIError(f"--vectors {name}: no such file, and no vectors of that name in gensim's "
                   f"data folder {base}")


def _check_port(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host.strip("[]"), port))
        except OSError as exc:
            raise CLIError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose "
                           f"another --port or --host") from None


def _check_installed():
    from deepmine.utils._optional import check_installed

    check_installed(("starlette", "uvicorn", "multipart", "torchvision", "gensim"),
                    "deepmine serve", "serve")


def run(args):
    _check_installed()
    from deepmine.serve import Limits, create_app
    from deepmine.serve import run as serve

    models = [load_model(path) for path in args.model]
    vectors = note = None
    if args.vectors:
        from deepmine.embeddings import load_vectors

        path = _vectors_path(args.vectors)
        load_vectors(path, limit=1)  # a bad file is refused now, in one line
        limit = args.vectors_limit
        vectors = lambda: load_vectors(path, limit=limit)  # noqa: E731  (read in the background)
        note = f"{os.path.basename(path)} (read with --vectors, at most {limit:,} words)"
    from deepmine.serve._limits import BadInput

    try:
        app = create_app(models, vectors, vectors_note=note,
                         limits=Limits(max_csv_cells=args.max_csv_cells),
                         allowed_hosts=None if _is_loopback(args.host) else ["*"])
    except BadInput as exc:
        raise CLIError(str(exc)) from None
    if not _is_loopback(args.host):
        print(f"deepmine serve: warning: listening on {args.host}, so other computers can reach "
              f"these pages and run the models; use the default 127.0.0.1 to keep them local",
              file=sys.stderr)
    _check_port(args.host, args.port)

    def ready(url):
        print(f"deepmine serve: open {url}  (Ctrl-C stops)", flush=True)

    try:
        serve(app, host=args.host, port=args.port, ready=ready)
    finally:
        if app.state.store.busy():  # a default model is still training: do not wait for it
            sys.stdout.flush()
            sys.stderr.flush()
            print("deepmine serve: stopped (the default model being trained is not cached)",
                  file=sys.stderr, flush=True)
            os._exit(130)
    return 0
