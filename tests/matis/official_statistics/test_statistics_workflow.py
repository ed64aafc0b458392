"""Submission status changes follow the allowed-transition list; edits keep their history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from stats_helpers import import_csv

from matis.access.models import AuditLog
from matis.common.workflow import TransitionNotAllowed
from matis.official_statistics.models import Observation, Submission
from matis.official_statistics.services import (
    ImportRejected,
    observation_update,
    submission_approve,
    submission_reopen,
    submission_return,
    submission_submit,
)


@pytest.fixture
def draft(db):
    import_csv(
        [
            ["VICTIMS_DETECTED", "THA", "2021", "", "10"],
            ["VICTIMS_DETECTED", "THA", "2021", "F", "6"],
        ]
    )
    return Submission.objects.get()


@pytest.fixture
def people(make_user):
    return {
        "officer": make_user(role="statistics_officer", country="THA"),
        "taskforce": make_user(role="task_force_officer", country="THA"),
        "admin": make_user(role="administrator", country="THA"),
        "other": make_user(role="statistics_officer", country="KHM"),
        "caseworker": make_user(role="case_worker", country="THA"),
        "secretariat": make_user(role="secretariat_analyst", country=None),
    }


def _move(submission: Submission, status: str) -> None:
    submission.check_transition(status)
    submission.status = status


def test_allowed_transitions_are_on_the_model():
    s = Submission(status=Submission.Status.DRAFT)
    with pytest.raises(TransitionNotAllowed):
        _move(s, Submission.Status.APPROVED)  # no skipping the submission
    _move(s, Submission.Status.SUBMITTED)
    _move(s, Submission.Status.APPROVED)
    with pytest.raises(TransitionNotAllowed):
        _move(s, Submission.Status.SUBMITTED)
    _move(s, Submission.Status.DRAFT)  # reopened
    assert s.status == Submission.Status.DRAFT


@pytest.mark.django_db
def test_submit_approve_locks_and_publishes(draft, people):
    submission_submit(actor=people["officer"], submission=draft)
    with pytest.raises(PermissionDenied):  # four eyes: not the person who submitted
        submission_approve(actor=people["officer"], submission=draft)
    for outsider in ("other", "caseworker", "secretariat"):
        with pytest.raises(PermissionDenied):
            submission_approve(actor=people[outsider], submission=draft)
    assert not Observation.objects.filter(approved=True).exists()
    submission_approve(actor=people["taskforce"], submission=draft)
    draft.refresh_from_db()
    assert draft.status == "approved" and draft.approved_by == people["taskforce"]
    assert Observation.objects.filter(approved=True).count() == 2
    actions = list(
        AuditLog.objects.filter(object_type="statistics.submission").values_list(
            "action", flat=True
        )
    )
    assert set(actions) >= {"submit", "approve"}
    # Locked: imports and edits are refused.
    with pytest.raises(ImportRejected):
        import_csv([["VICTIMS_DETECTED", "THA", "2021", "", "11"]])
    with pytest.raises(ValueError):
        observation_update(
            actor=people["officer"],
            observation=Observation.objects.first(),
            value_text="12",
            is_estimated=False,
            is_provisional=False,
            reason="x",
        )
    with pytest.raises(TransitionNotAllowed):
        submission_submit(actor=people["officer"], submission=draft)


@pytest.mark.django_db
def test_return_and_reopen(draft, people):
    submission_submit(actor=people["officer"], submission=draft)
    with pytest.raises(ValueError):
        submission_return(actor=people["taskforce"], submission=draft, reason=" ")
    submission_return(actor=people["taskforce"], submission=draft, reason="Check the total")
    draft.refresh_from_db()
    assert draft.status == "draft"
    submission_submit(actor=people["officer"], submission=draft)
    submission_approve(actor=people["admin"], submission=draft)
    with pytest.raises(PermissionDenied):
        submission_reopen(actor=people["officer"], submission=draft, reason="typo")
    submission_reopen(actor=people["admin"], submission=draft, reason="A typo in the total")
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not Observation.objects.filter(approved=True).exists()
    assert AuditLog.objects.filter(action="unlock", detail__reason="A typo in the total").exists()


@pytest.mark.django_db
def test_observation_edit_keeps_history(draft, people):
    total = Observation.objects.get(series_key="")
    assert observation_update(
        actor=people["officer"],
        observation=total,
        value_text="<5",
        is_estimated=True,
        is_provisional=False,
        reason="Suppressed on review",
    )
    total.refresh_from_db()
    assert (total.value, total.censored_below, total.flags) == (None, 5, "E")
    revision = total.revisions.get()
    assert (revision.old_display, revision.new_display, revision.changed_by) == (
        "10",
        "<5",
        people["officer"],
    )
    assert revision.new_flags == "E" and revision.reason == "Suppressed on review"
    event = AuditLog.objects.filter(action="record_update", object_id=total.pk).latest("id")
    assert Decimal(event.changes["value"][0]) == 10 and event.changes["value"][1] is None
    assert event.changes["censored_below"] == [None, 5]
    assert event.changes["is_estimated"] == [False, True]
    assert not observation_update(
        actor=people["officer"],
        observation=total,
        value_text="<5",
        is_estimated=True,
        is_provisional=False,
        reason="again",
    )
    with pytest.raises(PermissionDenied):
        observation_update(
            actor=people["other"],
            observation=total,
            value_text="3",
            is_estimated=False,
            is_provisional=False,
            reason="x",
        )
    with pytest.raises(ValueError):
        observation_update(
            actor=people["officer"],
            observation=total,
            value_text="ten",
            is_estimated=False,
            is_provisional=False,
            reason="x",
        )
