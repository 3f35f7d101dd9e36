"""The autoencoders follow the scikit-learn estimator contract."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from deepmine.autoencoders import AutoEncoder, AutoEncoderOutlierDetector, StackedAutoEncoder

ESTIMATORS = [
    AutoEncoder((4,), code_size=2, max_epochs=2, device="cpu", random_state=0),
    StackedAutoEncoder((4, 2), max_epochs=2, device="cpu", random_state=0),
    AutoEncoderOutlierDetector(n_estimators=3, max_epochs=3, device="cpu", random_state=0),
]


def _expected_failed_checks(estimator):
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    """Each autoencoder passes scikit-learn's estimator checks."""
    check(estimator)
