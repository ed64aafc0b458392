"""Factories for the authorisation tests: one return-owned object per country, with its marker.

The marker is the person's given name (it shows in the list of returns). A
return made for country X is sent from X to a country other than Thailand, so
that no Thai user is on its receiving side.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from matis.access.models import Agency, OrganisationType, Role, User
from matis.cases.test_factories import make_case
from matis.returns.choices import Outcome, Side, Step
from matis.returns.models import (
    IncomingRepatriation,
    PlannedService,
    ReintegrationPlan,
    Repatriation,
    RepatriationStep,
)
from matis.testing.factories import factory_for


def _receiving_country(country: str) -> str:
    return "VNM" if country != "VNM" else "LAO"


def make_repatriation(country: str, marker: str) -> Repatriation:
    case = make_case(country, marker)
    other = _receiving_country(country)
    receiving = Agency.objects.create(
        name=f"Receiving {marker}", country_id=other, org_type=OrganisationType.CENTRAL_GOVERNMENT
    )
    worker = User.objects.create_user(
        email=f"ret.{case.pk}@factory.example",
        password=None,
        role=Role.CASE_WORKER,
        country_id=country,
        agency=case.agency,
    )
    today = dt.date.today()
    rep = Repatriation.objects.create(
        reference=f"RT-{country}-{other}-T-{marker[-12:]}",
        case=case,
        sending_country_id=country,
        receiving_country_id=other,
        sending_agency=case.agency,
        receiving_agency=receiving,
        identified_on=today,
        requested_on=today,
    )
    RepatriationStep.objects.create(
        repatriation=rep,
        step=Step.REQUEST,
        side=Side.SENDING,
        agency=case.agency,
        started_on=today,
        completed_on=today,
        outcome=Outcome.POSITIVE,
        recorded_by=worker,
    )
    return rep


@factory_for(Repatriation)
def _repatriation(country: str, marker: str) -> Repatriation:
    return make_repatriation(country, marker)


@factory_for(PlannedService)
def _planned_service(country: str, marker: str) -> PlannedService:
    case = make_case(country, marker)
    creator = User.objects.create_user(
        email=f"plan.{case.pk}@factory.example",
        password=None,
        role=Role.CASE_WORKER,
        country_id=country,
        agency=case.agency,
    )
    plan = ReintegrationPlan.objects.create(
        case=case, country_id=country, agency=case.agency, created_by=creator
    )
    return PlannedService.objects.create(plan=plan, kind="livelihood")


@factory_for(IncomingRepatriation)
def _incoming(country: str, marker: str) -> IncomingRepatriation:
    """A return received by ``country`` from another instance, given to one of its agencies."""
    agency = Agency.objects.create(
        name=f"Home agency {marker}",
        country_id=country,
        org_type=OrganisationType.CENTRAL_GOVERNMENT,
    )
    today = dt.date.today()
    incoming = IncomingRepatriation.objects.create(
        uid=uuid.uuid4(),
        reference=f"RT-{_receiving_country(country)}-{country}-T-{marker[-12:]}",
        sending_country_id=_receiving_country(country),
        receiving_country_id=country,
        receiving_agency=agency,
        requested_on=today,
        received_at=timezone.now(),
        given_name=marker,
        family_name="Synthetic",
        sex="Feminine",
        age=30,
    )
    incoming.steps.create(
        step=Step.REQUEST,
        side=Side.SENDING,
        agency_name="Sending agency (synthetic)",
        remote_id=1,
        started_on=today,
        completed_on=today,
        outcome=Outcome.POSITIVE,
    )
    return incoming
