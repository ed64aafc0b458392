"""Two imports of overlapping data at the same time leave one consistent result.

Runs on SQLite (the test database is shared in-memory: a writer that finds the
tables locked backs off and retries) and on PostgreSQL (submission rows are
locked; a clash on a new submission or observation retries the write step).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from stats_helpers import csv_bytes

from matis.common.countries import sync_countries
from matis.common.models import Country
from matis.official_statistics.loader import load_structure
from matis.official_statistics.models import Observation, ObservationRevision, Submission
from matis.official_statistics.services import observations_import

HEADER = ["indicator", "country", "year", "sex", "age", "value"]
SEXES = ["", "F", "M", "OTHER", "UNKNOWN"]
AGES = ["", "Y0T17", "Y_GE18"]


def rows_for(countries, years, offset):
    rows = []
    for c in countries:
        for y in years:
            for ind in ("VICTIMS_DETECTED", "PERSONS_PROSECUTED", "PERSONS_CONVICTED"):
                for sex in SEXES:
                    for age in AGES:
                        rows.append([ind, c, str(y), sex, age, str(offset + y % 100)])
    return rows


def key(row):
    return (row[0], row[1], int(row[2]), row[3], row[4])


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_overlapping_imports_are_consistent():
    if not Country.objects.filter(iso3="THA").exists():
        sync_countries(Country)  # a transactional test may start from an emptied database
    load_structure()
    a = rows_for(["THA", "KHM"], range(2010, 2021), offset=1000)
    b = rows_for(["THA", "VNM"], range(2016, 2024), offset=5000)
    overlap = {key(r) for r in a} & {key(r) for r in b}
    assert len(overlap) == 5 * 3 * 5 * 3  # THA 2016-2020, 3 indicators, 5 sexes x 3 ages

    barrier = threading.Barrier(2)
    results, failures = {}, []

    def run(name, rows):
        try:
            barrier.wait()
            results[name] = observations_import(
                actor=None, source=csv_bytes(rows, HEADER), fmt="csv"
            )
        except Exception as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("a", a)),
        threading.Thread(target=run, args=("b", b)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures

    union = {key(r) for r in a} | {key(r) for r in b}
    assert Observation.objects.count() == len(union)
    pairs = {(c, int(y)) for _i, c, y, *_rest in a + b}
    assert Submission.objects.count() == len(pairs)
    # One import came first and created all its rows; the second created the rest and updated
    # exactly the overlapping cells, whose final values are all the second file's.
    first, second = sorted(results, key=lambda n: results[n].n_updated)
    assert (results[first].n_created, results[first].n_updated) == (
        len(a if first == "a" else b),
        0,
    )
    second_rows = b if second == "b" else a
    assert results[second].n_updated == len(overlap)
    assert results[second].n_created == len(second_rows) - len(overlap)
    assert ObservationRevision.objects.count() == len(overlap)
    expected = {key(r): float(r[5]) for r in second_rows}
    thai = Observation.objects.filter(country_id="THA", period__range=(2016, 2020))
    assert thai.count() == len(overlap)
    assert all(
        o.value
        == expected[
            (o.indicator.code, o.country_id, o.period, _sex(o.series_key), _age(o.series_key))
        ]
        for o in thai.select_related("indicator")
    )


def _sex(series_key: str) -> str:
    return next((p[4:] for p in series_key.split("|") if p.startswith("SEX=")), "")


def _age(series_key: str) -> str:
    return next((p[4:] for p in series_key.split("|") if p.startswith("AGE=")), "")
