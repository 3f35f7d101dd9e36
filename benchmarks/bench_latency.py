"""Single-row inference latency: deepmine's MLPClassifier vs scikit-learn's MLPClassifier.

Both are fitted on breast cancer (30 features, hidden layer of 100 units); then one row
(a float64 NumPy array of shape (1, 30)) is predicted many times. The table gives the
median CPU (process) time per call in microseconds over ``--rounds`` rounds of
``--calls`` calls, and deepmine's ratio to scikit-learn. A raw forward pass of the same
network (``torch.no_grad``, eval mode, a float32 tensor ready) is the floor.

    python benchmarks/bench_latency.py --threads 1
"""

import argparse
import statistics
import time
import warnings

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.neural_network import MLPClassifier as SkMLP

from deepmine.tabular import MLPClassifier


def per_call(fn, calls, rounds):
    fn()
    times = []
    for _ in range(rounds):
        tic = time.process_time()
        for _ in range(calls):
            fn()
        times.append((time.process_time() - tic) / calls * 1e6)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X, y = load_breast_cancer(return_X_y=True)
    row = np.ascontiguousarray(X[:1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = SkMLP((100,), max_iter=50, random_state=0).fit(X, y)
    dm = MLPClassifier((100,), max_epochs=5, random_state=0, device="cpu").fit(X, y)
    net, xt = dm.module_.eval(), torch.as_tensor(row, dtype=torch.float32)

    def raw():
        with torch.no_grad():
            return net(xt)

    rows = [("scikit-learn predict_proba", per_call(lambda: sk.predict_proba(row), args.calls, args.rounds)),
            ("scikit-learn predict", per_call(lambda: sk.predict(row), args.calls, args.rounds)),
            ("deepmine predict_proba", per_call(lambda: dm.predict_proba(row), args.calls, args.rounds)),
            ("deepmine predict", per_call(lambda: dm.predict(row), args.calls, args.rounds)),
            ("raw forward (floor)", per_call(raw, args.calls, args.rounds))]
    base = {"predict_proba": rows[0][1], "predict": rows[1][1]}
    print(f"{'call (one row)':28s} {'us/call':>9s} {'x sklearn':>10s}")
    for name, us in rows:
        kind = name.split()[-1]
        ratio = f"{us / base[kind]:.2f}" if kind in base else ""
        print(f"{name:28s} {us:9.1f} {ratio:>10s}")


if __name__ == "__main__":
    main()
