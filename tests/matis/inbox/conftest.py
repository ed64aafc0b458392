"""Fixtures for inbox tests: two countries, several roles, and work awaiting some of them."""

from __future__ import annotations

import datetime as dt

import pytest

# A synthetic victim name planted in the case data; no inbox mail may ever carry it.
PLANTED_GIVEN = "Zqwyxsynthia"
PLANTED_FAMILY = "Vorblatt-Synthetic"


@pytest.fixture
def planted_name() -> tuple[str, str]:
    """The synthetic victim's given and family name that every referred case carries."""
    return PLANTED_GIVEN, PLANTED_FAMILY


@pytest.fixture
def people(db, make_agency, make_user):
    """Case workers, supervisors, statistics and task force officers in THA and KHM, and the
    secretariat; a service provider in each country run by a second agency."""
    from matis.access.models import OrganisationType
    from matis.cases.models import ServiceProvider

    class People:
        pass

    p = People()
    for c in ("THA", "KHM"):
        shelter = make_agency(c, name=f"Shelter {c} (synthetic)")
        ngo = make_agency(c, name=f"Legal NGO {c} (synthetic)")
        gov = make_agency(c, org_type=OrganisationType.CENTRAL_GOVERNMENT)
        setattr(p, f"{c}_shelter", shelter)
        setattr(p, f"{c}_worker", make_user(role="case_worker", country=c, agency=shelter))
        setattr(p, f"{c}_ngo_worker", make_user(role="case_worker", country=c, agency=ngo))
        setattr(p, f"{c}_supervisor", make_user(role="case_supervisor", country=c, agency=gov))
        setattr(p, f"{c}_stats", make_user(role="statistics_officer", country=c))
        setattr(p, f"{c}_stats2", make_user(role="statistics_officer", country=c))
        setattr(p, f"{c}_tfo", make_user(role="task_force_officer", country=c))
        setattr(
            p,
            f"{c}_provider",
            ServiceProvider.objects.create(
                country_id=c, name=f"Legal aid {c} (synthetic)", services=["Legal"], agency=ngo
            ),
        )
    p.secretariat = make_user(role="secretariat_analyst", country=None)
    p.auditor = make_user(role="auditor", country=None)
    return p


@pytest.fixture
def refer(people):
    """Register a case (with the planted name) in ``country`` and refer it to the NGO there."""
    from matis.cases.choices import ConsentPurpose
    from matis.cases.services import case_register, consent_record, referral_create

    def make(country="THA"):
        worker = getattr(people, f"{country}_worker")
        provider = getattr(people, f"{country}_provider")
        case = case_register(
            actor=worker,
            person={
                "given_name": PLANTED_GIVEN,
                "family_name": PLANTED_FAMILY,
                "gender": "Feminine",
                "age_at_registration": 24,
                "primary_citizenship": None,
                "languages": ["th"],
            },
            case={"opened_on": dt.date.today()},
            documents=[],
        )
        consent_record(
            actor=worker,
            case=case,
            purpose=ConsentPurpose.REFERRAL,
            organisation=provider,
            given=True,
            on=dt.date.today(),
            language="th",
        )
        return referral_create(
            actor=worker,
            case=case,
            provider=provider,
            reason="AdditionalServicesRequired",
            services=["Legal"],
        )

    return make
