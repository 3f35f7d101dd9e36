"""Training and inference on a CUDA device (skipped without one; benchmarks/gpu_check.py runs them)."""

import numpy as np
import pytest
import torch

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")]


@pytest.fixture
def table():
    from sklearn.datasets import make_classification

    return make_classification(n_samples=600, n_features=12, n_informative=6, random_state=0)


def test_mlp_on_cuda_matches_cpu(table):
    from deepmine.tabular import MLPClassifier

    X, y = table
    cpu = MLPClassifier((32,), max_epochs=20, random_state=0, device="cpu").fit(X, y)
    gpu = MLPClassifier((32,), max_epochs=20, random_state=0, device="cuda").fit(X, y)
    assert gpu.device_.type == "cuda"
    assert isinstance(gpu.predict_proba(X), np.ndarray)
    assert abs(cpu.score(X, y) - gpu.score(X, y)) <= 0.03
    np.testing.assert_allclose(cpu.predict_proba(X[:20]), gpu.predict_proba(X[:20]), atol=0.05)


def test_cuda_model_saves_and_loads_on_cpu(table, tmp_path):
    import deepmine
    from deepmine.tabular import MLPRegressor

    X, y = table
    reg = MLPRegressor((16,), max_epochs=5, random_state=0, device="cuda").fit(X, y.astype(float))
    reg.save(tmp_path / "m.dm")
    back = deepmine.load(tmp_path / "m.dm")
    np.testing.assert_allclose(back.predict(X[:10]), reg.predict(X[:10]), rtol=1e-4, atol=1e-4)


def test_convnet_and_fcn_train_on_cuda():
    from deepmine.datasets import load_digits_images, load_gunpoint
    from deepmine.timeseries import CNNTimeSeriesClassifier
    from deepmine.vision import ConvNetClassifier

    X, y = load_digits_images(return_X_y=True)
    cnn = ConvNetClassifier(max_epochs=3, device="cuda", random_state=0).fit(X[:800], y[:800])
    assert cnn.device_.type == "cuda" and cnn.score(X[800:], y[800:]) > 0.8
    Xt, yt = load_gunpoint(split="train")
    fcn = CNNTimeSeriesClassifier(max_epochs=5, device="cuda", random_state=0).fit(Xt, yt)
    assert fcn.device_.type == "cuda" and fcn.predict(Xt).shape == yt.shape


def test_autoencoder_on_cuda():
    from sklearn.datasets import load_digits

    from deepmine.autoencoders import AutoEncoder

    X = load_digits().data / 16
    ae = AutoEncoder(max_epochs=5, device="cuda", random_state=0).fit(X)
    assert ae.transform(X).shape[0] == len(X)
