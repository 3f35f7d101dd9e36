"""argparse entry point; user errors become one line on stderr and exit code 2."""

import argparse
import importlib
import pkgutil
import sys


class CLIError(Exception):
    """An error caused by the user's input: printed as one line, exit code 2."""


def build_parser():
    """Build the ``deepmine`` argument parser with every registered command."""
    import deepmine.cli as pkg
    from deepmine import __version__

    parser = argparse.ArgumentParser(
        prog="deepmine", description="Deep learning for data mining (scikit-learn API on PyTorch).")
    parser.add_argument("--version", action="version", version=f"deepmine {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if mod.name.startswith("_cmd_"):
            importlib.import_module(f"deepmine.cli.{mod.name}").register(sub)
    return parser


def main(argv=None):
    """Run the CLI; returns the exit code."""
    from deepmine.exceptions import DeepmineError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except (CLIError, DeepmineError, FileNotFoundError, IsADirectoryError,
            PermissionError, ValueError, KeyError, ImportError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"deepmine {args.command}: error: {msg}", file=sys.stderr)
        return 2
