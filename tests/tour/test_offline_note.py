"""A chapter that runs an offline substitute says so, and names the command that shows the real one
only when this installation has it."""

from deepmine.report import Section
from deepmine.tour import _common


def test_note_names_the_download_command_when_there_is_one(monkeypatch):
    monkeypatch.setattr(_common, "_download_available", lambda: True)
    s = Section("demo")
    _common.offline_note(s, "the digits CNN", "GoogLeNet on china.jpg", ["googlenet"])
    text = s.to_html()
    assert "Offline substitute: this chapter runs the digits CNN" in text
    assert "deepmine download googlenet" in text and "deepmine tour --download" in text


def test_note_promises_no_command_that_does_not_exist(monkeypatch):
    monkeypatch.setattr(_common, "_download_available", lambda: False)
    s = Section("demo")
    _common.offline_note(s, "the digits CNN", "GoogLeNet on china.jpg", ["googlenet"])
    text = s.to_html()
    assert "Offline substitute" in text and "deepmine download" not in text


def test_robust_limits_keep_the_bulk_and_mark_far_points():
    import numpy as np

    values = np.r_[np.linspace(0, 1, 200), 50.0]
    (lo, hi), outside = _common.robust_limits(values)
    assert hi < 5 and outside[-1] and outside.sum() == 1
