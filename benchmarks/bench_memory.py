"""Peak memory of an in-memory fit, above the data: deepmine's MLPClassifier vs scikit-learn's.

Setting: a 1,000,000 x 40 float64 matrix (320 MB) and 5 classes, one hidden layer of 100
ReLU units, batch 256, 2 epochs, CPU. ``deepmine-dataset`` trains on a
``torch.utils.data.Dataset`` of the same size whose rows are computed when read (nothing
is stored): its "data" column is the size the rows would take. Each system runs in a fresh subprocess: it builds
the data, reads its resident set size (RSS), fits, and reports the peak RSS of the process
(``VmHWM``, reset just before the fit) minus the RSS before the fit, in MB and as a multiple of the data's size.

    python benchmarks/bench_memory.py            # all three systems
    python benchmarks/bench_memory.py --rows 200000 --systems deepmine
"""

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, sys, warnings
import numpy as np

system, rows, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def status_mb(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key)) / 1024

def reset_peak():
    try:   # Linux >= 4.0: VmHWM (the peak RSS) restarts from the current RSS
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass

rng = np.random.default_rng(0)
if system == "deepmine-dataset":   # the same size of data, computed item by item, never stored
    import torch
    from torch.utils.data import Dataset

    class Rows(Dataset):
        classes = list(range(5))
        freq = np.arange(1, 41) * 1e-3

        def __len__(self):
            return rows

        def __getitem__(self, i):
            x = np.sin(i * self.freq + i % 5)
            return torch.from_numpy(x), i % 5

    X, y = Rows(), None
else:
    X = rng.standard_normal((rows, 40))
    y = (X[:, :5].argmax(axis=1)).astype(np.int64)
if system.startswith("deepmine"):
    import torch
    from deepmine.tabular import MLPClassifier
    torch.set_num_threads(1)
    model = MLPClassifier((100,), batch_size=256, max_epochs=epochs, device="cpu", random_state=0)
else:
    from sklearn.neural_network import MLPClassifier
    model = MLPClassifier((100,), batch_size=256, max_iter=epochs, random_state=0)
warnings.simplefilter("ignore")
if y is None:
    from torch.utils.data import Subset
    model.fit(Subset(X, range(1000)))   # imports, allocator warm-up
else:
    model.fit(X[:1000], y[:1000])
reset_peak()
before = status_mb("VmRSS:")
model.fit(X, y) if y is not None else model.fit(X)
print(json.dumps({"system": system, "data_mb": rows * 40 * 8 / 2**20, "rss_before_mb": before,
                  "peak_mb": status_mb("VmHWM:")}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--systems", nargs="+",
                        default=["deepmine", "scikit-learn", "deepmine-dataset"])
    args = parser.parse_args()
    print(f"{'system':<18}{'data MB':>9}{'peak above data MB':>20}{'x data':>8}")
    for system in args.systems:
        out = subprocess.run([sys.executable, "-c", CHILD, system, str(args.rows), str(args.epochs)],
                             capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        above = r["peak_mb"] - r["rss_before_mb"]
        print(f"{system:<18}{r['data_mb']:>9.0f}{above:>20.0f}{above / r['data_mb']:>8.2f}")


if __name__ == "__main__":
    main()
