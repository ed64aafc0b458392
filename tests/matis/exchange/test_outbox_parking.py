"""An item the hub keeps refusing with a server error is parked; the rest of the queue goes on.

The hub here is the real in-process hub (signed requests, verified and
stored); a wrapper makes it answer one chosen item with a 5xx, as a hub
whose handler crashes on that item would.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from matis.access.models import AuditAction, AuditLog
from matis.exchange.models import InboxItem, ItemKind, LinkageToken, OutboxItem, OutboxStatus
from matis.exchange.services import outbox_enqueue, outbox_push
from matis.exchange.transport import HubServerError


class SickHub:
    """The local hub, except that the keys in ``sick`` are answered with ``status``."""

    def __init__(self, inner, *, sick=(), status=500):
        self.inner, self.sick, self.status = inner, set(sick), status
        self.calls: list[str] = []

    def post_item(self, body, idempotency_key):
        self.calls.append(idempotency_key)
        if idempotency_key in self.sick:
            raise HubServerError(self.status, {"error": "server_error", "detail": "it broke"})
        return self.inner.post_item(body, idempotency_key)

    def get_alerts(self, query=""):
        return self.inner.get_alerts(query)


@pytest.fixture
def queue(person_case, consent):
    """Three THA persons consented to share with KHM (three tokens, one chain each); then the
    first also consents to LAO, which queues an update of that person's token (same chain)."""
    cases = [person_case("THA", dob=dt.date(1980 + i, 5, 6)) for i in range(3)]
    for case in cases:
        consent(case, "cross_border", "KHM")
    consent(cases[0], "cross_border", "LAO")
    items = list(OutboxItem.objects.order_by("id"))
    assert len(items) == 4
    assert items[0].chain == items[3].chain == f"cases.case:{cases[0].pk}"
    assert len({i.chain for i in items[:3]}) == 3
    return items


@pytest.fixture
def admins(make_user):
    return {
        "tha": make_user(role="administrator", country="THA"),
        "khm": make_user(role="administrator", country="KHM"),
        "auditor": make_user(role="auditor", country="THA"),
    }


def _status(item):
    item.refresh_from_db()
    return item.status


@pytest.mark.django_db
def test_server_errors_park_the_item_alert_its_admins_and_the_queue_goes_on(
    queue, admins, local_transports, settings
):
    settings.MATIS_EXCHANGE_MAX_FAILURES = 3
    first, second, third, update = queue
    hub = SickHub(local_transports("THA"), sick={first.idempotency_key})

    for n in (1, 2):
        result = outbox_push(transport_factory=lambda c: hub, ignore_schedule=True)
        # queue order: nothing overtakes the item waiting for its retry
        assert (result.sent, result.deferred, result.parked) == (0, 1, 0)
        first.refresh_from_db()
        assert (first.status, first.failures, first.attempts) == ("pending", n, n)
        assert "500" in first.last_error
    assert not mail.outbox

    result = outbox_push(transport_factory=lambda c: hub, ignore_schedule=True)
    assert result.parked == 1 and result.sent == 2
    assert _status(first) == OutboxStatus.PARKED and first.parked_at is not None
    assert _status(second) == _status(third) == OutboxStatus.SENT
    # the update depends on the parked token: it waits with it, never sent before it
    assert _status(update) == OutboxStatus.PENDING and update.attempts == 0
    assert hub.calls.count(update.idempotency_key) == 0

    # the alert: an email to this country's exchange administrators only ...
    assert [m.to for m in mail.outbox] == [[admins["tha"].email]]
    assert first.idempotency_key in mail.outbox[0].body and "500" in mail.outbox[0].body
    # ... and an audit row written with the change
    row = AuditLog.objects.get(
        action=AuditAction.STATUS_CHANGE, object_id=str(first.pk), detail__status="parked"
    )
    assert row.detail["failures"] == 3 and row.actor is None

    # later pushes leave the parked item and its chain alone
    again = outbox_push(transport_factory=lambda c: hub, ignore_schedule=True)
    assert again.as_dict()["sent"] == 0 and hub.calls.count(first.idempotency_key) == 3


@pytest.mark.django_db
def test_outbox_page_shows_the_parked_item_and_an_administrator_retries_it(
    queue, admins, local_transports, settings, client
):
    settings.MATIS_EXCHANGE_MAX_FAILURES = 1
    first, *_, update = queue
    hub = SickHub(local_transports("THA"), sick={first.idempotency_key})
    assert outbox_push(transport_factory=lambda c: hub, ignore_schedule=True).parked == 1

    client.force_login(admins["tha"])
    page = client.get(reverse("exchange:outbox")).content.decode()
    assert 'data-parked="1"' in page
    assert "1 item is parked." in page
    assert "data-held" in page  # the update waits behind it
    assert reverse("exchange:outbox_retry", args=[first.pk]) in page

    # the auditor sees the notice but may not retry (a write)
    client.force_login(admins["auditor"])
    assert client.post(reverse("exchange:outbox_retry", args=[first.pk])).status_code == 403
    assert _status(first) == OutboxStatus.PARKED
    # another country's administrator cannot reach it at all
    client.force_login(admins["khm"])
    assert client.post(reverse("exchange:outbox_retry", args=[first.pk])).status_code in (403, 404)
    assert _status(first) == OutboxStatus.PARKED

    client.force_login(admins["tha"])
    client.post(reverse("exchange:outbox_retry", args=[first.pk]))
    first.refresh_from_db()
    assert (first.status, first.failures, first.parked_at) == ("pending", 0, None)
    retry = AuditLog.objects.get(
        action=AuditAction.STATUS_CHANGE, object_id=str(first.pk), detail__retry=True
    )
    assert retry.actor == admins["tha"] and retry.detail["previous"] == "parked"

    hub.sick.clear()  # the hub's operators fixed the cause
    result = outbox_push(transport_factory=lambda c: hub, ignore_schedule=True)
    assert result.sent == 2
    first.refresh_from_db()
    update.refresh_from_db()
    assert first.status == update.status == OutboxStatus.SENT
    assert first.sent_at <= update.sent_at  # the token first, then its update
    token = LinkageToken.objects.get(country_id="THA", subject_ref=update.payload["subject_ref"])
    assert sorted(token.consent_countries) == ["KHM", "LAO"]
    assert client.get(reverse("exchange:outbox")).content.decode().count("data-parked") == 0


@pytest.mark.django_db
def test_hub_unavailable_is_waited_out_never_parked(queue, local_transports, settings):
    """502/503/504 say the hub (or its proxy) is down or busy, not that it refuses the item."""
    settings.MATIS_EXCHANGE_MAX_FAILURES = 2
    first = queue[0]
    for status in (503, 502, 504, 503):
        hub = SickHub(local_transports("THA"), sick={first.idempotency_key}, status=status)
        result = outbox_push(transport_factory=lambda c, hub=hub: hub, ignore_schedule=True)
        assert result.unreachable and result.parked == 0 and result.sent == 0
    first.refresh_from_db()
    assert (first.status, first.attempts, first.failures) == ("pending", 4, 0)
    assert not mail.outbox


@pytest.mark.django_db
def test_an_item_that_cannot_be_prepared_is_parked_and_does_not_block_the_queue(
    queue, local_transports, settings
):
    settings.MATIS_EXCHANGE_MAX_FAILURES = 2
    OutboxItem.objects.all().delete()
    broken, _ = outbox_enqueue(
        country_id="THA",
        kind=ItemKind.MONITORING_REPORT,
        object_type="monitoring.activityreport",
        object_id=987654,  # no such report: building its payload fails every time
        idempotency_key="THA:report:987654:x",
    )
    healthy, _ = outbox_enqueue(
        country_id="THA",
        kind=ItemKind.ALERT_DECISION,
        object_type="exchange.receivedalert",
        object_id=1,
        idempotency_key="THA:decision:1:x",
        payload={"alert": 424242, "decision": "confirmed"},
    )
    first = outbox_push(transport_factory=local_transports, ignore_schedule=True)
    assert first.deferred == 1 and first.failed == 0 and "could not be prepared" in first.errors[0]
    second = outbox_push(transport_factory=local_transports, ignore_schedule=True)
    assert second.parked == 1
    broken.refresh_from_db()
    healthy.refresh_from_db()
    assert broken.status == OutboxStatus.PARKED
    # the next item was tried: the hub answered it (unknown alert: refused for good)
    assert healthy.status == OutboxStatus.FAILED and "unknown_alert" in healthy.last_error
    assert not InboxItem.objects.filter(idempotency_key=broken.idempotency_key).exists()


def test_max_failures_setting_is_checked(settings):
    from matis.exchange import conf

    settings.MATIS_EXCHANGE_MAX_FAILURES = 0
    with pytest.raises(conf.ExchangeNotConfigured, match="MATIS_EXCHANGE_MAX_FAILURES"):
        conf.max_failures()
