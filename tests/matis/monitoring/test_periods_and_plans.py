"""Reporting periods and exchange rates (secretariat) and national plans of action."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from matis.access.models import AuditAction, AuditLog
from matis.monitoring.models import ActivityReport, ExchangeRate, NationalPlan
from matis.monitoring.services import (
    exchange_rate_set,
    national_plan_save,
    period_close,
    period_create,
    period_reopen,
)
from matis.plans.models import Plan

pytestmark = pytest.mark.django_db


def test_creating_a_period_prepares_a_draft_report_per_country_and_activity(secretariat):
    period = period_create(
        actor=secretariat,
        plan=Plan.objects.get(code="SPA3"),
        year=2012,
        opens_on=dt.date(2012, 10, 1),
        closes_on=dt.date(2013, 3, 31),
    )
    assert ActivityReport.objects.filter(period=period, workflow="draft").count() == 6 * 30
    period_close(actor=secretariat, period=period)
    period.refresh_from_db()
    assert period.is_locked and not period.accepts_country_edits(dt.date(2013, 1, 1))
    period_reopen(actor=secretariat, period=period)
    actions = list(
        AuditLog.objects.filter(object_type="monitoring.reportingperiod")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.RECORD_CREATE, AuditAction.LOCK, AuditAction.UNLOCK]


def test_only_the_secretariat_manages_periods_and_rates(tfo, client):
    with pytest.raises(PermissionDenied):
        period_create(
            actor=tfo,
            plan=Plan.objects.get(code="SPA3"),
            year=2013,
            opens_on=dt.date(2013, 1, 1),
            closes_on=dt.date(2013, 12, 31),
        )
    with pytest.raises(PermissionDenied):
        exchange_rate_set(actor=tfo, currency="THB", year=2011, units_per_usd=Decimal(30))
    client.force_login(tfo)
    assert (
        client.post("/monitoring/periods/", {"action": "create", "year": 2013}).status_code == 403
    )
    assert client.post("/monitoring/rates/", {"currency": "THB"}).status_code == 403


def test_period_outside_the_plan_is_refused(client, secretariat):
    client.force_login(secretariat)
    response = client.post(
        "/monitoring/periods/",
        {"action": "create", "year": 2015, "opens_on": "2015-01-01", "closes_on": "2015-12-31"},
    )
    assert response.status_code == 200
    assert not ActivityReport.objects.exists()


def test_exchange_rates_are_kept_and_audited(client, secretariat):
    client.force_login(secretariat)
    client.post(
        "/monitoring/rates/",
        {"currency": "thb", "year": 2011, "units_per_usd": "30.49", "source": "central bank"},
    )
    rate = ExchangeRate.objects.get()
    assert (rate.currency, rate.units_per_usd) == ("THB", Decimal("30.49"))
    exchange_rate_set(
        actor=secretariat,
        currency="THB",
        year=2011,
        units_per_usd=Decimal("30.49"),
        source="central bank",
    )
    assert AuditLog.objects.filter(object_type="monitoring.exchangerate").count() == 1
    exchange_rate_set(
        actor=secretariat, currency="THB", year=2011, units_per_usd=Decimal("31.2"), source=""
    )
    event = AuditLog.objects.filter(object_type="monitoring.exchangerate").latest("id")
    assert event.action == AuditAction.RECORD_UPDATE
    assert event.changes == {
        "units_per_usd": ["30.490000", "31.2"],
        "source": ["central bank", ""],
    }
    response = client.post(
        "/monitoring/rates/", {"currency": "ABC", "year": 2011, "units_per_usd": "1"}
    )
    assert "ISO 4217" in response.content.decode()


def test_national_plan_is_kept_by_its_country(client, tfo, tfo_khm):
    client.force_login(tfo)
    response = client.post(
        "/monitoring/npa/new/",
        {
            "title": "แผนปฏิบัติการ",
            "title_en": "National plan",
            "start_year": 2011,
            "end_year": 2015,
            "adopted_on": "2011-03-01",
            "subnational_committees": 12,
            "monitoring_system": "on",
            "budgets-TOTAL_FORMS": 2,
            "budgets-INITIAL_FORMS": 0,
            "budgets-0-year": 2011,
            "budgets-0-amount": "1000000",
            "budgets-0-currency": "thb",
            "budgets-1-year": "",
            "budgets-1-amount": "",
            "budgets-1-currency": "",
        },
    )
    plan = NationalPlan.objects.get()
    assert response.status_code == 302 and plan.country_id == "THA"
    assert list(plan.budgets.values_list("year", "currency")) == [(2011, "THB")]
    client.force_login(tfo_khm)
    assert client.get(f"/monitoring/npa/{plan.pk}/").status_code == 404
    assert client.post(f"/monitoring/npa/{plan.pk}/edit/", {"title": "x"}).status_code == 404
    with pytest.raises(PermissionDenied):
        national_plan_save(actor=tfo_khm, country_id="THA", plan=plan, fields={"title": "x"})
    assert "แผนปฏิบัติการ" not in client.get("/monitoring/npa/").content.decode()
    national_plan_save(
        actor=tfo,
        country_id="THA",
        plan=plan,
        fields={"title": "แผนใหม่"},
        budgets=[(2011, Decimal("2000000"), "THB")],
    )
    event = AuditLog.objects.filter(action=AuditAction.RECORD_UPDATE, object_id=plan.pk).latest(
        "id"
    )
    assert event.changes["title"] == ["แผนปฏิบัติการ", "แผนใหม่"]
    assert event.changes["budget 2011"][1] == "2000000 THB"
