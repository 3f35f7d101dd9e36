"""One self-contained HTML report: text, tables and figures (embedded PNG).

``report`` never imports torch, so a report can be rebuilt anywhere.
"""

from deepmine.report._render import Report, Section, figure_to_png_base64

__all__ = ["Report", "Section", "figure_to_png_base64"]
