"""feature_maps, filters, count_weights and save/load of ConvNetClassifier."""

import numpy as np
import pytest
import torch

import deepmine
from deepmine.datasets import load_digits_images
from deepmine.exceptions import InvalidParameterError
from deepmine.vision import ConvNetClassifier, count_weights, feature_maps, filters


@pytest.fixture(scope="module")
def model():
    X, y = load_digits_images(return_X_y=True)
    clf = ConvNetClassifier(conv_layers=[(6, 3), (12, 3)], hidden_layer_sizes=(16,), max_epochs=2,
                            random_state=0, device="cpu").fit(X[:200], y[:200])
    return clf, X[:10]


def test_filters_are_the_conv_weights(model):
    """filters returns each convolution's kernels (filters, C_in, k, k), indexable from the end."""
    clf, _ = model
    assert filters(clf, 0).shape == (6, 1, 3, 3)
    assert filters(clf, -1).shape == (12, 6, 3, 3)
    conv = clf.module_.features[1][0]
    np.testing.assert_array_equal(filters(clf, 1), conv.weight.detach().numpy())
    np.testing.assert_array_equal(filters(clf, "features.1.0"), filters(clf, 1))


def test_feature_maps_match_manual_forward(model):
    """feature_maps equals ReLU(conv(normalised x)) for the first layer, pooled for the second."""
    clf, X = model
    maps = feature_maps(clf, X, 0)
    assert maps.shape == (10, 6, 8, 8)
    with torch.no_grad():
        x = clf.module_.normalize(torch.as_tensor(X))
        expected = torch.relu(clf.module_.features[0][0](x)).numpy()
    np.testing.assert_allclose(maps, expected, atol=1e-5)
    assert (maps >= 0).all()
    assert feature_maps(clf, X.reshape(10, -1).reshape(10, 8, 8), 1).shape == (10, 12, 4, 4)


def test_feature_maps_on_bare_module():
    """A plain nn.Module works too; without a following activation the raw conv output is returned."""
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(1, 2, 3)
    x = np.random.RandomState(0).rand(3, 6, 6).astype(np.float32)
    out = feature_maps(conv, x, 0)
    np.testing.assert_allclose(out, conv(torch.as_tensor(x[:, None])).detach().numpy(), atol=1e-6)


def test_bad_layer_errors(model):
    """An out-of-range index or unknown name raises InvalidParameterError listing the layers."""
    clf, X = model
    with pytest.raises(InvalidParameterError, match="has 2 convolution layers"):
        filters(clf, 5)
    with pytest.raises(InvalidParameterError, match="no layer named"):
        feature_maps(clf, X, "nope")
    with pytest.raises(deepmine.exceptions.NotFittedError):
        filters(ConvNetClassifier(), 0)


def test_count_weights_lecture_numbers():
    """The lecture's arithmetic: 64 trillion (dense), 65,536 (shared conv), ~0.5 trillion (unshared)."""
    assert count_weights(("dense", 8_000_000), (8_000_000,)) == 64 * 10**12
    assert count_weights(("conv", 256, 16), (2160, 3840)) == 16 * 16 * 256
    assert count_weights(("conv", 256, 16), (2160, 3840), weight_sharing=False) == \
        3840 * 2160 * 16 * 16 * 256
    full = count_weights(("dense", 3840 * 2160), (2160, 3840))
    assert full == (3840 * 2160) ** 2
    table = count_weights([("conv", 8, 3), ("pool", 2), ("dense", 10)], (8, 8), per_layer=True)
    assert table["output_shape"].tolist() == [(8, 8, 8), (4, 4, 8), (10,)]


def test_count_weights_matches_torch(model):
    """With bias=True the description counts exactly the parameters of the fitted network."""
    clf, _ = model
    spec = [("conv", 6, 3), ("pool", 2), ("conv", 12, 3), ("pool", 2), ("dense", 16), ("dense", 10)]
    assert count_weights(spec, (8, 8), bias=True) == count_weights(clf)
    with pytest.raises(InvalidParameterError, match="dense"):
        count_weights([("fc", 10)], (8, 8))


def test_save_load_round_trip(model, tmp_path):
    """save/deepmine.load restores a model with identical predictions."""
    clf, X = model
    path = tmp_path / "cnn.dm"
    clf.save(path)
    loaded = deepmine.load(path)
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), atol=1e-6)
    assert loaded.image_shape_ == clf.image_shape_
