"""Utilities shared by every subpackage: devices, seeds, input validation, tables."""

from deepmine.utils._device import resolve_device
from deepmine.utils._random import resolve_seed

__all__ = ["resolve_device", "resolve_seed"]
