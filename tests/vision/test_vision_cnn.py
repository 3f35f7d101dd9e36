"""ConvNetClassifier: input formats, learning, augmentation, persistence."""

import numpy as np
import pytest
import torch

from deepmine.datasets import load_digits_images
from deepmine.exceptions import DataError
from deepmine.vision import ConvNetClassifier

SMALL = dict(conv_layers=[(8, 3)], hidden_layer_sizes=(32,), max_epochs=3, random_state=0,
             device="cpu")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits_images(return_X_y=True)
    return X[:400], y[:400]


@pytest.fixture(scope="module")
def fitted(digits):
    X, y = digits
    return ConvNetClassifier(conv_layers=[(8, 3), (16, 3)], hidden_layer_sizes=(32,),
                             max_epochs=15, learning_rate=0.01, random_state=0,
                             device="cpu").fit(X[:300], y[:300])


def test_learns_digits(fitted, digits):
    """A small CNN reaches >= 85% held-out accuracy on 300 training digits."""
    X, y = digits
    assert fitted.score(X[300:], y[300:]) >= 0.85


def test_input_layouts_give_same_model(digits):
    """Flat rows with image_shape, (n,H,W), (n,C,H,W) and (n,H,W,C) train identical networks."""
    X, y = digits
    X, y = X[:120], y[:120]
    layouts = {
        "nchw": (X, {}),
        "nhw": (X[:, 0], {}),
        "nhwc": (X.transpose(0, 2, 3, 1), {"channels": "last"}),
        "flat": (X.reshape(len(X), -1), {"image_shape": (8, 8)}),
        "flat_hwc": (X.reshape(len(X), -1), {"image_shape": (8, 8, 1)}),
    }
    probs = {}
    for name, (Xi, kw) in layouts.items():
        clf = ConvNetClassifier(**SMALL, **kw).fit(Xi, y)
        assert clf.image_shape_ == (1, 8, 8)
        probs[name] = clf.predict_proba(Xi[:10])
    for name, p in probs.items():
        np.testing.assert_allclose(p, probs["nchw"], atol=1e-5, err_msg=name)


def test_channels_last_detected():
    """(n, H, W, 3) arrays are recognised as channels-last colour images."""
    rng = np.random.RandomState(0)
    X = rng.rand(20, 12, 10, 3).astype(np.float32)
    clf = ConvNetClassifier(**SMALL).fit(X, np.arange(20) % 2)
    assert clf.image_shape_ == (3, 12, 10)
    assert clf.predict(X).shape == (20,)


def test_module_takes_raw_nchw_pixels(fitted, digits):
    """module_ maps raw (N, C, H, W) pixels to logits that agree with predict_proba."""
    X, _ = digits
    with torch.no_grad():
        logits = fitted.module_(torch.as_tensor(X[:5]))
    np.testing.assert_allclose(torch.softmax(logits.double(), 1).numpy(),
                               fitted.predict_proba(X[:5]), atol=1e-5)


def test_wrong_shapes_raise_clear_errors(fitted, digits):
    """Images of another size or a bad image_shape give a DataError naming the shapes."""
    X, y = digits
    with pytest.raises(DataError, match=r"fitted on \(1, 8, 8\)"):
        fitted.predict(np.zeros((2, 1, 9, 9), dtype=np.float32))
    with pytest.raises(DataError, match="image_shape"):
        ConvNetClassifier(**SMALL, image_shape=(7, 7)).fit(X.reshape(len(X), -1), y)
    with pytest.raises(DataError, match="5 dimensions|2-D"):
        ConvNetClassifier(**SMALL).fit(np.zeros((4, 1, 2, 2, 2)), [0, 1, 0, 1])
    bad = X[:6].copy()
    bad[4, 0, 2, 3] = np.nan
    for images in (bad, bad.reshape(6, -1)):        # 4-D images and flat rows
        with pytest.raises(DataError, match=r"NaN or infinite values in 1 image\(s\) "
                                            r"\(first: image 4\)"):
            fitted.predict(images)


def test_augmentation_changes_training_only(digits):
    """shift/rotation alter training (different weights) but prediction is deterministic."""
    X, y = digits
    plain = ConvNetClassifier(**SMALL).fit(X[:150], y[:150])
    aug = ConvNetClassifier(**SMALL, shift=0.125, rotation=10).fit(X[:150], y[:150])
    assert not np.allclose(plain.predict_proba(X[:5]), aug.predict_proba(X[:5]))
    np.testing.assert_array_equal(aug.predict_proba(X[:20]), aug.predict_proba(X[:20]))


def test_partial_fit_and_class_weight(digits):
    """partial_fit trains one epoch per call on images; class_weight='balanced' weights rare classes up."""
    X, y = digits
    clf = ConvNetClassifier(**SMALL)
    clf.partial_fit(X[:100], y[:100], classes=np.arange(10))
    clf.partial_fit(X[100:200], y[100:200])
    assert clf.n_iter_ == 2 and clf.predict(X[:3]).shape == (3,)
    yb = np.where(y[:200] == 0, 0, 1)  # ~10% zeros
    bal = ConvNetClassifier(**SMALL, class_weight="balanced").fit(X[:200], yb)
    assert bal.class_weight_[0] > 4 * bal.class_weight_[1]


def test_pipeline_grid_search_on_flat_digits():
    """On scikit-learn's flat digits, the CNN works inside a Pipeline under GridSearchCV."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(FunctionTransformer(lambda A: A / 16.0),
                         ConvNetClassifier(image_shape=(8, 8), conv_layers=[(8, 3)],
                                           hidden_layer_sizes=16, max_epochs=12, batch_size=32,
                                           random_state=0, device="cpu"))
    grid = GridSearchCV(pipe, {"convnetclassifier__learning_rate": [1e-3, 1e-2]}, cv=2)
    grid.fit(X[:300], y[:300])
    assert grid.best_params_["convnetclassifier__learning_rate"] == 1e-2
    assert grid.score(X[300:600], y[300:600]) > 0.7  # an RBF SVC reaches 0.82 on this split


def test_adversarial_training_option(digits):
    """adversarial='fgsm' goes through the engine's adversarial loss and changes the weights."""
    X, y = digits
    plain = ConvNetClassifier(**SMALL).fit(X[:100], y[:100])
    adv = ConvNetClassifier(**SMALL, adversarial="fgsm", adversarial_eps=0.1).fit(X[:100], y[:100])
    assert not np.allclose(plain.predict_proba(X[:5]), adv.predict_proba(X[:5]))
