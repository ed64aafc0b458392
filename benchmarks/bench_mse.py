"""Benchmark: MSE model selection plus a BCa bootstrap interval, 1 worker vs N.

Runs ``tipstats.mse.fit`` on the six-list UK 2013 data (``UKdat.csv``) with
the SparseMSE stepwise rule and a 1,000-resample BCa interval (each resample
re-runs the model selection), first on one worker and then on
``os.cpu_count()`` worker processes, and prints wall-clock times and the
parallel speed-up. The two runs use the same seed and must agree exactly.

    python benchmarks/bench_mse.py [--n-boot 1000] [--workers N] [--method sparse_stepwise]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tipstats import mse

DATA = Path(__file__).resolve().parents[1] / "tipstats" / "tests" / "mse" / "results" / "UKdat.csv"


def run(table: pd.DataFrame, args: argparse.Namespace, n_jobs: int) -> tuple[float, mse.MSEResult]:
    start = time.perf_counter()
    result = mse.fit(
        table,
        method=args.method,
        threshold=args.threshold,
        interval="bca",
        n_boot=args.n_boot,
        seed=args.seed,
        n_jobs=n_jobs,
    )
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--method", default="sparse_stepwise", choices=mse.METHODS)
    parser.add_argument("--threshold", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=2013)
    args = parser.parse_args()

    table = pd.read_csv(DATA)
    print(f"data={DATA.name} lists={table.shape[1] - 1} cases={int(table['count'].sum())}")
    print(f"method={args.method} threshold={args.threshold} n_boot={args.n_boot} seed={args.seed}")
    print(f"python={platform.python_version()} cpus={os.cpu_count()}")

    t0 = time.perf_counter()
    point = mse.fit(table, method=args.method, threshold=args.threshold, interval="profile")
    select_time = time.perf_counter() - t0
    print(
        f"selection_plus_profile_ci_s={select_time:.3f} "
        f"estimate={point.population_estimate:,.0f} interactions={len(point.interactions)}"
    )

    t1, r1 = run(table, args, 1)
    print(f"workers=1 time_s={t1:.2f} ci=({r1.ci_low:,.0f}, {r1.ci_high:,.0f})")
    tn, rn = run(table, args, args.workers)
    print(f"workers={args.workers} time_s={tn:.2f} ci=({rn.ci_low:,.0f}, {rn.ci_high:,.0f})")

    same = np.array_equal(r1.bootstrap_estimates, rn.bootstrap_estimates)
    print(f"identical_results={same}")
    print(f"speedup_vs_1_worker={t1 / tn:.2f}x")
    if args.workers == 1:
        print("note: only one worker available, so no parallel speed-up is possible")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
