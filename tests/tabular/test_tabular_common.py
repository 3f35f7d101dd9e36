"""scikit-learn's estimator checks on the table estimators."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from deepmine.tabular import MLPClassifier, MLPRegressor, Perceptron

ESTIMATORS = [
    Perceptron(random_state=0, max_epochs=30, batch_size=8),
    MLPClassifier(hidden_layer_sizes=(16,), max_epochs=60, learning_rate=0.01, random_state=0),
    MLPRegressor(hidden_layer_sizes=(16,), max_epochs=60, learning_rate=0.01, random_state=0),
]


def _expected_failed(estimator):
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed)
def test_sklearn_compatible(estimator, check):
    """Each table estimator passes scikit-learn's estimator checks."""
    check(estimator)
