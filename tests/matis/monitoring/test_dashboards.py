"""Dashboards: figures from approved reports, downloads, and query counts that do not grow."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from matis.access.models import AuditAction, AuditLog
from matis.monitoring.dashboards import completion_table, load_monitoring_data
from matis.monitoring.models import ActivityReport
from matis.monitoring.services import indicators_load
from matis.monitoring.test_factories import build_scenario

pytestmark = pytest.mark.django_db

PAGES = [
    "/monitoring/",
    "/monitoring/?year=2012",
    "/monitoring/reports/?year=2011",
    "/monitoring/indicators/?year=2011",
    "/monitoring/npa/",
    "/monitoring/dashboard/download/?table=completion&format=csv",
    "/monitoring/dashboard/download/?table=budget&format=xlsx",
    "/api/v1/monitoring-reports/?limit=1000",
    "/api/v1/monitoring-dashboard/",
    "/api/v1/monitoring-indicator-values/",
    "/api/v1/national-plans/",
]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


SECRETARIAT_PAGES = [
    "/monitoring/reports/?year=2011",
    "/monitoring/reports/?year=2011&country=THA",
    "/reports/",
    "/api/v1/monitoring-reports/?limit=1000",
]


def test_query_counts_do_not_grow_with_countries_activities_or_years(client, make_user):
    indicators_load()
    officer = make_user(role="task_force_officer", country="THA")
    secretariat = make_user(role="secretariat_analyst", country=None)

    def counts() -> dict:
        client.force_login(officer)
        out = {url: count_queries(client, url) for url in PAGES}
        client.force_login(secretariat)
        out.update({f"secretariat {url}": count_queries(client, url) for url in SECRETARIAT_PAGES})
        return out

    build_scenario(
        countries=("THA",), activities=1, years=(2011, 2012, 2013), seed=1, workflow="submitted"
    )
    counts_small = counts()
    ActivityReport.objects.all().delete()
    build_scenario(
        countries=("THA", "KHM", "LAO", "MMR", "VNM", "CHN"),
        activities=30,
        years=(2011, 2012, 2013),
        seed=2,
        workflow="submitted",
    )
    assert counts() == counts_small
    ActivityReport.objects.update(workflow="approved")
    counts_approved = counts()
    ActivityReport.objects.exclude(country_id="THA").delete()
    assert counts() == counts_approved


def test_report_page_query_count_does_not_grow_with_its_content(
    client, tfo, make_report, make_agency
):
    small = make_report(code="P&C1")
    big = make_report(code="P&C2")
    for n in range(8):
        big.responsible_agencies.add(make_agency("THA"))
        big.partners.create(partner_type="ngo", name=f"Partner {n}", function_id=None)
        big.outputs.create(
            kind=[
                "officials_trained",
                "trainings_held",
                "agreements_signed",
                "sops_adopted",
                "laws_adopted",
                "campaigns_run",
                "people_reached",
                "studies_published",
            ][n],
            count=n + 1,
        )
        big.comments.create(author=tfo, transition="review", text=f"Comment {n}")
    client.force_login(tfo)
    assert count_queries(client, f"/monitoring/reports/{small.pk}/") == count_queries(
        client, f"/monitoring/reports/{big.pk}/"
    )
    assert count_queries(client, f"/monitoring/reports/{small.pk}/edit/") == count_queries(
        client, f"/monitoring/reports/{big.pk}/edit/"
    )


def test_completion_counts_only_approved_applicable_activities(period, make_report):
    for code, progress in (
        ("P&C1", "completed"),
        ("P&C2", "completed"),
        ("P&C3", "in_progress"),
        ("P&C4", "not_applicable"),
    ):
        make_report(code=code, progress=progress, workflow="approved")
    make_report(code="P&C5", progress="completed", workflow="submitted")
    data = load_monitoring_data(countries=["THA"])
    result = data.completion(year=2011, country="THA")
    assert (result.completed, result.in_progress, result.applicable, result.reported) == (
        2,
        1,
        3,
        4,
    )
    assert str(result.rate) == "66.7"
    row = completion_table(data, 2011).rows[0]
    assert str(row["area_1"]) == "66.7" and row["reported"] == 4 and row["expected"] == 30


def test_downloads_match_the_page_and_are_audited(client, tfo, period):
    build_scenario(countries=("THA", "KHM"), activities=5)
    client.force_login(tfo)
    response = client.get("/monitoring/dashboard/download/?table=comparison&format=csv")
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Country", "Year"]
    assert {r[0] for r in rows[1:]} == {
        "Thailand",
        "Cambodia",
        "China",
        "Lao PDR",
        "Myanmar",
        "Viet Nam",
    }
    xlsx = client.get("/monitoring/dashboard/download/?table=priority&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == "Code" and sheet.max_row == 10  # header + 9 priorities
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == 2
    assert client.get("/monitoring/dashboard/download/?table=secret&format=csv").status_code == 404


def test_dashboard_labels_synthetic_data(client, tfo, make_report):
    client.force_login(tfo)
    make_report(workflow="approved", progress="completed")
    assert "data-synthetic" not in client.get("/monitoring/").content.decode()
    make_report(code="CJ1", workflow="approved", progress="completed", synthetic=True)
    assert "data-synthetic" in client.get("/monitoring/").content.decode()
