"""The case and referral transition tables are exactly the changes allowed (issue 12)."""

from __future__ import annotations

import itertools

import pytest

from matis.cases.models import Case, InvalidTransition, Referral

# Written from the code before the transition idiom was unified; a change here is a
# change of behaviour, not of style.
CASE = {
    "Active": {"FollowUp", "Closed", "ClosedReferred"},
    "FollowUp": {"Active", "Closed", "ClosedReferred"},
    "Closed": {"Active"},
    "ClosedReferred": {"Active"},
}
REFERRAL = {
    "pending": {"accepted", "rejected", "revoked"},
    "accepted": {"completed", "revoked"},
    "rejected": set(),
    "revoked": set(),
    "completed": set(),
}


def _case_allows(source: str, target: str) -> bool:
    try:
        Case(status=source).check_transition(target)
    except InvalidTransition:
        return False
    return True


@pytest.mark.parametrize(("source", "target"), itertools.product(CASE, repeat=2))
def test_case_status_table(source, target):
    assert _case_allows(source, target) == (target in CASE[source])


@pytest.mark.parametrize(("source", "target"), itertools.product(REFERRAL, repeat=2))
def test_referral_status_table(source, target):
    allowed = target in Referral.ALLOWED_TRANSITIONS[source]
    assert allowed == (target in REFERRAL[source])
