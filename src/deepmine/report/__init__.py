"""One self-contained HTML report: text, tables, figures (embedded PNG) and highlighted code.

``report`` never imports torch, so a report can be rebuilt anywhere.
"""

from deepmine.report._claims import Claim, compare
from deepmine.report._render import Report, Section, figure_to_png_base64, highlight_python

__all__ = ["Claim", "Report", "Section", "compare", "figure_to_png_base64", "highlight_python"]
