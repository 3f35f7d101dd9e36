"""Re-exports: the model view and eval mode live in :mod:`deepmine.nn` (below the families)."""

from deepmine.nn._inference import eval_mode
from deepmine.nn._model_view import ModelView, check_params, to_numpy

__all__ = ["ModelView", "check_params", "eval_mode", "to_numpy"]
