"""Base classes of deepmine's neural estimators: scikit-learn on top, :class:`deepmine.nn.Trainer` below.

A new estimator subclasses :class:`BaseDeepEstimator` and implements
``_build_module`` (the network) and ``_compute_loss`` (the loss of a batch);
validation, devices, seeding, the training loop, early stopping, batched
prediction, pickling and ``save``/``deepmine.load`` are inherited.
"""

# the names estimators import from deepmine.base
from deepmine.base._estimator import (  # noqa: F401
    ADVERSARIAL_CONSTRAINTS, ADVERSARIAL_PARAMS_DOC, ENGINE_PARAMS_DOC, MIN_VALIDATION_ROWS,
    BaseDeepEstimator)
from deepmine.base._supervised import DeepClassifierMixin, DeepRegressorMixin  # noqa: F401
from deepmine.nn._engine_params import (  # noqa: F401
    ENGINE_CONSTRAINTS, ENGINE_DEFAULTS, ENGINE_PARAMS, engine_params_doc, store_params)
