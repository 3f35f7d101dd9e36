"""``deepmine download``: the lecture's pretrained networks and word vectors, into their caches."""

import sys

from deepmine.cli._main import CLIError


def register(sub):
    p = sub.add_parser(
        "download", help="fetch pretrained networks and word vectors into their caches",
        description="Fetch torchvision weights (into $TORCH_HOME) and gensim-data word vectors "
                    "(into $GENSIM_DATA_DIR), checked against their published checksums. "
                    "'deepmine download --list' shows what is known and what is cached.")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="assets to fetch, e.g. googlenet vgg19 word2vec-google-news-300 (or any "
                        "torchvision classification model, e.g. efficientnet_b0)")
    p.add_argument("--list", action="store_true", help="list the known assets and exit")
    p.add_argument("--tour", action="store_true",
                   help="fetch what the tour's chapters use (as 'deepmine tour --download')")
    p.add_argument("--mirror", metavar="URL",
                   help="http(s):// or file:// base URL of a mirror (default: $DEEPMINE_MIRROR, "
                        "else the libraries' own hosts)")
    p.add_argument("--force", action="store_true", help="download again even when cached")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def print_assets(file=None):
    from deepmine.datasets import list_assets

    file = sys.stdout if file is None else file
    for a in list_assets():
        state = "cached " if a["cached"] else "missing"
        print(f"{a['name']:32s} {a['kind']:11s} {a['size_mb']:>5d} MB  {state}  {a['use']}",
              file=file)


def fetch_all(args, names, *, command="download"):
    """Download ``names`` one by one; one note per asset on stderr."""
    from deepmine.cli._common import note, show_progress
    from deepmine.datasets import download, is_cached

    force = getattr(args, "force", False)
    for name in names:
        was = is_cached(name) and not force
        path = download(name, mirror=getattr(args, "mirror", None), force=force,
                        progress=show_progress(args))
        note(args, f"deepmine {command}: {name}: {'already cached' if was else 'downloaded'} "
                   f"({path})")


def run(args):
    from deepmine.cli._common import next_step
    from deepmine.datasets import ASSETS, TOUR_ASSETS

    if args.list:
        print_assets()
        return 0
    names = list(args.names) + (list(TOUR_ASSETS) if args.tour else [])
    if not names:
        raise CLIError("name the assets to fetch (e.g. 'deepmine download googlenet'), "
                       "or use --tour or --list")
    from deepmine.datasets._assets import _torchvision_asset

    unknown = [n for n in names if n not in ASSETS and _torchvision_asset(n) is None]
    if unknown:
        raise CLIError(f"unknown asset(s) {unknown}; 'deepmine download --list' shows the "
                       f"lecture's, and any torchvision classification model name works too")
    fetch_all(args, dict.fromkeys(names))
    next_step("deepmine tour   (its chapters use the cached networks and vectors)")
    return 0
