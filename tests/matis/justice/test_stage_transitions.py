"""The criminal case stage table is exactly the changes allowed (issue 12)."""

from __future__ import annotations

import itertools

import pytest

from matis.justice.models import CriminalCase, InvalidTransition

# Written from the code before the transition idiom was unified.
STAGES = {
    "investigation": {"prosecution", "closed"},
    "prosecution": {"trial", "closed"},
    "trial": {"verdict", "closed"},
    "verdict": {"appeal", "closed"},
    "appeal": {"verdict", "closed"},
    "closed": set(),
}


def _allows(source: str, target: str) -> bool:
    try:
        CriminalCase(stage=source).check_transition(target)
    except InvalidTransition:
        return False
    return True


@pytest.mark.parametrize(("source", "target"), itertools.product(STAGES, repeat=2))
def test_criminal_case_stage_table(source, target):
    assert _allows(source, target) == (target in STAGES[source])
