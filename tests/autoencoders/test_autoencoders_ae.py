"""AutoEncoder and StackedAutoEncoder: codes, reconstructions, denoising, pretraining."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.decomposition import PCA

from deepmine.autoencoders import AutoEncoder, StackedAutoEncoder
from deepmine.autoencoders._base import corrupt
from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.tabular import MLPClassifier


def _spiral(n=300, seed=0):
    """Points on a 1-D curve in 3-D: non-linear, so one code unit suffices but one PCA axis does not."""
    t = np.random.RandomState(seed).uniform(0, 3 * np.pi, n)
    return np.c_[np.cos(t), np.sin(t), t / 5]


def test_codes_beat_pca_on_a_curve():
    """With one code unit the autoencoder reconstructs a curve far better than PCA with one axis."""
    X, Xt = _spiral(200, 0), _spiral(200, 1)
    ae = AutoEncoder((32, 32), code_size=1, activation="tanh", max_epochs=60, batch_size=50,
                     learning_rate=0.01, device="cpu", random_state=0).fit(X)
    Xs, Xts = (X - ae.mean_) / ae.scale_, (Xt - ae.mean_) / ae.scale_
    pca = PCA(1).fit(Xs)
    pca_err = ((pca.inverse_transform(pca.transform(Xts)) - Xts) ** 2).mean()
    assert ae.reconstruction_error(Xt).mean() < 0.2 * pca_err


def test_transform_inverse_and_errors_agree():
    """inverse_transform(transform(X)) is the reconstruction whose scaled squared error is reported."""
    X = _spiral(120)
    ae = AutoEncoder((8,), code_size=2, max_epochs=5, device="cpu", random_state=0).fit(X)
    codes = ae.transform(X)
    assert codes.shape == (120, 2) and codes.dtype == np.float64
    rec = ae.inverse_transform(codes)
    per_feature = ae.reconstruction_error(X, per_feature=True)
    np.testing.assert_allclose(per_feature, ((rec - X) / ae.scale_) ** 2, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(ae.reconstruction_error(X), per_feature.mean(axis=1))
    assert list(ae.get_feature_names_out()) == ["autoencoder0", "autoencoder1"]
    with pytest.raises(DataError, match="codes of shape"):
        ae.inverse_transform(X)


def test_noise_only_on_training_input_target_clean():
    """Denoising corrupts the input of training batches only; the target and evaluation stay clean."""
    X = _spiral(64)
    ae = AutoEncoder((4,), code_size=1, noise="masking", noise_level=0.5, max_epochs=1,
                     device="cpu", random_state=0).fit(X)
    seen = []

    class Spy(torch.nn.Module):
        def forward(self, x):
            seen.append(x.clone())
            return torch.zeros_like(x)

    batch = (torch.as_tensor(ae._scale(X)),)
    spy = Spy().train()
    train_loss = ae._compute_loss(spy, batch)
    assert (seen[0] == 0).float().mean() > 0.3  # corrupted input
    # target is the clean batch: the loss of predicting 0 is the clean batch's mean square
    np.testing.assert_allclose(float(train_loss), float((batch[0] ** 2).mean()), rtol=1e-6)
    spy.eval()
    ae._compute_loss(spy, batch)
    assert torch.equal(seen[1], batch[0])  # evaluation sees clean input


@pytest.mark.parametrize("noise", ["gaussian", "masking", "salt_pepper"])
def test_corruption_kinds(noise):
    """Each noise kind changes about the requested share of entries, salt-and-pepper to the column extremes."""
    torch.manual_seed(0)
    X = torch.full((2000, 3), 0.5)
    low, high = torch.tensor([-1.0, -2.0, -3.0]), torch.tensor([1.0, 2.0, 3.0])
    out = corrupt(X, noise, 0.2, low, high)
    changed = (out != X).float().mean()
    if noise == "gaussian":
        assert abs(float((out - X).std()) - 0.2) < 0.02
    else:
        assert 0.15 < changed < 0.25
    if noise == "salt_pepper":
        hit = out != 0.5
        assert torch.all((out == low) | (out == high) | ~hit)


def test_bad_noise_level_is_a_clear_error():
    """A masking share of 1 or more is rejected with the parameter named."""
    with pytest.raises(InvalidParameterError, match="noise_level"):
        AutoEncoder(noise="masking", noise_level=1.5, max_epochs=1).fit(_spiral(20))
    with pytest.raises(InvalidParameterError, match="noise"):
        AutoEncoder(noise="blur", max_epochs=1).fit(_spiral(20))


def test_dataframe_and_constant_columns():
    """DataFrames with text columns and constant columns train and give finite errors."""
    rng = np.random.RandomState(0)
    df = pd.DataFrame({"a": rng.normal(size=50), "const": 3.0,
                       "colour": rng.choice(["red", "blue"], 50)})
    ae = AutoEncoder((4,), code_size=2, max_epochs=3, device="cpu", random_state=0).fit(df)
    assert list(ae.feature_names_in_) == ["a", "const", "colour"]
    err = ae.reconstruction_error(df, per_feature=True)
    assert err.shape == (50, 4) and np.isfinite(err).all()


def test_fit_leaves_global_rng_alone_and_is_reproducible():
    """Fitting twice with one seed gives the same codes and does not touch torch's global RNG."""
    X = _spiral(60)
    state = torch.get_rng_state()
    a = AutoEncoder((4,), code_size=1, noise="gaussian", max_epochs=3, device="cpu", random_state=3).fit(X)
    b = AutoEncoder((4,), code_size=1, noise="gaussian", max_epochs=3, device="cpu", random_state=3).fit(X)
    assert torch.equal(state, torch.get_rng_state())
    np.testing.assert_array_equal(a.transform(X), b.transform(X))


def test_stacked_is_greedy_then_fine_tuned():
    """Each layer is pretrained on the codes of the previous one; fine-tuning starts from those weights."""
    X = _spiral(100)
    kw = dict(max_epochs=5, device="cpu", random_state=0)
    frozen = StackedAutoEncoder((6, 2), fine_tune=False, **kw).fit(X)
    tuned = StackedAutoEncoder((6, 2), fine_tune=True, **kw).fit(X)
    assert len(frozen.pretrain_history_) == 2 and all(len(h) == 5 for h in frozen.pretrain_history_)
    assert frozen.n_iter_ == 0 and tuned.n_iter_ == 5
    # same pretrained starting point: fine-tuning lowers the end-to-end error
    assert tuned.reconstruction_error(X).mean() < frozen.reconstruction_error(X).mean()
    # the second stage learned on the first stage's codes: layer 2 input width is 6
    assert [layer.in_features for layer in tuned.encoder_layers()] == [3, 6]


def test_stacked_warns_as_itself_never_as_an_internal_stage():
    """Five epochs per stage leave every loss improving: one warning, naming StackedAutoEncoder."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        StackedAutoEncoder((6, 2), max_epochs=5, device="cpu", random_state=0).fit(_spiral(100))
    assert [str(w.message).split(" stopped")[0] for w in caught] == ["StackedAutoEncoder"]


def test_stacked_initialises_mlp_classifier():
    """MLPClassifier(init=stacked) starts from the encoder: raw X through its scaling layer gives the same codes."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 5)) * [1, 10, 100, 0.1, 1] + 50
    y = (X[:, 0] > 50).astype(int)
    sae = StackedAutoEncoder((6, 3), max_epochs=3, device="cpu", random_state=0).fit(X)
    clf = MLPClassifier((6, 3), max_epochs=1, learning_rate=1e-12, optimizer="sgd", momentum=0.0,
                        device="cpu", random_state=0).fit(X, y, init=sae)
    hidden = clf.module_[:5](torch.as_tensor(X, dtype=torch.float32)).detach().numpy()
    np.testing.assert_allclose(hidden, sae.transform(X), rtol=1e-3, atol=1e-4)
    with pytest.raises(InvalidParameterError, match="hidden_layer_sizes"):
        MLPClassifier((7, 3), max_epochs=1, device="cpu").fit(X, y, init=sae)


def test_a_network_started_from_an_encoder_scales_as_the_encoder_did():
    """Fitted on 20 labelled rows of 400, the classifier standardizes with the 400 rows' statistics."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 4)) * [1, 10, 100, 0.1] + 5
    sae = StackedAutoEncoder((6, 3), max_epochs=2, device="cpu", random_state=0).fit(X)
    labelled, y = X[:20], (X[:20, 0] > 5).astype(int)
    clf = MLPClassifier((6, 3), max_epochs=1, device="cpu", random_state=0)
    np.testing.assert_allclose(clf.fit(labelled, y, init=sae).mean_, sae.mean_)
    np.testing.assert_allclose(clf.scale_, sae.scale_)
    own = clf.fit(labelled, y).mean_  # without init: its own rows
    assert not np.allclose(own, sae.mean_)
    unscaled = StackedAutoEncoder((6, 3), scale=False, max_epochs=2, device="cpu",
                                  random_state=0).fit(X)
    np.testing.assert_allclose(clf.fit(labelled, y, init=unscaled).mean_, own)


def test_pickle_round_trip():
    """A pickled autoencoder gives the same codes."""
    import pickle

    X = _spiral(40)
    ae = AutoEncoder((4,), code_size=2, max_epochs=2, device="cpu", random_state=0).fit(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(ae)).transform(X), ae.transform(X))
