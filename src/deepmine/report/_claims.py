"""Comparative sentences generated from measured values.

A chapter never writes "better" or "worse" by hand: it passes the two numbers to
:func:`compare`, which picks the wording from the sign and size of the difference
and remembers both values, so a test can check them against the chapter's tables.
"""

import html
import math

__all__ = ["Claim", "compare"]

_WORDS = {
    "higher": ("higher than", "about the same as", "lower than"),
    "better": ("better than", "about as good as", "worse than"),
    "more": ("more than", "about as much as", "less than"),
}


class Claim:
    """A comparison of two measured values, worded by the sign and size of their difference.

    Build one with :func:`compare`; ``str(claim)`` is the phrase, and inside
    :meth:`deepmine.report.Section.text` it is rendered as a ``<span class="claim">``
    that carries both values.

    Attributes
    ----------
    value, reference : float
        The compared values.
    direction : int
        +1 when ``value`` is clearly above ``reference``, -1 clearly below, 0 within
        ``tolerance``.
    phrase : str

    Examples
    --------
    >>> from deepmine.report import compare
    >>> claim = compare(0.9, 0.8)
    >>> str(claim), claim.direction
    ('higher than (90.0% vs 80.0%)', 1)
    """

    def __init__(self, value, reference, direction, phrase, tolerance):
        self.value, self.reference = float(value), float(reference)
        self.direction, self.phrase, self.tolerance = direction, phrase, float(tolerance)

    def __str__(self):
        return self.phrase

    def __repr__(self):
        return f"Claim({self.phrase!r})"

    def to_html(self):
        """The phrase as an HTML span carrying both values and the direction."""
        return (f'<span class="claim" data-value="{self.value!r}" data-reference="{self.reference!r}"'
                f' data-direction="{self.direction}" data-tolerance="{self.tolerance!r}">'
                f"{html.escape(self.phrase)}</span>")


def compare(value, reference, *, tolerance=0.005, fmt="{:.1%}", words="higher",
            show_values=True):
    """Word the comparison of ``value`` with ``reference`` from the numbers themselves.

    Parameters
    ----------
    value, reference : float
    tolerance : float, default=0.005
        Differences up to this size (absolute) read "about the same as".
    fmt : str, default="{:.1%}"
        Format of the values in the phrase.
    words : {"higher", "better", "more"} or tuple of 3 str, default="higher"
        Phrases for a difference above, within and below the tolerance.
    show_values : bool, default=True
        Append both values, e.g. "higher than (91.2% vs 88.7%)".

    Returns
    -------
    Claim

    Examples
    --------
    >>> from deepmine.report import compare
    >>> str(compare(0.91, 0.88))
    'higher than (91.0% vs 88.0%)'
    >>> str(compare(0.881, 0.880, words="better", show_values=False))
    'about as good as'
    >>> compare(0.80, 0.88).direction
    -1
    """
    value, reference = float(value), float(reference)
    up, same, down = _WORDS[words] if isinstance(words, str) else words
    diff = value - reference
    if math.isnan(diff):
        direction, phrase = 0, "not comparable with"
    else:
        direction = 0 if abs(diff) <= tolerance else (1 if diff > 0 else -1)
        phrase = {1: up, 0: same, -1: down}[direction]
    if show_values:
        phrase += f" ({fmt.format(value)} vs {fmt.format(reference)})"
    return Claim(value, reference, direction, phrase, tolerance)
