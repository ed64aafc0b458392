"""The criminal case stage table is exactly the changes allowed (issue 12)."""

from __future__ import annotations

import itertools

import pytest

from matis.common.workflow import transition_table
from matis.justice.choices import Stage
from matis.justice.models import CriminalCase

# Written from the code before the transition idiom was unified.
STAGES = {
    "investigation": {"prosecution", "closed"},
    "prosecution": {"trial", "closed"},
    "trial": {"verdict", "closed"},
    "verdict": {"appeal", "closed"},
    "appeal": {"verdict", "closed"},
    "closed": set(),
}


def test_the_declared_table_is_the_allowed_changes():
    assert CriminalCase.STATE_FIELD == "stage"
    assert transition_table(CriminalCase) == STAGES
    assert set(STAGES) == set(Stage.values)


@pytest.mark.parametrize(("source", "target"), itertools.product(STAGES, repeat=2))
def test_criminal_case_stage_table(source, target):
    assert CriminalCase(stage=source).can_transition(target) == (target in STAGES[source])
