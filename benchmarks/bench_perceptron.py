"""Perceptron training speed: deepmine vs a hand-written PyTorch loop and scikit-learn, in one process.

Setting: breast cancer, wine and digits from scikit-learn, a stratified 70/30 split,
inputs standardized on the training part. deepmine's ``Perceptron()`` runs with its
defaults (online rule, pocket weights after 20 epochs without fewer errors). The
hand-written loop applies the same rule sample by sample (one-vs-rest units, shuffled
each epoch) for as many epochs as deepmine ran, so the ratio is the engine's cost per
presented sample. scikit-learn's ``Perceptron()`` (Cython SGD, its defaults) runs on the
same scaled inputs. Each system is fitted in turn, ``--repeats`` rounds alternating; the
medians of CPU and wall time are reported with their ratio to the hand-written loop.

    python benchmarks/bench_perceptron.py --threads 1 --repeats 3
"""

import argparse
import statistics
import time
import warnings

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def hand_written(Xtr, ytr, Xte, epochs, seed):
    """The perceptron rule in plain PyTorch: one unit per class (one for two classes)."""
    g = torch.Generator().manual_seed(seed)
    X = torch.as_tensor(Xtr, dtype=torch.float32)
    classes = np.unique(ytr)
    T = torch.as_tensor((ytr[:, None] == classes[1:] if len(classes) == 2
                         else ytr[:, None] == classes).astype(np.float32))
    W = torch.zeros(T.shape[1], X.shape[1])
    b = torch.zeros(T.shape[1])
    for _ in range(epochs):
        for i in torch.randperm(len(X), generator=g).tolist():
            out = (W @ X[i] + b >= 0).float()
            delta = T[i] - out
            if delta.any():
                W += delta[:, None] * X[i][None, :]
                b += delta
    net = torch.as_tensor(Xte, dtype=torch.float32) @ W.T + b
    if len(classes) == 2:
        return classes[(net[:, 0] >= 0).long().numpy()]
    return classes[net.argmax(1).numpy()]


def _timed(fn):
    c, w = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c, time.perf_counter() - w


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from sklearn.linear_model import Perceptron as SkPerceptron

    from deepmine.tabular import Perceptron

    print(f"Perceptron, {args.threads} thread(s), median of {args.repeats} alternating rounds; "
          f"ratios to the hand-written PyTorch loop")
    print(f"{'data':14s} {'system':22s} {'epochs':>6s} {'CPU s':>7s} {'wall s':>7s} "
          f"{'ratio':>6s} {'test acc':>8s}")
    for name, load in (("breast cancer", load_breast_cancer), ("wine", load_wine),
                       ("digits", load_digits)):
        X, y = load(return_X_y=True)
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
        scaler = StandardScaler().fit(Xtr)
        Str, Ste = scaler.transform(Xtr), scaler.transform(Xte)
        Perceptron(max_epochs=1, random_state=0).fit(Xtr[:20], ytr[:20])   # warm the imports
        times = {k: [] for k in ("deepmine", "hand-written loop", "scikit-learn")}
        accs, epochs = {}, {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(args.repeats):
                p, c, w = _timed(lambda: Perceptron(random_state=0).fit(Xtr, ytr))
                times["deepmine"].append((c, w))
                accs["deepmine"], epochs["deepmine"] = p.score(Xte, yte), p.n_iter_
                pred, c, w = _timed(lambda: hand_written(Str, ytr, Ste, p.n_iter_, 0))
                times["hand-written loop"].append((c, w))
                accs["hand-written loop"], epochs["hand-written loop"] = (
                    float(np.mean(pred == yte)), p.n_iter_)
                sk, c, w = _timed(lambda: SkPerceptron(random_state=0).fit(Str, ytr))
                times["scikit-learn"].append((c, w))
                accs["scikit-learn"], epochs["scikit-learn"] = sk.score(Ste, yte), sk.n_iter_
        base = statistics.median(w for _, w in times["hand-written loop"])
        for system, runs in times.items():
            cpu = statistics.median(c for c, _ in runs)
            wall = statistics.median(w for _, w in runs)
            print(f"{name:14s} {system:22s} {epochs[system]:6d} {cpu:7.3f} {wall:7.3f} "
                  f"{wall / base:6.2f} {accs[system]:8.3f}", flush=True)


if __name__ == "__main__":
    main()
