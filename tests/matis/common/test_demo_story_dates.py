"""The demo tells the same story whatever day it is built: its dates ignore the clock.

The access, plan, cases, intake and monitoring demo parts (and the statistics years
that the places part computes from the demo cases) are built twice, under two frozen
clocks years apart, each time in a savepoint rolled back afterwards; the story dates
must be the same both times and lie where matis.common.demo says.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from matis.common.demo import DEMO_PLAN_YEARS, DEMO_TODAY

pytestmark = pytest.mark.django_db

COUNTRY = ("THA",)
CLOCKS = (
    dt.datetime(2026, 3, 10, 8, 30, tzinfo=dt.UTC),
    dt.datetime(2031, 11, 20, 17, 45, tzinfo=dt.UTC),
)


def _build_and_read() -> dict:
    from matis.access.demo import load_demo as load_access
    from matis.cases.demo import load_demo as load_cases
    from matis.cases.models import Case
    from matis.intake.demo import load_demo as load_intake
    from matis.intake.models import Tip
    from matis.monitoring.demo import load_demo as load_monitoring
    from matis.monitoring.models import ActivityReport, ReportingPeriod
    from matis.official_statistics.demo_places import demo_record_years
    from matis.plans.loader import load_registry_for_demo

    load_access(countries=COUNTRY)
    load_registry_for_demo()
    load_cases(300, countries=COUNTRY)
    load_intake(countries=COUNTRY)
    load_monitoring(countries=COUNTRY)
    reports = ActivityReport.objects.filter(synthetic=True)
    return {
        "cases": list(
            Case.objects.order_by("reference").values_list("reference", "opened_on", "closed_on")
        ),
        "tips": list(
            Tip.objects.order_by("reference").values_list(
                "reference", "received_at", "referred_on", "triage_notes"
            )
        ),
        "periods": list(
            ReportingPeriod.objects.order_by("year").values_list(
                "year", "opens_on", "closes_on", "closed_at"
            )
        ),
        "reports": list(
            reports.order_by("pk").values_list("period__year", "submitted_at", "approved_at")
        ),
        "statistics_years": demo_record_years("THA"),
    }


def _built_at(clock: dt.datetime) -> dict:
    with mock.patch("django.utils.timezone.now", return_value=clock):
        assert timezone.localdate().year == clock.year  # the clock is frozen
        with transaction.atomic():
            story = _build_and_read()
            transaction.set_rollback(True)
    return story


def test_the_demo_dates_are_the_same_whatever_the_clock():
    first, second = (_built_at(clock) for clock in CLOCKS)
    assert first["cases"] and first["tips"] and first["reports"]
    assert first == second

    # The plan's story: reporting rounds of 2011-2013, the last closing on 31 March 2014;
    # 2011 and 2012 closed (in April 2012 and 2013), 2013 past its date but not closed.
    periods = {year: (opens, closes, closed) for year, opens, closes, closed in first["periods"]}
    assert tuple(periods) == DEMO_PLAN_YEARS == (2011, 2012, 2013)
    for year, (opens, closes, closed) in periods.items():
        assert (opens, closes) == (dt.date(year, 10, 1), dt.date(year + 1, 3, 31))
        if year < 2013:
            assert timezone.localdate(closed) == dt.date(year + 1, 4, 15)
    assert periods[2013][2] is None
    for year, submitted, approved in first["reports"]:
        for moment in (submitted, approved):
            assert moment is None or year < moment.year <= year + 1 <= 2014

    # Records of people and events: in the years before the demo's "today".
    opened = [day for _ref, day, _closed in first["cases"]]
    assert DEMO_TODAY - dt.timedelta(days=7 * 365) <= min(opened)
    assert max(opened) <= DEMO_TODAY - dt.timedelta(days=30)
    for reference, received, referred, notes in first["tips"]:
        day = timezone.localdate(received)
        assert DEMO_TODAY - dt.timedelta(days=60) <= day < DEMO_TODAY, reference
        assert reference.startswith(f"TIP-THA-{day.year}-")
        assert referred is None or day < referred <= DEMO_TODAY
        assert all(str(clock.year) not in notes for clock in CLOCKS), notes
    assert first["statistics_years"]
    assert max(first["statistics_years"]) < DEMO_TODAY.year
