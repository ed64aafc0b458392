"""Access gates: the only way views, the API and exports read case data.

Each gate answers with the same :class:`CaseNotAvailable` whether the record
does not exist, belongs to another country, or belongs to another agency, and
writes every successful read to the audit log (``RECORD_READ``, with the
purpose; never personal data).

Who may see a case (routine access):

- case workers of the responsible agency, and the assigned case worker;
- case workers of an agency that accepted a referral of the case (while the
  referral stands);
- case supervisors of the case's country, except for restricted cases.

Nobody region-wide (secretariat, auditors, administrators) sees case records.
Supervisors and justice officers of the same country may open a case for a
limited time with break-the-glass (:func:`matis.cases.services.break_glass_open`).

Which roles use cases at all is a row of the permission table
(:mod:`matis.access.permissions`, the ``cases.*`` permissions); these gates say
which rows, and fetch and refuse through :mod:`matis.access.gates`.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matis.access.audit import audit_record
from matis.access.gates import RecordNotAvailable, get_scoped_or_deny
from matis.access.models import AuditAction, Role, User
from matis.access.permissions import has_perm
from matis.cases.choices import ReferralStatus
from matis.cases.models import Alert, BreakGlassGrant, Case, Placement, Referral


class CaseNotAvailable(RecordNotAvailable):
    """The one answer for "no such record", "not your country" and "not your agency"."""

    def __init__(self, *args):
        super().__init__(_("No record with this number is available to you."))


def _referral_cases(user) -> QuerySet:
    return Referral.objects.filter(
        provider__agency_id=user.agency_id, status=ReferralStatus.ACCEPTED
    ).values("case_id")


def _break_glass_cases(user) -> QuerySet:
    return BreakGlassGrant.objects.filter(user=user, expires_at__gt=timezone.now()).values(
        "case_id"
    )


def routine_filter(user) -> Q | None:
    """The cases ``user`` sees without break-the-glass, as a filter (None: none)."""
    if not has_perm(user, "cases.view_cases"):
        return None
    own_country = Q(country_id=user.country_id)
    if user.role == Role.CASE_WORKER:
        mine = Q(case_worker=user)
        if user.agency_id:
            mine |= Q(agency_id=user.agency_id) | Q(pk__in=_referral_cases(user))
        return own_country & mine
    if user.role == Role.CASE_SUPERVISOR:
        return own_country & (Q(restricted=False) | Q(agency_id=user.agency_id))
    return None


def editor_filter(user) -> Q | None:
    """The cases ``user`` may change: responsible agency, assigned worker, supervisors."""
    if not has_perm(user, "cases.view_cases"):
        return None
    own_country = Q(country_id=user.country_id)
    if user.role == Role.CASE_WORKER:
        mine = Q(case_worker=user)
        if user.agency_id:
            mine |= Q(agency_id=user.agency_id)
        return own_country & mine
    if user.role == Role.CASE_SUPERVISOR:
        return own_country & (Q(restricted=False) | Q(agency_id=user.agency_id))
    return None


def cases_visible_to(user) -> QuerySet[Case]:
    """Every case ``user`` may read now (routine access plus live break-the-glass grants)."""
    if not has_perm(user, "cases.view_cases"):
        return Case.objects.none()
    routine = routine_filter(user)
    emergency = Q(country_id=user.country_id) & Q(pk__in=_break_glass_cases(user))
    condition = emergency if routine is None else (routine | emergency)
    return Case.objects.filter(condition)


def cases_editable_by(user) -> QuerySet[Case]:
    condition = editor_filter(user)
    return Case.objects.none() if condition is None else Case.objects.filter(condition)


def _fetch(user, queryset: QuerySet, pk, purpose: str):
    """One row of an allowed queryset, or the audited :class:`CaseNotAvailable`."""
    return get_scoped_or_deny(user, queryset, pk, purpose=purpose, error=CaseNotAvailable)


def _read(user: User, case: Case, purpose: str, **detail) -> Case:
    audit_record(actor=user, action=AuditAction.RECORD_READ, obj=case, purpose=purpose, **detail)
    return case


def access_case_by_id(user, case_id, *, purpose: str = "view") -> Case:
    """The case ``case_id`` if ``user`` may read it; audited. Otherwise :class:`CaseNotAvailable`."""
    allowed = cases_visible_to(user).select_related("person", "agency", "country", "case_worker")
    return _read(user, _fetch(user, allowed, case_id, purpose), purpose)


def access_case_for_update(user, case_id, *, purpose: str) -> Case:
    """The case if ``user`` may change it (responsible agency, assigned worker, supervisor)."""
    allowed = cases_editable_by(user).select_related("person", "agency", "country", "case_worker")
    return _read(user, _fetch(user, allowed, case_id, purpose), purpose)


def access_case_for_supervision(user, case_id, *, purpose: str) -> Case:
    """The case if ``user`` supervises it (secure deletion, subject-access export)."""
    allowed = Case.objects.none()
    if has_perm(user, "cases.supervise_cases"):
        allowed = cases_editable_by(user).select_related("person")
    return _read(user, _fetch(user, allowed, case_id, purpose), purpose)


def access_placement_for_update(user, placement_id, *, purpose: str) -> Placement:
    allowed = Placement.objects.select_related("case", "facility").filter(
        case__in=cases_editable_by(user)
    )
    placement = _fetch(user, allowed, placement_id, purpose)
    _read(user, placement.case, purpose, placement=placement.pk)
    return placement


def referral_answer_filter(user) -> Q | None:
    """Referrals ``user`` may answer: staff of the receiving agency, or the referring side
    when the receiving organisation does not use MATIS."""
    if not has_perm(user, "cases.view_referrals"):
        return None
    receiving = Q(provider__agency_id=user.agency_id) if user.agency_id else Q(pk__in=[])
    referring = Q(provider__agency__isnull=True) & Q(case__in=cases_editable_by(user))
    return Q(case__country_id=user.country_id) & (receiving | referring)


def access_referral(user, referral_id, *, purpose: str) -> Referral:
    """A referral ``user`` may act on: answer it (receiving side) or revoke it (referring side)."""
    answer = referral_answer_filter(user)
    allowed = Referral.objects.none()
    if answer is not None:
        allowed = Referral.objects.select_related("case", "provider").filter(
            answer | Q(case__in=cases_editable_by(user))
        )
    referral = _fetch(user, allowed, referral_id, purpose)
    audit_record(
        actor=user,
        action=AuditAction.RECORD_READ,
        obj=referral.case,
        purpose=purpose,
        referral=referral.pk,
    )
    return referral


def referrals_incoming(user) -> QuerySet[Referral]:
    """Referrals to the user's agency (shown without personal data until accepted)."""
    if not has_perm(user, "cases.view_referrals") or not user.agency_id:
        return Referral.objects.none()
    return Referral.objects.filter(
        provider__agency_id=user.agency_id, case__country_id=user.country_id
    ).select_related("case", "provider", "referring_agency")


def alerts_for(user) -> QuerySet[Alert]:
    """Alerts a supervisor handles: every alert of her or his country."""
    if not has_perm(user, "cases.supervise_cases"):
        return Alert.objects.none()
    return Alert.objects.filter(country_id=user.country_id)


def access_alert(user, alert_id, *, purpose: str) -> Alert:
    allowed = alerts_for(user).select_related("case", "placement")
    alert = _fetch(user, allowed, alert_id, purpose)
    audit_record(
        actor=user, action=AuditAction.RECORD_READ, obj=alert.case, purpose=purpose, alert=alert.pk
    )
    return alert
