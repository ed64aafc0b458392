"""The repatriation status and step tables are exactly the changes allowed (issue 12)."""

from __future__ import annotations

import itertools

import pytest

from matis.returns.models import InvalidTransition, Repatriation

# Written from the code before the transition idiom was unified.
STATUS = {
    "in_progress": {"stopped", "completed", "cancelled"},
    "stopped": {"in_progress", "cancelled"},
    "completed": set(),
    "cancelled": set(),
}
STEPS = {
    None: {"request"},
    "request": {"tracing"},
    "tracing": {"nationality"},
    "nationality": {"travel_documents"},
    "travel_documents": {"handover"},
    "handover": {"reception"},
    "reception": set(),
}


def _allows(source: str, target: str) -> bool:
    try:
        Repatriation(status=source).check_transition(target)
    except InvalidTransition:
        return False
    return True


@pytest.mark.parametrize(("source", "target"), itertools.product(STATUS, repeat=2))
def test_repatriation_status_table(source, target):
    assert _allows(source, target) == (target in STATUS[source])


def test_repatriation_step_table():
    table = {k: {str(s) for s in v} for k, v in Repatriation.STEP_TRANSITIONS.items()}
    assert table == STEPS
