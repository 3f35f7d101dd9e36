"""Saliency maps, class prototypes, DeepDream, style transfer and the plot helpers."""

import matplotlib.figure
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_digits, load_iris, load_sample_image
from sklearn.model_selection import train_test_split
from torch import nn

from deepmine.adversarial import fgsm, robustness_curve
from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.nn import Trainer
from deepmine.tabular import MLPClassifier
from deepmine.visualize import (class_prototype, deep_dream, plot_adversarial, plot_images,
                                plot_robustness_curve, plot_saliency, random_features,
                                saliency_map, style_transfer)
from deepmine.visualize._features import activations
from deepmine.visualize._style import _gram


@pytest.fixture(scope="module")
def digits_cnn():
    """A small CNN trained once on scikit-learn's 8x8 digits scaled to [0, 1]."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32).reshape(-1, 1, 8, 8)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
                            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(16 * 16, 10))
        loss = lambda m, b: nn.functional.cross_entropy(m(b[0]), b[1])  # noqa: E731
        Trainer(max_epochs=15, learning_rate=1e-2, batch_size=128, random_state=0).fit(
            net, (torch.as_tensor(Xtr), torch.as_tensor(ytr)), compute_loss=loss)
    net.eval()
    return net, Xtr, ytr, Xte, yte


def _score(net, X, cls):
    with torch.no_grad():
        return net(torch.as_tensor(X, dtype=torch.float32))[:, cls].numpy()


def test_saliency_of_a_linear_model_is_its_weight_row():
    """For logits Wx + b the saliency of class k is |W[k]| for every sample."""
    net = nn.Linear(6, 3)
    X = np.random.default_rng(0).normal(size=(4, 6)).astype(np.float32)
    sal = saliency_map(net, X, target=2)
    np.testing.assert_allclose(sal, np.tile(net.weight[2].detach().abs().numpy(), (4, 1)))
    signed = saliency_map(net, X, target=[0, 1, 2, 0], absolute=False)
    np.testing.assert_allclose(signed[1], net.weight[1].detach().numpy())


def test_salient_pixels_move_the_score_more_than_random_ones(digits_cnn):
    """Changing the 8 most salient pixels changes the class score more than 8 random pixels."""
    net, _, _, X, y = digits_cnn
    X, y = X[:60], y[:60]
    sal = saliency_map(net, X, target=y).reshape(len(X), -1)
    rng = np.random.default_rng(0)
    top_drop, rand_drop = [], []
    for i in range(len(X)):
        for idx, out in ((np.argsort(sal[i])[-8:], top_drop),
                         (rng.choice(64, 8, replace=False), rand_drop)):
            x = X[i].reshape(-1).copy()
            x[idx] = 1 - x[idx]
            out.append(abs(_score(net, X[i:i + 1], y[i])[0] -
                           _score(net, x.reshape(1, 1, 8, 8), y[i])[0]))
    assert np.mean(top_drop) > 1.5 * np.mean(rand_drop)


def test_saliency_on_an_estimator_with_string_labels():
    """saliency_map accepts a fitted MLPClassifier and its own labels."""
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = MLPClassifier((8,), max_epochs=20, random_state=0, device="cpu").fit(X, names)
    sal = saliency_map(clf, X[:5], target="virginica")
    assert sal.shape == (5, 4) and (sal >= 0).all() and sal.sum() > 0
    with pytest.raises(DataError, match="does not know"):
        saliency_map(clf, X[:5], target="rose")


def test_class_prototypes_are_classified_as_their_class(digits_cnn):
    """Every prototype is predicted as its own digit with high confidence, for every prior."""
    net = digits_cnn[0]
    for prior in ("total_variation", "blur", "jitter", None):
        P = class_prototype(net, list(range(10)), (1, 8, 8), prior=prior, steps=100,
                            random_state=0)
        assert P.shape == (10, 1, 8, 8) and P.min() >= 0 and P.max() <= 1
        with torch.no_grad():
            proba = net(torch.as_tensor(P)).softmax(1).numpy()
        assert (proba.argmax(1) == np.arange(10)).all()
        assert proba[np.arange(10), np.arange(10)].min() > 0.5


def test_total_variation_prior_gives_smoother_more_digit_like_prototypes(digits_cnn):
    """The prior lowers total variation and raises the correlation with the class-mean image."""
    net, Xtr, ytr, _, _ = digits_cnn
    means = np.stack([Xtr[ytr == k].mean(0).reshape(-1) for k in range(10)])

    def stats(P):
        P = P.reshape(10, 8, 8)
        tv = np.abs(np.diff(P, axis=1)).mean() + np.abs(np.diff(P, axis=2)).mean()
        corr = np.mean([np.corrcoef(P[k].ravel(), means[k])[0, 1] for k in range(10)])
        return tv, corr

    tv_none, corr_none = stats(class_prototype(net, range(10), (1, 8, 8), prior=None,
                                               random_state=0))
    tv_tv, corr_tv = stats(class_prototype(net, range(10), (1, 8, 8), random_state=0))
    assert tv_tv < 0.8 * tv_none
    assert corr_tv > corr_none


def test_class_prototype_of_an_mlp_on_flat_pixels():
    """An MLPClassifier on 64 flat pixels gets an (8, 8) prototype that it classifies correctly."""
    X, y = load_digits(return_X_y=True)
    clf = MLPClassifier((32,), max_epochs=15, learning_rate=3e-3, random_state=0,
                        device="cpu").fit(X / 16, y)
    P = class_prototype(clf, 3, (8, 8), steps=80, random_state=0)
    assert P.shape == (8, 8)
    assert clf.predict(P.reshape(1, -1))[0] == 3
    with pytest.raises(InvalidParameterError, match="image_shape"):
        class_prototype(clf, 3, (7, 7))
    with pytest.raises(InvalidParameterError, match="image_shape"):
        class_prototype(clf, 3)


@pytest.fixture(scope="module")
def small_photo():
    img = load_sample_image("china.jpg")[::8, ::8]  # (54, 80, 3) uint8
    return img


def test_deep_dream_amplifies_the_layer(digits_cnn, small_photo):
    """The dream raises the layer's mean squared activation and keeps the image's size and range."""
    net = digits_cnn[0]
    dream = deep_dream(net, small_photo, octaves=2, steps=10, random_state=0)
    assert dream.shape == small_photo.shape[:2]  # one-channel network -> grey image
    assert dream.min() >= 0 and dream.max() <= 1
    grey = torch.as_tensor(small_photo.mean(axis=2, dtype=np.float32) / 255)[None, None]
    with torch.no_grad():
        before = activations(net, grey, ["2"])["2"].pow(2).mean()
        after = activations(net, torch.as_tensor(dream)[None, None], ["2"])["2"].pow(2).mean()
    assert float(after) > 1.3 * float(before)
    by_module = deep_dream(net, small_photo, layer=net[0], octaves=1, steps=2, random_state=0)
    by_name = deep_dream(net, small_photo, layer="0", octaves=1, steps=2, random_state=0)
    np.testing.assert_allclose(by_module, by_name)


def test_deep_dream_errors(digits_cnn, small_photo):
    """Unknown layers, networks without convolutions and malformed images are reported."""
    net = digits_cnn[0]
    with pytest.raises(InvalidParameterError, match="no layer"):
        deep_dream(net, small_photo, layer="conv9")
    with pytest.raises(InvalidParameterError, match="Conv2d"):
        deep_dream(nn.Sequential(nn.Flatten(), nn.Linear(4, 2)), np.zeros((2, 2)))
    with pytest.raises(DataError, match="image"):
        deep_dream(net, np.zeros((2, 3, 4, 5)))


def test_style_transfer_moves_towards_the_style(small_photo):
    """The result's Gram matrices are closer to the style's than the content's were."""
    content = small_photo[:24, :24]
    style = load_sample_image("flower.jpg")[::16, ::16][:24, :24]
    net = random_features(3, random_state=0)
    out, info = style_transfer(content, style, feature_net=net, steps=20, max_size=24,
                               return_info=True)
    assert out.shape == (24, 24, 3) and out.min() >= 0 and out.max() <= 1
    assert info["feature_net"] == "Sequential" and info["style_layers"]

    def style_dist(img):
        t = torch.as_tensor(np.ascontiguousarray(img.transpose(2, 0, 1)), dtype=torch.float32)[None]
        s = torch.as_tensor(np.ascontiguousarray(style.transpose(2, 0, 1)) / 255.0,
                            dtype=torch.float32)[None]
        names = info["style_layers"]
        with torch.no_grad():
            fa, fs = activations(net, t, names), activations(net, s, names)
        return sum(float(((_gram(fa[n]) - _gram(fs[n])) ** 2).sum()) for n in names)

    assert style_dist(out) < 0.5 * style_dist(content / 255.0)
    with pytest.raises(InvalidParameterError, match="no layer"):
        style_transfer(content, style, feature_net=net, style_layers=["nope"], steps=1)


def test_style_transfer_default_network_is_reported(small_photo):
    """Without a feature_net the network used (VGG-19 only when cached) is named in info."""
    out, info = style_transfer(small_photo[:16, :16], small_photo[16:32, 16:32], steps=2,
                               optimizer="adam", random_state=0, return_info=True)
    assert out.shape == (16, 16, 3)
    assert "VGG-19" in info["feature_net"] or "random" in info["feature_net"]


def test_plot_helpers_return_figures(digits_cnn):
    """Each plot helper returns a matplotlib Figure with one panel per image."""
    net, _, _, X, y = digits_cnn
    X, y = X[:4], y[:4]
    adv = fgsm(net, X, y, 0.3, clip=(0, 1))
    fig = plot_adversarial(net, X, adv, n=3)
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 9
    assert fig.axes[0].get_title().startswith(str(y[0]))
    assert len(plot_images(X, titles=list(y)).axes) == 4
    assert len(plot_saliency(X, saliency_map(net, X)).axes) == 8
    curve = robustness_curve(net, X, y, eps=[0, 0.1], attack=["fgsm", "pgd"], clip=(0, 1))
    curve = pd.concat([curve.assign(model="a"), curve.assign(model="b")])
    assert len(plot_robustness_curve(curve).axes[0].lines) == 4
    with pytest.raises(DataError, match="accuracy"):
        plot_robustness_curve(curve.drop(columns="accuracy"))
    import matplotlib.pyplot as plt

    plt.close("all")
