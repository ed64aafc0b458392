"""Approved activity reports sent to the hub feed the regional annual report; missing and late."""

from __future__ import annotations

import datetime as dt

import pytest

from matis.exchange.consolidate import (
    ReportingState,
    consolidate_all,
    missing_or_late,
    reporting_status,
)
from matis.exchange.models import Consolidation, ConsolidationStatus, InboxItem
from matis.exchange.services import outbox_push


def _approve(report, officer, secretariat):
    from matis.monitoring.models import Workflow
    from matis.monitoring.services.reports import activity_report_transition

    activity_report_transition(actor=officer, report=report, target=Workflow.SUBMITTED)
    activity_report_transition(
        actor=secretariat, report=report, target=Workflow.REVIEWED, comment="ok"
    )
    return activity_report_transition(actor=secretariat, report=report, target=Workflow.APPROVED)


@pytest.fixture
def revised_report(make_user, local_transports):
    """THA approves a report "in progress" and pushes it; then reopens, completes, pushes."""
    from matis.monitoring.models import ProgressStatus, Workflow
    from matis.monitoring.services.reports import activity_report_transition
    from matis.monitoring.test_factories import _report

    report = _report("THA", "synthetic-consolidation")
    report.progress = ProgressStatus.IN_PROGRESS
    report.save(update_fields=["progress"])
    officer = make_user(role="task_force_officer", country="THA")
    secretariat = make_user(role="secretariat_analyst", country=None)
    _approve(report, officer, secretariat)
    assert outbox_push(transport_factory=local_transports).sent == 1
    activity_report_transition(
        actor=secretariat, report=report, target=Workflow.DRAFT, comment="completed since"
    )
    report.refresh_from_db()
    report.progress = ProgressStatus.COMPLETED
    report.save(update_fields=["progress"])
    _approve(report, officer, secretariat)
    assert outbox_push(transport_factory=local_transports).sent == 1
    return report


def _regional_report(report):
    from matis.reports.builder import build_report

    content = build_report(plan=report.period.plan, year=report.period.year)
    return next(s for s in content.sections if s.anchor == "received")


@pytest.mark.django_db
def test_a_revised_report_replaces_the_earlier_one_in_the_regional_report(revised_report, settings):
    from matis.monitoring.dashboards import load_monitoring_data
    from matis.monitoring.models import ActivityReport, ProgressStatus

    v1, v2 = Consolidation.objects.order_by("pk")
    assert (v1.status, v2.status, v1.replaced_by) == ("replaced", "current", v2)
    ref = f"monitoring_report/{revised_report.activity.code}/{revised_report.period.year}"
    assert v2.reference == ref and v2.report == revised_report

    # a separate regional hub: only what it received
    settings.MATIS_ROLE = "regional"
    Consolidation.objects.update(replaced_by=None)
    Consolidation.objects.all().delete()
    ActivityReport.objects.filter(pk=revised_report.pk).delete()
    assert consolidate_all().counts == {
        ConsolidationStatus.OUTDATED: 1,
        ConsolidationStatus.CURRENT: 1,
    }
    hub_copy = ActivityReport.objects.get(country_id="THA", activity=revised_report.activity)
    assert hub_copy.progress == ProgressStatus.COMPLETED and hub_copy.workflow == "approved"
    assert hub_copy.narrative == "Narrative synthetic-consolidation"
    period = revised_report.period
    data = load_monitoring_data(period.plan, years=[period.year])
    assert data.status[("THA", revised_report.activity_id, period.year)] == "completed"
    assert (
        Consolidation.objects.get(status="outdated").inbox_item.payload["progress"]
        == ProgressStatus.IN_PROGRESS
    )  # the earlier version is kept as received, never applied

    section = _regional_report(revised_report)
    [row] = [r for r in section.tables[0].rows if r["country"] == "Thailand"]
    assert row["reports"] == "Received on time" and row["reports_received"].startswith("1 of ")


@pytest.mark.django_db
def test_missing_and_late_countries_per_reporting_year(revised_report, country_keys):
    from matis.official_statistics.io.writers import observations_sdmx_lines
    from matis.official_statistics.models import StatisticalIndicator

    period = revised_report.period
    year = period.year
    indicator = StatisticalIndicator.objects.order_by("pk").first()
    row = (indicator.pk, "KHM", year, "", 7.0, None, False, False, False, "synthetic")
    # THA's report arrived; KHM's statistics arrived after the deadline; nobody else sent anything
    InboxItem.objects.create(
        country_id="KHM",
        kind="statistics",
        idempotency_key="KHM:statistics:7:late",
        payload={
            "year": year,
            "approved_at": None,
            "sdmx_csv": "".join(observations_sdmx_lines([row])),
        },
        payload_digest="0" * 64,
        key_id=country_keys["KHM"].key_id,
    )
    assert consolidate_all().counts == {ConsolidationStatus.CURRENT: 1}
    deadline = dt.date.today() - dt.timedelta(days=1)
    period.closes_on = deadline
    period.opens_on = deadline - dt.timedelta(days=60)
    period.save()
    before = {(r.country_id, r.kind): r.state for r in reporting_status(year=year)}
    assert before[("KHM", "statistics")] == ReportingState.LATE  # received today, due yesterday
    assert before[("THA", "monitoring_report")] == ReportingState.LATE
    assert before[("THA", "statistics")] == ReportingState.MISSING
    assert before[("LAO", "monitoring_report")] == ReportingState.MISSING
    assert set(missing_or_late(year=year)["missing"]) == {"THA", "KHM", "LAO", "MMR", "VNM", "CHN"}
    assert sorted(missing_or_late(year=year)["late"]) == ["KHM", "THA"]

    # before the deadline nothing is missing yet, and what arrived is on time
    period.closes_on = dt.date.today() + dt.timedelta(days=10)
    period.save()
    after = {(r.country_id, r.kind): r.state for r in reporting_status(year=year)}
    assert after[("THA", "monitoring_report")] == ReportingState.ON_TIME
    assert after[("LAO", "statistics")] == ReportingState.NOT_DUE
    assert missing_or_late(year=year) == {"missing": [], "late": []}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "th", "km", "lo", "my", "zh-hans", "vi"])
def test_the_missing_and_late_page_in_every_language(revised_report, user_client, language):
    from django.urls import reverse
    from django.utils import translation

    from matis.exchange.consolidate import reporting_state_labels

    client = user_client("secretariat_analyst", None)
    page = client.get(
        reverse("exchange:consolidation"),
        {"year": revised_report.period.year},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert page.status_code == 200
    with translation.override(language):
        label = reporting_state_labels()[ReportingState.ON_TIME]
        if language != "en":
            assert label != "Received on time"
    assert label in page.content.decode()


@pytest.mark.django_db
def test_the_hub_monitoring_dashboard_shows_who_sent_their_reports(revised_report, user_client):
    from django.urls import reverse

    client = user_client("secretariat_analyst", None)
    page = client.get(reverse("monitoring:dashboard"), {"year": revised_report.period.year})
    assert page.status_code == 200
    rows = page.context["received"].rows
    assert len(rows) == 6  # the six COMMIT governments
    sent = {r["country"]: r["reports_received"].split()[0] for r in rows}
    assert sent.pop("Thailand") == "1" and set(sent.values()) == {"0"}
    assert "Every version received" in page.content.decode()


@pytest.mark.django_db
def test_the_regional_report_renders_the_received_section_in_thai(revised_report):
    from django.utils import translation

    from matis.reports.builder import build_report
    from matis.reports.render import render_html

    with translation.override("th"):
        content = build_report(plan=revised_report.period.plan, year=revised_report.period.year)
        html = render_html(content, language="th", for_web=False)
    assert 'data-table="received"' in html
    assert "ข้อมูลที่ได้รับจากรัฐบาล" in html  # "Data received from the governments"
    assert "ได้รับตรงเวลา" in html  # THA's report: "Received on time"
