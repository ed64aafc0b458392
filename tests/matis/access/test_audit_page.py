"""The audit page: readable, translated object descriptions and filters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from matis.access.audit import audit_record
from matis.access.models import AuditAction, AuditLog
from matis.plans.models import Plan
from matis.reports.models import AnnualReport

pytestmark = pytest.mark.django_db


def rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1]
    return re.findall(r'<td data-object="[^"]*">([^<]*)', body)


def at(event: AuditLog, day: dt.date) -> None:
    stamp = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
    AuditLog.objects.filter(pk=event.pk).update(at=stamp)


@pytest.fixture
def events(make_user):
    analyst = make_user(role="secretariat_analyst", country=None)
    officer = make_user(role="task_force_officer", country="KHM")
    plan = Plan.objects.get(code="SPA3")
    report = AnnualReport.objects.create(plan=plan, year=2013, language="th")
    national = AnnualReport.objects.create(plan=plan, year=2012, language="en", country_id="KHM")
    made = {
        "report": audit_record(actor=analyst, action=AuditAction.RECORD_CREATE, obj=report),
        "national": audit_record(actor=officer, action=AuditAction.RECORD_CREATE, obj=national),
        "user": audit_record(actor=analyst, action=AuditAction.RECORD_UPDATE, obj=officer),
    }
    at(made["report"], dt.date(2014, 2, 10))
    at(made["national"], dt.date(2014, 3, 5))
    at(made["user"], dt.date(2014, 4, 1))
    return made, analyst, officer


def test_objects_are_described_by_type_and_identifier_never_by_name(client, make_user, events):
    _made, _analyst, officer = events
    auditor = make_user(role="auditor", country=None)
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    shown = rows(page)
    assert "Annual monitoring report 2013 · Region · th" in shown
    assert "Annual monitoring report 2012 · Cambodia · en" in shown
    assert f"User #{officer.pk}" in shown
    assert "reports.annualreport" not in "".join(shown)
    assert officer.full_name not in "".join(shown)
    client.cookies["matis_language"] = "th"
    thai = rows(client.get("/audit/").content.decode())
    assert any(r.startswith("รายงานการติดตามผลประจำปี 2556") for r in thai), thai


def test_filters_by_user_object_type_country_and_dates_in_the_thai_calendar(
    client, make_user, events
):
    _made, analyst, officer = events
    auditor = make_user(role="auditor", country=None)
    client.force_login(auditor)

    def shown(**params):
        return rows(client.get("/audit/", params).content.decode())

    assert len(shown(actor=analyst.pk)) == 2
    assert shown(actor=officer.pk) == ["Annual monitoring report 2012 · Cambodia · en"]
    assert len(shown(object_type="reports.annualreport")) == 2
    assert shown(object_type="access.user") == [f"User #{officer.pk}"]
    # the officer's account and the Cambodian report are Cambodia's events
    assert sorted(shown(country="KHM")) == [
        "Annual monitoring report 2012 · Cambodia · en",
        f"User #{officer.pk}",
    ]
    assert shown(date_from="01/03/2014", date_to="31/03/2014") == [
        "Annual monitoring report 2012 · Cambodia · en"
    ]
    assert len(shown(date_from="2014-03-01", date_to="2014-12-31")) == 2  # ISO dates too
    client.cookies["matis_language"] = "th"
    page = client.get("/audit/", {"date_from": "01/03/2557", "date_to": "05/03/2557"})
    assert len(rows(page.content.decode())) == 1
    # the filter offers the object types and countries by their translated names
    html = page.content.decode()
    assert 'value="reports.annualreport"' in html and "กัมพูชา" in html
    assert 'value="05/03/2557"' in html
    client.cookies["matis_language"] = "en"
    refused = client.get("/audit/", {"date_from": "05/03/2014", "date_to": "01/03/2014"})
    assert "The end date is before the start date." in refused.content.decode()
