"""Activity reports: content edits, workflow transitions and evidence files."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matis.access.audit import audit_record, changes_since, snapshot
from matis.access.models import Agency, AuditAction, User
from matis.access.permissions import has_perm
from matis.common.files import check_evidence
from matis.exchange.services import outbox_enqueue_report_approval
from matis.monitoring import validation as v
from matis.monitoring.models import (
    ActivityReport,
    BudgetEntry,
    BudgetKind,
    EvidenceFile,
    ProgressStatus,
    ReportOutput,
    ReportPartner,
    ReviewComment,
    Workflow,
)
from matis.plans.models import RoleFunction


class ReportLocked(Exception):
    """The report cannot change now: approved, not in draft, or its period is closed."""


@dataclass(frozen=True)
class PartnerLine:
    partner_type: str
    name: str
    function_id: int | None = None


@dataclass(frozen=True)
class BudgetLine:
    kind: str
    currency: str
    amount: Decimal
    partner_name: str = ""
    partner_type: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.partner_name)


@dataclass
class ActivityReportContent:
    """Everything a country reports for one activity and period."""

    progress: str = ProgressStatus.NOT_STARTED
    narrative: str = ""
    narrative_language: str = ""
    outputs: dict[str, int] = field(default_factory=dict)
    agency_ids: frozenset[int] = frozenset()
    partners: frozenset[PartnerLine] = frozenset()
    budget: frozenset[BudgetLine] = frozenset()


def content_of(report: ActivityReport) -> ActivityReportContent:
    """The stored content of ``report`` (uses prefetched relations when present)."""
    return ActivityReportContent(
        progress=report.progress,
        narrative=report.narrative,
        narrative_language=report.narrative_language,
        outputs={o.kind: o.count for o in report.outputs.all()},
        agency_ids=frozenset(a.pk for a in report.responsible_agencies.all()),
        partners=frozenset(
            PartnerLine(p.partner_type, p.name, p.function_id) for p in report.partners.all()
        ),
        budget=frozenset(
            BudgetLine(b.kind, b.currency, b.amount, b.partner_name, b.partner_type)
            for b in report.budget.all()
        ),
    )


def validate_content(
    content: ActivityReportContent,
    *,
    country_id: str,
    functions: dict[int, RoleFunction] | None = None,
    agencies: set[int] | None = None,
) -> dict[str, list[str]]:
    """Check a report's content; returns {field: [messages]} (empty when valid)."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    try:
        v.check_progress(content.progress)
    except v.FieldError as exc:
        fail("progress", str(exc))
    try:
        v.check_language(content.narrative_language, required=bool(content.narrative.strip()))
    except v.FieldError as exc:
        fail("narrative_language", str(exc))
    for kind, count in content.outputs.items():
        try:
            v.check_output_kind(kind)
            v.check_count(count)
        except v.FieldError as exc:
            fail("outputs", str(exc))
    if agencies is None:
        agencies = set(
            Agency.objects.filter(country_id=country_id, pk__in=content.agency_ids).values_list(
                "pk", flat=True
            )
        )
    for agency_id in content.agency_ids - agencies:
        fail("agencies", _("agency %(id)s is not an agency of this country") % {"id": agency_id})
    if functions is None:
        ids = {p.function_id for p in content.partners if p.function_id}
        functions = RoleFunction.objects.in_bulk(ids)
    for partner in content.partners:
        try:
            v.check_partner_type(partner.partner_type)
            v.check_text(partner.name, max_length=200, required=True, what=_("the partner"))
        except v.FieldError as exc:
            fail("partners", str(exc))
            continue
        if partner.function_id is not None:
            function = functions.get(partner.function_id)
            if function is None:
                fail("partners", _("unknown function %(id)s") % {"id": partner.function_id})
            elif not getattr(function, partner.partner_type):
                fail("partners", roles_matrix_message(partner.partner_type, function))
    keys = set()
    for line in content.budget:
        try:
            v.check_budget_kind(line.kind)
            v.check_currency(line.currency)
            v.check_amount(line.amount)
            if line.kind == BudgetKind.PARTNER:
                v.check_text(
                    line.partner_name, max_length=200, required=True, what=_("the partner")
                )
                v.check_partner_type(line.partner_type)
            elif line.partner_name or line.partner_type:
                raise v.FieldError(_("only partner contributions name a partner"))
        except v.FieldError as exc:
            fail("budget", str(exc))
        if line.key in keys:
            fail(
                "budget",
                _("the budget line %(kind)s %(partner)s is given twice")
                % {"kind": line.kind, "partner": line.partner_name},
            )
        keys.add(line.key)
    return errors


def roles_matrix_message(partner_type: str, function: RoleFunction) -> str:
    from matis.monitoring.models import PartnerType

    return _("the roles matrix does not give %(type)s the function “%(function)s”") % {
        "type": PartnerType(partner_type).label,
        "function": function.function_en,
    }


def _require_content_edit(actor: User | None, report: ActivityReport) -> None:
    if actor is not None and not has_perm(actor, "monitoring.edit_report", report.country_id):
        raise PermissionDenied(_("Only the country's task force officers edit its reports."))
    if report.workflow != Workflow.DRAFT:
        raise ReportLocked(
            _("Only draft reports can be changed; this one is %(state)s.")
            % {"state": report.get_workflow_display()}
        )
    if not report.period.accepts_country_edits():
        raise ReportLocked(
            _("The reporting period %(year)s does not accept changes now.")
            % {"year": report.period.year}
        )


def _apply(report: ActivityReport, content: ActivityReportContent) -> list[str]:
    """Write the differences between the stored and the new content; the changed parts."""
    current = content_of(report)
    changed = []
    for name in ("progress", "narrative", "narrative_language"):
        if getattr(current, name) != getattr(content, name):
            setattr(report, name, getattr(content, name))
            changed.append(name)
    if current.outputs != content.outputs:
        stale = set(current.outputs) - set(content.outputs)
        report.outputs.filter(kind__in=stale).delete()
        for kind, count in content.outputs.items():
            if current.outputs.get(kind) != count:
                ReportOutput.objects.update_or_create(
                    report=report, kind=kind, defaults={"count": count}
                )
        changed.append("outputs")
    if current.agency_ids != content.agency_ids:
        report.responsible_agencies.set(content.agency_ids)
        changed.append("agencies")
    if current.partners != content.partners:
        for line in current.partners - content.partners:
            report.partners.filter(
                partner_type=line.partner_type, name=line.name, function_id=line.function_id
            ).delete()
        ReportPartner.objects.bulk_create(
            ReportPartner(
                report=report, partner_type=p.partner_type, name=p.name, function_id=p.function_id
            )
            for p in content.partners - current.partners
        )
        changed.append("partners")
    if current.budget != content.budget:
        new = {line.key: line for line in content.budget}
        for line in current.budget:
            if line.key not in new:
                report.budget.filter(kind=line.kind, partner_name=line.partner_name).delete()
        for key, line in new.items():
            BudgetEntry.objects.update_or_create(
                report=report,
                kind=key[0],
                partner_name=key[1],
                defaults={
                    "currency": line.currency,
                    "amount": line.amount,
                    "partner_type": line.partner_type,
                },
            )
        changed.append("budget")
    return changed


@transaction.atomic
def activity_report_update(
    *,
    actor: User | None,
    report: ActivityReport,
    content: ActivityReportContent,
    expected_revision: int | None = None,
    via: str = "form",
) -> list[str]:
    """Replace a draft report's content; returns the names of the parts that changed.

    Nothing is written when nothing differs, so saving the same content twice
    (or importing the same workbook twice) changes nothing.
    """
    report = (
        ActivityReport.objects.select_for_update(of=("self",))
        .select_related("period", "activity")
        .get(pk=report.pk)
    )
    _require_content_edit(actor, report)
    if expected_revision is not None and expected_revision != report.revision:
        raise ValidationError(
            _("Someone else changed this report meanwhile; reload it and make your changes again.")
        )
    errors = validate_content(content, country_id=report.country_id)
    if errors:
        raise ValidationError(errors)
    before = report.progress
    before_values = snapshot(report)
    changed = _apply(report, content)
    if not changed:
        return []
    report.revision += 1
    report.updated_by = actor if actor is not None and actor.is_authenticated else None
    report.save()
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_UPDATE,
        obj=report,
        changed=changed,
        via=via,
        activity=report.activity.code,
        year=report.period.year,
        changes=changes_since(before_values, report),
    )
    if "progress" in changed:
        audit_record(
            actor=actor,
            action=AuditAction.STATUS_CHANGE,
            obj=report,
            source=before,
            target=report.progress,
            activity=report.activity.code,
        )
    return changed


@transaction.atomic
def activity_report_transition(
    *, actor: User, report: ActivityReport, target: str, comment: str = ""
) -> ActivityReport:
    """Move a report through its workflow, by the explicit table of allowed transitions."""
    report = (
        ActivityReport.objects.select_for_update(of=("self",))
        .select_related("period", "activity")
        .get(pk=report.pk)
    )
    report.check_transition(target)  # raises TransitionNotAllowed
    transition = report.TRANSITIONS[report.workflow][target]
    if transition.by == "country":
        if not has_perm(actor, "monitoring.edit_report", report.country_id):
            raise PermissionDenied(_("Only the country's task force officers submit its reports."))
        if not report.period.accepts_country_edits():
            raise ReportLocked(
                _("The reporting period %(year)s does not accept submissions now.")
                % {"year": report.period.year}
            )
    else:
        if not has_perm(actor, "monitoring.review_report"):
            raise PermissionDenied(_("Only the secretariat reviews and approves reports."))
        if report.period.is_locked:
            raise ReportLocked(
                _("The reporting period %(year)s is closed.") % {"year": report.period.year}
            )
    comment = (comment or "").strip()
    if transition.comment_required and not comment:
        raise ValidationError({"comment": _("Write a comment for the country.")})
    if (
        transition.name == "submit"
        and report.progress in (ProgressStatus.IN_PROGRESS, ProgressStatus.COMPLETED)
        and not report.narrative.strip()
    ):
        raise ValidationError({"narrative": _("Describe the progress before submitting.")})
    source = report.workflow
    now = timezone.now()
    report.workflow = target
    if target == Workflow.SUBMITTED:
        report.submitted_at = now
    if target == Workflow.APPROVED:
        report.approved_at, report.approved_by = now, actor
    if source == Workflow.APPROVED:
        report.approved_at, report.approved_by = None, None
    report.save(
        update_fields=["workflow", "submitted_at", "approved_at", "approved_by", "updated_at"]
    )
    if comment:
        ReviewComment.objects.create(
            report=report, author=actor, transition=transition.name, text=comment
        )
    audit_record(
        actor=actor,
        action=transition.audit_action,
        obj=report,
        transition=transition.name,
        source=source,
        target=target,
        activity=report.activity.code,
        year=report.period.year,
    )
    if target == Workflow.APPROVED:
        audit_record(
            actor=actor,
            action=AuditAction.LOCK,
            obj=report,
            activity=report.activity.code,
            year=report.period.year,
        )
        outbox_enqueue_report_approval(report=report)  # national instance: on to the hub
    return report


@transaction.atomic
def evidence_add(
    *, actor: User, report: ActivityReport, uploaded, description: str = ""
) -> EvidenceFile:
    """Attach a checked evidence file to a draft report."""
    report = ActivityReport.objects.select_related("period").get(pk=report.pk)
    _require_content_edit(actor, report)
    checked = check_evidence(uploaded)  # raises EvidenceRejected
    evidence = EvidenceFile(
        report=report,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
        description=v.check_text(description, max_length=300),
    )
    # The file is written first; if the database write fails it is removed again.
    evidence.file.save(checked.name, uploaded, save=False)
    try:
        evidence.save()
        audit_record(
            actor=actor,
            action=AuditAction.FILE_UPLOAD,
            obj=evidence,
            country_id=report.country_id,
            size=checked.size,
            sha256=checked.sha256,
            content_type=checked.content_type,
        )
    except Exception:
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def evidence_delete(*, actor: User, evidence: EvidenceFile) -> None:
    report = ActivityReport.objects.select_related("period").get(pk=evidence.report_id)
    _require_content_edit(actor, report)
    file_name, storage = evidence.file.name, evidence.file.storage
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_DELETE,
        obj=evidence,
        country_id=report.country_id,
        sha256=evidence.sha256,
    )
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(file_name))


@transaction.atomic
def evidence_open(*, actor: User, evidence: EvidenceFile):
    """Open an evidence file for download and audit the read (the view checked the scope)."""
    audit_record(
        actor=actor,
        action=AuditAction.FILE_DOWNLOAD,
        obj=evidence,
        country_id=evidence.report.country_id,
        sha256=evidence.sha256,
    )
    return evidence.file.open("rb")
