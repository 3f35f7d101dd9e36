"""The autoencoders follow the scikit-learn estimator contract."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from deepmine.autoencoders import AutoEncoder, AutoEncoderOutlierDetector, StackedAutoEncoder

ESTIMATORS = [
    AutoEncoder((4,), code_size=2, max_epochs=2, device="cpu", random_state=0),
    StackedAutoEncoder((4, 2), max_epochs=2, device="cpu", random_state=0),
    AutoEncoderOutlierDetector(n_estimators=3, max_epochs=3, device="cpu", random_state=0),
]


# No expected failures: all three pass every check of scikit-learn 1.9.
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    """Each autoencoder passes scikit-learn's estimator checks."""
    check(estimator)
