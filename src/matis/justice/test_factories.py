"""Factories for the authorisation tests: one justice-owned object per country, with its marker.

The marker is the criminal case number (it shows in the list of criminal cases).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from matis.access.models import Agency, OrganisationType, Role, User
from matis.cases.test_factories import make_case
from matis.justice.models import (
    Charge,
    CompensationClaim,
    CriminalCase,
    Defendant,
    VictimWitness,
)
from matis.testing.factories import factory_for


def make_criminal_case(country: str, marker: str) -> CriminalCase:
    agency = Agency.objects.create(
        name=f"Prosecutor {marker}", country_id=country, org_type=OrganisationType.LEGAL_SERVICE
    )
    officer = User.objects.create_user(
        email=f"prosecutor.{marker.lower()}@factory.example",
        password=None,
        role=Role.JUSTICE_OFFICER,
        country_id=country,
        agency=agency,
    )
    return CriminalCase.objects.create(
        country_id=country,
        reference=marker,
        agency=agency,
        opened_on=dt.date.today(),
        created_by=officer,
    )


@factory_for(CriminalCase)
def _criminal_case(country: str, marker: str) -> CriminalCase:
    return make_criminal_case(country, marker)


@factory_for(Defendant)
def _defendant(country: str, marker: str) -> Defendant:
    cc = make_criminal_case(country, marker)
    return Defendant.objects.create(criminal_case=cc, name=marker, role="Exploiter")


@factory_for(Charge)
def _charge(country: str, marker: str) -> Charge:
    defendant = _defendant(country, marker)
    return Charge.objects.create(
        defendant=defendant, law="trafficking", provision="s. 6", charged_on=dt.date.today()
    )


@factory_for(VictimWitness)
def _witness(country: str, marker: str) -> VictimWitness:
    cc = make_criminal_case(country, marker)
    return VictimWitness.objects.create(
        criminal_case=cc,
        case=make_case(country, f"V-{marker}"),
        role="witness",
        linked_by=cc.created_by,
    )


@factory_for(CompensationClaim)
def _claim(country: str, marker: str) -> CompensationClaim:
    witness = _witness(country, marker)
    return CompensationClaim.objects.create(
        witness=witness,
        kind="criminal",
        filed_on=dt.date.today(),
        currency="THB",
        claimed=Decimal("1000.00"),
    )
