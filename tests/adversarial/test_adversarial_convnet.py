"""Attacks and visualisations on deepmine's ConvNetClassifier (flat digit rows and image arrays)."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from deepmine.adversarial import fgsm, pgd, robustness_curve
from deepmine.visualize import class_prototype, deep_dream, saliency_map

vision = pytest.importorskip("deepmine.vision")


@pytest.fixture(scope="module")
def convnet():
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    clf = vision.ConvNetClassifier(conv_layers=((8, 3), (16, 3)), hidden_layer_sizes=(32,),
                                   dropout=0.0, max_epochs=8, learning_rate=1e-2, batch_size=128,
                                   image_shape=(8, 8), random_state=0, device="cpu")
    return clf.fit(X[:1300], y[:1300]), X[1300:], y[1300:]


def test_attacks_on_flat_rows_keep_the_row_layout(convnet):
    """fgsm/pgd on a ConvNetClassifier fed flat rows return flat rows within eps and clip."""
    clf, X, y = convnet
    assert clf.score(X, y) > 0.85
    adv = fgsm(clf, X, y, 0.2, clip=(0, 1))
    assert adv.shape == X.shape
    assert np.abs(adv - X).max() <= 0.2 + 1e-6 and adv.min() >= 0 and adv.max() <= 1
    assert clf.score(adv, y) < clf.score(X, y) - 0.3
    adv_pgd = pgd(clf, X, y, 0.2, clip=(0, 1), random_state=0)
    assert clf.score(adv_pgd, y) <= clf.score(adv, y)
    curve = robustness_curve(clf, X, y, eps=[0, 0.2], clip=(0, 1))
    assert curve.accuracy.iloc[0] == pytest.approx(clf.score(X, y))


def test_visualisations_on_a_convnet(convnet):
    """saliency_map, class_prototype (image_shape from the estimator) and deep_dream accept the CNN."""
    clf, X, y = convnet
    assert saliency_map(clf, X[:3]).shape == (3, 64)
    proto = class_prototype(clf, [0, 7], steps=60, random_state=0)
    assert proto.shape == (2, 1, 8, 8)
    assert list(clf.predict(proto.reshape(2, -1))) == [0, 7]
    assert deep_dream(clf, np.random.default_rng(0).random((20, 20)), octaves=1, steps=2,
                      random_state=0).shape == (20, 20)
