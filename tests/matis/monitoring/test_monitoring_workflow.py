"""The report workflow: draft -> submitted -> reviewed -> approved and locked."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from matis.access.models import AuditAction, AuditLog
from matis.common.workflow import TransitionNotAllowed
from matis.monitoring.models import ActivityReport, ReviewComment, Workflow
from matis.monitoring.services import (
    ActivityReportContent,
    ReportLocked,
    activity_report_transition,
    activity_report_update,
    content_of,
    period_close,
)

pytestmark = pytest.mark.django_db


def actions_for(report) -> list[str]:
    return list(
        AuditLog.objects.filter(object_type="monitoring.activityreport", object_id=str(report.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_full_path_to_approval_is_audited_and_locks(report, tfo, secretariat):
    activity_report_transition(actor=tfo, report=report, target=Workflow.SUBMITTED)
    activity_report_transition(
        actor=secretariat,
        report=report,
        target=Workflow.REVIEWED,
        comment="Please add the number of provinces.",
    )
    approved = activity_report_transition(
        actor=secretariat, report=report, target=Workflow.APPROVED
    )
    assert approved.workflow == Workflow.APPROVED
    assert approved.approved_by == secretariat and approved.approved_at is not None
    assert approved.is_locked
    assert actions_for(report) == [
        AuditAction.SUBMIT,
        AuditAction.REVIEW,
        AuditAction.APPROVE,
        AuditAction.LOCK,
    ]
    assert ReviewComment.objects.get(report=report).text.startswith("Please add")
    with pytest.raises(ReportLocked):
        activity_report_update(
            actor=tfo, report=approved, content=ActivityReportContent(progress="completed")
        )


ALL_STATES = list(Workflow.values)
FORBIDDEN = [
    (s, t)
    for s, t in itertools.product(ALL_STATES, ALL_STATES)
    if not ActivityReport(workflow=s).can_transition(t)
]


@pytest.mark.parametrize(("source", "target"), FORBIDDEN)
def test_every_transition_outside_the_table_is_refused(report, secretariat, tfo, source, target):
    report.workflow = source
    report.save()
    for actor in (tfo, secretariat):
        with pytest.raises(TransitionNotAllowed):
            activity_report_transition(actor=actor, report=report, target=target, comment="x")
    report.refresh_from_db()
    assert report.workflow == source


def test_the_table_lists_exactly_the_documented_steps():
    steps = {
        (t.source, t.target, t.by)
        for targets in ActivityReport.TRANSITIONS.values()
        for t in targets.values()
    }
    assert steps == {
        ("draft", "submitted", "country"),
        ("submitted", "reviewed", "secretariat"),
        ("submitted", "draft", "secretariat"),
        ("reviewed", "draft", "secretariat"),
        ("reviewed", "approved", "secretariat"),
        ("approved", "draft", "secretariat"),
    }


def test_only_the_countrys_task_force_submits(report, secretariat, tfo_khm, make_user):
    for actor in (secretariat, tfo_khm, make_user(role="statistics_officer", country="THA")):
        with pytest.raises(PermissionDenied):
            activity_report_transition(actor=actor, report=report, target=Workflow.SUBMITTED)
    report.refresh_from_db()
    assert report.workflow == Workflow.DRAFT


def test_only_the_secretariat_reviews_and_approves(report, tfo, make_user):
    activity_report_transition(actor=tfo, report=report, target=Workflow.SUBMITTED)
    regional_admin = make_user(role="administrator", country=None)
    for actor in (tfo, regional_admin):
        with pytest.raises(PermissionDenied):
            activity_report_transition(
                actor=actor, report=report, target=Workflow.REVIEWED, comment="ok"
            )


def test_review_and_return_need_a_comment(report, tfo, secretariat):
    activity_report_transition(actor=tfo, report=report, target=Workflow.SUBMITTED)
    with pytest.raises(ValidationError):
        activity_report_transition(actor=secretariat, report=report, target=Workflow.REVIEWED)
    returned = activity_report_transition(
        actor=secretariat, report=report, target=Workflow.DRAFT, comment="Add evidence."
    )
    assert returned.workflow == Workflow.DRAFT
    assert AuditAction.REJECT in actions_for(report)


def test_submitting_progress_needs_a_narrative(make_report, tfo):
    report = make_report(code="CJ1", progress="completed", narrative="", narrative_language="")
    with pytest.raises(ValidationError):
        activity_report_transition(actor=tfo, report=report, target=Workflow.SUBMITTED)


def test_submitted_report_cannot_be_edited(report, tfo):
    activity_report_transition(actor=tfo, report=report, target=Workflow.SUBMITTED)
    with pytest.raises(ReportLocked):
        activity_report_update(
            actor=tfo, report=report, content=ActivityReportContent(progress="completed")
        )


def test_reopening_an_approved_report_unlocks_it(report, tfo, secretariat):
    for actor, target, comment in (
        (tfo, "submitted", ""),
        (secretariat, "reviewed", "ok"),
        (secretariat, "approved", ""),
    ):
        activity_report_transition(actor=actor, report=report, target=target, comment=comment)
    reopened = activity_report_transition(
        actor=secretariat, report=report, target="draft", comment="Correct the budget."
    )
    assert reopened.workflow == Workflow.DRAFT and reopened.approved_at is None
    assert actions_for(report)[-1] == AuditAction.UNLOCK
    changed = activity_report_update(
        actor=tfo,
        report=reopened,
        content=ActivityReportContent(
            progress="completed", narrative="Done.", narrative_language="en"
        ),
    )
    assert "progress" in changed


def test_closed_period_locks_everything(report, tfo, secretariat):
    activity_report_transition(actor=tfo, report=report, target=Workflow.SUBMITTED)
    period_close(actor=secretariat, period=report.period)
    report.refresh_from_db()
    assert report.is_locked
    with pytest.raises(ReportLocked):
        activity_report_transition(
            actor=secretariat, report=report, target=Workflow.REVIEWED, comment="too late"
        )
    assert AuditLog.objects.filter(
        action=AuditAction.LOCK, object_type="monitoring.reportingperiod"
    ).exists()


def test_country_edits_end_at_the_closing_date(make_report, tfo):
    report = make_report(code="PRO1")
    period = report.period
    period.closes_on = timezone.localdate() - dt.timedelta(days=1)
    period.save()
    with pytest.raises(ReportLocked):
        activity_report_update(
            actor=tfo, report=report, content=ActivityReportContent(progress="planned")
        )
    with pytest.raises(ReportLocked):
        activity_report_transition(actor=tfo, report=report, target=Workflow.SUBMITTED)


def test_saving_the_same_content_twice_changes_nothing(report, tfo):
    content = content_of(report)
    content.progress = "completed"
    assert activity_report_update(actor=tfo, report=report, content=content) == ["progress"]
    report.refresh_from_db()
    revision = report.revision
    assert activity_report_update(actor=tfo, report=report, content=content) == []
    report.refresh_from_db()
    assert report.revision == revision
    assert AuditAction.STATUS_CHANGE in actions_for(report)


def test_a_stale_form_is_refused(report, tfo):
    with pytest.raises(ValidationError):
        activity_report_update(
            actor=tfo,
            report=report,
            expected_revision=report.revision + 1,
            content=ActivityReportContent(progress="completed"),
        )


def test_transition_through_the_page(client, report, tfo, secretariat):
    client.force_login(tfo)
    response = client.post(f"/monitoring/reports/{report.pk}/transition/", {"target": "submitted"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.workflow == Workflow.SUBMITTED
    client.force_login(secretariat)
    page = client.get(f"/monitoring/reports/{report.pk}/").content.decode()
    assert 'data-transition="review"' in page and 'data-transition="approve"' not in page
    client.post(
        f"/monitoring/reports/{report.pk}/transition/", {"target": "approved"}
    )  # skipping the review is not allowed
    report.refresh_from_db()
    assert report.workflow == Workflow.SUBMITTED
