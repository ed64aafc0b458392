"""Benchmark: how the Spark linkage job grows from 1M to 10M tokens (local mode), against DuckDB.

For each size ``n`` the benchmark makes ``n`` synthetic tokens on each side
(Bloom filters of 1,024 bits, about 31 % of bits set as with ``MATIS_SCHEMA``;
half of the right side are noisy copies of left tokens, 3 % of their bits
flipped) and links them with LSH blocking (``--bands`` bands of ``--bits``
sampled bits), score = Dice, threshold 0.8:

- on Spark (``tipstats.linkage.spark.SparkBackend``, ``local[--cores]``):
  both sides written to Parquet, the job joins, scores and writes the pairs as
  Parquet, the pairs at the floor are read back in batches;
- on DuckDB (``tipstats.linkage.duckdb.DuckDBBackend``, the hub's default),
  in the same process, as the baseline.

It prints the wall time of each and the growth factor time(large)/time(small)
of each backend, and the ratio of the two growth factors (Spark's over
DuckDB's: below 1, Spark grows more slowly). Encodings are generated, not
encoded from people, so the time is the linkage's alone; independent random
filters rarely collide under LSH, so the candidate pairs grow about linearly
with ``n`` (real registers, with common names, give more).

Not run in CI. Run::

    .venv/bin/python benchmarks/bench_linkage_spark.py                      # 1M and 10M
    .venv/bin/python benchmarks/bench_linkage_spark.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np

from tipstats.linkage import MATIS_SCHEMA, Encodings, LSHBlocking, Matcher

FILTER_BYTES = 128  # 1,024 bits
DENSITY = 0.31
FLIP = 0.03


def _random_filters(rng: np.random.Generator, n: int, density: float) -> np.ndarray:
    """``n`` packed filters, each bit set with probability ``density`` (one byte per bit drawn)."""
    cut = round(density * 256)
    return np.packbits(
        rng.integers(0, 256, size=(n, FILTER_BYTES * 8), dtype=np.uint8) < cut, axis=1
    )


def synthetic_tokens(n: int, seed: int) -> tuple[Encodings, Encodings, int]:
    """Two sides of ``n`` tokens; right rows 0..n/2-1 are noisy copies of left rows."""
    rng = np.random.default_rng(seed)
    left = np.empty((n, FILTER_BYTES), dtype=np.uint8)
    right = np.empty((n, FILTER_BYTES), dtype=np.uint8)
    n_shared = n // 2
    step = 100_000
    for start in range(0, n, step):
        stop = min(start + step, n)
        left[start:stop] = _random_filters(rng, stop - start, DENSITY)
        if start >= n_shared:
            right[start:stop] = _random_filters(rng, stop - start, DENSITY)
        else:
            shared = min(stop, n_shared)
            flips = _random_filters(rng, shared - start, FLIP)
            right[start:shared] = left[start:shared] ^ flips
            if shared < stop:
                right[shared:stop] = _random_filters(rng, stop - shared, DENSITY)
    fingerprint = MATIS_SCHEMA.fingerprint
    return (
        Encodings(np.arange(n), left, fingerprint),
        Encodings(np.arange(n, 2 * n), right, fingerprint),
        n_shared,
    )


def run(matcher: Matcher, left: Encodings, right: Encodings, n_shared: int) -> tuple[float, dict]:
    t = time.perf_counter()
    result = matcher.link(left, right)
    seconds = time.perf_counter() - t
    matched = result.matched_id_pairs()
    n = len(left)
    found = sum(1 for a, b in matched if b - n == a and a < n_shared)
    return seconds, {
        "comparisons": result.n_comparisons,
        "matches": len(matched),
        "planted_found": found,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[1_000_000, 10_000_000],
                        metavar=("SMALL", "LARGE"), help="tokens per side")  # fmt: skip
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--driver-memory", default="12g")
    parser.add_argument("--partitions", type=int, default=0, help="default: 4 per core")
    parser.add_argument("--bands", type=int, default=12)
    parser.add_argument("--bits", type=int, default=40)
    parser.add_argument("--workdir", default=None, help="Parquet directory (default: temp)")
    parser.add_argument("--skip-duckdb", action="store_true")
    args = parser.parse_args(argv)

    from tipstats.linkage.spark import SparkBackend, SparkConfig

    partitions = args.partitions or 4 * args.cores
    config = SparkConfig(
        master=f"local[{args.cores}]",
        app_name="bench-linkage-spark",
        driver_memory=args.driver_memory,
        partitions=partitions,
        options=(("spark.ui.enabled", "false"),),
    )
    spark = config.session()
    spark.sparkContext.setLogLevel("ERROR")
    blocking = (LSHBlocking(n_bands=args.bands, bits_per_band=args.bits),)
    common = dict(blocking=blocking, score="dice", threshold=0.8, dice_floor=0.8, one_to_one=False)
    workdir = args.workdir or tempfile.gettempdir()
    print(f"Spark {spark.version} master {config.master}, {partitions} shuffle partitions, "
          f"driver memory {args.driver_memory}; cores on this machine {os.cpu_count()}")  # fmt: skip
    print(f"blocking: {blocking[0]!r}; sizes {args.sizes[0]:,} and {args.sizes[1]:,} per side")
    times: dict[str, list[float]] = {"spark": [], "duckdb": []}
    try:
        for n in args.sizes:
            t = time.perf_counter()
            left, right, n_shared = synthetic_tokens(n, seed=n % 997)
            print(f"\n{n:,} x {n:,} tokens made in {time.perf_counter() - t:.1f} s "
                  f"({n_shared:,} planted pairs)")  # fmt: skip
            backend = SparkBackend(spark, workdir=workdir, chunk_rows=500_000)
            seconds, info = run(Matcher(**common, backend=backend), left, right, n_shared)
            times["spark"].append(seconds)
            job = backend.last_job
            print(f"  spark : {seconds:8.1f} s  {info}  (job in Spark {job.seconds:.1f} s)")
            if not args.skip_duckdb:
                from tipstats.linkage.duckdb import DuckDBBackend

                duck = Matcher(**common, backend=DuckDBBackend(threads=args.cores))
                seconds, info = run(duck, left, right, n_shared)
                times["duckdb"].append(seconds)
                print(f"  duckdb: {seconds:8.1f} s  {info}")
            del left, right
    finally:
        spark.stop()
    small, large = args.sizes
    spark_growth = times["spark"][1] / times["spark"][0]
    print(f"\ngrowth factor time({large:,})/time({small:,}), size factor {large / small:g}:")
    print(f"  spark  {spark_growth:.2f}")
    if times["duckdb"]:
        duck_growth = times["duckdb"][1] / times["duckdb"][0]
        print(f"  duckdb {duck_growth:.2f} (baseline, same process)")
        print(f"  ratio spark/duckdb growth: {spark_growth / duck_growth:.2f}")


if __name__ == "__main__":
    main()
