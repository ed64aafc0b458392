"""The agreement and follow-up action status tables are exactly the changes allowed (issue 12)."""

from __future__ import annotations

import itertools

import pytest

from matis.common.workflow import transition_table
from matis.registers.models import Agreement, FollowUpAction

# Written from the code before the transition idiom was unified. Keeping a status
# (an edit of other fields) is allowed, so every status lists itself.
AGREEMENT = {
    "draft": {"draft", "signed", "terminated"},
    "signed": {"signed", "in_force", "terminated"},
    "in_force": {"in_force", "expired", "terminated"},
    "expired": {"expired", "in_force"},
    "terminated": {"terminated"},
}
FOLLOW_UP_ACTION = {
    "open": {"open", "in_progress", "done", "dropped"},
    "in_progress": {"in_progress", "open", "done", "dropped"},
    "done": {"done", "in_progress"},
    "dropped": {"dropped", "open"},
}


def test_the_declared_tables_are_the_allowed_changes():
    assert transition_table(Agreement) == AGREEMENT
    assert set(AGREEMENT) == set(Agreement.Status.values)
    assert transition_table(FollowUpAction) == FOLLOW_UP_ACTION
    assert set(FOLLOW_UP_ACTION) == set(FollowUpAction.Status.values)


@pytest.mark.parametrize(("source", "target"), itertools.product(AGREEMENT, repeat=2))
def test_agreement_status_table(source, target):
    allowed = Agreement(status=source).can_transition(target)
    assert allowed == (target in AGREEMENT[source])


@pytest.mark.parametrize(("source", "target"), itertools.product(FOLLOW_UP_ACTION, repeat=2))
def test_follow_up_action_status_table(source, target):
    allowed = FollowUpAction(status=source).can_transition(target)
    assert allowed == (target in FOLLOW_UP_ACTION[source])
