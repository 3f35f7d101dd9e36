"""A chapter that runs an offline substitute says so, and names what shows the real one."""

from deepmine.report import Section
from deepmine.tour import _common


def test_note_names_the_download_command_and_the_showpieces_chapter(monkeypatch):
    monkeypatch.setattr("deepmine.datasets.is_cached", lambda name: False)
    s = Section("demo")
    _common.offline_note(s, "the digits CNN", "GoogLeNet on china.jpg", ["googlenet"])
    text = s.to_html()
    assert "Offline substitute: this chapter runs the digits CNN" in text
    assert "deepmine download googlenet" in text and "deepmine tour --download" in text
    assert "showpieces" in text


def test_note_says_when_the_real_one_runs_in_the_showpieces_chapter(monkeypatch):
    monkeypatch.setattr("deepmine.datasets.is_cached", lambda name: True)
    s = Section("demo")
    _common.offline_note(s, "the digits CNN", "GoogLeNet on china.jpg", ["googlenet"])
    text = s.to_html()
    assert "googlenet is cached, so the chapter" in text and "deepmine download" not in text


def test_robust_limits_keep_the_bulk_and_mark_far_points():
    import numpy as np

    values = np.r_[np.linspace(0, 1, 200), 50.0]
    (lo, hi), outside = _common.robust_limits(values)
    assert hi < 5 and outside[-1] and outside.sum() == 1
