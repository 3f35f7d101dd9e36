"""Benchmark: every estimator with its defaults, beside its tuned settings and simple baselines.

Each area has a section module ``benchmarks/_defaults_<area>.py`` with one function
``rows(seeds, quick=False)`` that yields one dict per (estimator, dataset, setting):
``area, estimator, dataset, setting`` ("default", "tuned: ...", "baseline: ..."),
``metric``, ``scores`` (one per seed) and ``fit_seconds`` (CPU seconds per seed).
Sections that are not there are skipped. The data is what ships with scikit-learn,
aeon, statsmodels, gensim and deepmine (and ``../shared/data`` where a section uses it
and it exists).

The table has score mean ± sd over the seeds, the mean fit time in CPU (process)
seconds, and the ratio to tuned: the score of the row divided by the best "tuned"
score of the same area, estimator, dataset and metric, turned round where lower is better
(a metric saying "lower is better", or negative scores such as -MAE), so that a
ratio below 1 always means worse than tuned. Rows without a tuned row beside them
have no ratio.

    python benchmarks/bench_defaults.py --quick
    python benchmarks/bench_defaults.py --areas vision,words --seeds 5 --markdown defaults.md
"""

import argparse
import importlib
import math
import os
import pathlib
import statistics
import sys
import time
import traceback

AREAS = ("tabular", "autoencoders", "outliers", "vision", "tsc", "forecast", "words", "graphs")
COLUMNS = ("area", "estimator", "dataset", "setting", "metric", "score", "n", "fit s",
           "ratio to tuned")


def lower_is_better(row):
    return "lower is better" in row["metric"].lower()


def _mean(values):
    values = [v for v in values if v is not None and math.isfinite(v)]
    return statistics.fmean(values) if values else float("nan")


def ratio_to_tuned(row, tuned_mean):
    """Score of ``row`` relative to the tuned score; below 1 means worse than tuned."""
    mean = _mean(row["scores"])
    if tuned_mean is None or not (math.isfinite(mean) and math.isfinite(tuned_mean)):
        return None
    if lower_is_better(row) or (mean < 0 and tuned_mean < 0):
        return tuned_mean / mean if mean else None
    if mean <= 0 or tuned_mean <= 0:
        return None  # different signs (e.g. R^2 below 0): no meaningful ratio
    return mean / tuned_mean


def _best_tuned(rows):
    best = {}
    for r in rows:
        if not r["setting"].startswith("tuned"):
            continue
        key = (r["area"], r["estimator"], r["dataset"], r["metric"])
        mean = _mean(r["scores"])
        better = (lambda a, b: a < b) if lower_is_better(r) else (lambda a, b: a > b)
        if key not in best or better(mean, best[key]):
            best[key] = mean
    return best


def format_rows(rows):
    """Rows of strings, one per result, in the order of COLUMNS."""
    tuned = _best_tuned(rows)
    out = []
    for r in rows:
        # a setting that cannot run on a data set (a fixed window longer than a short series)
        # scores NaN: counted out, and "n/a" where no seed has a score
        scores = [s for s in r["scores"] if s is not None and math.isfinite(s)]
        mean = _mean(scores)
        sd = statistics.stdev(scores) if len(scores) > 1 else 0.0
        ratio = ratio_to_tuned(r, tuned.get((r["area"], r["estimator"], r["dataset"], r["metric"])))
        out.append((r["area"], r["estimator"], r["dataset"], r["setting"], r["metric"],
                    f"{mean:.3f} ± {sd:.3f}" if scores else "n/a", str(len(scores)),
                    f"{_mean(r['fit_seconds']):.2f}",
                    "" if ratio is None else f"{ratio:.3f}"))
    return out


def text_table(rows):
    cells = [COLUMNS, *format_rows(rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(COLUMNS))).rstrip() for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows):
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for c in format_rows(rows):
        lines.append("| " + " | ".join(x.replace("|", "\\|") for x in c) + " |")
    return "\n".join(lines)


def run_area(area, seeds, quick):
    """Rows of one area; a missing section is skipped, a failing one reported on stderr."""
    try:
        module = importlib.import_module(f"_defaults_{area}")
    except ModuleNotFoundError as exc:
        if exc.name == f"_defaults_{area}":
            print(f"[{area}] no section benchmarks/_defaults_{area}.py; skipped", file=sys.stderr)
            return []
        print(f"[{area}] cannot import its section: {exc}; skipped", file=sys.stderr)
        return []
    rows = []
    tic, cpu = time.perf_counter(), time.process_time()
    try:
        for row in module.rows(seeds, quick=quick):
            missing = {"area", "estimator", "dataset", "setting", "metric", "scores",
                       "fit_seconds"} - set(row)
            if missing:
                raise ValueError(f"row without {sorted(missing)}: {row}")
            rows.append(row)
            print(f"[{area}] {row['estimator']} / {row['dataset']} / {row['setting']}: "
                  f"{_mean(row['scores']):.3f}", file=sys.stderr, flush=True)
    except Exception:  # one failing section must not lose the others' rows
        print(f"[{area}] section failed after {len(rows)} rows:\n{traceback.format_exc()}",
              file=sys.stderr)
    print(f"[{area}] {len(rows)} rows in {time.perf_counter() - tic:.0f} s wall, "
          f"{time.process_time() - cpu:.0f} s CPU", file=sys.stderr, flush=True)
    return rows


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--areas", default=",".join(AREAS),
                   help=f"comma-separated areas (default: all of {', '.join(AREAS)})")
    p.add_argument("--seeds", type=int, default=None,
                   help="number of seeds 0..N-1 (default 5, 2 with --quick)")
    p.add_argument("--quick", action="store_true", help="fewer seeds and datasets (minutes)")
    p.add_argument("--threads", type=int, default=1, help="torch/BLAS threads (default 1)")
    p.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown")
    args = p.parse_args(argv)
    areas = [a.strip() for a in args.areas.split(",") if a.strip()]
    unknown = sorted(set(areas) - set(AREAS))
    if unknown:
        p.error(f"unknown areas {unknown}; choose from {', '.join(AREAS)}")
    if args.seeds is not None and args.seeds < 1:
        p.error("--seeds must be at least 1")
    if args.threads < 1:
        p.error("--threads must be at least 1")
    return args, areas


def main(argv=None):
    args, areas = parse_args(argv)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    seeds = list(range(args.seeds or (2 if args.quick else 5)))
    rows = []
    for area in areas:
        rows.extend(run_area(area, seeds, args.quick))
    print(text_table(rows))
    print(f"\nseeds {seeds[0]}..{seeds[-1]}, {args.threads} thread(s){', quick' if args.quick else ''}; "
          "score = mean ± sd over n seeds; fit s = mean CPU seconds of one fit; ratio to tuned = "
          "score / best tuned score of the same estimator, dataset and metric (tuned / score where "
          "lower is better), below 1 = worse than tuned.")
    if args.markdown:
        pathlib.Path(args.markdown).write_text(markdown_table(rows) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
