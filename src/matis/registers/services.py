"""Writes to the registers. Each service checks the writer, runs in one transaction and audits.

The generic ``record_save`` / ``record_delete`` serve every register's pages;
the named services below carry the rules that span records: assigning an
accredited trainer, changing an agreement's status, recording its yearly
review, closing a follow-up action, attaching an assessment document.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from matis.access.audit import audit_record, changes_since, snapshot
from matis.access.models import AuditAction, User
from matis.access.permissions import has_perm
from matis.registers.kit.specs import Register
from matis.registers.models import (
    Agreement,
    AgreementReview,
    EventTrainer,
    FollowUpAction,
    SituationAssessment,
    Trainer,
    TrainerNotAccredited,
    TrainingEvent,
)


class RecordInUse(Exception):
    """A record other records depend on cannot be deleted."""


def _require_writer(actor: User | None, country_id: str | None) -> None:
    if actor is not None and not has_perm(actor, "registers.change_record", country_id):
        raise PermissionDenied(_("You may not change this record."))


# --- generic -------------------------------------------------------------------
@transaction.atomic
def record_save(*, actor: User, spec: Register, form, formsets=()) -> models.Model:
    """Save a register row from its validated form and inline formsets, then audit it.

    Raises ``ValidationError`` (everything rolled back) when a rule that spans
    records fails, e.g. an assigned trainer is not accredited for the dates.
    """
    obj = form.save(commit=False)
    creating = obj.pk is None
    before = {}
    if not creating:
        # the form has already put its values on ``obj``: compare with the stored row
        stored = type(obj).objects.filter(pk=obj.pk).first()
        _require_writer(actor, getattr(stored, "country_id", None))
        before = snapshot(stored) if stored is not None else {}
    _require_writer(actor, obj.country_id)
    obj.save()
    form.save_m2m()
    children = {}
    for formset in formsets:
        formset.instance = obj
        saved = formset.save()
        changed = len(saved) + len(formset.deleted_objects)
        if changed:
            children[formset.prefix] = changed
    if spec.after_save is not None:
        spec.after_save(obj=obj, data=form.cleaned_data, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_CREATE if creating else AuditAction.RECORD_UPDATE,
        obj=obj,
        register=spec.key,
        fields=sorted(form.changed_data),
        children=children,
        changes=changes_since(before, obj),
    )
    return obj


@transaction.atomic
def record_delete(*, actor: User, spec: Register, obj: models.Model) -> None:
    _require_writer(actor, obj.country_id)
    ref, pk, country_id = obj.ref, obj.pk, obj.country_id
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError:
        raise RecordInUse(_("Other records refer to this one; it cannot be deleted.")) from None
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_DELETE,
        object_type=spec.model._meta.label_lower,
        object_id=pk,
        country_id=country_id,
        register=spec.key,
        ref=ref,
    )


# --- training ------------------------------------------------------------------
@transaction.atomic
def trainer_assign(*, actor: User | None, event: TrainingEvent, trainer: Trainer) -> EventTrainer:
    """Assign ``trainer`` to ``event``; raise TrainerNotAccredited unless an accreditation
    valid for the whole event and its curriculum covers it."""
    _require_writer(actor, event.country_id)
    if trainer.country_id != event.country_id:
        raise ValidationError({"trainers": _("The trainer belongs to another country.")})
    accreditation = trainer.accreditation_for(event)
    if accreditation is None:
        raise TrainerNotAccredited(trainer, event)
    assignment, created = EventTrainer.objects.get_or_create(
        event=event, trainer=trainer, defaults={"accreditation": accreditation}
    )
    if not created and assignment.accreditation_id != accreditation.pk:
        assignment.accreditation = accreditation
        assignment.save(update_fields=["accreditation"])
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.RECORD_CREATE,
            obj=assignment,
            country_id=event.country_id,
            event=event.pk,
            trainer=trainer.pk,
            accreditation=accreditation.pk,
        )
    return assignment


@transaction.atomic
def event_trainers_set(*, actor: User | None, event: TrainingEvent, trainers) -> None:
    """Make ``trainers`` the event's trainers; every one is checked again (dates may have moved)."""
    wanted = {t.pk: t for t in trainers}
    for assignment in event.assignments.select_related("trainer"):
        if assignment.trainer_id not in wanted:
            audit_record(
                actor=actor,
                action=AuditAction.RECORD_DELETE,
                obj=assignment,
                country_id=event.country_id,
                event=event.pk,
                trainer=assignment.trainer_id,
            )
            assignment.delete()
    for trainer in Trainer.objects.filter(pk__in=wanted).prefetch_related("accreditations"):
        trainer_assign(actor=actor, event=event, trainer=trainer)


def event_trainer_import_row(*, parent: TrainingEvent, values: dict, actor: User):
    """Excel import of one trainer assignment: the same check as the pages."""
    trainer = values["trainer"]
    if trainer is None:
        raise ValidationError({"trainer": _("The trainer is required.")})
    exists = EventTrainer.objects.filter(event=parent, trainer=trainer).exists()
    try:
        assignment = trainer_assign(actor=actor, event=parent, trainer=trainer)
    except TrainerNotAccredited as exc:
        raise ValidationError({"trainer": exc.messages}) from exc
    return assignment, not exists


# --- agreements ------------------------------------------------------------------
@transaction.atomic
def agreement_status_change(
    *, actor: User | None, agreement: Agreement, status: str, on: dt.date | None = None
) -> Agreement:
    """Move an agreement along its allowed transitions; raise TransitionNotAllowed otherwise."""
    _require_writer(actor, agreement.country_id)
    previous = agreement.status
    agreement.check_transition(status)
    agreement.status = status
    if status == Agreement.Status.SIGNED and on:
        agreement.signed_on = on
    elif status == Agreement.Status.IN_FORCE and on:
        agreement.in_force_on = on
    elif status == Agreement.Status.EXPIRED and on:
        agreement.expires_on = on
    agreement.full_clean()
    agreement.save()
    audit_record(
        actor=actor, action=AuditAction.STATUS_CHANGE, obj=agreement, old=previous, new=status
    )
    return agreement


@transaction.atomic
def agreement_review_record(
    *,
    actor: User | None,
    agreement: Agreement,
    reviewed_on: dt.date,
    reviewed_by: str,
    outcome: str,
    summary: str = "",
) -> AgreementReview:
    """Record the yearly review of an agreement (which clears an overdue flag)."""
    _require_writer(actor, agreement.country_id)
    review = AgreementReview(
        agreement=agreement,
        reviewed_on=reviewed_on,
        reviewed_by=reviewed_by,
        outcome=outcome,
        summary=summary,
    )
    review.full_clean()
    review.save()
    audit_record(
        actor=actor,
        action=AuditAction.REVIEW,
        obj=review,
        country_id=agreement.country_id,
        agreement=agreement.pk,
        outcome=outcome,
    )
    return review


# --- meetings --------------------------------------------------------------------
@transaction.atomic
def followup_action_set_status(
    *, actor: User | None, action: FollowUpAction, status: str, done_on: dt.date | None = None
) -> FollowUpAction:
    """Move a follow-up action to ``status`` (done needs ``done_on``)."""
    _require_writer(actor, action.country_id)
    previous = action.status
    action.check_transition(status)
    action.status = status
    action.done_on = done_on if status == FollowUpAction.Status.DONE else None
    action.full_clean()
    action.save()
    audit_record(
        actor=actor, action=AuditAction.STATUS_CHANGE, obj=action, old=previous, new=status
    )
    return action


# --- assessments -------------------------------------------------------------------
@transaction.atomic
def assessment_document_attach(
    *, actor: User | None, assessment: SituationAssessment, uploaded
) -> SituationAssessment:
    """Check an uploaded document (type by content, size) and store it under MEDIA_ROOT.

    Raises ``ValidationError`` on the ``document`` field when the file is refused.
    """
    from matis.common.files import EvidenceRejected, check_evidence

    _require_writer(actor, assessment.country_id)
    try:
        checked = check_evidence(uploaded)
    except EvidenceRejected as exc:
        raise ValidationError({"document": str(exc)}) from None
    old = assessment.document.name if assessment.document else ""
    assessment.document.save(checked.name, uploaded, save=False)
    assessment.document_name = checked.name
    assessment.document_type = checked.content_type
    assessment.document_size = checked.size
    assessment.document_sha256 = checked.sha256
    assessment.save()
    if old and old != assessment.document.name:
        transaction.on_commit(lambda: assessment.document.storage.delete(old))
    audit_record(
        actor=actor,
        action=AuditAction.FILE_UPLOAD,
        obj=assessment,
        size=checked.size,
        sha256=checked.sha256,
        content_type=checked.content_type,
    )
    return assessment
