"""scikit-learn's estimator checks on the time-series classifiers (2-D X = univariate series).

The forecasters (WindowForecaster, LSTMForecaster, NaiveForecaster) and the
SlidingWindowTransformer take one series ``y`` and change the number of rows, so
scikit-learn's (X, y) checks do not apply to them; their sklearn contract (clone,
get_params/set_params, pickle, Pipeline) is tested in test_ts_forecasting.py and
test_ts_classifiers.py.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from deepmine.timeseries import CNNTimeSeriesClassifier, LSTMClassifier

ESTIMATORS = [
    CNNTimeSeriesClassifier(filters=(4, 8, 4), max_epochs=10, batch_size=64, learning_rate=0.05,
                            random_state=0, device="cpu"),
    CNNTimeSeriesClassifier("mcdcnn", max_epochs=10, batch_size=64,
                            learning_rate=0.01, random_state=0, device="cpu"),
    LSTMClassifier(hidden_size=8, max_epochs=10, batch_size=64, learning_rate=0.05,
                   random_state=0, device="cpu"),
]


def _expected_failed(estimator):
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed)
def test_sklearn_compatible(estimator, check):
    """Each time-series classifier passes scikit-learn's estimator checks."""
    check(estimator)
