"""Benchmark: importing official statistics, against a raw bulk insert of the same rows.

Generates N synthetic observations (default 1,000,000; fixed seed; 24 countries x
30 years x the bundled indicators and their breakdowns, 10 % of values "<5")
and writes them as an SDMX-CSV file. Then, in the same database and process:

* baseline: the rows, already resolved to ids, inserted with the fastest raw
  bulk method of the database (``executemany`` in one transaction on SQLite,
  ``COPY`` on PostgreSQL) - nothing parsed, checked or compared;
* MATIS: ``observations_import`` on the file - parse every line, check every
  code, value and duplicate, lock the submissions, compare with the database,
  store in one transaction (the full parse-validate-store path).

The observation table is emptied before each timed run; each is run twice
(baseline, MATIS, baseline, MATIS) and the faster of each pair counts.

    .venv/bin/python benchmarks/bench_statistics_import.py [--rows N]
        [--database postgresql://postgres@127.0.0.1/matis_bench_statistics] [--format sdmx-csv|csv]

A PostgreSQL database named ``matis_bench_*`` is dropped and created afresh.
Target: ratio (MATIS rows/s / raw rows/s) >= 0.25.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import random
import sys
import tempfile
import time
from pathlib import Path

TARGET = 0.25
SEED = 20240611
N_COUNTRIES = 24
YEARS = range(1993, 2023)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--database", default="", help="PostgreSQL URL (default: SQLite in a temp dir)"
    )
    parser.add_argument("--format", default="sdmx-csv", choices=["sdmx-csv", "csv"])
    parser.add_argument("--repeats", type=int, default=2)
    return parser.parse_args(argv)


def setup_database(database: str, prefix: str) -> str:
    """Point Django at a fresh database (SQLite file or a matis_bench_* PostgreSQL DB), migrate."""
    home = tempfile.mkdtemp(prefix=f"matis-bench-{prefix}-")
    os.environ["MATIS_ENV"] = "demo"  # production-like database options (SQLite: WAL)
    os.environ["MATIS_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matis.settings")
    if database:
        import psycopg

        name = database.rsplit("/", 1)[1]
        if not name.startswith("matis_bench"):
            sys.exit("refusing to recreate a database whose name does not start with matis_bench")
        with psycopg.connect(database.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        os.environ["MATIS_DATABASE_URL"] = database
    else:
        os.environ["MATIS_DATABASE_URL"] = f"sqlite:///{home}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # also loads the statistics structure
    from django.db import connection

    return (
        f"{connection.vendor} {connection.Database.__name__} ({os.environ['MATIS_DATABASE_URL']})"
    )


def synthetic_cells(n_rows: int):
    """(indicator code, country, year, {dimension: code}) for n_rows distinct observations."""
    from matis.common.models import COMMIT_COUNTRIES, Country
    from matis.official_statistics.models import Code, StatisticalIndicator

    others = list(
        Country.objects.exclude(iso3__in=COMMIT_COUNTRIES)
        .order_by("iso3")
        .values_list("iso3", flat=True)
    )
    countries = list(COMMIT_COUNTRIES) + others[: N_COUNTRIES - len(COMMIT_COUNTRIES)]
    codes_of_list: dict[int, list[str]] = {}
    for list_id, code in Code.objects.order_by("order").values_list("code_list_id", "code"):
        codes_of_list.setdefault(list_id, []).append(code)
    keys_of: dict[str, list[dict]] = {}
    for ind in StatisticalIndicator.objects.prefetch_related("indicator_dimensions__dimension"):
        dims = [link.dimension for link in ind.indicator_dimensions.all()][:4]
        choices = [[None, *codes_of_list[d.code_list_id]] for d in dims]
        keys = []
        for combo in itertools.islice(itertools.product(*choices), 400):
            keys.append({d.code: c for d, c in zip(dims, combo, strict=True) if c is not None})
        keys_of[ind.code] = keys
    per_pair = sum(len(k) for k in keys_of.values())
    pairs = [(c, y) for y in YEARS for c in countries]
    if n_rows > per_pair * len(pairs):
        sys.exit(f"at most {per_pair * len(pairs):,} synthetic rows")
    count = 0
    for country, year in pairs:
        for ind, keys in keys_of.items():
            for key in keys:
                yield ind, country, year, key
                count += 1
                if count == n_rows:
                    return


def write_file(path: Path, fmt: str, cells, rng: random.Random) -> list[tuple]:
    """Write the synthetic file; return (indicator, country, year, key dict, value, censored)."""
    from matis.official_statistics.io.writers import DATAFLOW
    from matis.official_statistics.models import Dimension

    dims = list(Dimension.objects.order_by("order", "code").values_list("code", flat=True))
    rows = []
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        if fmt == "sdmx-csv":
            w.writerow(
                [
                    "DATAFLOW",
                    "INDICATOR",
                    "REF_AREA",
                    *dims,
                    "TIME_PERIOD",
                    "OBS_VALUE",
                    "OBS_STATUS",
                    "CENSORED_BELOW",
                ]
            )
        else:
            w.writerow(
                ["indicator", "country", "year", *[d.lower() for d in dims], "value", "flags"]
            )
        for ind, country, year, key in cells:
            censored = rng.random() < 0.10
            value = None if censored else float(rng.randint(5, 5000))
            if fmt == "sdmx-csv":
                w.writerow(
                    [
                        DATAFLOW,
                        ind,
                        country,
                        *[key.get(d, "_T") for d in dims],
                        year,
                        "" if censored else int(value),
                        "A",
                        5 if censored else "",
                    ]
                )
            else:
                w.writerow(
                    [
                        ind,
                        country,
                        year,
                        *[key.get(d, "") for d in dims],
                        "<5" if censored else int(value),
                        "",
                    ]
                )
            rows.append((ind, country, year, key, value, 5 if censored else None))
    return rows


def resolved_rows(rows, submissions, now) -> list[tuple]:
    """The rows as the observation table stores them (for the raw insert)."""
    from matis.official_statistics.keys import make_key
    from matis.official_statistics.models import StatisticalIndicator

    ids = dict(StatisticalIndicator.objects.values_list("code", "pk"))
    return [
        (
            ids[ind],
            c,
            y,
            make_key(key),
            value,
            cens,
            False,
            False,
            False,
            "",
            submissions[(c, y)],
            False,
            now,
        )
        for ind, c, y, key, value, cens in rows
    ]


def raw_insert(rows: list[tuple]) -> float:
    from django.db import connection, transaction

    from matis.official_statistics.services.imports import INSERT_COLUMNS, OBS_TABLE

    columns = ", ".join(INSERT_COLUMNS)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {OBS_TABLE} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(INSERT_COLUMNS))
            cursor.executemany(f"INSERT INTO {OBS_TABLE} ({columns}) VALUES ({marks})", rows)
    return time.perf_counter() - started


def empty_observations() -> None:
    from django.db import connection

    from matis.official_statistics.models import Observation, ObservationRevision

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {Observation._meta.db_table} CASCADE")
            cursor.execute(f"VACUUM ANALYZE {Observation._meta.db_table}")
        else:
            cursor.execute(f"DELETE FROM {ObservationRevision._meta.db_table}")
            cursor.execute(f"DELETE FROM {Observation._meta.db_table}")


def main(argv=None) -> int:
    args = parse_args(argv)
    where = setup_database(args.database, "import")
    from django.db import connection
    from django.utils import timezone

    from matis.official_statistics.models import Observation, Submission
    from matis.official_statistics.services import observations_import

    print(f"MATIS statistics import benchmark · {args.rows:,} rows · {args.format} · {where}")
    rng = random.Random(SEED)
    path = Path(os.environ["MATIS_HOME"]) / f"synthetic.{args.format}.csv"
    started = time.perf_counter()
    rows = write_file(path, args.format, synthetic_cells(args.rows), rng)
    print(
        f"  synthetic file: {path.stat().st_size / 1e6:.1f} MB written in "
        f"{time.perf_counter() - started:.1f} s"
    )
    pairs = sorted({(r[1], r[2]) for r in rows})
    Submission.objects.bulk_create([Submission(country_id=c, period=y) for c, y in pairs])
    submissions = {(s.country_id, s.period): s.pk for s in Submission.objects.all()}
    now = timezone.now()
    db_now = (
        now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    )
    prepared = resolved_rows(rows, submissions, db_now)
    del rows

    raw_times, import_times, phases = [], [], {}
    for _round in range(args.repeats):
        empty_observations()
        raw_times.append(raw_insert(prepared))
        assert Observation.objects.count() == args.rows
        empty_observations()
        marks: dict[str, float] = {}

        def progress(phase, done, total, marks=marks):
            marks.setdefault(phase, time.perf_counter())

        began = time.perf_counter()
        with path.open("rb") as source:
            result = observations_import(
                actor=None, source=source, fmt=args.format, progress=progress
            )
        import_times.append(time.perf_counter() - began)
        assert result.n_created == args.rows, result
        assert Observation.objects.count() == args.rows
        marks["end"] = time.perf_counter()
        order = [p for p in ("read", "compare", "store", "end") if p in marks]
        phases = {a: marks[b] - marks[a] for a, b in itertools.pairwise(order)}
        print(
            f"  round {_round + 1}: raw {raw_times[-1]:.2f} s, MATIS import {import_times[-1]:.2f} s "
            f"(read+check {phases.get('read', 0):.2f} s, compare {phases.get('compare', 0):.2f} s, "
            f"store {phases.get('store', 0):.2f} s)"
        )
    raw, full = min(raw_times), min(import_times)
    raw_rate, full_rate = args.rows / raw, args.rows / full
    ratio = full_rate / raw_rate
    print(f"  raw bulk insert     : {raw:8.2f} s  {raw_rate:12,.0f} rows/s")
    print(f"  MATIS full import   : {full:8.2f} s  {full_rate:12,.0f} rows/s")
    print(
        f"  ratio (MATIS / raw) : {ratio:.3f}   target >= {TARGET}   "
        f"{'PASS' if ratio >= TARGET else 'FAIL'}"
    )
    # Re-importing the same file changes nothing (and says so).
    began = time.perf_counter()
    with path.open("rb") as source:
        again = observations_import(actor=None, source=source, fmt=args.format)
    print(f"  re-import of the same file: {again} in {time.perf_counter() - began:.2f} s")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
