"""Reporting periods and exchange rates: kept by the secretariat."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matis.access.audit import audit_record, changes_since, snapshot
from matis.access.models import AuditAction, User
from matis.access.permissions import has_perm
from matis.common.models import COMMIT_COUNTRIES
from matis.monitoring.models import ActivityReport, ExchangeRate, ReportingPeriod
from matis.plans.models import Activity, Plan


def _require_secretariat(actor: User | None) -> None:
    if actor is not None and not has_perm(actor, "monitoring.manage_periods"):
        raise PermissionDenied(_("Only the secretariat manages reporting periods and rates."))


@transaction.atomic
def period_create(
    *,
    actor: User | None,
    plan: Plan,
    year: int,
    opens_on: dt.date,
    closes_on: dt.date,
    countries: tuple[str, ...] = COMMIT_COUNTRIES,
) -> ReportingPeriod:
    """Open a reporting period and prepare an empty draft report per country and activity."""
    _require_secretariat(actor)
    period = ReportingPeriod(plan=plan, year=year, opens_on=opens_on, closes_on=closes_on)
    period.full_clean()
    period.save()
    audit_record(actor=actor, action=AuditAction.RECORD_CREATE, obj=period, year=year)
    period_reports_ensure(period=period, countries=countries)
    return period


@transaction.atomic
def period_reports_ensure(
    *, period: ReportingPeriod, countries: tuple[str, ...] | list[str], synthetic: bool = False
) -> int:
    """Create the missing draft reports of ``countries`` for every activity; idempotent."""
    activity_ids = list(
        Activity.objects.filter(area__plan=period.plan_id).values_list("id", flat=True)
    )
    existing = set(
        ActivityReport.objects.filter(period=period, country_id__in=countries).values_list(
            "country_id", "activity_id"
        )
    )
    missing = [
        ActivityReport(country_id=c, activity_id=a, period=period, synthetic=synthetic)
        for c in countries
        for a in activity_ids
        if (c, a) not in existing
    ]
    ActivityReport.objects.bulk_create(missing)
    return len(missing)


@transaction.atomic
def period_set_dates(
    *, actor: User | None, period: ReportingPeriod, opens_on: dt.date, closes_on: dt.date
) -> ReportingPeriod:
    _require_secretariat(actor)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_locked:
        raise ValidationError(_("The period is closed; reopen it before changing its dates."))
    before = snapshot(period, ["opens_on", "closes_on"])
    period.opens_on, period.closes_on = opens_on, closes_on
    period.full_clean()
    period.save(update_fields=["opens_on", "closes_on"])
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_UPDATE,
        obj=period,
        changes=changes_since(before, period),
    )
    return period


@transaction.atomic
def period_close(*, actor: User | None, period: ReportingPeriod) -> ReportingPeriod:
    """Close a period: everything reported for it is locked."""
    _require_secretariat(actor)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_locked:
        raise ValidationError(_("The period is already closed."))
    period.closed_at = timezone.now()
    period.save(update_fields=["closed_at"])
    audit_record(actor=actor, action=AuditAction.LOCK, obj=period, year=period.year)
    return period


@transaction.atomic
def period_reopen(*, actor: User | None, period: ReportingPeriod) -> ReportingPeriod:
    _require_secretariat(actor)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if not period.is_locked:
        raise ValidationError(_("The period is not closed."))
    period.closed_at = None
    period.save(update_fields=["closed_at"])
    audit_record(actor=actor, action=AuditAction.UNLOCK, obj=period, year=period.year)
    return period


@transaction.atomic
def exchange_rate_set(
    *, actor: User | None, currency: str, year: int, units_per_usd: Decimal, source: str = ""
) -> ExchangeRate:
    """Record (or correct) the yearly rate of ``currency`` to the US dollar."""
    _require_secretariat(actor)
    currency = (currency or "").strip().upper()
    rate = ExchangeRate.objects.filter(currency=currency, year=year).first()
    created = rate is None
    if created:
        rate = ExchangeRate(currency=currency, year=year)
    elif rate.units_per_usd == Decimal(units_per_usd) and rate.source == source:
        return rate
    before = {} if created else snapshot(rate, ["units_per_usd", "source"])
    rate.units_per_usd = Decimal(units_per_usd)
    rate.source = source
    rate.updated_by = actor if actor is not None and actor.is_authenticated else None
    rate.full_clean()
    rate.save()
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_CREATE if created else AuditAction.RECORD_UPDATE,
        obj=rate,
        currency=currency,
        year=year,
        changes=changes_since(before, rate),
    )
    return rate
