"""The generic nets: any torch module behind the scikit-learn API, routed parameters, save/load."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

import deepmine
from deepmine.exceptions import DataError, InvalidParameterError, ModelFileError
from deepmine.nn import MLPModule, NeuralNetClassifier, NeuralNetRegressor, NeuralNetTransformer

RNG = np.random.RandomState(0)
X = RNG.normal(size=(90, 4)).astype(np.float32)
Y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)


class Net(torch.nn.Module):
    def __init__(self, n_inputs, n_outputs, hidden=8):
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Linear(n_inputs, hidden), torch.nn.ReLU(),
                                        torch.nn.Linear(hidden, n_outputs))

    def forward(self, x):
        return self.body(x)


class NoDims(torch.nn.Module):
    """A module that takes neither n_inputs nor n_outputs: built exactly as given."""

    def __init__(self, width=4):
        super().__init__()
        self.lin = torch.nn.Linear(4, 3)

    def forward(self, x):
        return self.lin(x)


def test_grid_search_over_module_parameters():
    net = NeuralNetClassifier(Net, max_epochs=5, learning_rate=0.01, random_state=0, device="cpu")
    search = GridSearchCV(net, {"module__hidden": [2, 16]}, cv=2).fit(X, Y)
    assert search.best_params_["module__hidden"] in (2, 16)
    assert search.best_estimator_.module_.body[0].out_features == search.best_params_["module__hidden"]


def test_input_and_output_width_are_inferred():
    clf = NeuralNetClassifier(Net, max_epochs=1, random_state=0, device="cpu").fit(X, Y)
    assert clf.module_.body[0].in_features == 4 and clf.module_.body[2].out_features == 3
    assert "module__n_inputs" not in clf.get_params()  # inferred, not a parameter
    reg = NeuralNetRegressor(Net, max_epochs=1, random_state=0, device="cpu").fit(X, X[:, :2])
    assert reg.module_.body[2].out_features == 2 and reg.predict(X).shape == (90, 2)
    assert NeuralNetClassifier(NoDims, max_epochs=1, device="cpu").fit(X, Y).predict(X).shape == (90,)


def test_routed_parameters_reach_optimizer_and_criterion():
    clf = NeuralNetClassifier(Net, optimizer=torch.optim.AdamW, optimizer__betas=(0.5, 0.6),
                              criterion=torch.nn.CrossEntropyLoss, criterion__label_smoothing=0.2,
                              max_epochs=1, device="cpu").fit(X, Y)
    assert isinstance(clf.optimizer_, torch.optim.AdamW)
    assert clf.optimizer_.defaults["betas"] == (0.5, 0.6)
    assert clf.criterion_.label_smoothing == 0.2
    again = clone(clf)
    assert again.get_params()["optimizer__betas"] == (0.5, 0.6)
    assert again.set_params(criterion__label_smoothing=0.0).criterion__label_smoothing == 0.0


def test_module_instance_is_copied_and_refuses_module_parameters():
    inst = torch.nn.Linear(4, 3)
    before = inst.weight.detach().clone()
    clf = NeuralNetClassifier(inst, max_epochs=3, device="cpu").fit(X, Y)
    assert torch.equal(inst.weight, before) and clf.module_ is not inst
    with pytest.raises(InvalidParameterError, match="need module= a class"):
        NeuralNetClassifier(inst, module__hidden=3).fit(X, Y)


def test_clear_errors():
    with pytest.raises(InvalidParameterError, match="module__<name>"):
        NeuralNetClassifier(Net, modul__hidden=3).fit(X, Y)
    with pytest.raises(DataError, match="needs 3"):
        NeuralNetClassifier(Net, module__n_outputs=1, device="cpu").fit(X, Y)
    with pytest.raises(DataError, match="cannot run on samples of shape"):
        NeuralNetClassifier(torch.nn.Linear(7, 3), device="cpu").fit(X, Y)
    with pytest.raises(InvalidParameterError, match="module__<name> parameters"):
        NeuralNetClassifier(Net, module__depth=3, device="cpu").fit(X, Y)
    with pytest.raises(TypeError, match="max_epochs"):
        NeuralNetClassifier(Net, max_iter=3)


def test_transformer_encodes_and_decodes():
    tr = NeuralNetTransformer(max_epochs=3, random_state=0, device="cpu", module__code_size=3)
    Z = tr.fit_transform(X)
    assert Z.shape == (90, 3) and tr.n_components_ == 3
    assert tr.inverse_transform(Z).shape == X.shape
    assert list(tr.get_feature_names_out())[:1] == ["neuralnettransformer0"]
    with pytest.raises(InvalidParameterError, match="encode or encoder"):
        NeuralNetTransformer(Net, max_epochs=1, device="cpu").fit(X)


def test_images_train_through_the_generic_classifier():
    class CNN(torch.nn.Module):
        def __init__(self, n_inputs, n_outputs):
            super().__init__()
            self.conv = torch.nn.Conv2d(n_inputs, 2, 3)
            self.head = torch.nn.Linear(2 * 4 * 4, n_outputs)

        def forward(self, x):
            return self.head(torch.relu(self.conv(x)).flatten(1))

    images = RNG.rand(20, 3, 6, 6).astype(np.float32)
    clf = NeuralNetClassifier(CNN, max_epochs=2, device="cpu").fit(images, np.arange(20) % 2)
    assert clf.input_shape_ == (3, 6, 6) and clf.predict(images).shape == (20,)
    assert clf.summary().total_params == sum(p.numel() for p in clf.module_.parameters())
    with pytest.raises(DataError, match="fitted on shape"):
        clf.predict(images[:, :2])


def test_save_load_needs_the_module_class_trusted(tmp_path):
    clf = NeuralNetClassifier(Net, module__hidden=5, optimizer=torch.optim.SGD,
                              criterion=torch.nn.CrossEntropyLoss, max_epochs=2,
                              device="cpu").fit(X, Y)
    clf.save(tmp_path / "m.dm")
    with pytest.raises(ModelFileError, match=r"trusted_modules=\[Net\]"):
        deepmine.load(tmp_path / "m.dm")
    again = deepmine.load(tmp_path / "m.dm", trusted_modules=[Net])
    assert again.module__hidden == 5 and again.optimizer is torch.optim.SGD
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert isinstance(again.criterion_, torch.nn.CrossEntropyLoss)


def test_save_load_of_deepmine_modules_needs_no_trust(tmp_path):
    reg = NeuralNetRegressor(MLPModule, module__hidden=(6,), max_epochs=2, device="cpu")
    reg.fit(X, X[:, 0])
    reg.save(tmp_path / "r.dm")
    np.testing.assert_allclose(deepmine.load(tmp_path / "r.dm").predict(X), reg.predict(X))
    tr = NeuralNetTransformer(max_epochs=1, device="cpu").fit(X)
    tr.save(tmp_path / "t.dm")
    np.testing.assert_allclose(deepmine.load(tmp_path / "t.dm").transform(X), tr.transform(X))


def test_save_refuses_instances_and_local_classes(tmp_path):
    clf = NeuralNetClassifier(torch.nn.Linear(4, 3), max_epochs=1, device="cpu").fit(X, Y)
    with pytest.raises(InvalidParameterError, match="module= a class"):
        clf.save(tmp_path / "m.dm")

    class Local(Net):
        pass

    clf = NeuralNetClassifier(Local, max_epochs=1, device="cpu").fit(X, Y)
    with pytest.raises(ModelFileError, match="cannot be named again.*inside a function"):
        clf.save(tmp_path / "m.dm")
    assert not (tmp_path / "m.dm").exists()


def test_a_network_class_of_a_script_or_notebook_saves_and_loads(tmp_path, monkeypatch):
    """A class defined in ``__main__`` is written as ``__main__:Name`` and found again through
    ``trusted_modules`` (nothing imported); without it the file is refused."""
    import sys

    MainNet = type("MainNet", (Net,), {"__module__": "__main__"})
    monkeypatch.setattr(sys.modules["__main__"], "MainNet", MainNet, raising=False)
    clf = NeuralNetClassifier(MainNet, max_epochs=2, random_state=0, device="cpu").fit(X, Y)
    clf.save(tmp_path / "m.dm")
    again = deepmine.load(tmp_path / "m.dm", trusted_modules=[MainNet])
    assert again.module is MainNet
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    with pytest.raises(ModelFileError, match=r"trusted_modules=\[MainNet\]"):
        deepmine.load(tmp_path / "m.dm")


def test_sample_weights_act_as_repeated_and_dropped_rows():
    """Full-batch training: weight 2 equals a repeated row, weight 0 a dropped row."""
    kw = dict(module=Net, batch_size=1000, max_epochs=5, random_state=0)
    w = np.ones(len(X))
    w[:10], w[10:20] = 2.0, 0.0
    weighted = NeuralNetClassifier(**kw).fit(X, Y, sample_weight=w)
    keep = np.r_[np.arange(10), np.arange(10), np.arange(20, len(X))]
    repeated = NeuralNetClassifier(**kw).fit(X[keep], Y[keep])
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-5)


def test_regressor_follows_the_heavily_weighted_rows():
    """Two groups with opposite targets: the weighted fit learns the heavy group's rule."""
    rng = np.random.RandomState(0)
    Xw = rng.normal(size=(400, 4)).astype(np.float32)
    sign = np.where(np.arange(400) < 100, 1.0, -1.0)
    y = sign * (Xw[:, 0] - Xw[:, 1])
    w = np.where(sign > 0, 100.0, 1.0)
    kw = dict(module=Net, max_epochs=40, learning_rate=0.01, random_state=0)
    plain = NeuralNetRegressor(**kw).fit(Xw, y)
    weighted = NeuralNetRegressor(**kw).fit(Xw, y, sample_weight=w)
    err = lambda m: float(np.mean((m.predict(Xw[:100]) - y[:100]) ** 2))  # noqa: E731
    assert err(weighted) < 0.1 < 1.0 < err(plain)


def test_sample_weight_needs_a_reducible_criterion():
    with pytest.raises(InvalidParameterError, match="reduction"):
        NeuralNetClassifier(Net, criterion=lambda out, target: out.sum(), max_epochs=1).fit(
            X, Y, sample_weight=np.ones(len(X)))
