"""Factories for the authorisation tests: one row of each register in a given country."""

from __future__ import annotations

import datetime as dt

from matis.registers.models import (
    Agreement,
    AwarenessCampaign,
    Curriculum,
    FollowUpAction,
    HotlineRecord,
    LabourInspection,
    Meeting,
    PrivateSectorPartnership,
    SituationAssessment,
    SpecialistUnit,
    SurveillanceNetwork,
    Trainer,
    TrainingEvent,
    VulnerabilityProject,
)
from matis.testing.factories import factory_for

DAY = dt.date(2012, 6, 1)


@factory_for(Curriculum)
def curriculum(country: str, marker: str) -> Curriculum:
    return Curriculum.objects.create(
        country_id=country,
        ref=marker,
        title=f"Curriculum {marker}",
        activity="P&C2",
        level="national",
        kind="generalist",
        version="1",
        language="en",
    )


@factory_for(Trainer)
def trainer(country: str, marker: str) -> Trainer:
    return Trainer.objects.create(
        country_id=country, ref=marker, name=f"Trainer {marker}", sector="government"
    )


@factory_for(TrainingEvent)
def training_event(country: str, marker: str) -> TrainingEvent:
    return TrainingEvent.objects.create(
        country_id=country,
        ref=marker,
        title=f"Event {marker}",
        curriculum=curriculum(country, f"{marker}-C"),
        start_date=DAY,
        end_date=DAY,
        place="Place",
    )


@factory_for(Agreement)
def agreement(country: str, marker: str) -> Agreement:
    return Agreement.objects.create(
        country_id=country,
        ref=marker,
        title=f"Agreement {marker}",
        kind="bilateral",
        form="mou",
        subject="comprehensive",
        status="signed",
        signed_on=DAY,
    )


@factory_for(SpecialistUnit)
def unit(country: str, marker: str) -> SpecialistUnit:
    return SpecialistUnit.objects.create(
        country_id=country, ref=marker, name=f"Unit {marker}", level="national"
    )


@factory_for(SituationAssessment)
def assessment(country: str, marker: str) -> SituationAssessment:
    return SituationAssessment.objects.create(
        country_id=country,
        ref=marker,
        title=f"Assessment {marker}",
        kind="central",
        period_start=DAY,
        period_end=DAY,
        issued_on=DAY,
        language="en",
        classification="restricted",
        findings="Findings",
    )


@factory_for(VulnerabilityProject)
def project(country: str, marker: str) -> VulnerabilityProject:
    return VulnerabilityProject.objects.create(
        country_id=country,
        ref=marker,
        name=f"Project {marker}",
        implementer="NGO",
        focus="livelihoods",
        target_group="youth",
        places="Village",
        start_date=DAY,
    )


@factory_for(SurveillanceNetwork)
def network(country: str, marker: str) -> SurveillanceNetwork:
    return SurveillanceNetwork.objects.create(
        country_id=country,
        ref=marker,
        name=f"Network {marker}",
        kind="border",
        location="Border",
        established_on=DAY,
    )


@factory_for(AwarenessCampaign)
def campaign(country: str, marker: str) -> AwarenessCampaign:
    return AwarenessCampaign.objects.create(
        country_id=country,
        ref=marker,
        name=f"Campaign {marker}",
        channel="radio",
        audience="youth",
        start_date=DAY,
        end_date=DAY,
    )


@factory_for(HotlineRecord)
def hotline(country: str, marker: str) -> HotlineRecord:
    return HotlineRecord.objects.create(
        country_id=country,
        ref=marker,
        service=f"Hotline {marker}",
        year=2012,
        month=6,
        issue="trafficking",
        outcome="information",
        count=3,
    )


@factory_for(LabourInspection)
def inspection(country: str, marker: str) -> LabourInspection:
    return LabourInspection.objects.create(
        country_id=country,
        ref=marker,
        inspected_on=DAY,
        place=f"District {marker}",
        sector="A03",
        inspected_by="labour",
    )


@factory_for(PrivateSectorPartnership)
def partnership(country: str, marker: str) -> PrivateSectorPartnership:
    return PrivateSectorPartnership.objects.create(
        country_id=country,
        ref=marker,
        partner=f"Company {marker}",
        sector="tourism",
        kind="code_of_conduct",
        signed_on=DAY,
    )


@factory_for(Meeting)
def meeting(country: str, marker: str) -> Meeting:
    return Meeting.objects.create(
        country_id=country,
        ref=marker,
        kind="task_force",
        title=f"Meeting {marker}",
        host_country_id=country,
        city="City",
        start_date=DAY,
        end_date=DAY,
    )


@factory_for(FollowUpAction)
def action(country: str, marker: str) -> FollowUpAction:
    return FollowUpAction.objects.create(
        country_id=country,
        ref=marker,
        meeting=meeting(country, f"{marker}-M"),
        description=f"Action {marker}",
        responsible="Task force",
        due_on=DAY,
    )
