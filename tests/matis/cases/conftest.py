"""Fixtures for case tests: agencies, case workers, supervisors and a registered case."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def world(db, make_agency, make_user):
    """Two agencies in Thailand, one in Cambodia, with a user of each relevant role."""
    from matis.access.models import OrganisationType
    from matis.cases.choices import PlacementKind
    from matis.cases.models import Facility, ServiceProvider

    class World:
        pass

    w = World()
    w.shelter = make_agency("THA", name="Shelter A (synthetic)")
    w.ngo = make_agency("THA", name="NGO B (synthetic)")
    w.khm_agency = make_agency("KHM", name="Shelter K (synthetic)")
    w.worker = make_user(role="case_worker", country="THA", agency=w.shelter)
    w.other_worker = make_user(role="case_worker", country="THA", agency=w.ngo)
    w.supervisor = make_user(
        role="case_supervisor",
        country="THA",
        agency=make_agency("THA", org_type=OrganisationType.CENTRAL_GOVERNMENT),
    )
    w.justice = make_user(role="justice_officer", country="THA")
    w.khm_worker = make_user(role="case_worker", country="KHM", agency=w.khm_agency)
    w.provider = ServiceProvider.objects.create(
        country_id="THA", name="Legal aid (synthetic)", services=["Legal"], agency=w.ngo
    )
    w.other_provider = ServiceProvider.objects.create(
        country_id="THA", name="Clinic (synthetic)", services=["Health"]
    )
    w.shelter_place = Facility.objects.create(
        country_id="THA", name="Shelter place (synthetic)", kind=PlacementKind.SHELTER
    )
    w.detention = Facility.objects.create(
        country_id="THA", name="IDC (synthetic)", kind=PlacementKind.IMMIGRATION_DETENTION
    )
    return w


@pytest.fixture
def register_case():
    """Register a case through the service: ``register_case(actor, **person)``."""
    from matis.cases.services import case_register

    def register(actor, documents=None, case=None, **person):
        values = {
            "given_name": "มาลัย",
            "family_name": "ทดสอบ",
            "gender": "Feminine",
            "age_at_registration": 24,
            "primary_citizenship": None,
            "languages": ["th"],
        }
        values.update(person)
        return case_register(
            actor=actor,
            person=values,
            case=case or {"opened_on": dt.date.today()},
            documents=documents or [],
        )

    return register
