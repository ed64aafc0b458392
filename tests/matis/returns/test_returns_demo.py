"""The returns and justice demo loaders: consistent with the demo cases, rules obeyed, idempotent."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users(db):
    """The access demo's agencies and users, made quickly (no password hashing)."""
    from matis.access.demo import DEMO_AGENCIES, DEMO_COUNTRY_USERS, demo_email
    from matis.access.models import Agency, User

    for iso3 in ("THA", "KHM", "MMR", "LAO", "CHN", "VNM"):
        agencies = [
            Agency.objects.create(
                name=f"{name} ({iso3}, synthetic)", country_id=iso3, org_type=org_type
            )
            for name, org_type in DEMO_AGENCIES
        ]
        for local, role, index in DEMO_COUNTRY_USERS:
            if role in ("case_worker", "case_supervisor", "justice_officer"):
                User.objects.create_user(
                    email=demo_email(local, iso3),
                    password=None,
                    role=role,
                    country_id=iso3,
                    agency=agencies[index],
                )


def test_demo_returns_and_criminal_cases(demo_users):
    from matis.cases.demo import load_demo as load_cases
    from matis.justice.demo import load_demo as load_justice
    from matis.justice.models import CriminalCase, VictimWitness
    from matis.returns.demo import load_demo as load_returns
    from matis.returns.gates import consent_covers
    from matis.returns.models import ReintegrationPlan, Repatriation

    load_cases(400)
    first = load_returns()
    reps = list(Repatriation.objects.select_related("case"))
    assert reps, first
    corridors = {r.corridor for r in reps}
    assert corridors <= {"THA→KHM", "THA→MMR", "THA→LAO", "CHN→VNM"}
    assert "THA→KHM" in corridors
    for r in reps:
        assert r.case.reference.count("-D") == 1  # built on the demo cases
        assert r.case.person.primary_citizenship_id == r.receiving_country_id
        receiving_steps = r.steps.filter(side="receiving")
        if receiving_steps.exists():
            assert consent_covers(r)  # the home country acted only with consent
            assert {s.agency.country_id for s in receiving_steps} == {r.receiving_country_id}
        assert {s.agency.country_id for s in r.steps.filter(side="sending")} == {
            r.sending_country_id
        }
    assert ReintegrationPlan.objects.exists()
    load_justice()
    assert CriminalCase.objects.exists()
    for w in VictimWitness.objects.select_related("case", "criminal_case"):
        assert w.case.country_id == w.criminal_case.country_id
    counts = (Repatriation.objects.count(), CriminalCase.objects.count())
    assert load_returns() == "demo returns already loaded"
    assert load_justice() == "demo criminal cases already loaded"
    assert (Repatriation.objects.count(), CriminalCase.objects.count()) == counts
