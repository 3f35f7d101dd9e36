"""bench_defaults section: AutoEncoder and StackedAutoEncoder on scikit-learn's 8x8 digits.

* ``AutoEncoder()`` (code size 8) against the tour's tuned
  ``AutoEncoder((128,), code_size=8, max_epochs=150, batch_size=128, learning_rate=3e-3)``
  and ``PCA(n_components=8)``: held-out reconstruction error (mean squared error of
  the pixels scaled to [0, 1]) and code quality (test accuracy of scikit-learn's
  ``LogisticRegression(max_iter=1000)`` trained on the codes).
* ``StackedAutoEncoder()`` pretrained on all training images, then
  ``MLPClassifier((64, 32)).fit(X, y, init=stacked)`` on 5% of them with labels,
  against the tour's tuned recipe (tanh units without denoising, 60 pretraining
  and 100 training epochs), the same MLP from random weights, and
  ``LogisticRegression()``.

Each seed draws its own stratified 75/25 split (and labelled 5%).

When ``../shared/data/digits`` is beside the checkout, the stacked pipeline also
runs on two digit sets no default was chosen on, with 5% of the training images
labelled as above: USPS (16x16, its standard 7,291 / 2,007 split) and the 5,000
MNIST training images of that folder (28x28, a stratified 75/25 split per seed).
"""

import gzip
import time
import warnings
from pathlib import Path

import numpy as np

DATASET = "digits (1347 train / 450 test)"
FEW = "digits, 5% labelled (67 of 1347)"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "digits"


def _split(seed):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    return train_test_split((X / 16.0).astype(np.float32), y, test_size=0.25, stratify=y,
                            random_state=seed)


def _codes_accuracy(Ztr, ytr, Zte, yte):
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = LogisticRegression(max_iter=1000).fit(Ztr, ytr)
    return float(clf.score(Zte, yte))


def _autoencoder_rows(seeds):
    from sklearn.decomposition import PCA

    from deepmine.autoencoders import AutoEncoder

    settings = [
        ("default", lambda s: AutoEncoder(random_state=s, device="cpu")),
        ("tuned: (128,), code_size=8, 150 epochs, batch 128, lr 3e-3 (tour)",
         lambda s: AutoEncoder((128,), code_size=8, max_epochs=150, batch_size=128,
                               learning_rate=3e-3, random_state=s, device="cpu")),
        ("baseline: PCA(n_components=8)", lambda s: PCA(n_components=8, random_state=s)),
    ]
    for setting, make in settings:
        errors, accuracies, seconds = [], [], []
        for seed in seeds:
            Xtr, Xte, ytr, yte = _split(seed)
            model = make(seed)
            cpu = time.process_time()
            model.fit(Xtr)
            seconds.append(time.process_time() - cpu)
            Zte = model.transform(Xte)
            errors.append(float(np.mean((model.inverse_transform(Zte) - Xte) ** 2)))
            accuracies.append(_codes_accuracy(model.transform(Xtr), ytr, Zte, yte))
        common = {"area": "autoencoders", "estimator": "AutoEncoder", "dataset": DATASET,
                  "setting": setting, "fit_seconds": seconds}
        yield {**common, "metric": "held-out reconstruction MSE (lower is better)",
               "scores": errors}
        yield {**common, "metric": "code quality: LogisticRegression test accuracy",
               "scores": accuracies}


def _usps(seed):
    data = np.load(SHARED / "usps.npz")
    return (data["X_train"].astype(np.float32), data["X_test"].astype(np.float32),
            data["y_train"], data["y_test"])


def _mnist_5k(seed):
    from sklearn.model_selection import train_test_split

    with gzip.open(SHARED / "mnist_5k.csv.gz", "rt") as f:
        table = np.loadtxt(f, delimiter=",")
    y = table[:, -1].astype(np.int64)
    return train_test_split((table[:, :-1] / 255.0).astype(np.float32), y, test_size=0.25,
                            stratify=y, random_state=seed)


def _other_digit_sets():
    """(name, split(seed)) of the digit sets in ../shared/data/digits that are there."""
    if (SHARED / "usps.npz").exists():
        yield "USPS (7291 train / 2007 test), 5% labelled (365)", _usps
    if (SHARED / "mnist_5k.csv.gz").exists():
        yield "MNIST 5k (3750 train / 1250 test), 5% labelled (188)", _mnist_5k


def _stacked_rows(seeds, dataset=FEW, split=_split):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    from deepmine.autoencoders import StackedAutoEncoder
    from deepmine.tabular import MLPClassifier

    def default(s, Xtr, Xl, yl):
        stacked = StackedAutoEncoder(random_state=s, device="cpu").fit(Xtr)
        return MLPClassifier((64, 32), random_state=s, device="cpu").fit(Xl, yl, init=stacked)

    def tuned(s, Xtr, Xl, yl):
        stacked = StackedAutoEncoder((64, 32), activation="tanh", noise=None, max_epochs=60,
                                     batch_size=64, random_state=s, device="cpu").fit(Xtr)
        return MLPClassifier((64, 32), activation="tanh", max_epochs=100, random_state=s,
                             device="cpu").fit(Xl, yl, init=stacked)

    def scratch(s, Xtr, Xl, yl):
        return MLPClassifier((64, 32), random_state=s, device="cpu").fit(Xl, yl)

    def logistic(s, Xtr, Xl, yl):
        return LogisticRegression().fit(Xl, yl)

    settings = [("default", default),
                ("tuned: tanh, no noise, 60 pretraining + 100 training epochs (tour)", tuned),
                ("baseline: MLPClassifier((64, 32)) without pretraining", scratch),
                ("baseline: sklearn LogisticRegression (defaults)", logistic)]
    for setting, fit in settings:
        scores, seconds = [], []
        for seed in seeds:
            Xtr, Xte, ytr, yte = split(seed)
            _, idx = train_test_split(np.arange(len(ytr)), test_size=0.05, stratify=ytr,
                                      random_state=seed)
            cpu = time.process_time()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = fit(seed, Xtr, Xtr[idx], ytr[idx])
            seconds.append(time.process_time() - cpu)
            scores.append(float(np.mean(model.predict(Xte) == yte)))
        yield {"area": "autoencoders", "estimator": "StackedAutoEncoder+MLPClassifier",
               "dataset": dataset, "setting": setting, "metric": "test accuracy", "scores": scores,
               "fit_seconds": seconds}


def rows(seeds, quick=False):
    yield from _autoencoder_rows(list(seeds))
    yield from _stacked_rows(list(seeds))
    if not quick:
        for dataset, split in _other_digit_sets():
            yield from _stacked_rows(list(seeds), dataset, split)
