"""``deepmine tour``: run the lecture and write the HTML report."""

import os

from deepmine.cli._main import CLIError


def register(sub):
    p = sub.add_parser("tour", help="run the whole lecture and write an HTML report")
    p.add_argument("--out", default="tour",
                   help="output folder (default: tour); created if missing, its parent must exist")
    p.add_argument("--quick", action="store_true",
                   help="small data and few epochs: about 50 s of CPU time instead of 3 minutes")
    p.add_argument("--chapters", nargs="+", metavar="KEY", help="run only these chapters")
    p.add_argument("--list", action="store_true", help="list the chapters and exit")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--download", action="store_true",
                   help="first fetch the pretrained networks and word vectors the chapters use "
                        "(as 'deepmine download --tour'; several GB once, then cached)")
    p.add_argument("--mirror", metavar="URL", help="with --download: a mirror's base URL")
    p.add_argument("--quiet", action="store_true", help="no download progress bars")
    p.set_defaults(func=run)


def _check_out_dir(out):
    """The report goes to OUT/index.html: refuse a file as OUT, a missing parent, no write access."""
    from deepmine.utils._io import check_writable

    if os.path.exists(out) and not os.path.isdir(out):
        raise CLIError(f"--out {out} exists and is not a folder; the tour writes a folder "
                       f"(give a new or existing folder name)")
    if os.path.isdir(out):
        check_writable(os.path.join(out, "index.html"))
    else:
        check_writable(out)  # the folder to create: its parent must exist and be writable


def run(args):
    from deepmine.tour import list_chapters, run_tour

    if args.list:
        for key, title in list_chapters():
            print(f"{key:20s} {title}")
        return 0
    if args.chapters:
        known = [key for key, _ in list_chapters()]
        unknown = [c for c in args.chapters if c not in known]
        if unknown:
            raise CLIError(f"unknown chapter(s) {unknown}; 'deepmine tour --list' shows them")
    _check_out_dir(args.out)
    if args.download:
        from deepmine.cli._cmd_download import fetch_all
        from deepmine.datasets import TOUR_ASSETS

        fetch_all(args, TOUR_ASSETS, command="tour")
    path = run_tour(args.out, quick=args.quick, chapters=args.chapters, random_state=args.seed)
    print(f"report written to {path}")
    return 0
