"""Atomic file writes: a reader sees the old file or the whole new one, never a torn one.

The new content goes to a temporary file in the destination's directory, is flushed and
fsynced, then moved over the destination with :func:`os.replace` (atomic on POSIX and
Windows). If anything fails, the temporary file is removed and the old file is untouched.
"""

import contextlib
import os
import tempfile

__all__ = ["atomic_write", "check_writable"]


def check_writable(path):
    """Raise ``OSError`` with a plain message if ``path`` cannot be written.

    Called before long work (training) so that a bad ``--out`` fails at once. Nothing is
    created: the check is on the directory (exists, is a directory, is writable) and on
    the path itself (not a directory).

    Parameters
    ----------
    path : str or os.PathLike
        The file that will be written.

    Examples
    --------
    >>> import tempfile, os
    >>> check_writable(os.path.join(tempfile.gettempdir(), "model.dm"))
    >>> check_writable("/no/such/dir/model.dm")
    Traceback (most recent call last):
    ...
    FileNotFoundError: cannot write /no/such/dir/model.dm: the directory /no/such/dir does not exist
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot write {path}: it is a directory")
    if not os.path.exists(directory):
        raise FileNotFoundError(f"cannot write {path}: the directory "
                                f"{os.path.dirname(path) or directory} does not exist")
    if not os.path.isdir(directory):
        raise NotADirectoryError(f"cannot write {path}: {directory} is not a directory")
    if not os.access(directory, os.W_OK | os.X_OK) and not _is_device(path):
        raise PermissionError(f"cannot write {path}: the directory {directory} is not writable")


def _is_device(path):
    return os.path.exists(path) and not os.path.isfile(path) and not os.path.isdir(path)


@contextlib.contextmanager
def atomic_write(path, mode="wb", *, encoding=None, newline=None):
    """Open a temporary file that replaces ``path`` only when the block succeeds.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file. A character device (``/dev/null``, ``/dev/full``) is written
        directly, since it cannot be replaced.
    mode : {"wb", "w"}, default="wb"
        Binary or text mode.
    encoding, newline : str, optional
        Passed to :func:`open` in text mode.

    Yields
    ------
    file object
        Write the new content to it.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> with atomic_write(path, "w", encoding="utf-8") as f:
    ...     _ = f.write("hello")
    >>> with open(path, encoding="utf-8") as f:
    ...     f.read()
    'hello'
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write mode must be 'wb' or 'w', got {mode!r}")
    path = os.fspath(path)
    if _is_device(path):
        with open(path, mode, encoding=encoding, newline=newline) as f:
            yield f
            f.flush()
        return
    check_writable(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(path):
            with contextlib.suppress(OSError):
                os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
