"""Situation assessments and intelligence summaries (P&C5): write, submit, approve, relay.

Four eyes: the officer who submits does not approve (``not_submitter`` in the
permission table). Approval relays the assessment to each named country and
to no other; each recipient gets its own item. Attachments pass the evidence
checks of :mod:`matis.common.files` on upload and again on arrival.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.common.files import EvidenceRejected, check_evidence
from matis.common.models import Country
from matis.cooperation.models import (
    Assessment,
    AssessmentAttachment,
    AssessmentStatus,
    ReceivedAssessment,
    ReceivedAttachment,
)
from matis.cooperation.services.common import (
    BadItem,
    CooperationError,
    field_date,
    field_text,
    field_uuid,
    require,
)
from matis.exchange.relay import RelayEnvelope, relay_enqueue

KIND_ASSESSMENT = "assessment.share"
ASSESSMENT_FIELDS = frozenset(
    {
        "assessment",
        "title",
        "period_start",
        "period_end",
        "overview",
        "routes",
        "shared_with",
        "approved_on",
        "attachments",
    }
)
# All attachments of one assessment together (they travel base64-encoded in one item,
# a third larger, and must stay well under the hub's item size limit).
ATTACHMENTS_MAX_BYTES = 8 * 1024 * 1024
TITLE_MAX, TEXT_MAX = 200, 20_000


def _recipients(actor_country: str, codes: Iterable[str]) -> list[str]:
    chosen = sorted({str(c).upper() for c in codes if c})
    if not chosen:
        raise CooperationError(_("Choose at least one country to share with."))
    if actor_country in chosen:
        raise CooperationError(_("Your own country is not a recipient."))
    known = set(Country.objects.commit().filter(pk__in=chosen).values_list("pk", flat=True))
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise CooperationError(_("Not a COMMIT country: %(codes)s") % {"codes": ", ".join(unknown)})
    return chosen


def _check_text(title: str, summary: str, routes: str, period_start, period_end) -> None:
    if not title.strip():
        raise CooperationError(_("Give the assessment a title."))
    if len(title) > TITLE_MAX:
        raise CooperationError(_("The title is too long."))
    if not summary.strip():
        raise CooperationError(_("Write the summary."))
    if len(summary) > TEXT_MAX or len(routes) > TEXT_MAX:
        raise CooperationError(_("The text is too long."))
    if period_end < period_start:
        raise CooperationError(_("The period ends before it begins."))


@transaction.atomic
def assessment_create(
    *, actor: User, title: str, period_start, period_end, summary: str, routes: str = "",
    recipients: Iterable[str],
) -> Assessment:  # fmt: skip
    """A draft assessment of the actor's country, to be shared with ``recipients``."""
    require(actor, "cooperation.write_assessment", actor.country_id)
    _check_text(title, summary, routes, period_start, period_end)
    assessment = Assessment.objects.create(
        country_id=actor.country_id,
        title=title.strip(),
        period_start=period_start,
        period_end=period_end,
        summary=summary,
        routes=routes,
        recipients=_recipients(actor.country_id, recipients),
        created_by=actor,
    )
    audit_record(actor=actor, action=AuditAction.RECORD_CREATE, obj=assessment)
    return assessment


@transaction.atomic
def assessment_attach(*, actor: User, assessment: Assessment, uploaded) -> AssessmentAttachment:
    """Attach a checked file to a draft (raises ``EvidenceRejected`` or ``CooperationError``)."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    require(actor, "cooperation.write_assessment", assessment)
    if assessment.status != AssessmentStatus.DRAFT:
        raise CooperationError(_("Files are attached to a draft only."))
    checked = check_evidence(uploaded)
    total = sum(a.size for a in assessment.attachments.all()) + checked.size
    if total > ATTACHMENTS_MAX_BYTES:
        raise CooperationError(
            _("The attachments together may not exceed %(mb)s MB.")
            % {"mb": ATTACHMENTS_MAX_BYTES // (1024 * 1024)}
        )
    attachment = AssessmentAttachment(
        assessment=assessment,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(checked.name, uploaded, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    audit_record(
        actor=actor,
        action=AuditAction.FILE_UPLOAD,
        obj=attachment,
        country_id=assessment.country_id,
        size=checked.size,
        sha256=checked.sha256,
    )
    return attachment


@transaction.atomic
def assessment_submit(*, actor: User, assessment: Assessment) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    require(actor, "cooperation.write_assessment", assessment)
    assessment.check_transition(AssessmentStatus.SUBMITTED)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_by, assessment.submitted_at = actor, timezone.now()
    assessment.save(update_fields=["status", "submitted_by", "submitted_at"])
    audit_record(actor=actor, action=AuditAction.SUBMIT, obj=assessment)
    return assessment


@transaction.atomic
def assessment_return(*, actor: User, assessment: Assessment) -> Assessment:
    """The approver sends a submitted assessment back to draft."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    require(actor, "cooperation.approve_assessment", assessment)
    assessment.check_transition(AssessmentStatus.DRAFT)
    assessment.status = AssessmentStatus.DRAFT
    assessment.save(update_fields=["status"])
    audit_record(actor=actor, action=AuditAction.REJECT, obj=assessment)
    return assessment


def _attachment_data(attachment: AssessmentAttachment) -> dict:
    with attachment.file.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != attachment.sha256:
        raise CooperationError(
            _("The stored file “%(name)s” has changed since it was checked.")
            % {"name": attachment.original_name}
        )
    return {
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "content": base64.b64encode(content).decode("ascii"),
    }


@transaction.atomic
def assessment_approve(*, actor: User, assessment: Assessment) -> Assessment:
    """Approve (four eyes) and relay to each named country, one item per country."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    require(actor, "cooperation.approve_assessment", assessment)
    assessment.check_transition(AssessmentStatus.APPROVED)
    assessment.status = AssessmentStatus.APPROVED
    assessment.approved_by, assessment.approved_at = actor, timezone.now()
    assessment.save(update_fields=["status", "approved_by", "approved_at"])
    data = {
        "assessment": str(assessment.uid),
        "title": assessment.title,
        "period_start": assessment.period_start.isoformat(),
        "period_end": assessment.period_end.isoformat(),
        "overview": assessment.summary,
        "routes": assessment.routes,
        "shared_with": list(assessment.recipients),
        "approved_on": timezone.localdate(assessment.approved_at).isoformat(),
        "attachments": [_attachment_data(a) for a in assessment.attachments.all()],
    }
    for country in assessment.recipients:
        relay_enqueue(
            sender=assessment.country_id,
            recipient=country,
            kind=KIND_ASSESSMENT,
            data=data,
            idempotency_key=f"{assessment.country_id}:assessment:{assessment.uid}:{country}",
        )
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        obj=assessment,
        shared_with=list(assessment.recipients),
    )
    audit_record(
        actor=actor, action=AuditAction.SHARE, obj=assessment, recipients=assessment.recipients
    )
    return assessment


def assessment_receive(envelope: RelayEnvelope) -> ReceivedAssessment:
    """Keep an assessment shared with this country; its files are checked again on arrival."""
    data = envelope.data
    shared_with = data.get("shared_with")
    if not isinstance(shared_with, list) or envelope.recipient not in shared_with:
        raise BadItem("shared_with: this country is not named")
    uid = field_uuid(data, "assessment")
    found = ReceivedAssessment.objects.filter(country_id=envelope.recipient, uid=uid).first()
    if found is not None:
        return found
    start, end = field_date(data, "period_start"), field_date(data, "period_end")
    if end < start:
        raise BadItem("period_end: before period_start")
    received = ReceivedAssessment.objects.create(
        uid=uid,
        country_id=envelope.recipient,
        sender_id=envelope.sender,
        title=field_text(data, "title", max_length=TITLE_MAX),
        period_start=start,
        period_end=end,
        summary=field_text(data, "overview", max_length=TEXT_MAX),
        routes=field_text(data, "routes", max_length=TEXT_MAX, required=False),
        shared_with=sorted(str(c) for c in shared_with),
        approved_on=field_date(data, "approved_on"),
    )
    attachments = data.get("attachments") or []
    if not isinstance(attachments, list):
        raise BadItem("attachments: a list expected")
    for i, item in enumerate(attachments):
        _receive_attachment(received, item, i)
    audit_record(actor=None, action=AuditAction.IMPORT, obj=received, sender=envelope.sender)
    return received


def _receive_attachment(received: ReceivedAssessment, item, i: int) -> ReceivedAttachment:
    where = f"attachments[{i}]"
    if not isinstance(item, dict):
        raise BadItem(f"{where}: an object expected")
    try:
        content = base64.b64decode(str(item.get("content", "")), validate=True)
    except ValueError:
        raise BadItem(f"{where}.content: not base64") from None
    if hashlib.sha256(content).hexdigest() != item.get("sha256"):
        raise BadItem(f"{where}.sha256: does not match the content")
    name = field_text(item, "name", max_length=200)
    upload = SimpleUploadedFile(name, content, content_type=str(item.get("content_type", "")))
    try:
        checked = check_evidence(upload)
    except EvidenceRejected as exc:
        raise BadItem(f"{where}: {exc}") from None
    attachment = ReceivedAttachment(
        assessment=received,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    attachment.file.save(checked.name, ContentFile(content), save=False)
    attachment.save()
    return attachment
