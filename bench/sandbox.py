"""Sandbox speed: pool cold start, submission start with a warm pool, call round trip.

    python bench/sandbox.py [--starts 50] [--calls 1000]

Goals on a 2-core machine: start under 50 ms, round trip of a (4, 4) float64 array through an
identity function under 1 ms. Prints figures for every isolation mode that works here.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from grader.sandbox import Limits, Pool, Sandbox  # noqa: E402
from grader.sandbox.backends import bubblewrap_works  # noqa: E402

SOURCE = "def identity(x):\n    return x\n"


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench(mode, starts, calls):
    pool = Pool(isolation=mode)
    cold = pool.start()
    limits = Limits()
    start_s, close_s = [], []
    for _ in range(starts):
        began = time.perf_counter()
        box = Sandbox([("bench.py", SOURCE)], limits=limits, pool=pool)
        box.start()
        start_s.append(time.perf_counter() - began)
        began = time.perf_counter()
        box.close()
        close_s.append(time.perf_counter() - began)
    x = np.arange(16, dtype=np.float64).reshape(4, 4)
    with Sandbox([("bench.py", SOURCE)], limits=limits, pool=pool) as box:
        for _ in range(20):
            box.call("identity", x)
        round_trip = []
        for _ in range(calls):
            began = time.perf_counter()
            box.call("identity", x)
            round_trip.append(time.perf_counter() - began)
        isolation = box.isolation
    pool.close()
    ms = 1000
    print(f"{mode:10s} isolation={isolation}")
    print(f"  pool cold start        {cold * ms:8.1f} ms (one-off)")
    print(f"  submission start       median {statistics.median(start_s) * ms:6.1f} ms, "
          f"p95 {percentile(start_s, 0.95) * ms:6.1f} ms over {starts} (fork, isolate, load one chunk)")
    print(f"  submission close       median {statistics.median(close_s) * ms:6.1f} ms")
    print(f"  call round trip (4x4)  median {statistics.median(round_trip) * ms:6.3f} ms, "
          f"p95 {percentile(round_trip, 0.95) * ms:6.3f} ms over {calls}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=50)
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    modes = (["bubblewrap"] if bubblewrap_works() else []) + ["fallback"]
    for mode in modes:
        bench(mode, args.starts, args.calls)


if __name__ == "__main__":
    main()
