"""What the web app accepts: body sizes, image pixels, table cells, and how much work may wait."""

import asyncio
import dataclasses
import threading
import weakref

from deepmine.exceptions import DataError


class BadInput(DataError):
    """A request the app cannot answer; the message is shown on the page (HTTP 400)."""

    status = 400


class TooLarge(BadInput):
    """A request body over the configured size (HTTP 413)."""

    status = 413


class Busy(Exception):
    """Too much work is already waiting (HTTP 503, the page retries)."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """Bounds on what one request may send and how much work may queue.

    Parameters
    ----------
    max_upload_bytes : int, default=20_000_000
        Largest body of an image or CSV upload.
    max_json_bytes : int, default=1_000_000
        Largest body of the other requests (a drawn digit, a word query).
    max_image_pixels : int, default=40_000_000
        Images declaring more pixels are refused before they are decoded
        (Pillow's decompression-bomb guard).
    max_csv_cells : int, default=1_000_000
        Largest table (rows times columns) the outlier page scores.
    fast_workers : int, default=2
        Quick requests (digit updates, attacks, word queries, classification)
        computed at once.
    fast_queue : int, default=32
        Quick requests waiting beyond those; more are answered 503.
    slow_workers : int, default=1
        Slow requests (DeepDream, class prototypes, outlier fits) computed at once.
    slow_queue : int, default=2
        Slow requests waiting; more are answered 503.

    Examples
    --------
    >>> from deepmine.serve import Limits
    >>> Limits(max_csv_cells=10_000).max_upload_bytes
    20000000
    """

    max_upload_bytes: int = 20_000_000
    max_json_bytes: int = 1_000_000
    max_image_pixels: int = 40_000_000
    max_csv_cells: int = 1_000_000
    fast_workers: int = 2
    fast_queue: int = 32
    slow_workers: int = 1
    slow_queue: int = 2


_LOCKS = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def lock_for(module):
    """One lock per network: forward hooks (feature maps, DeepDream) are shared state of a module."""
    with _LOCKS_GUARD:
        lock = _LOCKS.get(module)
        if lock is None:
            lock = _LOCKS[module] = threading.Lock()
        return lock


class Gate:
    """At most ``workers`` jobs run at once and ``queue`` wait; a job beyond that raises :class:`Busy`.

    Jobs are blocking functions, run in threads so the event loop stays responsive.
    """

    def __init__(self, workers, queue):
        self.workers = int(workers)
        self.queue = int(queue)
        self._admitted = 0
        self._sem = None

    async def run(self, fn, *args):
        from starlette.concurrency import run_in_threadpool

        if self._sem is None:
            self._sem = asyncio.Semaphore(self.workers)
        if self._admitted >= self.workers + self.queue:
            raise Busy
        self._admitted += 1
        try:
            async with self._sem:
                return await run_in_threadpool(fn, *args)
        finally:
            self._admitted -= 1


async def read_body(request, limit):
    """The request body, refused with :class:`TooLarge` past ``limit`` bytes (header or stream)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            declared = int(declared)
        except ValueError:
            raise BadInput("The request's Content-Length is not a number.") from None
        if declared > limit:
            raise TooLarge(f"The request is {declared:,} bytes; this server accepts at most "
                           f"{limit:,} bytes here.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"The request is over {limit:,} bytes, the most this server accepts "
                           f"here.")
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # later request.json() / request.form() parse this copy
    return body


async def read_json(request, limits):
    """The JSON object of a request body, with one-sentence errors."""
    import json

    body = await read_body(request, limits.max_json_bytes)
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadInput("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadInput("The request body must be a JSON object.")
    return data


async def read_upload(request, limits, field="file"):
    """``(filename, bytes)`` of the uploaded file ``field`` of a multipart form."""
    await read_body(request, limits.max_upload_bytes)
    try:
        form = await request.form(max_files=1, max_fields=8, max_part_size=limits.max_upload_bytes)
    except Exception as exc:  # python-multipart and starlette raise several types
        raise BadInput(f"The upload is not a valid form ({type(exc).__name__}); choose a file "
                       f"and send it again.") from None
    try:
        upload = form.get(field)
        if upload is None or isinstance(upload, str):
            raise BadInput("No file was uploaded; choose a file first.")
        data = await upload.read()
    finally:
        await form.close()
    if not data:
        raise BadInput(f"The uploaded file {upload.filename!r} is empty.")
    return upload.filename or "upload", data
