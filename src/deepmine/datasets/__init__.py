"""Datasets: bundled tables (``load_*``), cached downloads (``fetch_*``/``load_*(download=True)``)
and small synthetic generators (``make_*``)."""

from deepmine.datasets._credit import load_credit, make_m_of_n

__all__ = ["load_credit", "make_m_of_n"]
from deepmine.datasets._images import load_digits_images  # noqa: E402

__all__ += ["load_digits_images"]
