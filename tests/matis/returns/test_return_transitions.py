"""The repatriation status and step tables are exactly the changes allowed (issue 12)."""

from __future__ import annotations

import itertools

import pytest
from django.utils import translation

from matis.common.workflow import TransitionNotAllowed, transition_table
from matis.returns.choices import PlanStatus, RepatriationStatus, Step
from matis.returns.models import (
    IncomingRepatriation,
    ReintegrationPlan,
    Repatriation,
    StepOutOfOrder,
)

# Written from the code before the transition idiom was unified; "withdrawn" (issue 14):
# the person withdrew consent to a home country on another instance, which stops the return.
STATUS = {
    "in_progress": {"stopped", "completed", "cancelled", "withdrawn"},
    "stopped": {"in_progress", "cancelled", "withdrawn"},
    "completed": set(),
    "cancelled": set(),
    "withdrawn": set(),
}
# A reintegration plan is closed once (services.plan_close); it is not reopened.
PLAN = {"open": {"closed"}, "closed": set()}
STEPS = {
    None: {"request"},
    "request": {"tracing"},
    "tracing": {"nationality"},
    "nationality": {"travel_documents"},
    "travel_documents": {"handover"},
    "handover": {"reception"},
    "reception": set(),
}


def test_the_declared_tables_are_the_allowed_changes():
    assert transition_table(Repatriation) == STATUS
    assert transition_table(IncomingRepatriation) == STATUS
    assert IncomingRepatriation.STEP_TRANSITIONS == Repatriation.STEP_TRANSITIONS
    assert set(STATUS) == set(RepatriationStatus.values)
    assert transition_table(ReintegrationPlan) == PLAN
    assert set(PLAN) == set(PlanStatus.values)


@pytest.mark.parametrize(("source", "target"), itertools.product(STATUS, repeat=2))
def test_repatriation_status_table(source, target):
    assert Repatriation(status=source).can_transition(target) == (target in STATUS[source])


def test_repatriation_step_table():
    table = {k: {str(s) for s in v} for k, v in Repatriation.STEP_TRANSITIONS.items()}
    assert table == STEPS


@translation.override("en")
def test_a_step_out_of_order_is_a_refused_transition_with_the_steps_allowed():
    exc = StepOutOfOrder(Step.NATIONALITY, {Step.TRACING})
    assert isinstance(exc, TransitionNotAllowed)
    assert (exc.step, exc.allowed, exc.target) == (
        Step.NATIONALITY,
        [Step.TRACING],
        Step.NATIONALITY,
    )
    assert exc.messages == [
        "This step cannot be recorded now. Steps allowed now: Family tracing and risk assessment."
    ]
    none_left = StepOutOfOrder(Step.REQUEST, set())
    assert none_left.messages == ["This step cannot be recorded now. Steps allowed now: none."]
