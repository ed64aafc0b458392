"""Factories for the authorisation tests: one cooperation record per country, with its marker.

The marker is shown wherever the record is listed: the consular post of a
notice, the title of an assessment, the text of a decision.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.files.base import ContentFile

from matis.access.models import Role, User
from matis.cooperation.models import (
    AgeGroup,
    Assessment,
    AssessmentAttachment,
    DetentionNotice,
    Direction,
    ReceivedAction,
    ReceivedAssessment,
    ReceivedAttachment,
    ReceivedDecision,
)
from matis.testing.factories import factory_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _other(country: str) -> str:
    return "VNM" if country != "VNM" else "LAO"


def _user(country: str, marker: str) -> User:
    return User.objects.create_user(
        email=f"coop.{marker.lower()}@factory.example",
        password=None,
        role=Role.STATISTICS_OFFICER,
        country_id=country,
    )


@factory_for(DetentionNotice)
def _notice(country: str, marker: str) -> DetentionNotice:
    return DetentionNotice.objects.create(
        direction=Direction.IN,
        country_id=country,
        other_country_id=_other(country),
        count=1,
        age_group=AgeGroup.ADULT,
        sex="Feminine",
        place_type="immigration_detention",
        start_date=dt.date.today(),
        consular_post=marker,
    )


@factory_for(Assessment)
def _assessment(country: str, marker: str) -> Assessment:
    return Assessment.objects.create(
        country_id=country,
        title=marker,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        summary="Synthetic summary",
        recipients=[_other(country)],
        created_by=_user(country, marker),
    )


@factory_for(AssessmentAttachment)
def _attachment(country: str, marker: str) -> AssessmentAttachment:
    assessment = _assessment(country, marker)
    attachment = AssessmentAttachment(
        assessment=assessment,
        original_name=f"{marker}.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=assessment.created_by,
    )
    attachment.file.save(f"{marker}.pdf", ContentFile(PDF), save=False)
    attachment.save()
    return attachment


@factory_for(ReceivedAssessment)
def _received(country: str, marker: str) -> ReceivedAssessment:
    return ReceivedAssessment.objects.create(
        uid=uuid.uuid4(),
        country_id=country,
        sender_id=_other(country),
        title=marker,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        summary="Synthetic summary",
        shared_with=[country],
        approved_on=dt.date.today(),
    )


@factory_for(ReceivedAttachment)
def _received_attachment(country: str, marker: str) -> ReceivedAttachment:
    received = _received(country, marker)
    attachment = ReceivedAttachment(
        assessment=received,
        original_name=f"{marker}.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
    )
    attachment.file.save(f"{marker}.pdf", ContentFile(PDF), save=False)
    attachment.save()
    return attachment


@factory_for(ReceivedDecision)
def _decision(country: str, marker: str) -> ReceivedDecision:
    decision = ReceivedDecision.objects.create(
        country_id=country,
        hub_id=abs(hash(marker)) % 10**9,
        uid=uuid.uuid4(),
        meeting="SOM",
        meeting_number=8,
        held_on=dt.date(2026, 1, 20),
        text=marker,
    )
    ReceivedAction.objects.create(
        decision=decision,
        uid=uuid.uuid4(),
        number=1,
        text=f"Action {marker}",
        countries=[country],
        due_on=dt.date(2026, 6, 30),
    )
    return decision


@factory_for(ReceivedAction)
def _action(country: str, marker: str) -> ReceivedAction:
    return _decision(country, marker).actions.get()
