"""Datasets: bundled tables (``load_*``), cached downloads (``fetch_*``/``load_*(download=True)``)
and small synthetic generators (``make_*``)."""

from deepmine.datasets._credit import load_credit, make_m_of_n

__all__ = ["load_credit", "make_m_of_n"]
