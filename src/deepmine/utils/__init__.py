"""Utilities shared by every subpackage: devices, seeds, input validation, tables.

``resolve_seed`` imports no torch, so torch-free subpackages (embeddings) share the
one seed policy; ``resolve_device`` loads torch when first used.
"""

from deepmine.utils._random import resolve_seed

__all__ = ["resolve_device", "resolve_seed"]


def __getattr__(name):
    if name == "resolve_device":
        from deepmine.utils._device import resolve_device

        return resolve_device
    raise AttributeError(f"module 'deepmine.utils' has no attribute {name!r}")
