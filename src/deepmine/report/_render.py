"""Build one self-contained HTML file from sections of text, tables and figures."""

import base64
import html
import inspect
import io
import textwrap
import time
from pathlib import Path

from deepmine.report._claims import Claim
from deepmine.utils._optional import optional_from

DPI = 130

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:2px solid #444}h2{margin-top:2.2em;border-bottom:1px solid #bbb}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}th{background:#f2f2f2}
td:first-child,th:first-child{text-align:left}
figure{margin:1em 0}figure img{max-width:100%;height:auto}figcaption{font-size:.9em;color:#555}
.toc li{margin:.15em 0}.meta{color:#666;font-size:.9em}pre{background:#f6f6f6;padding:.6em;overflow-x:auto}
details.code{margin:.8em 0;border:1px solid #ddd;border-radius:4px;background:#fafafa}
details.code summary{cursor:pointer;padding:.35em .6em;font-size:.9em;color:#335}
details.code pre{margin:0;font-size:.82em;line-height:1.35}
.note{border-left:4px solid #c90;background:#fff8e6;padding:.4em .8em}
"""


def highlight_python(code):
    """Python source as syntax-highlighted HTML (Pygments, styles in the report's CSS).

    Examples
    --------
    >>> "<span" in highlight_python("x = 1")
    True
    """
    highlight = optional_from("pygments", "highlight", feature="The report's code listings")
    HtmlFormatter = optional_from(
        "pygments.formatters", "HtmlFormatter", feature="The report's code listings")
    PythonLexer = optional_from(
        "pygments.lexers", "PythonLexer", feature="The report's code listings")

    return highlight(code, PythonLexer(), HtmlFormatter(cssclass="highlight"))


def _pygments_css():
    HtmlFormatter = optional_from(
        "pygments.formatters", "HtmlFormatter", feature="The report's code listings")

    return HtmlFormatter().get_style_defs(".highlight")


def figure_to_png_base64(fig, dpi=DPI):
    """Render a matplotlib figure to a base64 PNG string and close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : int, default=130

    Returns
    -------
    str
        Base64-encoded PNG bytes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> figure_to_png_base64(fig)[:8]
    'iVBORw0K'
    """
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


class Section:
    """One chapter of a report: an ordered list of text, table and figure blocks.

    Parameters
    ----------
    title : str

    Examples
    --------
    >>> s = Section("Credit rating")
    >>> s.text("A perceptron learns a threshold rule.")
    >>> "threshold" in s.to_html()
    True
    """

    def __init__(self, title):
        self.title = title
        self.blocks = []
        self.n_figures = 0
        self.seconds = None
        self.cpu_seconds = None

    def text(self, *parts, note=False):
        """Add a paragraph: strings (HTML-escaped) and :class:`Claim` phrases, joined as given.

        ``note=True`` marks the paragraph as a caveat (shown boxed).
        """
        body = "".join(p.to_html() if isinstance(p, Claim) else html.escape(str(p)) for p in parts)
        cls = ' class="note"' if note else ""
        self.blocks.append(f"<p{cls}>{body}</p>")

    def source(self, *objects, summary="Code", index=None):
        """Add the source of functions (the code that ran), highlighted and collapsible.

        Parameters
        ----------
        *objects : functions, classes or modules
            Their source (``inspect.getsource``), in the given order.
        summary : str, default="Code"
            The always-visible line of the collapsed block.
        index : int or None, default=None
            Position among the blocks (None appends).
        """
        code = "\n\n".join(textwrap.dedent(inspect.getsource(o)).rstrip() for o in objects)
        block = (f'<details class="code"><summary>{html.escape(summary)} '
                 f'({code.count(chr(10)) + 1} lines)</summary>{highlight_python(code)}</details>')
        self.blocks.insert(len(self.blocks) if index is None else index, block)

    def heading(self, text):
        """Add a sub-heading."""
        self.blocks.append(f"<h3>{html.escape(str(text))}</h3>")

    def code(self, text):
        """Add preformatted text (code, a printed table)."""
        self.blocks.append(f"<pre>{html.escape(str(text))}</pre>")

    def table(self, df, caption=None, float_format="{:.4g}"):
        """Add a pandas DataFrame (or a dict of columns) as an HTML table."""
        import pandas as pd

        if not isinstance(df, pd.DataFrame):
            df = pd.DataFrame(df)
        cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
        rows = []
        for _, row in df.iterrows():
            cells = []
            for v in row:
                if isinstance(v, float):
                    v = float_format.format(v)
                cells.append(f"<td>{html.escape(str(v))}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        self.blocks.append(f"<table>{cap}<tr>{head}</tr>{''.join(rows)}</table>")

    def figure(self, fig, caption=None):
        """Add a matplotlib figure, embedded as a PNG; the figure is closed.

        ``caption`` is a string, or a list of strings and :class:`Claim` phrases.
        """
        data = figure_to_png_base64(fig)
        if isinstance(caption, (list, tuple)):
            parts = caption
            caption = "".join(str(p) for p in parts)
        else:
            parts = [caption] if caption else []
        body = "".join(p.to_html() if isinstance(p, Claim) else html.escape(str(p)) for p in parts)
        cap = f"<figcaption>{body}</figcaption>" if caption else ""
        alt = html.escape(str(caption or self.title))
        self.blocks.append(
            f'<figure><img alt="{alt}" src="data:image/png;base64,{data}"/>{cap}</figure>')
        self.n_figures += 1

    def to_html(self, anchor=None):
        """Return the section as an HTML fragment."""
        aid = f' id="{anchor}"' if anchor else ""
        cpu = (f" ({self.cpu_seconds:.1f} s of CPU time)"
               if getattr(self, "cpu_seconds", None) is not None else "")
        took = (f'<p class="meta">computed in {self.seconds:.1f} s{cpu}</p>'
                if self.seconds is not None else "")
        return f'<section class="chapter"{aid}><h2>{html.escape(self.title)}</h2>' \
               + "".join(self.blocks) + took + "</section>"


class Report:
    """A titled list of :class:`Section` objects, written as one HTML file.

    Parameters
    ----------
    title : str

    Examples
    --------
    >>> import tempfile, os
    >>> r = Report("demo")
    >>> r.add(Section("one")).text("hello")
    >>> path = r.write(os.path.join(tempfile.mkdtemp(), "index.html"))
    >>> from pathlib import Path
    >>> "hello" in Path(path).read_text()
    True
    """

    def __init__(self, title):
        self.title = title
        self.sections = []

    def add(self, section):
        """Append a section and return it."""
        self.sections.append(section)
        return section

    def to_html(self):
        """Return the whole report as an HTML document."""
        toc = "".join(f'<li><a href="#ch{i}">{html.escape(s.title)}</a></li>'
                      for i, s in enumerate(self.sections, 1))
        body = "".join(s.to_html(anchor=f"ch{i}") for i, s in enumerate(self.sections, 1))
        stamp = time.strftime("%Y-%m-%d %H:%M")
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'>"
                f"<title>{html.escape(self.title)}</title><style>{_CSS}{_pygments_css()}</style>"
                f"</head><body>"
                f"<h1>{html.escape(self.title)}</h1><p class='meta'>generated {stamp}</p>"
                f"<ol class='toc'>{toc}</ol>{body}</body></html>")

    def write(self, path):
        """Write the HTML document to ``path`` (parent folders are created).

        The file is replaced atomically: a reader sees the old report or the new one.
        """
        from deepmine.utils._io import atomic_write

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = self.to_html()
        with atomic_write(path, "w", encoding="utf-8") as f:
            f.write(text)
        return str(path)
