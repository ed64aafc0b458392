"""Benchmark: MSE model selection plus a BCa bootstrap interval, 1 worker vs N.

Runs ``tipstats.mse.fit`` on the six-list UK 2013 data (``UKdat.csv``) with
the SparseMSE stepwise rule and a 1,000-resample BCa interval (each resample
re-runs the model selection), first on one worker and then on
``os.cpu_count()`` worker processes, and prints wall-clock times and the
parallel speed-up. The two runs use the same seed and must agree exactly.

    python benchmarks/bench_mse.py [--n-boot 1000] [--workers N] [--method sparse_stepwise]

With ``--coverage`` it instead simulates ``--replicates`` populations of 5,000
people caught by 4 lists whose chances share a logit-normal term of standard
deviation ``--sigma`` (the design of ``test_mse_lcmcr.py``, same seeds) and
prints, for every method (or ``--methods a,b``), how often its 95% interval
covers 5,000, the median estimate, how often there was no estimate or no
upper limit, and the seconds taken; ``--design two_class`` uses instead the
two-class simulation of Manrique-Vallier (2016), N = 2,000, 5 lists:

    python benchmarks/bench_mse.py --coverage --sigma 1 --replicates 50
    python benchmarks/bench_mse.py --coverage --design two_class --methods logit_normal
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


def logit_normal_population(rng, n=5000, sigma=1.0, mu=(-1.0, -1.2, -0.8, -1.4)) -> pd.DataFrame:
    """As ``logit_normal_population`` in ``tipstats/tests/mse/test_mse_lcmcr.py``."""
    e = rng.normal(0.0, sigma, n)
    p = 1.0 / (1.0 + np.exp(-(np.asarray(mu)[None, :] + e[:, None])))
    x = (rng.random(p.shape) < p).astype(int)
    x = x[x.sum(axis=1) > 0]
    frame = pd.DataFrame(x, columns=list("ABCD"))
    return frame.value_counts().rename("count").reset_index()


def two_class_population(rng, n=2000) -> pd.DataFrame:
    """As ``latent_class_population`` in ``tipstats/tests/mse/test_mse_lcmcr.py``."""
    hard = rng.random(n) < 0.9
    p = np.where(
        hard[:, None],
        np.array([0.033, 0.033, 0.099, 0.132, 0.033])[None, :],
        np.array([0.660, 0.825, 0.759, 0.990, 0.693])[None, :],
    )
    x = (rng.random((n, 5)) < p).astype(int)
    x = x[x.sum(axis=1) > 0]
    frame = pd.DataFrame(x, columns=list("ABCDE"))
    return frame.value_counts().rename("count").reset_index()


def coverage(args: argparse.Namespace) -> int:
    methods = args.methods.split(",") if args.methods else list(mse.ALL_METHODS)
    if args.design == "two_class":
        rng, n = np.random.default_rng(2016), 2000
    else:
        rng, n = np.random.default_rng(2026), 5000
    hits, estimates = dict.fromkeys(methods, 0), {m: [] for m in methods}
    seconds, failed = dict.fromkeys(methods, 0.0), dict.fromkeys(methods, 0)
    unbounded = dict.fromkeys(methods, 0)
    for rep in range(args.replicates):
        if args.design == "two_class":
            table = two_class_population(rng, n)
        else:
            table = logit_normal_population(rng, n, args.sigma)
        for m in methods:
            start = time.perf_counter()
            view = mse.compare(
                table,
                methods=[m],
                seed=rep,
                lcmcr_burnin=args.lcmcr_burnin,
                lcmcr_samples=args.lcmcr_samples,
                lcmcr_thinning=args.lcmcr_thinning,
            ).iloc[0]
            seconds[m] += time.perf_counter() - start
            if np.isnan(view["estimate"]):
                failed[m] += 1
            else:
                hits[m] += bool(view["ci_low"] <= n <= view["ci_high"])
                unbounded[m] += bool(np.isinf(view["ci_high"]))
                estimates[m].append(view["estimate"])
    design = "two classes" if args.design == "two_class" else f"logit-normal sigma={args.sigma}"
    print(
        f"{design} N={n} replicates={args.replicates} "
        f"lcmcr_chain={args.lcmcr_burnin}+{args.lcmcr_samples}x{args.lcmcr_thinning}"
    )
    for m in methods:
        median = f"{np.median(estimates[m]):,.0f}" if estimates[m] else "none"
        print(
            f"{m:16s} coverage={hits[m] / args.replicates:.2f} median_estimate={median} "
            f"no_estimate={failed[m]} upper_unbounded={unbounded[m]} seconds={seconds[m]:.1f}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coverage", action="store_true")
    parser.add_argument("--sigma", type=float, default=1.0)
    parser.add_argument("--design", choices=["logit_normal", "two_class"], default="logit_normal")
    parser.add_argument("--methods", default="", help="comma-separated; default: every method")
    parser.add_argument("--replicates", type=int, default=50)
    parser.add_argument("--lcmcr-burnin", type=int, default=1000)
    parser.add_argument("--lcmcr-samples", type=int, default=500)
    parser.add_argument("--lcmcr-thinning", type=int, default=4)
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--method", default="sparse_stepwise", choices=mse.ALL_METHODS)
    parser.add_argument("--threshold", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=2013)
    args = parser.parse_args()
    if args.coverage:
        return coverage(args)

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
