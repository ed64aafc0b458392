"""Placements and the supervisor alerts of goal 3.2 (no victim detained or held against her will)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.cases.choices import DETENTION_KINDS, AlertKind, PlacementKind
from matis.cases.models import Alert, Case, Facility, Placement
from matis.common.models import District, Subdivision


def alert_kind_for(placement: Placement) -> str | None:
    """Which alert, if any, this placement calls for now."""
    case = placement.case
    if not placement.is_open:
        return None
    if placement.kind in DETENTION_KINDS:
        if case.is_identified:
            return AlertKind.DETENTION
        if case.person.is_child:
            return AlertKind.DETENTION  # child protocol: any child in detention
        return None
    if placement.kind == PlacementKind.SHELTER and not placement.voluntary and case.is_identified:
        return AlertKind.INVOLUNTARY_SHELTER
    return None


def raise_placement_alerts(*, actor: User | None, placement: Placement) -> Alert | None:
    """Open an alert for the placement unless one is open already; returns the open alert."""
    kind = alert_kind_for(placement)
    if kind is None:
        return None
    existing = Alert.objects.filter(
        placement=placement, kind=kind, resolved_at__isnull=True
    ).first()
    if existing:
        return existing
    alert = Alert.objects.create(
        case=placement.case, country_id=placement.case.country_id, kind=kind, placement=placement
    )
    audit_record(
        actor=actor, action=AuditAction.ALERT_RAISE, obj=placement.case, alert=alert.pk, kind=kind
    )
    return alert


@transaction.atomic
def placement_add(
    *,
    actor: User,
    case: Case,
    kind: str,
    facility: Facility,
    voluntary: bool,
    start_date: dt.date,
    end_date: dt.date | None = None,
    notes: str = "",
    province: Subdivision | None = None,
    district: District | None = None,
) -> Placement:
    """Record where the person is placed; the province is the place's own when none is given."""
    if facility.country_id != case.country_id:
        raise ValidationError({"facility": _("Choose a place in this country.")})
    if province is None:
        province = facility.subdivision
    placement = Placement(
        case=case,
        kind=kind,
        facility=facility,
        province=province,
        district=district,
        voluntary=voluntary,
        start_date=start_date,
        end_date=end_date,
        notes=notes,
        recorded_by=actor,
    )
    placement.full_clean()
    placement.save()
    audit_record(
        actor=actor, action=AuditAction.RECORD_CREATE, obj=case, placement=placement.pk, kind=kind
    )
    raise_placement_alerts(actor=actor, placement=placement)
    # a foreign national detained: the country of nationality is notified at once (PRO2)
    from matis.cooperation.services import placement_recorded

    placement_recorded(actor=actor, placement=placement)
    return placement


@transaction.atomic
def placement_end(*, actor: User, placement: Placement, end_date: dt.date) -> Placement:
    """Record the end of a placement. Its alert stays open until a supervisor resolves it."""
    placement.end_date = end_date
    placement.full_clean()
    placement.save(update_fields=["end_date", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_UPDATE,
        obj=placement.case,
        placement=placement.pk,
        ended=end_date.isoformat(),
    )
    return placement


@transaction.atomic
def alert_resolve(*, actor: User, alert: Alert, resolution: str) -> Alert:
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say how the alert was resolved.")})
    if alert.resolved_at is not None:
        raise ValidationError(_("This alert is already resolved."))
    alert.resolved_at = timezone.now()
    alert.resolved_by = actor
    alert.resolution = resolution.strip()
    alert.save(update_fields=["resolved_at", "resolved_by", "resolution", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.ALERT_RESOLVE,
        obj=alert.case,
        alert=alert.pk,
        kind=alert.kind,
    )
    return alert


@transaction.atomic
def facility_create(
    *, actor: User, name: str, kind: str, province: str = "", subdivision=None
) -> Facility:
    facility = Facility(
        country_id=actor.country_id,
        name=name.strip(),
        kind=kind,
        province=province.strip(),
        subdivision=subdivision,
    )
    if subdivision is not None and subdivision.country_id != actor.country_id:
        raise ValidationError({"subdivision": _("This province is not in your country.")})
    facility.full_clean()
    facility.save()
    audit_record(actor=actor, action=AuditAction.RECORD_CREATE, obj=facility)
    return facility
