"""What the commands share: checked numbers, atomic output files, standard output, progress, Ctrl-C.

Standard library only at import time (``deepmine --help`` must stay fast).
"""

import argparse
import contextlib
import os
import sys
import tempfile

from deepmine.cli._main import STATE, CLIError, Interrupted


# ---- numbers checked by argparse (a usage error: two lines, exit code 2) ----------------------
def int_range(low, high=None):
    """argparse ``type`` for an integer in ``[low, high]``."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            span = f"at least {low}" if high is None else f"between {low} and {high}"
            raise argparse.ArgumentTypeError(f"must be {span} (got {value})")
        return value
    parse.__name__ = "int"
    return parse


def float_range(low, high, *, low_open=True, high_open=True):
    """argparse ``type`` for a number in an interval (open or closed at each end)."""
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        ok = (value > low if low_open else value >= low) and (value < high if high_open else value <= high)
        if not ok:
            span = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
            raise argparse.ArgumentTypeError(f"must be in {span} (got {text})")
        return value
    parse.__name__ = "float"
    return parse


def add_long_options(parser, *, keep_partial=False):
    """``--quiet`` (and ``--keep-partial``) for commands that train."""
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bars or notes on standard error")
    if keep_partial:
        parser.add_argument("--keep-partial", action="store_true",
                            help="on Ctrl-C during the final training, save the model trained so "
                                 "far (default: save nothing)")


# ---- progress and notes on standard error --------------------------------------------------
def show_progress(args):
    """Progress bars only on a terminal and without ``--quiet``."""
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


def progress(args, iterable=None, *, total=None, desc=None, unit="it"):
    """A tqdm bar on standard error (disabled when it is not a terminal or with ``--quiet``)."""
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, file=sys.stderr, leave=False,
                disable=not show_progress(args), dynamic_ncols=True)


def note(args, text):
    """One line on standard error, unless ``--quiet``."""
    if not getattr(args, "quiet", False):
        print(text, file=sys.stderr, flush=True)


def next_step(text):
    """End a long command with the command to run next."""
    print(f"next: {text}")


# ---- output files ----------------------------------------------------------------------------
def check_output(path):
    """Fail now (one line, exit 2) if ``path`` cannot be written -- before any training."""
    from deepmine.utils._io import check_writable

    if path is not None:
        check_writable(path)


def write_csv(frame, out, **to_csv):
    """Write a DataFrame as CSV to ``out`` atomically, or to standard output when ``out`` is None."""
    if out is None:
        write_stdout(lambda f: frame.to_csv(f, **to_csv))
        return
    from deepmine.utils._io import atomic_write

    with _naming(out), atomic_write(out, "w", encoding="utf-8", newline="") as f:
        frame.to_csv(f, **to_csv)


@contextlib.contextmanager
def _naming(out):
    """Put the output path into an OSError that lacks one (``[Errno 28]`` -> ``out: No space ...``)."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None and exc.strerror:
            exc.filename = os.fspath(out)
        raise


def write_stdout(writer):
    """Run ``writer(sys.stdout)``; a closed pipe (``| head``) ends the output quietly."""
    from deepmine.cli._main import _silence_stdout

    try:
        writer(sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()


def save_atomic(out, save):
    """Call ``save(temporary_path)``, then move the file over ``out``; the old file stays intact on failure."""
    from deepmine.utils._io import _is_device, check_writable

    out = os.fspath(out)
    if _is_device(out):  # /dev/null, /dev/full: cannot be replaced, written directly
        with _naming(out):
            save(out)
        return
    check_writable(out)
    directory = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(prefix=".", suffix="-" + os.path.basename(out), dir=directory)
    os.close(fd)
    try:
        with _naming(out):
            save(tmp)
        umask = os.umask(0)
        os.umask(umask)
        mode = os.stat(out).st_mode & 0o7777 if os.path.exists(out) else 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def save_model(model, out):
    """``model.save(out)`` through :func:`save_atomic`."""
    save_atomic(out, model.save)


# ---- Ctrl-C ----------------------------------------------------------------------------------
def fit_interrupted(fit):
    """Run ``fit()``; True if Ctrl-C stopped it (whether the estimator re-raised it or kept going)."""
    try:
        fit()
    except KeyboardInterrupt:
        STATE.interrupted = True
        return True
    return STATE.interrupted


def final_fit(args, command, model, *data):
    """Fit ``model`` on ``data`` (an epoch bar on a terminal); after Ctrl-C return the exit code."""
    model.set_params(verbose=int(show_progress(args)))
    stopped = fit_interrupted(lambda: model.fit(*data))
    model.set_params(verbose=0)
    return abort_or_keep_partial(args, command, model, args.out) if stopped else None


def load_model(path):
    """``deepmine.load(path)``, with a one-line error for a missing file."""
    import deepmine

    try:
        return deepmine.load(path)
    except FileNotFoundError:
        raise CLIError(f"model file not found: {path}") from None


def abort_or_keep_partial(args, command, model, out):
    """After an interrupted final fit: save the partial model with ``--keep-partial``, else abort."""
    if not getattr(args, "keep_partial", False):
        raise Interrupted
    if not hasattr(model, "module_"):  # stopped before the first epoch: nothing to keep
        raise Interrupted
    save_model(model, out)
    print(f"deepmine {command}: interrupted; the model trained so far is saved to {out}",
          file=sys.stderr)
    return 130
