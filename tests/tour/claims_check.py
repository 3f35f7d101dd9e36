"""Check a tour report: every generated comparison agrees with its own numbers and its tables."""

import html
import re

_SECTION = re.compile(r'<section class="chapter"[^>]*><h2>(.*?)</h2>(.*?)</section>', re.S)
_CLAIM = re.compile(r'<span class="claim" data-value="([^"]+)" data-reference="([^"]+)" '
                    r'data-direction="(-?\d)" data-tolerance="([^"]+)">(.*?)</span>', re.S)
_TABLE = re.compile(r"<table>.*?</table>", re.S)
_CELL = re.compile(r"<td>(.*?)</td>", re.S)
_CAPTION = re.compile(r"<(figcaption|caption)>(.*?)</\1>", re.S)
# a caption that states a comparison must do it through a generated claim
_HANDWRITTEN = re.compile(r"\b(better|worse|outperform\w*|beats?|more accurate|less accurate|"
                          r"improves?|separates more|more digit-like|smoother|collapse\w*|"
                          r"cannot|keeps it|loses)\b", re.I)


def _numbers(section_html):
    out = []
    for table in _TABLE.findall(section_html):
        for cell in _CELL.findall(table):
            try:
                out.append(float(html.unescape(cell).replace(",", "")))
            except ValueError:
                pass
    return out


def _shown(value, numbers):
    return any(abs(value - n) <= 6e-4 * max(1.0, abs(value)) for n in numbers)


def claim_problems(report_html):
    """List of 'chapter: problem' strings; empty when every claim follows from the numbers."""
    problems = []
    for title, body in _SECTION.findall(report_html):
        title = html.unescape(title)
        numbers = _numbers(body)
        for value, reference, direction, tol, phrase in _CLAIM.findall(body):
            value, reference, direction, tol = float(value), float(reference), int(direction), float(tol)
            expected = 0 if abs(value - reference) <= tol else (1 if value > reference else -1)
            if value != value or reference != reference:
                problems.append(f"{title}: claim {phrase!r} compares a missing value")
            elif expected != direction:
                problems.append(f"{title}: claim {phrase!r} says {direction:+d}, the numbers "
                                f"{value} vs {reference} say {expected:+d}")
            for v in (value, reference):
                if not _shown(v, numbers):
                    problems.append(f"{title}: claim {phrase!r} uses {v}, which no table of the "
                                    "chapter shows")
        for _, caption in _CAPTION.findall(body):
            plain = _CLAIM.sub("", caption)
            plain = re.sub(r"<[^>]+>", "", plain)
            hit = _HANDWRITTEN.search(html.unescape(plain))
            if hit:
                problems.append(f"{title}: caption states {hit.group(0)!r} without a measured "
                                f"comparison: {html.unescape(plain)[:120]!r}")
    return problems
