"""Issue 13, finding 20: the observations API was 3.8 s a page at 2.2M rows.

Each page counted the whole filtered table and skipped ``offset`` rows. Now a
page is an index range read after the last id of the previous page (keyset
pagination): these tests walk every page, check no page counts or offsets,
and on PostgreSQL read the query plan. The load figure itself is
``benchmarks/bench_observations_load.py`` (32 users, PostgreSQL, 2.2M rows).
"""

from __future__ import annotations

import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matis.official_statistics.models import Observation

URL = "/api/v1/statistics/observations/"


@pytest.fixture
def analyst(client, make_user):
    client.force_login(make_user(role="secretariat_analyst", country=None))
    return client


def walk(client, params):
    """Every page of the listing, following ``next``; the ids in order."""
    ids, url, pages = [], URL, 0
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [o["id"] for o in body["results"]]
        pages += 1
        if not body["next"]:
            return ids, pages
        response = client.get(body["next"])


@pytest.mark.django_db
def test_finding_20_pages_walk_every_row_once_with_filters(analyst, glotip_approved):
    for params in (
        {"limit": 100},
        {"limit": 37, "country": "THA"},
        {"indicator": "VICTIMS_DETECTED"},
    ):
        ids, pages = walk(analyst, params)
        expected = Observation.objects.filter(approved=True)
        if "country" in params:
            expected = expected.filter(country_id=params["country"])
        if "indicator" in params:
            expected = expected.filter(indicator__code=params["indicator"])
        expected_ids = sorted(expected.values_list("id", flat=True))
        assert len(expected_ids) > 150  # enough for several pages
        assert ids == expected_ids  # each row once, in id order
        limit = params.get("limit", 100)
        assert pages == -(-len(expected_ids) // limit)


@pytest.mark.django_db
def test_finding_20_no_page_counts_or_skips_the_table(analyst, glotip_approved):
    first = analyst.get(URL, {"limit": 50}).json()
    with CaptureQueriesContext(connection) as queries:
        second = analyst.get(first["next"])
    assert second.status_code == 200
    assert "count" not in second.json()
    sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
    assert "COUNT(" not in sql
    assert "OFFSET" not in sql
    assert re.search(r'"ID" > \d+', sql.replace("_OBSERVATION", "")), sql[:500]
    previous = analyst.get(second.json()["previous"]).json()
    assert [o["id"] for o in previous["results"]] == [o["id"] for o in first["results"]]


@pytest.mark.django_db
def test_finding_20_page_size_is_bounded_and_cursors_are_checked(analyst, glotip_approved):
    assert len(analyst.get(URL, {"limit": 5000}).json()["results"]) == 1000
    assert len(analyst.get(URL, {"limit": "9" * 30}).json()["results"]) == 1000  # clamped
    assert analyst.get(URL, {"cursor": "not-a-cursor"}).status_code == 404


@pytest.mark.django_db
def test_finding_20_postgresql_reads_a_page_by_index(analyst, glotip_approved):
    if connection.vendor != "postgresql":
        pytest.skip("the query plan is PostgreSQL's")
    template = Observation.objects.filter(approved=True).first()
    rng = random.Random(20)
    Observation.objects.bulk_create(
        [
            Observation(
                indicator_id=template.indicator_id,
                country_id=template.country_id,
                period=1900 + i // 500,
                series_key=f"SYN={i % 500}",
                value=rng.randint(1, 999),
                submission_id=template.submission_id,
                approved=True,
            )
            for i in range(50_000)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Observation._meta.db_table}")
    first = analyst.get(URL, {"limit": 100}).json()
    for page_url in (URL + "?limit=100", first["next"]):
        with CaptureQueriesContext(connection) as queries:
            assert analyst.get(page_url).status_code == 200
        (page_sql,) = [
            q["sql"] for q in queries.captured_queries
            if Observation._meta.db_table in q["sql"] and "LIMIT" in q["sql"]
        ]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + page_sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        table = Observation._meta.db_table
        scans = [line for line in plan.splitlines() if f" on {table} " in line + " "]
        assert scans and all("Index" in line for line in scans), plan
        assert f"Seq Scan on {table}" not in plan
