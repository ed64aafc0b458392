"""The annual monitoring report: content, languages, PDF text, background rendering, access."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from matis.access.models import AuditAction, AuditLog
from matis.monitoring.models import ActivityReport
from matis.monitoring.test_factories import build_scenario
from matis.plans.models import Activity, Plan
from matis.reports.builder import build_report
from matis.reports.models import AnnualReport
from matis.reports.render import render_html
from matis.reports.services import annual_report_render, annual_report_request

pytestmark = pytest.mark.django_db
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


def spa3() -> Plan:
    return Plan.objects.get(code="SPA3")


def section_anchors(content) -> list[str]:
    return [s.anchor for s in content.sections]


def test_final_year_adds_end_of_plan_and_impact_sections(scenario):
    final = build_report(plan=spa3(), year=2013)
    middle = build_report(plan=spa3(), year=2012)
    assert final.is_final_year and not middle.is_final_year
    assert {"end-of-plan", "impact"} <= set(section_anchors(final))
    assert not {"end-of-plan", "impact"} & set(section_anchors(middle))
    for content in (final, middle):
        assert section_anchors(content)[:8] == [
            "areas",
            "countries",
            "priority",
            "budget",
            "indicators",
            "statistics",
            "maps",
            "npa",
        ]


def test_report_budget_totals_equal_the_sum_of_their_parts(scenario):
    content = build_report(plan=spa3(), year=2013)
    budget = next(s for s in content.sections if s.anchor == "budget")
    by_country = budget.tables[0].rows
    *countries, total = by_country
    for column in ("allocation", "spending", "partner"):
        assert total[column] == sum(r[column] for r in countries)
    by_area = [r for r in budget.tables[1].rows if r["year"] == 2013]
    assert sum(r["spending"] for r in by_area) == total["spending"]
    areas = next(s for s in content.sections if s.anchor == "areas").tables[0].rows
    assert sum(r["spending"] for r in areas) == total["spending"]


def test_end_of_plan_counts_each_activity_once_by_its_last_approved_status(db):
    build_scenario(countries=("THA",), activities=3, years=(2011, 2012, 2013))
    ActivityReport.objects.filter(period__year=2013).update(progress="in_progress")
    ActivityReport.objects.filter(period__year=2012).update(progress="completed")
    ActivityReport.objects.filter(period__year=2013, activity__code="P&C1").update(
        progress="completed"
    )
    content = build_report(plan=spa3(), year=2013, country_id="THA")
    row = next(s for s in content.sections if s.anchor == "end-of-plan").tables[0].rows[0]
    assert row["completed"] == 1  # the 2013 status is the last word, not the best year


def test_building_the_report_takes_the_same_queries_whatever_the_size(db):
    build_scenario(countries=("THA",), activities=1, years=(2011, 2012, 2013), seed=3)
    with CaptureQueriesContext(connection) as small:
        build_report(plan=spa3(), year=2013)
    ActivityReport.objects.all().delete()
    build_scenario(
        countries=("THA", "KHM", "LAO", "MMR", "VNM", "CHN"),
        activities=30,
        years=(2011, 2012, 2013),
        seed=4,
    )
    with CaptureQueriesContext(connection) as big:
        build_report(plan=spa3(), year=2013)
    assert len(big) == len(small)


def test_english_and_thai_reports(scenario):
    with translation.override("en"):
        english = render_html(build_report(plan=spa3(), year=2013), language="en", for_web=True)
    with translation.override("th"):
        thai = render_html(build_report(plan=spa3(), year=2013), language="th", for_web=True)
    assert "Annual monitoring report 2013" in english and "2556" not in english
    assert (
        '<html lang="th" data-document="annual-report">' in thai
        and "2556" in thai
        and "2554–2556" in thai
    )
    title = Activity.objects.get(code="PRO1").title_th
    assert title in thai and title not in english


def normalise(text: str) -> str:
    """NFKC without white space (line breaks and wraps in the PDF differ from the source)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def skeleton(text: str) -> str:
    """Without tone marks and nikhahit, which WeasyPrint's text layer can drop (see docs)."""
    return re.sub("[\u0e48-\u0e4b\u0e4d]", "", normalise(text))


@needs_poppler
def test_thai_pdf_text_has_thai_activity_titles_and_buddhist_era_years(scenario):
    report = annual_report_request(actor=None, year=2013, language="th", enqueue=False)
    report = annual_report_render(report_id=report.pk)
    text = subprocess.run(
        ["pdftotext", "-raw", report.pdf_file.path, "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "2556" in text and "2554–2556" in normalise(text)
    assert not re.search(r"\b2013\b", text)  # years are Buddhist Era throughout
    titles = list(Activity.objects.values_list("code", "title_th"))
    assert len(titles) == 30
    missing = [code for code, title in titles if skeleton(title) not in skeleton(text)]
    assert missing == []
    exact = [code for code, title in titles if normalise(title) in normalise(text)]
    assert len(exact) >= 27, exact
    assert "การสนับสนุนแผนปฏิบัติการระดับชาติ" in text  # P&C1, as typed
    assert report.pages >= 10


def test_rendering_in_the_background_records_progress(
    client, secretariat, scenario, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/", {"year": 2012, "report_language": "en", "country": ""})
    report = AnnualReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert (report.status, report.percent, report.pages > 5) == ("done", 100, True)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'data-status="done"' in page and "data-progress-url" not in page
    pdf = client.get(f"/reports/{report.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    html = b"".join(client.get(f"/reports/{report.pk}/html/").streaming_content).decode()
    assert "Annual monitoring report 2012" in html and "end-of-plan" not in html
    assert AuditLog.objects.filter(action=AuditAction.REPORT_RENDER).count() == 1
    assert AuditLog.objects.filter(action=AuditAction.FILE_DOWNLOAD).count() == 2


def test_waiting_report_page_polls(client, secretariat, scenario):
    report = annual_report_request(actor=secretariat, year=2013, language="en", enqueue=False)
    client.force_login(secretariat)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert f'data-progress-url="/reports/{report.pk}/progress/"' in page
    assert 'data-status="queued"' in page
    assert client.get(f"/reports/{report.pk}/progress/").json() == {
        "progress": 0.0,
        "status": "queued",
        "status_label": "Waiting",
        "phase": "",
        "done": 0,
        "total": 0,
        "message": "Waiting for the background worker to start.",
        "finished": False,
    }
    assert client.get(f"/reports/{report.pk}/pdf/")["Location"] == f"/reports/{report.pk}/"


def test_who_reads_which_report(client, make_user, secretariat, scenario):
    tfo = make_user(role="task_force_officer", country="THA")
    tfo_khm = make_user(role="task_force_officer", country="KHM")
    regional = annual_report_request(actor=secretariat, year=2011, language="en", enqueue=False)
    national = annual_report_request(
        actor=tfo, year=2011, language="th", country_id="THA", enqueue=False
    )
    client.force_login(tfo_khm)
    assert client.get(f"/reports/{national.pk}/").status_code == 404
    assert client.get(f"/reports/{regional.pk}/").status_code == 404  # not yet published
    annual_report_render(report_id=regional.pk)
    client.force_login(secretariat)
    client.post(f"/reports/{regional.pk}/publish/")
    client.force_login(tfo_khm)
    assert client.get(f"/reports/{regional.pk}/").status_code == 200
    assert (
        client.post(
            "/reports/", {"year": 2011, "report_language": "en", "country": "THA"}
        ).status_code
        == 200
    )  # form error: KHM may prepare only its own
    assert not AnnualReport.objects.filter(country_id="THA", requested_by=tfo_khm).exists()
    client.force_login(make_user(role="case_worker", country="THA"))
    assert client.post("/reports/", {"year": 2011, "report_language": "en"}).status_code == 403


def test_a_failed_rendering_is_recorded(monkeypatch, scenario):
    report = annual_report_request(actor=None, year=2013, language="en", enqueue=False)

    def broken(**kwargs):
        raise RuntimeError("layout failed")

    monkeypatch.setattr("matis.reports.services.build_report", broken)
    with pytest.raises(RuntimeError):
        annual_report_render(report_id=report.pk)
    report.refresh_from_db()
    assert (report.status, report.error) == ("failed", "RuntimeError")


def test_synthetic_data_is_labelled_on_the_report(scenario):
    ActivityReport.objects.filter(country_id="THA").update(synthetic=True)
    html = render_html(build_report(plan=spa3(), year=2013), language="en", for_web=False)
    assert "data-synthetic" in html
