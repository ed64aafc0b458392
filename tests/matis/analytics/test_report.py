"""Readable results (issue 17): each analysis page is a short report in the reader's language,
exportable as a PDF that is audited, disclosure-protected and access-gated like the page."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from matis.access.models import AuditAction, AuditLog
from matis.analytics.models import Analysis, Dataset
from matis.common.jobs import JobStatus

pytestmark = pytest.mark.django_db

SECTIONS = ("data-report-headline", "data-report-figure", "data-report-data")
CODES = ("sparse_stepwise", "aic_stepwise", "main_effects", "newey_west", ">bca<", ">lcmcr<")


@pytest.fixture
def analyst(user_client):
    return user_client("secretariat_analyst", None)


def _thai(client):
    client.user.preferred_language = "th"
    client.user.save(update_fields=["preferred_language"])
    client.cookies["matis_language"] = "th"
    return client


def _run(client, capture, title, kind, source, **params):
    with capture(execute=True):
        response = client.post(
            "/analytics/new/", {"title": title, "kind": kind, "source": source, **params}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    analysis = Analysis.objects.get(title=title)
    assert analysis.status == JobStatus.DONE, analysis.error
    return analysis


def _dataset(client, frame: pd.DataFrame) -> str:
    client.post(
        "/analytics/data/upload/",
        {
            "name": "synthetic",
            "file": SimpleUploadedFile("d.csv", frame.to_csv(index=False).encode()),
        },
    )
    return f"dataset:{Dataset.objects.latest('created_at').pk}"


def _pdf_text(data: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    return subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def _figure(page: str) -> str:
    start = page.index("data-estimate-figure")
    return page[start : page.index("</table>", start)]


def _headers(page: str) -> list[str]:
    return re.findall(r"<th[^>]*>([^<]*)</th>", page)


def _assert_report(page: str, *extra_sections: str) -> None:
    for marker in (*SECTIONS, *extra_sections):
        assert marker in page, marker
    # no console dump, no raw JSON
    assert "<pre" not in page
    assert '"population_estimate"' not in page and '"parameters":' not in page
    assert "tipstats_version" not in page and "n_cases" not in _headers(page)


def test_mse_report_in_thai_has_every_section_and_no_codes(
    analyst, django_capture_on_commit_callbacks
):
    analysis = _run(
        analyst,
        django_capture_on_commit_callbacks,
        "UK 2013",
        "mse",
        "reference:uk2013-5",
        mse__method="aic_stepwise",
    )
    page = analyst.get(f"/analytics/{analysis.pk}/").content.decode()
    _assert_report(
        page, "data-report-explanation", "data-report-diagnostics", "data-report-comparison"
    )
    assert "11,313" in page  # the estimate, grouped
    # every method side by side, the estimate figure with a dot and an interval for each
    figure = _figure(page)
    assert figure.count("data-estimate ") >= 3 and figure.count("data-interval") >= 3
    assert "AIC stepwise log-linear (UK Home Office 2014)" in page

    thai = _thai(analyst).get(f"/analytics/{analysis.pk}/").content.decode()
    _assert_report(thai, "data-report-comparison")
    for code in CODES:
        assert code not in thai, code
    headers = _headers(thai)
    assert "วิธีการ" in headers, headers  # "Method"
    assert all(not re.fullmatch(r"[a-z_]+", h) for h in headers), headers
    assert "แบบจำลองที่เลือก" in thai  # "The selected model, in words"
    # the method options of the form are translated labels, not codes
    form = analyst.get("/analytics/new/").content.decode()
    for code in ("sparse_stepwise", "aic_stepwise", "bca", "newey_west"):
        assert f">{code}<" not in form
    assert "ล็อกลิเนียร์แบบขั้นตอนสำหรับข้อมูลเบาบาง (SparseMSE)" in form
    assert "บูตสแตรป (BCa)" in form and "นิวอี-เวสต์ (Newey-West)" in form


def test_its_report(analyst, django_capture_on_commit_callbacks):
    rng = np.random.default_rng(3)
    years = np.arange(2003, 2023)
    victims = 50 + 3 * (years - 2003) + np.where(years >= 2013, 25, 0) + rng.normal(0, 2, 20)
    source = _dataset(analyst, pd.DataFrame({"year": years, "victims": victims.round(1)}))
    analysis = _run(
        analyst,
        django_capture_on_commit_callbacks,
        "law",
        "its",
        source,
        its__time="year",
        its__outcome="victims",
        its__intervention_at="2013",
    )
    page = _thai(analyst).get(f"/analytics/{analysis.pk}/").content.decode()
    _assert_report(page, "data-report-explanation", "data-report-diagnostics", "vega-spec")
    # the level change of about 25 has an interval that excludes 0, shown in words too
    r = analysis.result
    assert r["level_change_ci_low"] > 0 and r["level_change_ci_high"] > r["level_change"]
    assert "AR(1)" in page and "ar1" not in page
    # the chart's legend is translated: no "observed"/"counterfactual" codes in its data
    spec = page[page.index("vega-spec") : page.index("</script>", page.index("vega-spec"))]
    assert '"observed"' not in spec and '"counterfactual"' not in spec
    assert '"period": 2003' in spec  # years on the axis, not row numbers


def test_before_after_report(analyst, django_capture_on_commit_callbacks):
    rng = np.random.default_rng(5)
    rows = [
        (g, p, 10 + (3 if (g == "non_government" and p == "after") else 0) + rng.normal(0, 1))
        for g in ("government", "non_government")
        for p in ("before", "after")
        for _ in range(20)
    ]
    source = _dataset(analyst, pd.DataFrame(rows, columns=["source", "period", "victims"]))
    analysis = _run(
        analyst,
        django_capture_on_commit_callbacks,
        "did",
        "before_after",
        source,
        before_after__group="source",
        before_after__period="period",
        before_after__outcome="victims",
    )
    page = _thai(analyst).get(f"/analytics/{analysis.pk}/").content.decode()
    _assert_report(page, "data-report-explanation", "data-report-diagnostics")
    assert -4 < analysis.result["difference_in_differences"] < -2  # government minus NGO


def test_risk_report(analyst, django_capture_on_commit_callbacks):
    rng = np.random.default_rng(9)
    n = 300
    group = rng.choice(["victim", "community"], n)
    debt = np.where(group == "victim", rng.random(n) < 0.6, rng.random(n) < 0.2).astype(int)
    frame = pd.DataFrame({"group": group, "debt": debt, "school": rng.integers(0, 2, n)})
    analysis = _run(
        analyst,
        django_capture_on_commit_callbacks,
        "risk",
        "risk",
        _dataset(analyst, frame),
        risk__group="group",
        risk__reference="community",
        risk__factors="debt,school",
    )
    page = _thai(analyst).get(f"/analytics/{analysis.pk}/").content.decode()
    _assert_report(page, "data-report-explanation", "data-report-diagnostics")
    assert "odds_ratio" not in _headers(page) and "อัตราส่วนออดส์" in _headers(page)
    assert _figure(page).count("data-estimate ") == 2


def test_routes_and_network_reports(analyst, django_capture_on_commit_callbacks):
    routes = pd.DataFrame(
        {"origin": ["MMR"] * 30 + ["KHM"] * 3, "destination": ["THA"] * 30 + ["MYS"] * 3}
    )
    analysis = _run(
        analyst,
        django_capture_on_commit_callbacks,
        "routes",
        "flows",
        _dataset(analyst, routes),
        flows__origin="origin",
        flows__destination="destination",
    )
    page = _thai(analyst).get(f"/analytics/{analysis.pk}/").content.decode()
    for marker in ("data-report-headline", "data-report-explanation", "data-route-charts"):
        assert marker in page
    assert "ต้นทาง" in _headers(page)  # "Origin"
    links = pd.DataFrame(
        {
            "a": ["p1", "p1", "p2", "p3"],
            "b": ["p2", "p3", "p3", "p4"],
            "evidence": ["law_enforcement", "ngo", "victim", "ngo"],
        }
    )
    network = _run(
        analyst,
        django_capture_on_commit_callbacks,
        "network",
        "network",
        _dataset(analyst, links),
        network__source_col="a",
        network__target_col="b",
        network__evidence_col="evidence",
    )
    page = analyst.get(f"/analytics/{network.pk}/").content.decode()
    assert "data-report-headline" in page and "data-report-explanation" in page
    assert "<pre" not in page and "index" not in _headers(page)


def test_pdf_export_is_audited_protected_and_gated(
    analyst, make_user, django_capture_on_commit_callbacks
):
    rows = pd.DataFrame({"origin": ["MMR"] * 40 + ["LAO"], "destination": ["THA"] * 41})
    analysis = _run(
        analyst,
        django_capture_on_commit_callbacks,
        "routes pdf",
        "flows",
        _dataset(analyst, rows),
        flows__origin="origin",
        flows__destination="destination",
    )
    url = f"/analytics/{analysis.pk}/report.pdf"
    before = AuditLog.objects.filter(action=AuditAction.EXPORT).count()
    response = analyst.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    log = AuditLog.objects.filter(action=AuditAction.EXPORT).order_by("-id").first()
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == before + 1
    assert log.object_id == str(analysis.pk)
    text = _pdf_text(response.content)
    assert "routes pdf" in text and "<11" in text  # the route of one case is protected
    assert "LAO" in text and not re.search(r"LAO\s+THA\s+1\b", text)

    # the page's own rules: another analyst gets nothing before publication...
    other = Client()
    other.force_login(make_user(role="secretariat_analyst", country=None))
    assert other.get(url).status_code == 403
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == before + 1
    # ...another country's user not even the page
    foreign = Client()
    foreign.force_login(make_user(role="statistics_officer", country="VNM"))
    assert foreign.get(url).status_code in (403, 404)
    # once published, others get the published (protected) version, audited too
    assert other.post(f"/analytics/{analysis.pk}/publish/").status_code == 302
    released = other.get(url)
    assert released.status_code == 200 and released.content.startswith(b"%PDF-")
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == before + 2
    text = _pdf_text(released.content)
    assert "<11" in text and "LAO" in text and not re.search(r"LAO\s+THA\s+1\b", text)


def test_pdf_in_thai_is_a_thai_report(analyst, django_capture_on_commit_callbacks):
    analysis = _run(
        analyst,
        django_capture_on_commit_callbacks,
        "UK 2013 th",
        "mse",
        "reference:uk2013-5",
        mse__method="main_effects",
    )
    response = _thai(analyst).get(f"/analytics/{analysis.pk}/report.pdf")
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "UK 2013 th" in text and "วิธีการ" in text


def test_logit_normal_without_an_upper_limit_is_said_in_words(analyst):
    """The logit-normal method may find no upper limit (tipstats returns infinity): the
    result stores None, never infinity, and the report says so instead of a number."""
    from matis.analytics.report import build_report
    from matis.analytics.runners import _rounded
    from matis.common.jobs import JobStatus as Status

    assert _rounded(float("inf")) is None and _rounded(float("nan")) is None
    assert _rounded(12.6) == 13
    comparison = [
        {
            "method": "logit_normal",
            "estimate": 4971,
            "ci_low": 725,
            "ci_high": None,
            "interval": "profile",
            "chosen": True,
            "error": "",
        },
        {
            "method": "main_effects",
            "estimate": 3000,
            "ci_low": 2800,
            "ci_high": 3300,
            "interval": "profile",
            "chosen": False,
            "error": "",
        },
    ]
    analysis = Analysis.objects.create(
        title="logit-normal",
        kind="mse",
        source="dataset:0",
        parameters={"method": "logit_normal", "count": "count"},
        result={
            "population_estimate": 4971.0,
            "ci_low": 725.0,
            "ci_high": None,
            "interval": "profile",
            "n_observed": 620,
            "n_unobserved_estimate": 4351.0,
            "lists": list("ABCD"),
            "method": "logit_normal",
            "comparison": comparison,
        },
        status=Status.DONE,
        created_by=analyst.user,
    )
    report = build_report(analysis)
    headline = dict((str(k), str(v)) for k, v in report.headline)
    assert "725 or more (no upper limit)" in headline.values()
    assert "Logit-normal heterogeneity" in " ".join(str(w) for w in report.explanation)


def test_the_margin_row_of_a_protected_table_is_read_in_the_readers_language():
    from django.utils import translation

    from matis.analytics.report import localise_table

    stored = {"name": "Routes", "columns": ["origin", "n"], "rows": [["MMR", 30], ["Total", 30]]}
    with translation.override("th"):
        shown = localise_table(stored)
    assert shown["rows"][-1][0] == "รวม"
    assert shown["rows"][0][0] == "MMR"
