"""argparse entry point; user errors become one line on stderr and exit code 2.

Only the standard library is imported until a command runs, so ``deepmine --help`` and
``deepmine <command> --help`` answer at once; each command imports what it needs inside
its run function.
"""

import argparse
import contextlib
import importlib
import os
import pkgutil
import signal
import sys
import threading
import warnings


class CLIError(Exception):
    """An error caused by the user's input: printed as one line, exit code 2."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C reached the command: exit code 130, nothing saved."""


class _State:
    interrupted = False


STATE = _State()


def interrupted():
    """True once Ctrl-C was pressed during the current command."""
    return STATE.interrupted


def check_interrupt():
    """Raise :class:`Interrupted` if Ctrl-C was pressed (a fit may have swallowed it)."""
    if STATE.interrupted:
        raise Interrupted


class ArgumentParser(argparse.ArgumentParser):
    """argparse with a two-line error (the message and where to find help), exit code 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n(see '{self.prog} --help')\n")


def build_parser():
    """Build the ``deepmine`` argument parser with every registered command."""
    import deepmine.cli as pkg
    from deepmine import __version__

    parser = ArgumentParser(
        prog="deepmine", description="Deep learning for data mining (scikit-learn API on PyTorch).")
    parser.add_argument("--version", action="version", version=f"deepmine {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if mod.name.startswith("_cmd_"):
            importlib.import_module(f"deepmine.cli.{mod.name}").register(sub)
    return parser


def _user_errors():
    """The exception types that mean bad input or environment (not a bug in deepmine)."""
    import gzip
    import zlib

    from deepmine.exceptions import DeepmineError

    types = [CLIError, DeepmineError, OSError, UnicodeDecodeError, EOFError, zlib.error,
             gzip.BadGzipFile]
    if "PIL.Image" in sys.modules:
        types.append(sys.modules["PIL.Image"].DecompressionBombError)
    if "pandas" in sys.modules:
        import pandas.errors

        types += [pandas.errors.ParserError, pandas.errors.EmptyDataError]
    return tuple(types)


def _message(exc):
    """One line describing ``exc`` for the user."""
    name = type(exc).__name__
    if name == "DecompressionBombError":
        return f"image too large to decode safely ({exc})"
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        where = f"{exc.filename} -> {exc.filename2}" if exc.filename2 else exc.filename
        return f"{where}: {exc.strerror}"
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else name


def _silence_stdout():
    """After the reader closed the pipe (``| head``): drop further output, exit quietly."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _on_sigint(signum, frame):
    STATE.interrupted = True
    raise Interrupted


def _one_line_warning(command):
    def show(message, category, filename, lineno, file=None, line=None):
        if STATE.interrupted:  # "keeping the weights" notes from an interrupted fit
            return
        text = str(message).strip().splitlines()
        print(f"deepmine {command}: warning: {text[0] if text else category.__name__}",
              file=sys.stderr)
    return show


def main(argv=None):
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else 2
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    command = " ".join(str(getattr(args, k)) for k in ("command", "embed_command",
                                                       "images_command", "tsc_command")
                       if getattr(args, k, None))
    STATE.interrupted = False
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, _on_sigint)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning(command)
            warnings.simplefilter("default", UserWarning)  # shown as one line, never raised
            # the CLI sets the epochs and reports each fit itself; not one line per CV fold
            warnings.filterwarnings("ignore", message=".* stopped at max_epochs=")
            try:
                code = args.func(args) or 0
                if code != 130:  # 130: the command reported the interruption itself
                    check_interrupt()
                sys.stdout.flush()
                return code
            except BrokenPipeError:
                _silence_stdout()
                return 0
            except KeyboardInterrupt:
                STATE.interrupted = True
                print(f"deepmine {command}: interrupted; nothing saved", file=sys.stderr)
                return 130
            except Exception as exc:
                if not isinstance(exc, _user_errors()):
                    raise
                print(f"deepmine {command}: error: {_message(exc)}", file=sys.stderr)
                return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
