"""The activity report workflow table is exactly the changes allowed (issue 12)."""

from __future__ import annotations

import itertools

import pytest

from matis.monitoring.models import ALLOWED_TRANSITIONS

# Written from the code before the transition idiom was unified.
REPORT = {
    "draft": {"submitted"},
    "submitted": {"reviewed", "draft"},
    "reviewed": {"approved", "draft"},
    "approved": {"draft"},
}


@pytest.mark.parametrize(("source", "target"), itertools.product(REPORT, repeat=2))
def test_activity_report_workflow_table(source, target):
    assert ((source, target) in ALLOWED_TRANSITIONS) == (target in REPORT[source])
