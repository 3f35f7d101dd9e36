"""bench_defaults section: ConvNetClassifier on the 8x8 digits.

Default ``ConvNetClassifier()`` against the README's tuned
``ConvNetClassifier(shift=0.1, rotation=10, max_epochs=40)`` and scikit-learn's
``MLPClassifier()`` and ``LogisticRegression()`` with their defaults (on the flat
pixels), test accuracy on a stratified 75/25 split drawn by each seed.
"""

import time
import warnings

import numpy as np

DATASET = "digits 8x8 (1347 train / 450 test)"
METRIC = "test accuracy"


def _split(seed):
    from sklearn.model_selection import train_test_split

    from deepmine.datasets import load_digits_images

    X, y = load_digits_images(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)


def _measure(make, seeds, flat=False):
    scores, seconds = [], []
    for seed in seeds:
        Xtr, Xte, ytr, yte = _split(seed)
        if flat:
            Xtr, Xte = Xtr.reshape(len(Xtr), -1), Xte.reshape(len(Xte), -1)
        model = make(seed)
        cpu = time.process_time()
        with warnings.catch_warnings():  # scikit-learn's defaults stop before converging here
            warnings.simplefilter("ignore")
            model.fit(Xtr, ytr)
        seconds.append(time.process_time() - cpu)
        scores.append(float(np.mean(model.predict(Xte) == yte)))
    return scores, seconds


def rows(seeds, quick=False):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    from deepmine.vision import ConvNetClassifier

    settings = [
        ("ConvNetClassifier", "default",
         lambda s: ConvNetClassifier(random_state=s, device="cpu"), False),
        ("ConvNetClassifier", "tuned: shift=0.1, rotation=10, max_epochs=40 (README)",
         lambda s: ConvNetClassifier(shift=0.1, rotation=10, max_epochs=40, random_state=s,
                                     device="cpu"), False),
        ("ConvNetClassifier", "baseline: sklearn MLPClassifier (defaults)",
         lambda s: MLPClassifier(random_state=s), True),
        ("ConvNetClassifier", "baseline: sklearn LogisticRegression (defaults)",
         lambda s: LogisticRegression(), True),
    ]
    for estimator, setting, make, flat in settings:
        scores, seconds = _measure(make, seeds, flat=flat)
        yield {"area": "vision", "estimator": estimator, "dataset": DATASET, "setting": setting,
               "metric": METRIC, "scores": scores, "fit_seconds": seconds}
