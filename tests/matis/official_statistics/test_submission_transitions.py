"""The submission status table is exactly the changes allowed (issue 12)."""

from __future__ import annotations

import itertools

import pytest

from matis.official_statistics.models import Submission

# Written from the code before the transition idiom was unified.
SUBMISSION = {
    "draft": {"submitted"},
    "submitted": {"draft", "approved"},
    "approved": {"draft"},
}


@pytest.mark.parametrize(("source", "target"), itertools.product(SUBMISSION, repeat=2))
def test_submission_status_table(source, target):
    allowed = Submission(status=source).can_transition_to(target)
    assert allowed == (target in SUBMISSION[source])
