"""Latency and throughput of ``deepmine serve`` under load, on loopback only.

Starts ``deepmine serve`` in a subprocess on a free 127.0.0.1 port (default models,
cached in the data home after the first start), waits until its models are ready,
then, for the digit and analogy endpoints:

1. ``--requests`` requests with ``--concurrency`` in flight (below the queue bound):
   p50/p99 latency (wall, client side), throughput, status codes;
2. a burst of ``--burst`` simultaneous requests, more than the server's workers plus
   queue (2 + 32): every request must be answered, with 200 or a 503 refusal, none lost,
   and the server must answer a status request right after.

It also reports the CPU time of one digit update (the network's forward pass with
its feature maps, without HTTP) measured in this process. It stops the server itself.

    OMP_NUM_THREADS=1 python benchmarks/bench_serve.py [--requests 300] [--concurrency 4]
"""

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time

import numpy as np


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stroke():
    g = np.zeros((56, 56))
    g[8:48, 25:31] = 1.0
    g[8:14, 18:31] = 1.0  # a "7"
    return g.ravel().round(3).tolist()


BODIES = {"/api/digit": {"pixels": stroke()},
          "/api/analogy": {"a": "he", "b": "his", "c": "she"}}


async def fire(url, path, n, concurrency):
    import httpx

    sem = asyncio.Semaphore(concurrency)
    lat, codes, lost = [], {}, 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        async def one():
            nonlocal lost
            async with sem:
                t = time.perf_counter()
                try:
                    r = await client.post(path, json=BODIES[path])
                except httpx.HTTPError:
                    lost += 1
                    return
                lat.append(time.perf_counter() - t)
                codes[r.status_code] = codes.get(r.status_code, 0) + 1
        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        wall = time.perf_counter() - start
    return np.asarray(lat), codes, lost, wall


def cpu_per_update(repeats=200):
    """CPU milliseconds of one digit update (forward pass with feature maps), median of ``repeats``."""
    from deepmine.serve._digits import check_grid, respond
    from deepmine.serve._models import ModelStore

    store = ModelStore(vectors=object()).start()
    store.digits.wait(600)
    model = store.digits.get()
    grid = check_grid(stroke())
    respond(model, grid)
    times = []
    for _ in range(repeats):
        t = time.process_time()
        respond(model, grid)
        times.append(time.process_time() - t)
    return 1000 * float(np.median(times)), 1000 * float(np.percentile(times, 99))


def cpu_seconds(pid):
    """User + system CPU seconds of process ``pid`` so far (Linux /proc), or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def wait_listening(port, proc, timeout=600):
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit("deepmine serve did not start listening")


def wait_ready(url, proc, timeout=600):
    import httpx

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"deepmine serve exited with code {proc.returncode}")
        try:
            s = httpx.get(url + "/api/status", timeout=5).json()
            if s["digits"]["ready"] and s["words"]["ready"]:
                return s
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.3)
    raise SystemExit("the server's models were not ready in time")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=300, help="requests per endpoint (default 300)")
    p.add_argument("--concurrency", type=int, default=4, help="requests in flight (default 4)")
    p.add_argument("--burst", type=int, default=120, help="simultaneous requests of the burst")
    args = p.parse_args(argv)
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "deepmine", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_listening(port, proc)
        listen_wall, listen_cpu = time.perf_counter() - t0, cpu_seconds(proc.pid)
        wait_ready(url, proc)
        ready_wall, ready_cpu = time.perf_counter() - t0, cpu_seconds(proc.pid)
        cpu = lambda v: "n/a" if v is None else f"{v:.1f} s CPU"  # noqa: E731
        print(f"server listening after {listen_wall:.1f} s wall ({cpu(listen_cpu)}); models ready "
              f"after {ready_wall:.1f} s wall ({cpu(ready_cpu)}); defaults are trained on the "
              f"first start and loaded from the data home afterwards")
        print(f"{'endpoint':14s} {'phase':22s} {'n':>5s} {'p50 ms':>8s} {'p99 ms':>8s} "
              f"{'req/s':>7s} {'server CPU ms/req':>18s}  status codes")
        for path in BODIES:
            for phase, n, conc in (("one client", min(100, args.requests), 1),
                                   ("steady (bounded)", args.requests, args.concurrency),
                                   ("burst", args.burst, args.burst)):
                before = cpu_seconds(proc.pid)
                lat, codes, lost, wall = asyncio.run(fire(url, path, n, conc))
                after = cpu_seconds(proc.pid)
                per = "n/a" if before is None else f"{1000 * (after - before) / n:.1f}"
                p50, p99 = (1000 * np.percentile(lat, q) for q in (50, 99)) if len(lat) else (0, 0)
                print(f"{path:14s} {phase + f' c={conc}':22s} {n:5d} {p50:8.1f} {p99:8.1f} "
                      f"{n / wall:7.1f} {per:>18s}  {dict(sorted(codes.items()))}"
                      + (f"  LOST {lost}" if lost else ""))
                assert not lost and sum(codes.values()) == n, "a request was lost"
                assert set(codes) <= {200, 503}, codes
        t = time.perf_counter()
        httpx.get(url + "/api/status", timeout=10).raise_for_status()
        print(f"status request right after the bursts: {1000 * (time.perf_counter() - t):.1f} ms")
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    med, p99 = cpu_per_update()
    print(f"digit update, compute only (forward pass + feature maps, this process): "
          f"median {med:.2f} ms CPU, p99 {p99:.2f} ms CPU")


if __name__ == "__main__":
    main()
