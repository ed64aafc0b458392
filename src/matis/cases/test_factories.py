"""Factories for the authorisation tests: one case-owned object per country, with its marker.

The marker is the person's given name, so a list that shows another
country's case shows its marker.
"""

from __future__ import annotations

import datetime as dt

from matis.access.models import Agency, OrganisationType, Role, User
from matis.cases.choices import AlertKind, PlacementKind
from matis.cases.htcds import TraffickingStatus
from matis.cases.models import (
    Alert,
    Case,
    Facility,
    Person,
    Placement,
    Referral,
    ServiceProvider,
)
from matis.testing.factories import factory_for


def _agency(country: str, marker: str) -> Agency:
    return Agency.objects.create(
        name=f"Shelter {marker}", country_id=country, org_type=OrganisationType.NGO
    )


def make_case(
    country: str, marker: str, *, agency: Agency | None = None, identified: bool = True
) -> Case:
    agency = agency or _agency(country, marker)
    person = Person.objects.create(
        country_id=country,
        given_name=marker,
        family_name="Synthetic",
        age_at_registration=30,
        age_basis="estimated",
    )
    return Case.objects.create(
        reference=f"{country}-T-{marker[-12:]}",
        country_id=country,
        agency=agency,
        person=person,
        trafficking_status=TraffickingStatus.ACTUAL_VICTIM_OF_TRAFFICKING if identified else "",
    )


def _worker(case: Case) -> User:
    return User.objects.create_user(
        email=f"worker.{case.pk}@factory.example",
        password=None,
        role=Role.CASE_WORKER,
        country_id=case.country_id,
        agency=case.agency,
    )


@factory_for(Case)
def _case(country: str, marker: str) -> Case:
    return make_case(country, marker)


@factory_for(Placement)
def _placement(country: str, marker: str) -> Placement:
    case = make_case(country, marker)
    facility = Facility.objects.create(
        country_id=country, name=f"Detention {marker}", kind=PlacementKind.IMMIGRATION_DETENTION
    )
    return Placement.objects.create(
        case=case,
        kind=facility.kind,
        facility=facility,
        voluntary=False,
        start_date=dt.date.today(),
        recorded_by=_worker(case),
    )


@factory_for(Alert)
def _alert(country: str, marker: str) -> Alert:
    placement = _placement(country, marker)
    return Alert.objects.create(
        case=placement.case, country_id=country, kind=AlertKind.DETENTION, placement=placement
    )


@factory_for(Referral)
def _referral(country: str, marker: str) -> Referral:
    case = make_case(country, marker)
    provider = ServiceProvider.objects.create(
        country_id=country, name=f"Provider {marker}", services=["Health"]
    )
    return Referral.objects.create(
        case=case,
        provider=provider,
        referring_agency=case.agency,
        reason="AdditionalServicesRequired",
        services=["Health"],
        created_by=_worker(case),
    )


@factory_for(ServiceProvider)
def _provider(country: str, marker: str) -> ServiceProvider:
    return ServiceProvider.objects.create(
        country_id=country, name=f"Provider {marker}", services=["Health"]
    )
