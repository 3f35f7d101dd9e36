"""Claims follow from numbers: every comparison in the report is generated from measured values
and agrees with the chapter's tables."""

import pytest
from claims_check import claim_problems

from deepmine.report import Report, Section, compare


def test_the_tour_makes_no_claim_its_numbers_contradict(report):
    """Every generated comparison has the direction of its numbers, and a table shows them."""
    assert "class=\"claim\"" in report
    assert claim_problems(report) == []


def test_every_chapter_with_a_comparison_generates_it(report):
    """At least a dozen chapters state comparisons, all through generated claims."""
    import re

    chapters = re.findall(r'<section class="chapter".*?</section>', report, flags=re.S)
    assert sum('class="claim"' in c for c in chapters) >= 12


def _html(section):
    r = Report("demo")
    r.add(section)
    return r.to_html()


def test_a_caption_claiming_a_gain_its_table_does_not_show_fails():
    """A claim whose numbers are not in the chapter's table is reported."""
    s = Section("demo")
    s.table({"model": ["a", "b"], "accuracy": [0.80, 0.90]})
    s.text("a is ", compare(0.95, 0.90), " b")  # 0.95 is in no table
    assert any("no table" in p for p in claim_problems(_html(s)))


def test_a_claim_with_the_wrong_direction_fails():
    """A claim whose wording disagrees with its numbers is reported."""
    s = Section("demo")
    s.table({"model": ["a", "b"], "accuracy": [0.80, 0.90]})
    claim = compare(0.80, 0.90)
    claim.direction = 1  # as if someone had written "higher" by hand
    s.text("a is ", claim, " b")
    assert any("say -1" in p for p in claim_problems(_html(s)))


def test_a_handwritten_comparison_in_a_caption_fails():
    """'better' in a caption, without a generated claim, is reported."""
    import matplotlib.pyplot as plt

    s = Section("demo")
    s.figure(plt.figure(), "The autoencoder separates more digits than PCA.")
    assert any("separates more" in p for p in claim_problems(_html(s)))


def test_consistent_claims_pass():
    s = Section("demo")
    s.table({"model": ["a", "b"], "accuracy": [0.80, 0.90]})
    s.text("a is ", compare(0.80, 0.90), " b, and b is ", compare(0.90, 0.80), " a.")
    assert claim_problems(_html(s)) == []


@pytest.mark.parametrize("value, reference, word", [(0.91, 0.88, "higher"), (0.88, 0.91, "lower"),
                                                    (0.884, 0.88, "about the same")])
def test_wording_follows_sign_and_size(value, reference, word):
    assert str(compare(value, reference)).startswith(word)
