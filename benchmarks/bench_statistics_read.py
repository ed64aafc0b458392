"""Benchmark: p95 latency of the statistics dashboard API at 1,000,000 observations.

Loads N synthetic approved observations (default 1,000,000, the same generator
as ``bench_statistics_import.py``) into a fresh database, then requests, in one
process through Django's full request stack (middleware, session login, DRF),
interleaved in random order:

* the main dashboard API, ``/api/v1/statistics/dashboard/trend/`` with a random
  indicator and (half of the time) a random country;
* the baseline: a trivial authenticated DRF endpoint (one validation rule by
  code: the same session, user, middleware, DRF and JSON rendering, one row), so
  the ratio isolates the dashboard's own work rather than scheduler noise.

The figure is p95(dashboard) / p95(trivial authenticated endpoint). For
information it also prints the ratio to ``/health/`` (one ``SELECT 1``, no
session; on a loaded machine this mostly measures scheduling) and times the
other dashboard tables and the HTML dashboard page.

    .venv/bin/python benchmarks/bench_statistics_read.py [--rows N] [--requests 300]
        [--database postgresql://postgres@127.0.0.1/matis_bench_statistics_read]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from bench_statistics_import import (
    SEED,
    empty_observations,
    raw_insert,
    resolved_rows,
    setup_database,
    synthetic_cells,
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--database", default="", help="PostgreSQL URL (default: SQLite in a temp dir)"
    )
    return parser.parse_args(argv)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def load(n_rows: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from matis.official_statistics.models import Submission

    rng = random.Random(SEED)
    rows = []
    for ind, country, year, key in synthetic_cells(n_rows):
        censored = rng.random() < 0.10
        rows.append(
            (
                ind,
                country,
                year,
                key,
                None if censored else float(rng.randint(5, 5000)),
                5 if censored else None,
            )
        )
    pairs = sorted({(r[1], r[2]) for r in rows})
    Submission.objects.bulk_create(
        [Submission(country_id=c, period=y, status=Submission.Status.APPROVED) for c, y in pairs]
    )
    submissions = {(s.country_id, s.period): s.pk for s in Submission.objects.all()}
    now = timezone.now()
    db_now = (
        now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    )
    prepared = [(*r[:11], True, r[12]) for r in resolved_rows(rows, submissions, db_now)]
    empty_observations()
    raw_insert(prepared)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main(argv=None) -> int:
    args = parse_args(argv)
    where = setup_database(args.database, "read")
    from django.test import Client

    from matis.access.models import Role, User
    from matis.common.models import COMMIT_COUNTRIES
    from matis.official_statistics.models import Observation, StatisticalIndicator

    print(f"MATIS statistics read benchmark · {args.rows:,} observations · {where}")
    started = time.perf_counter()
    load(args.rows)
    print(
        f"  loaded {Observation.objects.count():,} approved observations in "
        f"{time.perf_counter() - started:.1f} s"
    )
    user = User.objects.create_user(
        email="bench@matis.example",
        password=None,
        role=Role.SECRETARIAT_ANALYST,
        full_name="Benchmark (synthetic)",
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    indicators = list(StatisticalIndicator.objects.values_list("code", flat=True))
    rng = random.Random(SEED)

    def trend():
        params = {"indicator": rng.choice(indicators)}
        if rng.random() < 0.5:
            params["country"] = rng.choice(COMMIT_COUNTRIES)
        return "/api/v1/statistics/dashboard/trend/", params

    endpoints = {
        "dashboard trend API (main)": trend,
        "trivial /health/ (no session)": lambda: ("/health/", {}),
        "trivial authenticated API (baseline)": lambda: (
            "/api/v1/statistics/rules/NON_NEGATIVE/",
            {},
        ),
        "comparison API": lambda: (
            "/api/v1/statistics/dashboard/comparison/",
            {"indicator": rng.choice(indicators)},
        ),
        "breakdown API": lambda: (
            "/api/v1/statistics/dashboard/breakdown/",
            {
                "indicator": "VICTIMS_DETECTED",
                "country": rng.choice(COMMIT_COUNTRIES),
                "dimension": rng.choice(["SEX", "AGE", "FORM"]),
            },
        ),
        "completeness API": lambda: ("/api/v1/statistics/dashboard/completeness/", {}),
        "observations API (filtered page)": lambda: (
            "/api/v1/statistics/observations/",
            {
                "indicator": rng.choice(indicators),
                "country": rng.choice(COMMIT_COUNTRIES),
                "limit": 100,
            },
        ),
        "dashboard HTML page": lambda: (
            "/statistics/",
            {"indicator": rng.choice(indicators), "country": rng.choice(COMMIT_COUNTRIES)},
        ),
    }
    samples: dict[str, list[float]] = {name: [] for name in endpoints}
    plan = [name for name in endpoints for _ in range(args.requests)]
    rng.shuffle(plan)
    for name in list(endpoints) * 5:  # warm-up
        path, params = endpoints[name]()
        assert client.get(path, params).status_code == 200, (name, path, params)
    for name in plan:
        path, params = endpoints[name]()
        began = time.perf_counter()
        response = client.get(path, params)
        samples[name].append(time.perf_counter() - began)
        assert response.status_code == 200, (name, path, params, response.status_code)
    for name, values in samples.items():
        print(
            f"  {name:<34} median {1000 * statistics.median(values):7.1f} ms   "
            f"p95 {1000 * p95(values):7.1f} ms"
        )
    main_p95 = p95(samples["dashboard trend API (main)"])
    health_p95 = p95(samples["trivial /health/ (no session)"])
    auth_p95 = p95(samples["trivial authenticated API (baseline)"])
    print(
        "  ratio p95(dashboard trend API) / p95(trivial authenticated DRF endpoint) = "
        f"{main_p95 / auth_p95:.2f}"
    )
    print(f"  (for information: / p95(/health/, no session) = {main_p95 / health_p95:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
