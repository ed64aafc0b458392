"""Access gates for returns: who reads a repatriation, and from which side.

The sending side (the government where the person was identified) reads a
return through the cases app's gate: whoever may read the case may read its
return. The receiving side (the home country) has its own gate:

- only case workers of the named receiving agency and case supervisors of the
  receiving country;
- and only while the person's consent to sharing with that country stands
  (``consent_allows(case, "cross_border", country=...)`` of the cases app).
  Before consent, or after it is withdrawn, the receiving side sees nothing,
  not even that a return exists.

The receiving side sees the minimum (:func:`receiving_view`): name, sex, age,
claimed citizenship and languages, the steps (dates, outcome, agency) and the
notes of its own government's steps. Every gate answers the cases app's one
:class:`~matis.cases.gates.CaseNotAvailable` for "missing" and "not yours",
and audits reads and refusals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from matis.access.audit import audit_record
from matis.access.gates import deny, parse_id
from matis.access.models import AuditAction, Role
from matis.access.permissions import has_perm
from matis.cases import gates as case_gates
from matis.cases.choices import ConsentPurpose
from matis.cases.gates import CaseNotAvailable
from matis.cases.services import consent_allows
from matis.returns.choices import CLOSED_STATUSES, Side
from matis.returns.models import IncomingRepatriation, Repatriation

REPATRIATION = "returns.repatriation"  # what the audit log names a refused return
INCOMING = "returns.incomingrepatriation"


def sending_queryset(user) -> QuerySet[Repatriation]:
    """Returns of cases ``user`` may read (the sending side)."""
    if not has_perm(user, "cases.view_cases"):
        return Repatriation.objects.none()
    return Repatriation.objects.filter(
        case__in=case_gates.cases_visible_to(user), sending_country_id=user.country_id
    )


def sending_editable(user) -> QuerySet[Repatriation]:
    if not has_perm(user, "cases.view_cases"):
        return Repatriation.objects.none()
    return Repatriation.objects.filter(
        case__in=case_gates.cases_editable_by(user), sending_country_id=user.country_id
    )


def receiving_candidates(user) -> QuerySet[Repatriation]:
    """Returns addressed to ``user``'s agency or country, before the consent check."""
    if not has_perm(user, "returns.view_returns"):
        return Repatriation.objects.none()
    # a relayed return's home government works on its own instance (IncomingRepatriation)
    mine = Q(receiving_country_id=user.country_id, relayed=False)
    if user.role == Role.CASE_WORKER:
        if not user.agency_id:
            return Repatriation.objects.none()
        mine &= Q(receiving_agency_id=user.agency_id)
    return Repatriation.objects.filter(mine)


def consent_covers(repatriation: Repatriation) -> bool:
    """The person's consent to sharing with the receiving country stands today."""
    return consent_allows(
        repatriation.case_id,
        ConsentPurpose.CROSS_BORDER,
        country=repatriation.receiving_country_id,
    )


def receiving_visible(user) -> list[Repatriation]:
    """Returns the receiving side may see now: addressed to it, and covered by consent."""
    rows = receiving_candidates(user).select_related(
        "sending_country", "receiving_country", "sending_agency", "receiving_agency"
    )
    return [r for r in rows if consent_covers(r)]


def may_act_receiving(user, repatriation: Repatriation) -> bool:
    return receiving_candidates(user).filter(pk=repatriation.pk).exists() and consent_covers(
        repatriation
    )


def may_act_sending(user, repatriation: Repatriation) -> bool:
    return sending_editable(user).filter(pk=repatriation.pk).exists()


@dataclass
class RepatriationAccess:
    """A repatriation as one reader may see it, and from which side."""

    repatriation: Repatriation
    side: str
    may_act: bool

    @property
    def is_sending(self) -> bool:
        return self.side == Side.SENDING


def access_repatriation(user, repatriation_id, *, purpose: str = "view") -> RepatriationAccess:
    """The return ``repatriation_id`` if ``user`` may read it (audited), else CaseNotAvailable."""
    number = parse_id(repatriation_id)
    if number is None:
        raise deny(user, REPATRIATION, repatriation_id, purpose, error=CaseNotAvailable)
    related = ("case__person", "sending_country", "receiving_country", "sending_agency")
    rep = sending_queryset(user).select_related(*related, "receiving_agency").filter(pk=number)
    found = rep.first()
    side = Side.SENDING
    if found is None:
        side = Side.RECEIVING
        found = (
            receiving_candidates(user)
            .select_related(*related, "receiving_agency")
            .filter(pk=number)
            .first()
        )
        if found is not None and not consent_covers(found):
            found = None
    if found is None:
        raise deny(user, REPATRIATION, repatriation_id, purpose, error=CaseNotAvailable)
    may_act = (
        may_act_sending(user, found) if side == Side.SENDING else True
    ) and found.status not in CLOSED_STATUSES
    audit_record(
        actor=user,
        action=AuditAction.RECORD_READ,
        obj=found,
        country_id=user.country_id,
        purpose=purpose,
        side=str(side),
    )
    return RepatriationAccess(found, str(side), may_act)


@dataclass
class PersonMinimum:
    """What the receiving side learns about the person: enough to trace and verify."""

    given_name: str
    family_name: str
    romanised: str
    gender: str
    age: int | None
    citizenship: str
    stateless: bool
    languages: list[str] = field(default_factory=list)


def receiving_view(repatriation: Repatriation) -> PersonMinimum:
    """The minimum fields of the person for the receiving side (no case details)."""
    person = repatriation.case.person
    return PersonMinimum(
        given_name=person.given_name,
        family_name=person.family_name,
        romanised=person.display_romanised,
        gender=person.get_gender_display(),
        age=person.current_age(),
        citizenship=person.primary_citizenship.display_name if person.primary_citizenship else "",
        stateless=person.stateless,
        languages=person.language_labels,
    )


# --- returns received from another national instance ------------------------------------------


def incoming_queryset(user) -> QuerySet[IncomingRepatriation]:
    """Received returns ``user`` may read: the named agency's case workers, the country's
    case supervisors. An unassigned return is seen by the supervisors only (they assign it)."""
    if not has_perm(user, "returns.view_returns") or not user.country_id:
        return IncomingRepatriation.objects.none()
    mine = Q(receiving_country_id=user.country_id)
    if user.role == Role.CASE_WORKER:
        if not user.agency_id:
            return IncomingRepatriation.objects.none()
        mine &= Q(receiving_agency_id=user.agency_id)
    elif user.role != Role.CASE_SUPERVISOR:
        return IncomingRepatriation.objects.none()
    return IncomingRepatriation.objects.filter(mine)


def may_act_incoming(user, incoming: IncomingRepatriation) -> bool:
    return incoming_queryset(user).filter(pk=incoming.pk).exists()


@dataclass
class IncomingAccess:
    repatriation: IncomingRepatriation
    may_act: bool
    side: str = Side.RECEIVING
    is_sending: bool = False


def access_incoming(user, incoming_id, *, purpose: str = "view") -> IncomingAccess:
    """The received return ``incoming_id`` if ``user`` may read it (audited), else CaseNotAvailable."""
    number = parse_id(incoming_id)
    found = (
        None
        if number is None
        else incoming_queryset(user)
        .select_related("sending_country", "receiving_country", "receiving_agency")
        .filter(pk=number)
        .first()
    )
    if found is None:
        raise deny(user, INCOMING, incoming_id, purpose, error=CaseNotAvailable)
    audit_record(
        actor=user,
        action=AuditAction.RECORD_READ,
        obj=found,
        country_id=user.country_id,
        purpose=purpose,
        side=str(Side.RECEIVING),
    )
    return IncomingAccess(found, may_act=found.status not in CLOSED_STATUSES)
