"""Submissions: validate, submit, return, approve (which locks), reopen; comments; edits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matis.access.audit import audit_record, changes_since, snapshot
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.exchange.services import outbox_enqueue_statistics_approval
from matis.official_statistics.models import (
    Code,
    Dimension,
    Observation,
    ObservationRevision,
    RuleViolation,
    StatisticalIndicator,
    Submission,
    ValidationRule,
)
from matis.official_statistics.models.observations import flags_text
from matis.official_statistics.models.rules import Severity
from matis.official_statistics.validation import RuleEvaluator, SubmissionCells
from matis.official_statistics.values import ValueParseError, parse_value


class SubmissionBlocked(Exception):
    """Approval is refused: error-severity violations, or warnings without a comment."""

    def __init__(self, *, n_errors: int, n_uncommented: int):
        self.n_errors = n_errors
        self.n_uncommented = n_uncommented
        parts = []
        if n_errors:
            parts.append(_("%(n)s rule error(s) must be corrected") % {"n": n_errors})
        if n_uncommented:
            parts.append(_("%(n)s warning(s) need a comment") % {"n": n_uncommented})
        super().__init__(
            _("The submission cannot be approved: %(why)s.") % {"why": "; ".join(parts)}
        )


@dataclass
class ValidationSummary:
    n_errors: int
    n_warnings: int
    n_uncommented: int

    @property
    def blocks_approval(self) -> bool:
        return bool(self.n_errors or self.n_uncommented)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def load_cells(submission: Submission, *, with_history: bool) -> SubmissionCells:
    """The submission's cells (and the country's other years, for history rules)."""
    cells = {}
    for ind, key, value, cens, missing in (
        Observation.objects.filter(submission=submission)
        .order_by()
        .values_list("indicator_id", "series_key", "value", "censored_below", "is_missing")
    ):
        cells[(ind, key)] = (value, cens, missing)
    history: dict[tuple[int, str], list[float]] = defaultdict(list)
    if with_history:
        others = (
            Observation.objects.filter(country_id=submission.country_id, submission__isnull=False)
            .exclude(period=submission.period)
            .filter(value__isnull=False, censored_below__isnull=True, is_missing=False)
            .order_by()
            .values_list("indicator_id", "series_key", "value")
        )
        wanted = set(cells)
        for ind, key, value in others.iterator(chunk_size=10_000):
            if (ind, key) in wanted:
                history[(ind, key)].append(value)
    parents: dict[str, dict[str, str]] = defaultdict(dict)
    list_to_dims = defaultdict(list)
    for dim_code, list_id in Dimension.objects.values_list("code", "code_list_id"):
        list_to_dims[list_id].append(dim_code)
    for list_id, code, parent in Code.objects.filter(parent__isnull=False).values_list(
        "code_list_id", "code", "parent__code"
    ):
        for dim_code in list_to_dims[list_id]:
            parents[dim_code][code] = parent
    return SubmissionCells(cells=cells, history=dict(history), code_parents=dict(parents))


@transaction.atomic
def submission_validate(*, actor, submission: Submission) -> ValidationSummary:
    """Run every active rule on the submission; keep comments on violations that remain."""
    rules = list(ValidationRule.objects.filter(is_active=True).select_related("dimension"))
    uses_history = any(
        term in (r.left_side + r.right_side)
        for r in rules
        for term in ("history_median", "robust_z")
    )
    data = load_cells(submission, with_history=uses_history)
    indicator_ids = dict(StatisticalIndicator.objects.values_list("code", "pk"))
    findings = RuleEvaluator(rules, data, indicator_ids).run()
    existing = {
        (v.rule_id, v.indicator_id, v.series_key): v for v in submission.violations.order_by()
    }
    keep, create = set(), []
    for f in findings:
        ident = (f.rule_id, f.indicator_id, f.series_key)
        current = existing.get(ident)
        if current is None:
            create.append(
                RuleViolation(
                    submission=submission,
                    rule_id=f.rule_id,
                    severity=f.severity,
                    indicator_id=f.indicator_id,
                    series_key=f.series_key,
                    left_text=f.left_text[:100],
                    right_text=f.right_text[:100],
                )
            )
            continue
        keep.add(current.pk)
        if (current.severity, current.left_text, current.right_text) != (
            f.severity,
            f.left_text,
            f.right_text,
        ):
            current.severity, current.left_text, current.right_text = (
                f.severity,
                f.left_text[:100],
                f.right_text[:100],
            )
            current.save(update_fields=["severity", "left_text", "right_text"])
    stale = [v.pk for v in existing.values() if v.pk not in keep]
    if stale:
        RuleViolation.objects.filter(pk__in=stale).delete()
    RuleViolation.objects.bulk_create(create)
    submission.validated_at = timezone.now()
    submission.save(update_fields=["validated_at", "updated_at"])
    return violation_summary(submission)


def violation_summary(submission: Submission) -> ValidationSummary:
    n_errors = n_warnings = n_uncommented = 0
    for severity, comment in submission.violations.order_by().values_list("severity", "comment"):
        if severity == Severity.ERROR:
            n_errors += 1
        else:
            n_warnings += 1
            n_uncommented += not comment.strip()
    return ValidationSummary(n_errors, n_warnings, n_uncommented)


def _change_status(*, actor, submission: Submission, status: str, action: AuditAction, **detail):
    old = submission.status
    submission.check_transition(status)
    submission.status = status
    submission.save()
    audit_record(
        actor=actor,
        action=action,
        obj=submission,
        old_status=old,
        new_status=status,
        period=submission.period,
        **detail,
    )


@transaction.atomic
def submission_submit(*, actor, submission: Submission) -> ValidationSummary:
    """Draft -> submitted, by the country's statistics officer; runs the rules."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if actor is not None:
        _require(
            has_perm(actor, "statistics.edit_submission", submission.country_id),
            _("Only the country's statistics officers submit its statistics."),
        )
    summary = submission_validate(actor=actor, submission=submission)
    submission.submitted_by = actor if actor is not None else None
    submission.submitted_at = timezone.now()
    _change_status(
        actor=actor,
        submission=submission,
        status=Submission.Status.SUBMITTED,
        action=AuditAction.SUBMIT,
        errors=summary.n_errors,
        warnings=summary.n_warnings,
    )
    return summary


@transaction.atomic
def submission_return(*, actor, submission: Submission, reason: str) -> None:
    """Submitted -> draft, with the reason, for corrections."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if actor is not None:
        _require(
            has_perm(actor, "statistics.edit_submission", submission.country_id),
            _("Only the country's statistics officers review its statistics."),
        )
    if not reason.strip():
        raise ValueError(_("Say why the submission is returned."))
    _change_status(
        actor=actor,
        submission=submission,
        status=Submission.Status.DRAFT,
        action=AuditAction.REJECT,
        reason=reason[:500],
    )


@transaction.atomic
def submission_approve(*, actor, submission: Submission) -> ValidationSummary:
    """Submitted -> approved and locked; refused while rule errors or uncommented warnings remain."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if actor is not None:
        _require(
            has_perm(actor, "statistics.edit_submission", submission.country_id),
            _("Only the country's statistics officers approve its statistics."),
        )
        _require(
            has_perm(actor, "statistics.approve_submission", submission),
            _("A submission is approved by someone other than the person who submitted it."),
        )
    submission.check_transition(Submission.Status.APPROVED)
    summary = submission_validate(actor=actor, submission=submission)
    if summary.blocks_approval:
        raise SubmissionBlocked(n_errors=summary.n_errors, n_uncommented=summary.n_uncommented)
    submission.approved_by = actor if actor is not None else None
    submission.approved_at = timezone.now()
    _change_status(
        actor=actor,
        submission=submission,
        status=Submission.Status.APPROVED,
        action=AuditAction.APPROVE,
        warnings=summary.n_warnings,
        locked=True,
    )
    Observation.objects.filter(submission=submission).update(approved=True)
    outbox_enqueue_statistics_approval(submission=submission)  # national instance: to the hub
    return summary


@transaction.atomic
def submission_reopen(*, actor, submission: Submission, reason: str) -> None:
    """Approved -> draft (unlock), by the country's administrator; the data leave the hub view."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if actor is not None:
        _require(
            has_perm(actor, "statistics.unlock_submission", submission),
            _("Only the country's administrator reopens an approved submission."),
        )
    if not reason.strip():
        raise ValueError(_("Say why the approved submission is reopened."))
    submission.approved_by, submission.approved_at = None, None
    _change_status(
        actor=actor,
        submission=submission,
        status=Submission.Status.DRAFT,
        action=AuditAction.UNLOCK,
        reason=reason[:500],
    )
    Observation.objects.filter(submission=submission).update(approved=False)


@transaction.atomic
def violation_comment(*, actor, violation: RuleViolation, comment: str) -> RuleViolation:
    """Explain a warning (or note on an error); a warning needs one before approval."""
    submission = violation.submission
    if actor is not None:
        _require(
            has_perm(actor, "statistics.edit_submission", submission.country_id),
            _("Only the country's statistics officers comment on its statistics."),
        )
    if not submission.is_editable and submission.status != Submission.Status.SUBMITTED:
        raise ValueError(_("An approved submission cannot be changed."))
    violation.comment = comment.strip()
    violation.commented_by = actor if actor is not None else None
    violation.commented_at = timezone.now()
    violation.save(update_fields=["comment", "commented_by", "commented_at"])
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_UPDATE,
        obj=violation,
        country_id=submission.country_id,
        rule=violation.rule.code,
    )
    return violation


@transaction.atomic
def observation_update(
    *,
    actor,
    observation: Observation,
    value_text: str,
    is_estimated: bool,
    is_provisional: bool,
    reason: str,
) -> bool:
    """Change one value of a draft; keeps the old value as a revision. Returns True if it changed."""
    observation = (
        Observation.objects.select_for_update().select_related("submission").get(pk=observation.pk)
    )
    if actor is not None:
        _require(
            has_perm(actor, "statistics.edit_submission", observation.country_id),
            _("Only the country's statistics officers edit its statistics."),
        )
    if not observation.submission.is_editable:
        raise ValueError(_("Only values of a draft submission can be changed."))
    try:
        parsed = parse_value(value_text)
    except ValueParseError as exc:
        raise ValueError(str(exc)) from None
    new = (parsed.value, parsed.censored_below, parsed.is_missing, is_estimated, is_provisional)
    old = (
        observation.value,
        observation.censored_below,
        observation.is_missing,
        observation.is_estimated,
        observation.is_provisional,
    )
    if new == old:
        return False
    before = snapshot(
        observation,
        ["value", "censored_below", "is_missing", "is_estimated", "is_provisional"],
    )
    ObservationRevision.objects.create(
        observation=observation,
        changed_by=actor if actor is not None else None,
        old_value=observation.value,
        old_censored_below=observation.censored_below,
        old_flags=observation.flags,
        old_source=observation.source,
        new_value=parsed.value,
        new_censored_below=parsed.censored_below,
        new_flags=flags_text(is_estimated, is_provisional, parsed.is_missing),
        reason=reason[:300],
    )
    (
        observation.value,
        observation.censored_below,
        observation.is_missing,
        observation.is_estimated,
        observation.is_provisional,
    ) = new
    observation.updated_at = timezone.now()
    observation.save()
    Submission.objects.filter(pk=observation.submission_id).update(validated_at=None)
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_UPDATE,
        obj=observation,
        period=observation.period,
        reason=reason[:200],
        changes=changes_since(before, observation),
    )
    return True
