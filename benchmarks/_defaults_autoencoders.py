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
"""

import time
import warnings

import numpy as np

DATASET = "digits (1347 train / 450 test)"
FEW = "digits, 5% labelled (67 of 1347)"


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


def _stacked_rows(seeds):
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
            Xtr, Xte, ytr, yte = _split(seed)
            _, idx = train_test_split(np.arange(len(ytr)), test_size=0.05, stratify=ytr,
                                      random_state=seed)
            cpu = time.process_time()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = fit(seed, Xtr, Xtr[idx], ytr[idx])
            seconds.append(time.process_time() - cpu)
            scores.append(float(np.mean(model.predict(Xte) == yte)))
        yield {"area": "autoencoders", "estimator": "StackedAutoEncoder+MLPClassifier",
               "dataset": FEW, "setting": setting, "metric": "test accuracy", "scores": scores,
               "fit_seconds": seconds}


def rows(seeds, quick=False):
    yield from _autoencoder_rows(list(seeds))
    yield from _stacked_rows(list(seeds))
