"""One quick tour per test session, shared by every test of the report."""

import pytest

from deepmine.cli import main


@pytest.fixture(scope="session")
def tour_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    assert main(["tour", "--quick", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def report(tour_dir):
    return (tour_dir / "index.html").read_text(encoding="utf-8")
