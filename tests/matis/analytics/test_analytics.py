"""Analyses through the system: choose data, run as a background job, read stored results."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from matis.access.models import AuditAction, AuditLog
from matis.analytics.models import Analysis
from matis.common.jobs import JobStatus

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def analyst(user_client):
    return user_client("secretariat_analyst", None)


def _run(client, capture, **data):
    with capture(execute=True):
        response = client.post("/analytics/new/", data)
    return response


def test_uk_reference_estimate_through_the_system(analyst, django_capture_on_commit_callbacks):
    response = _run(
        analyst,
        django_capture_on_commit_callbacks,
        title="UK 2013",
        kind="mse",
        source="reference:uk2013-5",
        **{"mse__method": "aic_stepwise", "mse__interval": "profile"},
    )
    assert response.status_code == 302
    analysis = Analysis.objects.get(title="UK 2013")
    assert analysis.status == JobStatus.DONE, analysis.error
    assert analysis.result["population_estimate"] == pytest.approx(11313, rel=0.005)
    assert analysis.result["ci_low"] == pytest.approx(9889, rel=0.02)
    assert analysis.result["ci_high"] == pytest.approx(13063, rel=0.02)
    assert analysis.provenance["n_rows"] == 18 and len(analysis.provenance["sha256"]) == 64
    assert analysis.provenance["parameters"]["method"] == "aic_stepwise"

    page = analyst.get(f"/analytics/{analysis.pk}/").content.decode()
    assert "data-estimate-figure" in page and "data-report-headline" in page
    status = analyst.get(f"/analytics/{analysis.pk}/status/").json()
    assert status == {
        "status": "done",
        "status_label": "Done",
        "phase": "",
        "done": 100,
        "total": 100,
        "progress": 1.0,
        "message": "",
        "finished": True,
    }

    csv_body = analyst.get(f"/analytics/{analysis.pk}/download/?table=0&format=csv").content
    frame = pd.read_csv(io.BytesIO(csv_body), encoding="utf-8-sig")
    assert frame["count"].sum() == 2744
    xlsx = analyst.get(f"/analytics/{analysis.pk}/download/?table=0&format=xlsx").content
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames[1] == "provenance"
    assert (
        AuditLog.objects.filter(action=AuditAction.EXPORT, object_id=str(analysis.pk)).count() == 2
    )
    assert AuditLog.objects.filter(action=AuditAction.JOB_RUN, object_id=str(analysis.pk)).exists()


@pytest.mark.slow
def test_lcmcr_and_the_side_by_side_comparison_through_the_system(
    analyst, django_capture_on_commit_callbacks
):
    from tipstats import mse

    form = analyst.get("/analytics/new/").content.decode()
    # method names are shown translated, never as codes
    assert "Bayesian latent classes (LCMCR)" in form and ">lcmcr<" not in form
    _run(
        analyst,
        django_capture_on_commit_callbacks,
        title="UK 2013 LCMCR",
        kind="mse",
        source="reference:uk2013-5",
        **{"mse__method": "lcmcr", "mse__seed": "7"},
    )
    analysis = Analysis.objects.get(title="UK 2013 LCMCR")
    assert analysis.status == JobStatus.DONE, analysis.error
    direct = mse.fit(
        pd.read_csv(REPO / "src/matis/analytics/data/uk2013_5lists.csv"),
        method="lcmcr",
        seed=7,
    )
    assert analysis.result["population_estimate"] == direct.population_estimate
    assert analysis.result["interval"] == "credible"
    comparison = analysis.tables[1]
    labels = [row[0] for row in comparison["rows"]]
    assert labels == ["sparse_stepwise", "aic_stepwise", "main_effects", "logit_normal", "lcmcr"]
    aic = comparison["rows"][1]
    assert aic[1] == 11313 and aic[2] == pytest.approx(9889, abs=1)
    assert comparison["rows"][4][1] == round(direct.population_estimate)
    page = analyst.get(f"/analytics/{analysis.pk}/").content.decode()
    assert "data-report-comparison" in page and ">lcmcr<" not in page
    for label in (
        "Sparse stepwise log-linear (SparseMSE)",
        "AIC stepwise log-linear (UK Home Office 2014)",
        "Lists independent (main effects only)",
        "Bayesian latent classes (LCMCR)",
        "Logit-normal heterogeneity (Coull &amp; Agresti 1999)",
        "Bayesian credible interval",
    ):
        assert label in page


def test_parameter_errors_name_the_field_and_create_nothing(analyst):
    response = analyst.post(
        "/analytics/new/", {"title": "x", "kind": "its", "source": "reference:uk2013-5"}
    )
    assert response.status_code == 200
    assert "this parameter is required" in response.content.decode()
    assert response.context["form"].errors.get("its__time")
    response = analyst.post(
        "/analytics/new/",
        {"title": "x", "kind": "mse", "source": "reference:uk2013-5", "mse__count": "people"},
    )
    assert "column &#x27;people&#x27; is not in the data" in response.content.decode()
    assert not Analysis.objects.exists()


def _upload(client, name, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/analytics/data/upload/",
        {"name": name, "file": SimpleUploadedFile("d.csv", text.encode(), content_type="text/csv")},
    )


def test_bad_upload_names_the_line_and_writes_nothing(analyst):
    from matis.analytics.models import Dataset

    response = _upload(analyst, "broken", "year,victims\n2010,5\n2011,6,7\n")
    assert response.status_code == 200
    assert "line 3" in response.content.decode()
    bad_bytes = b"year,place\n2010,Chiang Rai\n\xff\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = analyst.post(
        "/analytics/data/upload/", {"name": "bin", "file": SimpleUploadedFile("b.csv", bad_bytes)}
    )
    assert "line 3: the file is not UTF-8 text" in response.content.decode()
    assert Dataset.objects.filter(name__in=["broken", "bin"]).count() == 0


def test_interrupted_time_series_on_uploaded_data_matches_tipstats(
    analyst, django_capture_on_commit_callbacks
):
    from matis.analytics.models import Dataset
    from tipstats import effects

    rng = np.random.default_rng(7)
    years = np.arange(2003, 2023)
    victims = (
        50
        + 3 * (years - 2003)
        + np.where(years >= 2013, 25 + 4 * (years - 2013), 0)
        + rng.normal(0, 2, len(years))
    )
    frame = pd.DataFrame({"year": years, "victims": victims.round(1)})
    assert (
        _upload(analyst, "hot spot victims (synthetic)", frame.to_csv(index=False)).status_code
        == 302
    )
    dataset = Dataset.objects.get()
    _run(
        analyst,
        django_capture_on_commit_callbacks,
        title="law of 2013",
        kind="its",
        source=f"dataset:{dataset.pk}",
        its__time="year",
        its__outcome="victims",
        its__intervention_at="2013",
    )
    analysis = Analysis.objects.get(title="law of 2013")
    assert analysis.status == JobStatus.DONE, analysis.error
    # AR(1) errors are the default; the page says which errors were used.
    direct = effects.interrupted_time_series(
        frame, time="year", outcome="victims", intervention_at=2013, errors="ar1"
    )
    assert analysis.result["errors"] == "ar1"
    assert analysis.result["level_change"] == pytest.approx(direct.level_change)
    assert analysis.result["slope_change"] == pytest.approx(direct.slope_change)
    page = analyst.get(f"/analytics/{analysis.pk}/").content.decode()
    assert "data-report-diagnostics" in page and "AR(1) errors (Prais-Winsten)" in page

    # Newey-West is still there when asked for.
    _run(
        analyst,
        django_capture_on_commit_callbacks,
        title="law of 2013, Newey-West",
        kind="its",
        source=f"dataset:{dataset.pk}",
        its__time="year",
        its__outcome="victims",
        its__intervention_at="2013",
        its__errors="newey_west",
    )
    nw = Analysis.objects.get(title="law of 2013, Newey-West")
    assert nw.status == JobStatus.DONE, nw.error
    direct_nw = effects.interrupted_time_series(
        frame, time="year", outcome="victims", intervention_at=2013, errors="newey_west"
    )
    assert nw.result["errors"] == "newey_west"
    assert nw.result["level_change"] == pytest.approx(direct_nw.level_change)
    assert nw.result["level_change"] != pytest.approx(analysis.result["level_change"])
    assert "Newey-West" in analyst.get(f"/analytics/{nw.pk}/").content.decode()


def test_routes_on_uploaded_data(analyst, django_capture_on_commit_callbacks):
    from matis.analytics.models import Dataset

    rows = "origin,transit,destination\nMMR,THA,MYS\nMMR,THA,MYS\nKHM,,THA\nLAO,,THA\nMMR,,THA\n"
    _upload(analyst, "routes", rows)
    dataset = Dataset.objects.get()
    _run(
        analyst,
        django_capture_on_commit_callbacks,
        title="routes",
        kind="flows",
        source=f"dataset:{dataset.pk}",
        flows__origin="origin",
        flows__destination="destination",
        flows__transit="transit",
    )
    analysis = Analysis.objects.get(title="routes")
    assert analysis.status == JobStatus.DONE, analysis.error
    assert analysis.result["n_cases"] == 5
    routes = analysis.tables[0]
    top = dict(zip(routes["columns"], routes["rows"][0], strict=True))
    assert (top["origin"], top["transit"], top["destination"], top["n_cases"]) == (
        "MMR",
        "THA",
        "MYS",
        2,
    )


def test_a_failed_run_is_recorded_with_its_reason(analyst, django_capture_on_commit_callbacks):
    from matis.analytics.models import Dataset

    _upload(analyst, "too short", "year,victims\n2012,1\n2013,2\n")
    dataset = Dataset.objects.get()
    _run(
        analyst,
        django_capture_on_commit_callbacks,
        title="short",
        kind="its",
        source=f"dataset:{dataset.pk}",
        its__time="year",
        its__outcome="victims",
        its__intervention_at="2013",
    )
    analysis = Analysis.objects.get(title="short")
    assert analysis.status == JobStatus.FAILED
    assert analysis.error
    assert "data-analysis-error" in analyst.get(f"/analytics/{analysis.pk}/").content.decode()


def test_roles_that_do_not_analyse_cannot_run_or_upload(user_client):
    client = user_client("case_worker", "THA")
    assert client.get("/analytics/new/").status_code == 403
    assert client.post("/analytics/data/upload/", {}).status_code == 403
    assert client.get("/analytics/").status_code == 200


def test_publishing_suppresses_small_counts_so_totals_cannot_reveal_them(
    analyst, django_capture_on_commit_callbacks
):
    from matis.analytics.models import Dataset

    # Hand-checked: routes with 3, 30 and 40 cases. The 3 is under 11; hiding it alone
    # would let anyone take it back from the total 73, so the next smallest (30) goes too,
    # labelled "x" (hidden), not "<11": it is not small.
    rows = "origin,destination\n" + "KHM,THA\n" * 3 + "LAO,THA\n" * 30 + "MMR,THA\n" * 40
    _upload(analyst, "routes to publish", rows)
    dataset = Dataset.objects.get()
    _run(
        analyst,
        django_capture_on_commit_callbacks,
        title="publish me",
        kind="flows",
        source=f"dataset:{dataset.pk}",
        flows__origin="origin",
        flows__destination="destination",
    )
    analysis = Analysis.objects.get(title="publish me")
    assert analyst.post(f"/analytics/{analysis.pk}/publish/").status_code == 302
    analysis.refresh_from_db()
    assert analysis.published
    routes = {row[0]: row for row in analysis.published_tables[0]["rows"]}
    columns = analysis.published_tables[0]["columns"]
    n = columns.index("n_cases")
    assert "share" not in columns
    assert routes["KHM"][n] == "<11" and routes["LAO"][n] == "x" and routes["MMR"][n] == 40
    assert routes["Total"][n] == 73
    matrix = analysis.published_tables[1]
    body = str(matrix["rows"])
    assert "<11" in body and "3" not in [str(v) for row in matrix["rows"] for v in row[1:]]
    # the one-column matrix: its margins repeat the cells, so they are hidden alike
    published = [str(v) for row in matrix["rows"] for v in row[1:]]
    assert "30" not in published and "73" in published
    assert AuditLog.objects.filter(
        action=AuditAction.STATUS_CHANGE, object_id=str(analysis.pk)
    ).exists()
    # the unprotected tables stay with the analysts; the published download is the protected one
    published_csv = analyst.get(
        f"/analytics/{analysis.pk}/download/?published=1&table=0&format=csv"
    )
    assert "<11" in published_csv.content.decode("utf-8-sig")


def test_only_statistics_officers_and_the_secretariat_publish(
    user_client, django_capture_on_commit_callbacks
):
    client = user_client("task_force_officer", "KHM")
    _run(
        client,
        django_capture_on_commit_callbacks,
        title="tf",
        kind="mse",
        source="reference:uk2013-5",
    )
    analysis = Analysis.objects.get(title="tf")
    assert client.post(f"/analytics/{analysis.pk}/publish/").status_code == 403
    analysis.refresh_from_db()
    assert not analysis.published


def test_protect_table_one_origin_keeps_large_cells_and_hides_small_margins():
    from matis.analytics.disclosure import protect_table

    # Reported: every cell came back "<11" (40 and 25 too) and the Total row exact.
    table = {"name": "m", "columns": ["origin", "THA", "VNM", "CHN"], "rows": [["KHM", 40, 3, 25]]}
    out = protect_table(table, kind="flows", threshold=11)
    rows = {row[0]: row[1:] for row in out["rows"]}
    assert out["columns"] == ["origin", "THA", "VNM", "CHN", "Total"]
    assert rows["KHM"] == [40, "<11", "x", 68]
    assert rows["Total"] == [40, "<11", "x", 68]  # the column totals hide the same
    # a margin under the threshold is not published either
    small = {
        "name": "m",
        "columns": ["origin", "THA", "VNM"],
        "rows": [["KHM", 2, 1], ["LAO", 30, 40]],
    }
    rows = {row[0]: row[1:] for row in protect_table(small, kind="flows", threshold=11)["rows"]}
    assert rows["KHM"][2] == "<11"
    with pytest.raises(ValueError, match="threshold"):
        protect_table(table, kind="flows", threshold=2.5)


def test_publishing_by_controlled_rounding_keeps_every_cell_and_the_totals(
    analyst, django_capture_on_commit_callbacks
):
    from matis.analytics.models import Dataset

    # Routes with 3, 30 and 41 cases, rounded to multiples of 5: the 3 becomes 0 or 5
    # (never shown as 3), the 30 stays, the 41 becomes 40 or 45, and the rounded routes
    # add up to the rounded total (74 -> 70 or 75)
    rows = "origin,destination\n" + "KHM,THA\n" * 3 + "LAO,THA\n" * 30 + "MMR,THA\n" * 41
    _upload(analyst, "routes to round", rows)
    dataset = Dataset.objects.get()
    _run(
        analyst,
        django_capture_on_commit_callbacks,
        title="round me",
        kind="flows",
        source=f"dataset:{dataset.pk}",
        flows__origin="origin",
        flows__destination="destination",
    )
    analysis = Analysis.objects.get(title="round me")
    response = analyst.post(f"/analytics/{analysis.pk}/publish/", {"method": "round"})
    assert response.status_code == 302
    analysis.refresh_from_db()
    routes_table = analysis.published_tables[0]
    assert routes_table["rounded_to"] == 5
    n = routes_table["columns"].index("n_cases")
    routes = {row[0]: row[n] for row in routes_table["rows"]}
    assert routes["KHM"] in (0, 5) and routes["LAO"] == 30 and routes["MMR"] in (40, 45)
    assert routes["Total"] in (70, 75)
    assert routes["KHM"] + routes["LAO"] + routes["MMR"] == routes["Total"]
    matrix = analysis.published_tables[1]
    cells = [v for row in matrix["rows"] for v in row[1:]]
    assert all(isinstance(v, int) and v % 5 == 0 for v in cells)
    assert 3 not in cells and 41 not in cells and 74 not in cells
    log = AuditLog.objects.filter(
        action=AuditAction.STATUS_CHANGE, object_id=str(analysis.pk)
    ).latest("pk")
    assert "round" in str(log.detail)
    page = analyst.get(f"/analytics/{analysis.pk}/").content.decode()
    assert 'data-rounded="5"' in page and "rounded to a multiple of 5" in page
    # an unknown method is refused and nothing is published
    other = Analysis.objects.get(title="round me")
    other.published, other.published_tables = False, []
    other.save()
    analyst.post(f"/analytics/{other.pk}/publish/", {"method": "perturb"})
    other.refresh_from_db()
    assert not other.published and other.published_tables == []


def test_protect_table_rounds_a_matrix_with_its_margins():
    from matis.analytics.disclosure import protect_table

    table = {"name": "m", "columns": ["origin", "THA", "VNM"], "rows": [["KHM", 3, 22], ["LAO", 31, 7]]}  # fmt: skip
    out = protect_table(table, kind="flows", method="round", base=5)
    assert out["rounded_to"] == 5
    rows = {row[0]: row[1:] for row in out["rows"]}
    assert out["columns"] == ["origin", "THA", "VNM", "Total"]
    for label, (a, b, total) in rows.items():
        assert a % 5 == b % 5 == total % 5 == 0 and a + b == total, label
    true = {"KHM": [3, 22, 25], "LAO": [31, 7, 38], "Total": [34, 29, 63]}
    for label, values in true.items():
        assert all(abs(r - t) < 5 for r, t in zip(rows[label], values, strict=True))
    with pytest.raises(ValueError, match="method"):
        protect_table(table, kind="flows", method="perturb")
