"""Fixtures for the monitoring tests: an open period, users, a draft report."""

from __future__ import annotations

import pytest


@pytest.fixture
def period(db):
    from matis.monitoring.test_factories import open_period

    return open_period(2011)


@pytest.fixture
def secretariat(make_user):
    return make_user(role="secretariat_analyst", country=None)


@pytest.fixture
def tfo(make_user):
    return make_user(role="task_force_officer", country="THA")


@pytest.fixture
def tfo_khm(make_user):
    return make_user(role="task_force_officer", country="KHM")


@pytest.fixture
def make_report(period):
    from matis.monitoring.models import ActivityReport
    from matis.plans.models import Activity

    def make(country="THA", code="P&C1", **fields):
        fields.setdefault("narrative", "Progress described here.")
        fields.setdefault("narrative_language", "en")
        return ActivityReport.objects.create(
            country_id=country,
            activity=Activity.objects.get(code=code),
            period=fields.pop("period", period),
            **fields,
        )

    return make


@pytest.fixture
def report(make_report):
    return make_report(progress="in_progress")
