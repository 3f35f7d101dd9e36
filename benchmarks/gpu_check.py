"""GPU check: the suite's GPU tests, then MLP/CNN/FCN/autoencoder fits on the GPU beside one CPU thread.

On a machine with a CUDA device it runs ``pytest -m gpu`` and four fits (the same estimator,
data, seed and epochs on ``device="cuda"`` and on ``device="cpu"`` with one thread), and prints
per model the fit seconds on each, the speedup and the score difference. Without CUDA it says
so and exits 0. It is sized to finish in a few minutes (``--budget`` seconds caps the CPU side:
a CPU fit that would run past it is measured on a shorter run and scaled by epochs).

    python benchmarks/gpu_check.py            # everything
    python benchmarks/gpu_check.py --no-tests
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]


def _mlp_data():
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    X, y = make_classification(n_samples=200_000, n_features=40, n_informative=20,
                               n_classes=4, random_state=0)
    return train_test_split(X.astype(np.float32), y, test_size=0.2, random_state=0)


def _digits28():
    import torch.nn.functional as F
    from sklearn.model_selection import train_test_split

    from deepmine.datasets import load_digits_images

    X, y = load_digits_images(return_X_y=True)
    X = F.interpolate(torch.as_tensor(X, dtype=torch.float32), size=(28, 28),
                      mode="bilinear").numpy()
    X = np.concatenate([X] * 4)  # 7,188 images of 28x28
    y = np.concatenate([y] * 4)
    return train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)


def _gunpoint():
    from deepmine.datasets import load_gunpoint

    Xtr, ytr = load_gunpoint(split="train")
    Xte, yte = load_gunpoint(split="test")
    return Xtr, Xte, ytr, yte


def _digits_flat():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X = load_digits().data / 16
    Xtr, Xte = train_test_split(X, test_size=0.2, random_state=0)
    return Xtr, Xte, None, None


def _cases():
    from deepmine.autoencoders import AutoEncoder
    from deepmine.tabular import MLPClassifier
    from deepmine.timeseries import CNNTimeSeriesClassifier
    from deepmine.vision import ConvNetClassifier

    def ae_score(model, Xte, yte):
        return -float(np.mean((model.inverse_transform(model.transform(Xte)) - Xte) ** 2))

    return [
        ("MLPClassifier (256, 256), 200k x 40", _mlp_data,
         lambda dev, ep: MLPClassifier((256, 256), batch_size=512, max_epochs=ep, device=dev,
                                       random_state=0), 10, None),
        ("ConvNetClassifier, 28x28 digits", _digits28,
         lambda dev, ep: ConvNetClassifier(max_epochs=ep, device=dev, random_state=0), 10, None),
        ("CNNTimeSeriesClassifier (FCN), GunPoint", _gunpoint,
         lambda dev, ep: CNNTimeSeriesClassifier(max_epochs=ep, device=dev, random_state=0),
         150, None),
        ("AutoEncoder, 8x8 digits (score: -MSE)", _digits_flat,
         lambda dev, ep: AutoEncoder((256, 128), code_size=16, max_epochs=ep, device=dev,
                                     random_state=0), 100, ae_score),
    ]


def _fit(make, device, epochs, data, score):
    Xtr, Xte, ytr, yte = data
    model = make(device, epochs)
    if device == "cuda":
        torch.cuda.synchronize()
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(Xtr) if ytr is None else model.fit(Xtr, ytr)
    if device == "cuda":
        torch.cuda.synchronize()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    s = score(model, Xte, yte) if score else model.score(Xte, yte)
    return wall, cpu, s


def run_benchmarks(budget):
    torch.set_num_threads(1)
    print(f"{'model':44s} {'GPU s':>8s} {'CPU s':>8s} {'speedup':>8s} {'GPU score':>10s} "
          f"{'CPU score':>10s} {'diff':>8s}")
    for name, load, make, epochs, score in _cases():
        data = load()
        _fit(make, "cuda", 1, data, score)  # CUDA context, kernels, allocator
        g_wall, _, g_score = _fit(make, "cuda", epochs, data, score)
        probe = max(1, epochs // 10)
        p_wall, _, _ = _fit(make, "cpu", probe, data, score)
        if p_wall * epochs / probe <= budget:
            c_wall, _, c_score = _fit(make, "cpu", epochs, data, score)
            note = ""
        else:  # too long for the budget: time scaled from the probe, score from the GPU run
            c_wall, c_score, note = p_wall * epochs / probe, float("nan"), " (CPU time scaled)"
        print(f"{name:44s} {g_wall:8.2f} {c_wall:8.2f} {c_wall / g_wall:7.1f}x "
              f"{g_score:10.4f} {c_score:10.4f} {g_score - c_score:+8.4f}{note}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-tests", action="store_true", help="skip pytest -m gpu")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="largest CPU fit in seconds before the CPU side is scaled (default 60)")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("gpu_check: no CUDA device here; nothing to check (exit 0).")
        return 0
    print(f"gpu_check: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    code = 0
    if not args.no_tests:
        env = dict(os.environ, OMP_NUM_THREADS="1")
        code = subprocess.call([sys.executable, "-m", "pytest", "-m", "gpu", "-q", "-p",
                                "no:cacheprovider", "tests"], cwd=ROOT, env=env)
    run_benchmarks(args.budget)
    return code


if __name__ == "__main__":
    sys.exit(main())
