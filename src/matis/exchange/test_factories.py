"""Factories for the authorisation tests: one exchange object per country, with its marker."""

from __future__ import annotations

from django.utils import timezone

from matis.cases.test_factories import make_case
from matis.exchange.models import (
    HubAlert,
    ItemKind,
    LinkageSubject,
    LinkageToken,
    OutboxItem,
    ReceivedAlert,
)
from matis.testing.factories import factory_for


@factory_for(OutboxItem)
def _outbox(country: str, marker: str) -> OutboxItem:
    return OutboxItem.objects.create(
        country_id=country,
        kind=ItemKind.MONITORING_REPORT,
        object_type="test.object",
        object_id="1",
        idempotency_key=f"{country}:test:{marker}",
        last_error=marker,
    )


@factory_for(ReceivedAlert)
def _received_alert(country: str, marker: str) -> ReceivedAlert:
    case = make_case(country, marker)
    subject = LinkageSubject.objects.create(case=case)
    other = "KHM" if country != "KHM" else "THA"
    return ReceivedAlert.objects.create(
        hub_alert_id=abs(hash(marker)) % 10**9,
        country_id=country,
        subject=subject,
        other_country_id=other,
        similarity=0.9,
        this_case_is_newer=True,
        raised_at=timezone.now(),
    )


@factory_for(HubAlert)
def _hub_alert(country: str, marker: str) -> HubAlert:
    import uuid

    other = "KHM" if country != "KHM" else "THA"
    tokens = [
        LinkageToken.objects.create(
            country_id=c, subject_ref=uuid.uuid4(), clk="", schema_fingerprint=marker
        )
        for c in (country, other)
    ]
    return HubAlert.objects.create(
        newer_token=tokens[0],
        earlier_token=tokens[1],
        newer_country_id=country,
        earlier_country_id=other,
        similarity=0.9,
    )
