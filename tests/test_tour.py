"""The main job: ``deepmine tour --quick`` writes one self-contained HTML file with every chapter."""

import re

import pytest

from deepmine.cli import main
from deepmine.tour import list_chapters


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    assert main(["tour", "--quick", "--out", str(out)]) == 0
    return (out / "index.html").read_text(encoding="utf-8")


def test_every_chapter_is_in_the_report(report):
    """Each registered chapter appears as a section with its title."""
    chapters = list_chapters()
    assert len(chapters) >= 3
    sections = re.findall(r'<section class="chapter"[^>]*><h2>(.*?)</h2>', report)
    import html

    assert [html.unescape(s) for s in sections] == [title for _, title in chapters]


def test_images_are_embedded_pngs(report):
    """Figures are embedded as base64 PNGs (no external files), and no image is empty."""
    images = re.findall(r'<img[^>]*src="data:image/png;base64,([^"]+)"', report)
    assert len(images) >= len(list_chapters())
    assert all(len(data) > 1000 for data in images)
    assert 'src="http' not in report and "src='http" not in report


def test_each_chapter_has_content(report):
    """Every chapter holds at least one figure or table."""
    for body in re.findall(r'<section class="chapter".*?</section>', report, flags=re.S):
        assert "<img" in body or "<table" in body


def test_unknown_chapter_is_a_clear_error(tmp_path, capsys):
    """Asking for a chapter that does not exist names the known ones."""
    assert main(["tour", "--quick", "--chapters", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown chapter" in capsys.readouterr().err
