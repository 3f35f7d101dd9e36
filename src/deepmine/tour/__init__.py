"""``deepmine tour``: the whole lecture, run end to end, written as one HTML report.

Chapters live in modules named ``deepmine/tour/_ch_<area>.py``; each registers
functions with :func:`chapter`. A chapter receives a :class:`deepmine.report.Section`
and a :class:`TourContext` and fills the section with text, tables and figures.
"""

from deepmine.tour._registry import TourContext, chapter, list_chapters, run_tour

__all__ = ["TourContext", "chapter", "list_chapters", "run_tour"]
