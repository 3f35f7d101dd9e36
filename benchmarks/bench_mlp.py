"""MLP training speed: deepmine vs a minimal PyTorch loop, scikit-learn and skorch, in one process.

Setting: make_classification(200_000, 40 features, 20 informative, 5 classes),
80/20 split, one hidden layer of 100 ReLU units, Adam (lr 1e-3), batch 256, 20 epochs.
Each system is fitted in turn, ``--repeats`` rounds alternating; the median fit time is
reported with its ratio to the minimal loop. A second table does the same on the
1,797-row digits (small data must be fast too).

    python benchmarks/bench_mlp.py --threads 1 --repeats 3
"""

import argparse
import statistics
import time
import warnings

import numpy as np
import torch
from sklearn.datasets import load_digits, make_classification
from sklearn.model_selection import train_test_split


def minimal_loop(Xtr, ytr, Xte, hidden, epochs, batch, seed):
    torch.manual_seed(seed)
    X = torch.as_tensor(Xtr)
    y = torch.as_tensor(ytr)
    net = torch.nn.Sequential(torch.nn.Linear(X.shape[1], hidden), torch.nn.ReLU(),
                              torch.nn.Linear(hidden, int(y.max()) + 1))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for _ in range(epochs):
        perm = torch.randperm(len(X))
        for i in range(0, len(X), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(X[idx]), y[idx])
            loss.backward()
            opt.step()
    with torch.no_grad():
        return net(torch.as_tensor(Xte)).argmax(1).numpy()


def make_systems(hidden, epochs, batch, seed, with_skorch):
    from sklearn.neural_network import MLPClassifier as SkMLP

    from deepmine.tabular import MLPClassifier

    def run_deepmine(Xtr, ytr, Xte):
        with warnings.catch_warnings():      # fixed epochs, as for the others: no convergence test
            warnings.simplefilter("ignore")
            return MLPClassifier((hidden,), max_epochs=epochs, batch_size=batch,
                                 learning_rate=1e-3, device="cpu",
                                 random_state=seed).fit(Xtr, ytr).predict(Xte)

    def run_sklearn(Xtr, ytr, Xte):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return SkMLP((hidden,), max_iter=epochs, batch_size=batch, learning_rate_init=1e-3,
                         tol=0.0, n_iter_no_change=10**6, random_state=seed).fit(Xtr, ytr).predict(Xte)

    systems = {"minimal loop": lambda a, b, c: minimal_loop(a, b, c, hidden, epochs, batch, seed),
               "deepmine": run_deepmine, "scikit-learn": run_sklearn}
    if with_skorch:
        try:
            from skorch import NeuralNetClassifier
        except ImportError:
            print("skorch not installed (pip install 'deepmine[bench]'); skipping it")
        else:
            def run_skorch(Xtr, ytr, Xte):
                torch.manual_seed(seed)
                net = torch.nn.Sequential(torch.nn.Linear(Xtr.shape[1], hidden), torch.nn.ReLU(),
                                          torch.nn.Linear(hidden, int(ytr.max()) + 1))
                clf = NeuralNetClassifier(net, criterion=torch.nn.CrossEntropyLoss,
                                          optimizer=torch.optim.Adam, lr=1e-3, max_epochs=epochs,
                                          batch_size=batch, train_split=None, verbose=0,
                                          iterator_train__shuffle=True)
                return clf.fit(Xtr, ytr).predict(Xte)

            systems["skorch"] = run_skorch
    return systems


def bench(title, Xtr, ytr, Xte, yte, systems, repeats):
    times = {k: [] for k in systems}
    accs = {}
    for _ in range(repeats):
        for name, run in systems.items():
            tic = time.perf_counter()
            pred = run(Xtr, ytr, Xte)
            times[name].append(time.perf_counter() - tic)
            accs[name] = float((pred == yte).mean())
    base = statistics.median(times["minimal loop"])
    print(f"\n{title}")
    print(f"{'system':14s} {'median fit s':>12s} {'x minimal':>10s} {'test acc':>9s}")
    for name in systems:
        med = statistics.median(times[name])
        print(f"{name:14s} {med:12.2f} {med / base:10.2f} {accs[name]:9.4f}")
    return times, accs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1, help="torch/BLAS threads (default 1)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n-samples", type=int, default=200_000)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--no-skorch", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(args.threads)
    print(f"threads={args.threads} repeats={args.repeats} torch={torch.__version__}")

    X, y = make_classification(n_samples=args.n_samples, n_features=40, n_informative=20,
                               n_classes=5, random_state=0)
    X = X.astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    systems = make_systems(100, args.epochs, 256, 0, not args.no_skorch)
    bench(f"make_classification({args.n_samples}, 40 features, 5 classes), 100 ReLU, Adam, "
          f"batch 256, {args.epochs} epochs", Xtr, ytr, Xte, yte, systems, args.repeats)

    Xd, yd = load_digits(return_X_y=True)
    Xd = (Xd / 16.0).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(Xd, yd, test_size=0.2, stratify=yd, random_state=0)
    systems = make_systems(100, 50, 200, 0, False)
    bench("digits (1,797 rows), 100 ReLU, Adam, batch 200, 50 epochs", Xtr, ytr, Xte, yte,
          systems, args.repeats)


if __name__ == "__main__":
    main()
