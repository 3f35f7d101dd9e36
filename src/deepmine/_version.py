"""The version of deepmine (one place; the package and its model files read it from here)."""

__version__ = "0.1.0"
