"""Access to criminal cases.

- Justice officers of a country read and record the criminal cases of that
  country (names of defendants included).
- Case workers and supervisors see, for a case they may read in the cases
  app, only its links to criminal cases: number, stage, the victim's role,
  protection measures and compensation claims. Never the defendants.
- Nobody region-wide reads criminal cases; they see the aggregate measures.

Who is a justice officer is the permission table's ``justice.*`` rows
(:mod:`matis.access.permissions`). The one answer for "missing" and "not
yours" is the cases app's :class:`~matis.cases.gates.CaseNotAvailable`, given
by :func:`matis.access.gates.get_scoped_or_deny`; reads and refusals are audited.
"""

from __future__ import annotations

from django.db.models import QuerySet

from matis.access.audit import audit_record
from matis.access.gates import get_scoped_or_deny
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.cases.gates import CaseNotAvailable
from matis.justice.models import CompensationClaim, CriminalCase, VictimWitness


def criminal_cases_for(user) -> QuerySet[CriminalCase]:
    if not has_perm(user, "justice.view_criminal_cases"):
        return CriminalCase.objects.none()
    return CriminalCase.objects.filter(country_id=user.country_id)


def access_criminal_case(user, criminal_case_id, *, purpose: str = "view") -> CriminalCase:
    allowed = criminal_cases_for(user).select_related("agency", "country")
    found = get_scoped_or_deny(
        user, allowed, criminal_case_id, purpose=purpose, error=CaseNotAvailable
    )
    audit_record(actor=user, action=AuditAction.RECORD_READ, obj=found, purpose=purpose)
    return found


def _child(user, queryset, pk, object_type: str, purpose: str, path: str):
    """An object under a criminal case the user may read (``path`` leads to the case)."""
    allowed = queryset.filter(**{f"{path}__in": criminal_cases_for(user)})
    return get_scoped_or_deny(
        user, allowed, pk, purpose=purpose, object_type=object_type, error=CaseNotAvailable
    )


def access_defendant(user, pk, *, purpose: str):
    from matis.justice.models import Defendant

    found = _child(
        user,
        Defendant.objects.select_related("criminal_case"),
        pk,
        "justice.defendant",
        purpose,
        "criminal_case",
    )
    audit_record(
        actor=user,
        action=AuditAction.RECORD_READ,
        obj=found.criminal_case,
        purpose=purpose,
        defendant=found.pk,
    )
    return found


def access_charge(user, pk, *, purpose: str):
    from matis.justice.models import Charge

    found = _child(
        user,
        Charge.objects.select_related("defendant__criminal_case"),
        pk,
        "justice.charge",
        purpose,
        "defendant__criminal_case",
    )
    audit_record(
        actor=user,
        action=AuditAction.RECORD_READ,
        obj=found.defendant.criminal_case,
        purpose=purpose,
        charge=found.pk,
    )
    return found


def access_witness(user, pk, *, purpose: str) -> VictimWitness:
    found = _child(
        user,
        VictimWitness.objects.select_related("criminal_case", "case"),
        pk,
        "justice.victimwitness",
        purpose,
        "criminal_case",
    )
    audit_record(
        actor=user,
        action=AuditAction.RECORD_READ,
        obj=found.criminal_case,
        purpose=purpose,
        witness=found.pk,
    )
    return found


def access_claim(user, pk, *, purpose: str) -> CompensationClaim:
    found = _child(
        user,
        CompensationClaim.objects.select_related("witness__criminal_case"),
        pk,
        "justice.compensationclaim",
        purpose,
        "witness__criminal_case",
    )
    audit_record(
        actor=user,
        action=AuditAction.RECORD_READ,
        obj=found.witness.criminal_case,
        purpose=purpose,
        claim=found.pk,
    )
    return found


def links_of_case(case) -> QuerySet[VictimWitness]:
    """The criminal-case links of a case the caller already read through the cases gates."""
    return (
        VictimWitness.objects.filter(case=case)
        .select_related("criminal_case")
        .prefetch_related("claims")
        .order_by("criminal_case__opened_on", "id")
    )
