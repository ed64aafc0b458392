"""The case and referral transition tables are exactly the changes allowed (issue 12)."""

from __future__ import annotations

import itertools

import pytest

from matis.cases.choices import ReferralStatus
from matis.cases.htcds import CaseStatus
from matis.cases.models import Case, Referral
from matis.common.workflow import transition_table

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


def test_the_declared_tables_are_the_allowed_changes():
    assert transition_table(Case) == CASE
    assert set(CASE) == set(CaseStatus.values)
    assert transition_table(Referral) == REFERRAL
    assert set(REFERRAL) == set(ReferralStatus.values)


@pytest.mark.parametrize(("source", "target"), itertools.product(CASE, repeat=2))
def test_case_status_table(source, target):
    assert Case(status=source).can_transition(target) == (target in CASE[source])


@pytest.mark.parametrize(("source", "target"), itertools.product(REFERRAL, repeat=2))
def test_referral_status_table(source, target):
    assert Referral(status=source).can_transition(target) == (target in REFERRAL[source])
