"""Fixtures for return tests: a Thai sending side, a Cambodian receiving side, a third country."""

from __future__ import annotations

import datetime as dt

import pytest

D = dt.date
JAN_10, JAN_5, JAN_20 = D(2025, 1, 10), D(2025, 1, 5), D(2025, 1, 20)


@pytest.fixture
def two_countries(db, make_agency, make_user):
    """Thai shelter and worker; Cambodian receiving agency, its worker and a supervisor."""
    from matis.access.models import OrganisationType

    class World:
        pass

    w = World()
    w.tha_shelter = make_agency("THA", name="Shelter TH (synthetic)")
    w.tha_worker = make_user(role="case_worker", country="THA", agency=w.tha_shelter)
    w.tha_other = make_user(role="case_worker", country="THA")
    w.khm_agency = make_agency(
        "KHM", name="Social affairs KH (synthetic)", org_type=OrganisationType.CENTRAL_GOVERNMENT
    )
    w.khm_worker = make_user(role="case_worker", country="KHM", agency=w.khm_agency)
    w.khm_other = make_user(role="case_worker", country="KHM")  # another Cambodian agency
    w.khm_supervisor = make_user(role="case_supervisor", country="KHM")
    w.lao_agency = make_agency("LAO", name="Social welfare LA (synthetic)")
    w.lao_worker = make_user(role="case_worker", country="LAO", agency=w.lao_agency)
    return w


@pytest.fixture
def identified_case():
    """A Thai case of a Cambodian woman, identified on ``decided_on``."""
    from matis.cases import screening as instruments
    from matis.cases.services import case_register, identification_decide

    def make(actor, *, decided_on=JAN_10, opened_on=JAN_5, given="Sreyleak"):
        case = case_register(
            actor=actor,
            person={
                "given_name": given,
                "family_name": "Synthetic",
                "gender": "Feminine",
                "age_at_registration": 24,
                "primary_citizenship": None,
                "languages": ["km"],
            },
            case={"opened_on": opened_on, "summary": "SECRET-SUMMARY forced labour on a boat"},
        )
        identification_decide(
            actor=actor,
            case=case,
            decision="ActualVictimOfTrafficking",
            decision_org="Police",
            guideline=instruments.guidelines_for("THA")[0].code,
            language_informed="km",
            interpreter_present=True,
            decided_on=decided_on,
        )
        return case

    return make


@pytest.fixture
def consent():
    from matis.cases.services import consent_record

    def give(actor, case, country="KHM", on=JAN_20, given=True):
        from matis.common.models import Country

        return consent_record(
            actor=actor,
            case=case,
            purpose="cross_border",
            given=given,
            on=on,
            language="km",
            recipient_country=Country.objects.get(pk=country),
        )

    return give
