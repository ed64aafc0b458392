"""Load test: the public site and SDMX API under 100 anonymous users, PostgreSQL.

Issue 19: the published face of MATIS must hold up when the public arrives.
The benchmark loads N synthetic approved observations (default 20,000; the
generator of ``bench_statistics_read.py``) into a fresh PostgreSQL database,
releases them (``release_statistics``: the protected snapshot), starts the
production server (``matis serve``: waitress, production settings, plain HTTP
on loopback) as a separate process, and for S seconds (default 60) has U
anonymous users (default 100 threads) request, in random order:

* public pages and files: the index, the dataset page for a random indicator
  in a random language, its CSV / Excel / SDMX-CSV download, the DCAT
  catalogue, the SDMX structure and SDMX data (all, or one indicator);
* a static file served by the same server (baseline): ``matis.css`` through
  WhiteNoise.

It prints p50/p95/p99 of both, the error count (anything but 200 is an error,
429 included), and the figure p95(public) / p95(static). Not run in CI.

    .venv/bin/python benchmarks/bench_public_load.py [--rows 20000] [--users 100]
        [--seconds 60] [--threads 8]
        [--database postgresql://postgres@127.0.0.1/matis_bench_public_load]
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
import urllib.error
import urllib.request

from bench_observations_load import (
    free_port,
    print_samples,
    quantile,
    run_threads,
    server_env,
    start_server,
)
from bench_statistics_import import SEED, setup_database
from bench_statistics_read import load

STATIC = "/static/matis/css/matis.css"
LANGS = ["en", "th", "km", "lo", "my", "zh-hans", "vi"]
FLOW = "/sdmx/rest/data/MATIS,TIP_STATISTICS,1.0"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument(
        "--database", default="postgresql://postgres@127.0.0.1/matis_bench_public_load"
    )
    return parser.parse_args(argv)


def public_url(rng: random.Random, indicators: list[str], dims: int) -> str:
    ind, lang = rng.choice(indicators), rng.choice(LANGS)
    base = "/public/statistics/tip-statistics/v1/"
    return rng.choice(
        [
            f"/public/?lang={lang}",
            f"{base}?indicator={ind}&lang={lang}",
            f"{base}download/?indicator={ind}&fmt=csv",
            f"{base}download/?indicator={ind}&fmt=xlsx",
            f"{base}download/?indicator={ind}&fmt=sdmx-csv",
            "/public/catalog.jsonld",
            "/sdmx/rest/dataflow/MATIS/TIP_STATISTICS/1.0?references=all",
            f"{FLOW}/{ind}.{'.' * dims}?format=csv",
            f"{FLOW}/{ind}.{'.' * dims}",
        ]
    )


def fetch(base: str, url: str) -> int:
    try:
        with urllib.request.urlopen(base + url, timeout=60) as response:  # noqa: S310 - loopback
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return -1


def user_loop(base, deadline, rng, indicators, dims, samples, errors, lock):
    while time.monotonic() < deadline:
        kind, url = (
            ("static", STATIC)
            if rng.random() < 0.3
            else ("public", public_url(rng, indicators, dims))
        )
        began = time.perf_counter()
        status = fetch(base, url)
        took = time.perf_counter() - began
        with lock:
            samples[kind].append(took)
            if status != 200:
                errors.append((url, status))


def main(argv=None) -> int:
    args = parse_args(argv)
    if not args.database.startswith("postgresql://"):
        sys.exit("the load test runs on PostgreSQL (--database postgresql://...)")
    where = setup_database(args.database, "public-load")
    from matis.publication.services import release_statistics

    print(f"MATIS public site load test · {args.rows:,} observations · {where}")
    started = time.perf_counter()
    load(args.rows)
    release = release_statistics(actor=None)
    snapshot = release.snapshot
    indicators = sorted({o[0] for o in snapshot["observations"]})
    dims = len(snapshot["dimensions"])
    print(
        f"  loaded and released {len(snapshot['observations']):,} figures "
        f"in {time.perf_counter() - started:.1f} s"
    )
    from django.db import connections

    connections.close_all()
    env = server_env(args.database)
    env["MATIS_PUBLIC_RATE"] = "100000000/minute"  # one address plays 100 users
    port = free_port()
    server = start_server(env, port, args.threads)
    try:
        base = f"http://127.0.0.1:{port}"
        print(f"  {args.users} anonymous users; server: waitress, {args.threads} threads")
        samples: dict[str, list[float]] = {"public": [], "static": []}
        errors: list = []
        lock = threading.Lock()
        for seconds in (5.0, args.seconds):  # warm-up, then the measured run
            for values in samples.values():
                values.clear()
            errors.clear()
            deadline = time.monotonic() + seconds
            threads = [
                threading.Thread(
                    target=user_loop,
                    args=(
                        base,
                        deadline,
                        random.Random(SEED + i),
                        indicators,
                        dims,
                        samples,
                        errors,
                        lock,
                    ),
                )
                for i in range(args.users)
            ]
            elapsed = run_threads(threads)
        print_samples(args.users, elapsed, samples, errors)
        ratio = quantile(samples["public"], 95) / quantile(samples["static"], 95)
        print(f"  p95(public) / p95(static file): {ratio:.2f}")
        return 1 if errors else 0
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
