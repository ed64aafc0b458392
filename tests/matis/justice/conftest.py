"""Fixtures for justice tests: a Thai justice officer, a Thai case worker and a victim's case."""

from __future__ import annotations

import datetime as dt

import pytest

D = dt.date


@pytest.fixture
def people(db, make_agency, make_user):
    from matis.access.models import OrganisationType

    class People:
        pass

    p = People()
    p.prosecutor_office = make_agency(
        "THA", name="Prosecutor TH (synthetic)", org_type=OrganisationType.LEGAL_SERVICE
    )
    p.officer = make_user(role="justice_officer", country="THA", agency=p.prosecutor_office)
    p.khm_officer = make_user(role="justice_officer", country="KHM")
    p.shelter = make_agency("THA", name="Shelter TH (synthetic)")
    p.worker = make_user(role="case_worker", country="THA", agency=p.shelter)
    p.other_worker = make_user(role="case_worker", country="THA")
    return p


@pytest.fixture
def victim_case(people):
    from matis.cases.services import case_register

    def make(given="Malai", age=28, law_enforcement_consent=True):
        from matis.cases.services import consent_record

        case = case_register(
            actor=people.worker,
            person={"given_name": given, "gender": "Feminine", "age_at_registration": age},
            case={"opened_on": D(2024, 1, 1)},
        )
        if law_enforcement_consent:
            consent_record(
                actor=people.worker,
                case=case,
                purpose="law_enforcement",
                given=True,
                on=D(2024, 1, 2),
                language="th",
                given_by="person" if age >= 18 else "guardian",
            )
        return case

    return make
