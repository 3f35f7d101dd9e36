"""``deepmine tour``: run the lecture and write the HTML report."""


def register(sub):
    p = sub.add_parser("tour", help="run the whole lecture and write an HTML report")
    p.add_argument("--out", default="tour", help="output folder (default: tour)")
    p.add_argument("--quick", action="store_true", help="small data, about two minutes")
    p.add_argument("--chapters", nargs="+", metavar="KEY", help="run only these chapters")
    p.add_argument("--list", action="store_true", help="list the chapters and exit")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def run(args):
    from deepmine.tour import list_chapters, run_tour

    if args.list:
        for key, title in list_chapters():
            print(f"{key:20s} {title}")
        return 0
    path = run_tour(args.out, quick=args.quick, chapters=args.chapters, random_state=args.seed)
    print(f"report written to {path}")
    return 0
