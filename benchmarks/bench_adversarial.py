"""Benchmark: deepmine's FGSM and PGD vs torchattacks on the same trained CNN.

A CNN (deepmine's ConvNetClassifier) is trained once on MNIST (5,000
training images from ../shared/data/digits) or, when that folder is absent,
on scikit-learn's 8x8 digits. A batch of 1,000 test images in [0, 1] is then
attacked with FGSM and PGD (eps = 8/255, 10 steps of 2/255, random start) by
deepmine and by torchattacks, alternating, ``--repeats`` times each; the
median wall-clock and CPU (process) time per batch and the accuracy under
attack are printed. On a shared machine the CPU time is the steadier measure.

Target: deepmine's accuracy within 1 point of torchattacks', at no
more than torchattacks' time.

    pip install 'deepmine[bench]'          # torchattacks
    python benchmarks/bench_adversarial.py --threads 1
    python benchmarks/bench_adversarial.py --threads 1 --digits8 --repeats 5
"""

import argparse
import gzip
import statistics
import time
from pathlib import Path

import numpy as np
import torch

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "digits"


def load(digits8, n_test, seed):
    """(X_train, y_train, X_test, y_test) as (n, 1, H, W) float32 in [0, 1]."""
    if not digits8 and (SHARED / "mnist_5k.csv.gz").exists():
        tmp = np.loadtxt(SHARED / "mnist_5k.csv.gz", delimiter=",", dtype=np.float32)
        Xtr, ytr = tmp[:, :-1].reshape(-1, 1, 28, 28) / 255, tmp[:, -1].astype(np.int64)
        with gzip.open(SHARED / "t10k-images-idx3-ubyte.gz") as f:
            Xte = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
        with gzip.open(SHARED / "t10k-labels-idx1-ubyte.gz") as f:
            yte = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
        idx = np.random.default_rng(seed).choice(len(Xte), n_test, replace=False)
        return Xtr, ytr, (Xte[idx] / 255).astype(np.float32), yte[idx], "MNIST 28x28"
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32).reshape(-1, 1, 8, 8)
    idx = np.random.default_rng(seed).permutation(len(X))
    te, tr = idx[:n_test], idx[n_test:]
    return X[tr], y[tr], X[te], y[te], "scikit-learn digits 8x8"


def accuracy(module, X, y):
    with torch.no_grad():
        return float((module(X).argmax(1) == y).float().mean())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--n-test", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--digits8", action="store_true", help="use scikit-learn's 8x8 digits")
    p.add_argument("--device", default="cpu")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(args.threads)

    import torchattacks

    from deepmine.adversarial import fgsm, pgd
    from deepmine.vision import ConvNetClassifier

    Xtr, ytr, Xte, yte, name = load(args.digits8, args.n_test, args.seed)
    tic = time.perf_counter()
    clf = ConvNetClassifier(max_epochs=args.epochs, dropout=0.0, random_state=args.seed,
                            device=args.device).fit(Xtr, ytr)
    module = clf.module_.eval()
    device = next(module.parameters()).device
    X, y = torch.as_tensor(Xte, device=device), torch.as_tensor(yte, device=device)
    print(f"data: {name}; CNN trained in {time.perf_counter() - tic:.1f} s; "
          f"clean accuracy on {len(Xte)} test images: {accuracy(module, X, y):.4f}; "
          f"device {device}; threads {args.threads}")

    eps, alpha, steps = 8 / 255, 2 / 255, 10
    ta = {"FGSM": torchattacks.FGSM(module, eps=eps),
          "PGD": torchattacks.PGD(module, eps=eps, alpha=alpha, steps=steps, random_start=True)}
    dm = {"FGSM": lambda: fgsm(module, Xte, yte, eps, clip=(0, 1)),
          "PGD": lambda: pgd(module, Xte, yte, eps, steps=steps, step_size=alpha,
                             clip=(0, 1), random_state=args.seed)}
    print(f"\n{'attack':6s} {'library':12s} {'wall s/batch':>13s} {'cpu s/batch':>12s} "
          f"{'accuracy':>9s}")
    for attack in ("FGSM", "PGD"):
        times = {"deepmine": [], "torchattacks": []}
        cpu = {"deepmine": [], "torchattacks": []}
        accs = {"deepmine": [], "torchattacks": []}
        for rep in range(args.repeats + 1):  # the first round warms up and is not timed
            for lib in (("deepmine", "torchattacks") if rep % 2 else ("torchattacks", "deepmine")):
                tic, ctic = time.perf_counter(), time.process_time()
                if lib == "deepmine":
                    adv = torch.as_tensor(dm[attack](), device=device)
                else:
                    adv = ta[attack](X, y)
                if device.type == "cuda":
                    torch.cuda.synchronize()
                if rep:
                    times[lib].append(time.perf_counter() - tic)
                    cpu[lib].append(time.process_time() - ctic)
                accs[lib].append(accuracy(module, adv, y))
                assert float((adv - X).abs().max()) <= eps + 1e-5
        for lib in ("deepmine", "torchattacks"):
            print(f"{attack:6s} {lib:12s} {statistics.median(times[lib]):13.4f} "
                  f"{statistics.median(cpu[lib]):12.4f} {np.mean(accs[lib]):9.4f}")
        ratio = statistics.median(times["deepmine"]) / statistics.median(times["torchattacks"])
        cratio = statistics.median(cpu["deepmine"]) / statistics.median(cpu["torchattacks"])
        gap = 100 * (np.mean(accs["deepmine"]) - np.mean(accs["torchattacks"]))
        print(f"{attack:6s} deepmine/torchattacks: wall {ratio:.2f}x, cpu {cratio:.2f}x; "
              f"accuracy difference {gap:+.2f} points")


if __name__ == "__main__":
    main()
