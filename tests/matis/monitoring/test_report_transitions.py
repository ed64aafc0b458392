"""The activity report workflow table is exactly the changes allowed (issue 12)."""

from __future__ import annotations

import itertools

import pytest

from matis.common.workflow import transition_table
from matis.monitoring.models import ActivityReport, Workflow

# Written from the code before the transition idiom was unified.
REPORT = {
    "draft": {"submitted"},
    "submitted": {"reviewed", "draft"},
    "reviewed": {"approved", "draft"},
    "approved": {"draft"},
}


def test_the_declared_table_is_the_allowed_changes():
    assert transition_table(ActivityReport) == REPORT
    assert set(REPORT) == set(Workflow.values)
    for source, steps in ActivityReport.TRANSITIONS.items():
        assert all(
            step.source == source and step.target == target for target, step in steps.items()
        )


@pytest.mark.parametrize(("source", "target"), itertools.product(REPORT, repeat=2))
def test_activity_report_workflow_table(source, target):
    assert ActivityReport(workflow=source).can_transition(target) == (target in REPORT[source])
