"""The submission status table is exactly the changes allowed (issue 12)."""

from __future__ import annotations

import itertools

import pytest

from matis.common.workflow import transition_table
from matis.official_statistics.models import Submission

# Written from the code before the transition idiom was unified.
SUBMISSION = {
    "draft": {"submitted"},
    "submitted": {"draft", "approved"},
    "approved": {"draft"},
}


def test_the_declared_table_is_the_allowed_changes():
    assert transition_table(Submission) == SUBMISSION
    assert set(SUBMISSION) == set(Submission.Status.values)


@pytest.mark.parametrize(("source", "target"), itertools.product(SUBMISSION, repeat=2))
def test_submission_status_table(source, target):
    allowed = Submission(status=source).can_transition(target)
    assert allowed == (target in SUBMISSION[source])
