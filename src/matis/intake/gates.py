"""Access gates for tips and group registrations: read like case data, audited.

Who sees a tip: case supervisors of its country, and case workers of the
agency that received it (or that it was referred to). The same refusal answers
"no such tip" and "not yours", and every refusal and read is audited.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from matis.access.audit import audit_record
from matis.access.gates import get_scoped_or_deny
from matis.access.models import AuditAction, Role
from matis.access.permissions import has_perm
from matis.cases.gates import CaseNotAvailable
from matis.intake.models import GroupRegistration, Tip


class TipNotAvailable(CaseNotAvailable):
    """The one answer for "no such record", "not your country" and "not your agency"."""


def _agency_filter(user, *fields: str) -> Q | None:
    if not has_perm(user, "intake.view_tips"):
        return None
    own_country = Q(country_id=user.country_id)
    if user.role == Role.CASE_SUPERVISOR:
        return own_country
    if user.agency_id is None:
        return None
    mine = Q(pk__in=[])
    for name in fields:
        mine |= Q(**{name: user.agency_id})
    return own_country & mine


def tips_visible_to(user) -> QuerySet[Tip]:
    condition = _agency_filter(user, "agency_id", "referred_to_id")
    return Tip.objects.none() if condition is None else Tip.objects.filter(condition)


def groups_visible_to(user) -> QuerySet[GroupRegistration]:
    condition = _agency_filter(user, "agency_id")
    if condition is None:
        return GroupRegistration.objects.none()
    return GroupRegistration.objects.filter(condition)


def access_tip(user, tip_id, *, purpose: str = "view") -> Tip:
    """The tip if ``user`` may read it (audited), else :class:`TipNotAvailable`."""
    allowed = tips_visible_to(user).select_related(
        "agency", "country", "referred_to", "province", "district", "place_country"
    )
    tip = get_scoped_or_deny(user, allowed, tip_id, purpose=purpose, error=TipNotAvailable)
    audit_record(actor=user, action=AuditAction.RECORD_READ, obj=tip, purpose=purpose)
    return tip


def access_tip_for_triage(user, tip_id, *, purpose: str) -> Tip:
    allowed = Tip.objects.none()
    if has_perm(user, "intake.triage_tips"):
        allowed = tips_visible_to(user)
    tip = get_scoped_or_deny(user, allowed, tip_id, purpose=purpose, error=TipNotAvailable)
    audit_record(actor=user, action=AuditAction.RECORD_READ, obj=tip, purpose=purpose)
    return tip


def access_group(user, group_id, *, purpose: str = "view") -> GroupRegistration:
    allowed = groups_visible_to(user).select_related(
        "shelter", "agency", "province", "district", "place_country"
    )
    group = get_scoped_or_deny(user, allowed, group_id, purpose=purpose, error=TipNotAvailable)
    audit_record(actor=user, action=AuditAction.RECORD_READ, obj=group, purpose=purpose)
    return group
