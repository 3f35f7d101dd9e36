"""Chapter registry and the tour runner."""

import importlib
import inspect
import logging
import pkgutil
import time
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

_CHAPTERS = {}


@dataclass(frozen=True)
class TourContext:
    """What every chapter is told: quick mode, the seed, where to write files.

    Parameters
    ----------
    quick : bool
        Smaller data and fewer epochs: about 50 s of CPU time for the whole tour instead of
        about 3 minutes (one core; the tour runs single-threaded).
    random_state : int
        Seed used by every model of the tour.
    out_dir : pathlib.Path
        Folder of the report.
    """

    quick: bool = False
    random_state: int = 0
    out_dir: Path = field(default_factory=lambda: Path("tour"))

    def epochs(self, full, quick):
        """Pick the epoch count (or any size) for the current mode."""
        return quick if self.quick else full


@dataclass(frozen=True)
class _Chapter:
    order: int
    key: str
    title: str
    func: object


def chapter(order, key, title):
    """Register a tour chapter.

    Parameters
    ----------
    order : int
        Position in the report (100s tabular, 200s autoencoders, 300s vision,
        400s adversarial/visualize, 500s time series, 600s embeddings).
    key : str
        Short name used by ``deepmine tour --chapters``.
    title : str
        Heading of the chapter in the report.

    Examples
    --------
    >>> from deepmine.tour import chapter
    >>> @chapter(999, "demo", "A demo chapter")
    ... def demo(section, ctx):
    ...     section.text("hello")
    """

    def register(func):
        _CHAPTERS[key] = _Chapter(order, key, title, func)
        return func

    return register


def _helpers(func):
    """Module-level functions of the chapter's module that ``func`` calls, recursively, in order."""
    import types

    seen, order = {func}, []

    def names(code):
        for name in code.co_names:
            yield name
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                yield from names(const)

    def visit(f):
        code = getattr(inspect.unwrap(f), "__code__", None)
        if code is None:
            return
        for name in names(code):
            obj = f.__globals__.get(name) if hasattr(f, "__globals__") else None
            obj = inspect.unwrap(obj) if callable(obj) else obj
            if (inspect.isfunction(obj) and obj.__module__ == func.__module__ and obj not in seen
                    and obj not in {c.func for c in _CHAPTERS.values()}):
                seen.add(obj)
                order.append(obj)
                visit(obj)

    visit(func)
    return order


def _discover():
    import deepmine.tour as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.name.startswith("_ch_"):
            importlib.import_module(f"deepmine.tour.{mod.name}")


def list_chapters():
    """Return the registered chapters as ``(key, title)`` pairs in report order."""
    _discover()
    return [(c.key, c.title) for c in sorted(_CHAPTERS.values(), key=lambda c: c.order)]


def run_tour(out_dir="tour", *, quick=False, chapters=None, random_state=0, log=print):
    """Run the lecture's chapters and write ``out_dir/index.html``.

    Parameters
    ----------
    out_dir : str or path-like, default="tour"
    quick : bool, default=False
        Small data and few epochs (about 50 s of CPU time instead of 3 minutes).
    chapters : list of str, default=None
        Keys of the chapters to run (all when None).
    random_state : int, default=0
    log : callable, default=print
        Receives one line per chapter (use ``lambda s: None`` to silence).

    Returns
    -------
    path : str
        Path of the written ``index.html``.
    """
    import matplotlib

    from deepmine.utils._optional import TOUR_MODULES, check_installed

    matplotlib.use("Agg")
    from deepmine.report import Report, Section

    _discover()
    known = {c.key for c in _CHAPTERS.values()}
    if chapters:
        unknown = sorted(set(chapters) - known)
        if unknown:
            raise ValueError(f"Unknown tour chapter(s) {unknown}; known: {sorted(known)}.")
    todo = sorted((c for c in _CHAPTERS.values() if not chapters or c.key in chapters),
                  key=lambda c: c.order)
    check_installed(TOUR_MODULES, "The tour", "tour")
    out_dir = Path(out_dir)
    ctx = TourContext(quick=quick, random_state=random_state, out_dir=out_dir)
    report = Report("deepmine tour: deep learning for data mining" + (" (quick)" if quick else ""))
    for c in todo:
        section = report.add(Section(c.title))
        start, cpu = time.perf_counter(), time.process_time()
        c.func(section, ctx)
        section.seconds = time.perf_counter() - start
        section.cpu_seconds = cpu = time.process_time() - cpu
        section.source(c.func, *_helpers(c.func), summary="Code of this chapter", index=0)
        log(f"[tour] {c.title}: {section.seconds:.1f} s ({cpu:.1f} s CPU)")
    return report.write(out_dir / "index.html")
