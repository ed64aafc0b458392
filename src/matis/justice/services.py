"""Writes to criminal cases: keyword-only, atomic, audited. Justice officers only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from matis.access.audit import audit_record, changes_since, snapshot
from matis.access.models import AuditAction, User
from matis.access.permissions import has_perm
from matis.cases.choices import ConsentGivenBy, ConsentPurpose
from matis.cases.models import Case
from matis.cases.services import require_consent
from matis.justice.choices import (
    MonitoringConcern,
    ProtectionMeasure,
    Stage,
    VerdictOutcome,
)
from matis.justice.models import (
    AssetConfiscation,
    Charge,
    CompensationClaim,
    CriminalCase,
    Defendant,
    MonitoringNote,
    StageChange,
    Verdict,
    VictimWitness,
)


def _require_officer(actor: User, criminal_case: CriminalCase | None = None) -> None:
    if not has_perm(actor, "justice.view_criminal_cases"):
        raise PermissionDenied
    if criminal_case is not None and not has_perm(
        actor, "justice.edit_criminal_case", criminal_case
    ):
        raise PermissionDenied


def _not_future(day: dt.date | None, field: str) -> None:
    if day and day > dt.date.today():
        raise ValidationError({field: _("The date is in the future.")})


def _audit(actor, action, criminal_case, **detail) -> None:
    audit_record(actor=actor, action=action, obj=criminal_case, **detail)


@transaction.atomic
def criminal_case_open(
    *,
    actor: User,
    reference: str,
    opened_on: dt.date,
    court: str = "",
    summary: str = "",
) -> CriminalCase:
    _require_officer(actor)
    _not_future(opened_on, "opened_on")
    reference = reference.strip()
    if CriminalCase.objects.filter(country_id=actor.country_id, reference=reference).exists():
        raise ValidationError({"reference": _("A criminal case with this number exists.")})
    cc = CriminalCase(
        country_id=actor.country_id,
        reference=reference,
        agency=actor.agency,
        court=court.strip(),
        opened_on=opened_on,
        summary=summary.strip(),
        created_by=actor,
    )
    if actor.agency_id is None:
        raise ValidationError(_("Your account has no agency."))
    cc.full_clean()
    cc.save()
    StageChange.objects.create(
        criminal_case=cc, stage=Stage.INVESTIGATION, on=opened_on, recorded_by=actor
    )
    _audit(actor, AuditAction.RECORD_CREATE, cc)
    return cc


@transaction.atomic
def stage_change(
    *, actor: User, criminal_case: CriminalCase, stage: str, on: dt.date
) -> CriminalCase:
    """Move the case to its next stage (the transitions are on the model)."""
    _require_officer(actor, criminal_case)
    _not_future(on, "on")
    last = criminal_case.stage_changes.order_by("-on", "-id").first()
    if last and on < last.on:
        raise ValidationError({"on": _("The date is before the previous stage.")})
    criminal_case.check_transition(stage)
    criminal_case.stage = stage
    criminal_case.save(update_fields=["stage", "updated_at"])
    StageChange.objects.create(criminal_case=criminal_case, stage=stage, on=on, recorded_by=actor)
    _audit(actor, AuditAction.STATUS_CHANGE, criminal_case, stage=stage)
    return criminal_case


@transaction.atomic
def defendant_add(*, actor: User, criminal_case: CriminalCase, **values) -> Defendant:
    _require_officer(actor, criminal_case)
    defendant = Defendant(criminal_case=criminal_case, **values)
    defendant.full_clean()
    defendant.save()
    _audit(actor, AuditAction.RECORD_CREATE, criminal_case, defendant=defendant.pk)
    return defendant


@transaction.atomic
def charge_add(
    *, actor: User, defendant: Defendant, law: str, provision: str, charged_on: dt.date
) -> Charge:
    _require_officer(actor, defendant.criminal_case)
    _not_future(charged_on, "charged_on")
    if charged_on < defendant.criminal_case.opened_on:
        raise ValidationError({"charged_on": _("Charged before the investigation opened.")})
    charge = Charge(
        defendant=defendant, law=law, provision=provision.strip(), charged_on=charged_on
    )
    charge.full_clean()
    charge.save()
    _audit(actor, AuditAction.RECORD_CREATE, defendant.criminal_case, charge=charge.pk, law=law)
    return charge


@transaction.atomic
def verdict_record(
    *,
    actor: User,
    charge: Charge,
    instance: str,
    outcome: str,
    decided_on: dt.date,
    prison_months: int | None = None,
    fine: Decimal | None = None,
    currency: str = "",
) -> Verdict:
    _require_officer(actor, charge.defendant.criminal_case)
    _not_future(decided_on, "decided_on")
    if decided_on < charge.charged_on:
        raise ValidationError({"decided_on": _("The verdict is before the charge.")})
    verdict = Verdict(
        charge=charge,
        instance=instance,
        outcome=outcome,
        decided_on=decided_on,
        prison_months=prison_months if outcome == VerdictOutcome.CONVICTED else None,
        fine=fine,
        currency=currency,
    )
    verdict.full_clean()
    verdict.save()
    _audit(
        actor,
        AuditAction.RECORD_CREATE,
        charge.defendant.criminal_case,
        verdict=verdict.pk,
        outcome=outcome,
    )
    return verdict


@transaction.atomic
def asset_record(
    *,
    actor: User,
    criminal_case: CriminalCase,
    description: str,
    value: Decimal,
    currency: str,
    confiscated_on: dt.date,
) -> AssetConfiscation:
    _require_officer(actor, criminal_case)
    _not_future(confiscated_on, "confiscated_on")
    asset = AssetConfiscation(
        criminal_case=criminal_case,
        description=description.strip(),
        value=value,
        currency=currency,
        confiscated_on=confiscated_on,
    )
    asset.full_clean()
    asset.save()
    _audit(actor, AuditAction.RECORD_CREATE, criminal_case, asset=asset.pk)
    return asset


def _check_protection(case: Case, protection: list[str], agreed_by: str) -> None:
    unknown = set(protection) - set(ProtectionMeasure.values)
    if unknown:
        raise ValidationError({"protection": _("Unknown measures: %(v)s") % {"v": sorted(unknown)}})
    if not protection:
        return
    if not agreed_by:
        raise ValidationError(
            {
                "protection_agreed_by": _(
                    "Protection measures are decided with the victim's consent."
                )
            }
        )
    child = case.person.is_child
    if not child and agreed_by != ConsentGivenBy.PERSON:
        raise ValidationError(
            {"protection_agreed_by": _("An adult victim agrees to protection herself or himself.")}
        )
    if child and agreed_by == ConsentGivenBy.PERSON:
        raise ValidationError(
            {
                "protection_agreed_by": _(
                    "For a child, a parent or guardian agrees (child protocol)."
                )
            }
        )


@transaction.atomic
def witness_link(
    *,
    actor: User,
    criminal_case: CriminalCase,
    case_reference: str,
    role: str,
    protection: list[str] | None = None,
    protection_agreed_by: str = "",
    protection_agreed_on: dt.date | None = None,
    linked_on: dt.date | None = None,
) -> VictimWitness:
    """Link a victim's case (by its number) as witness; needs consent to law enforcement."""
    _require_officer(actor, criminal_case)
    case = (
        Case.objects.select_related("person")
        .filter(reference=case_reference.strip(), country_id=criminal_case.country_id)
        .first()
    )
    if case is None:
        raise ValidationError({"case_reference": _("No case with this number in your country.")})
    require_consent(case, ConsentPurpose.LAW_ENFORCEMENT)
    protection = list(protection or [])
    _check_protection(case, protection, protection_agreed_by)
    _not_future(protection_agreed_on, "protection_agreed_on")
    linked_on = linked_on or dt.date.today()
    _not_future(linked_on, "linked_on")
    if VictimWitness.objects.filter(criminal_case=criminal_case, case=case).exists():
        raise ValidationError({"case_reference": _("This victim is already linked.")})
    witness = VictimWitness.objects.create(
        criminal_case=criminal_case,
        case=case,
        role=role,
        protection=protection,
        protection_agreed_by=protection_agreed_by if protection else "",
        protection_agreed_on=protection_agreed_on if protection else None,
        linked_on=linked_on,
        linked_by=actor,
    )
    _audit(
        actor,
        AuditAction.SHARE,
        criminal_case,
        witness=witness.pk,
        case=case.pk,
        purpose=ConsentPurpose.LAW_ENFORCEMENT,
    )
    return witness


@transaction.atomic
def claim_file(
    *,
    actor: User,
    witness: VictimWitness,
    kind: str,
    filed_on: dt.date,
    currency: str,
    claimed: Decimal,
) -> CompensationClaim:
    _require_officer(actor, witness.criminal_case)
    _not_future(filed_on, "filed_on")
    claim = CompensationClaim(
        witness=witness, kind=kind, filed_on=filed_on, currency=currency, claimed=claimed
    )
    claim.full_clean()
    claim.save()
    _audit(actor, AuditAction.RECORD_CREATE, witness.criminal_case, claim=claim.pk)
    return claim


@transaction.atomic
def claim_update(
    *,
    actor: User,
    claim: CompensationClaim,
    awarded: Decimal | None,
    decided_on: dt.date | None,
    paid: Decimal,
    last_paid_on: dt.date | None,
) -> CompensationClaim:
    """Record the award and what has been paid so far (amounts in the claim's currency)."""
    _require_officer(actor, claim.witness.criminal_case)
    _not_future(decided_on, "decided_on")
    _not_future(last_paid_on, "last_paid_on")
    if decided_on and decided_on < claim.filed_on:
        raise ValidationError({"decided_on": _("Decided before the claim was filed.")})
    if paid < claim.paid:
        raise ValidationError({"paid": _("The amount paid so far cannot go down.")})
    before = snapshot(claim, ["awarded", "decided_on", "paid", "last_paid_on"])
    claim.awarded = awarded
    claim.decided_on = decided_on
    claim.paid = paid
    claim.last_paid_on = last_paid_on
    claim.full_clean()
    claim.save()
    _audit(
        actor,
        AuditAction.RECORD_UPDATE,
        claim.witness.criminal_case,
        claim=claim.pk,
        # keyed by the path from the criminal case, so the audit page finds the labels
        changes=changes_since(before, claim, prefix="witnesses.claims."),
    )
    return claim


@transaction.atomic
def note_add(
    *,
    actor: User,
    criminal_case: CriminalCase,
    on: dt.date,
    stage: str,
    concerns: list[str],
    note: str,
) -> MonitoringNote:
    _require_officer(actor, criminal_case)
    _not_future(on, "on")
    unknown = set(concerns) - set(MonitoringConcern.values)
    if unknown:
        raise ValidationError({"concerns": _("Unknown values: %(v)s") % {"v": sorted(unknown)}})
    if not note.strip():
        raise ValidationError({"note": _("Write what was observed.")})
    entry = MonitoringNote.objects.create(
        criminal_case=criminal_case,
        on=on,
        stage=stage,
        concerns=list(concerns),
        note=note.strip(),
        recorded_by=actor,
    )
    _audit(actor, AuditAction.RECORD_CREATE, criminal_case, note=entry.pk)
    return entry
