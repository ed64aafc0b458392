"""The national outbox: retries with backoff, nothing lost or doubled, nothing sent without consent."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from matis.exchange.models import InboxItem, ItemKind, LinkageToken, OutboxItem, OutboxStatus
from matis.exchange.services import backoff_delay, enqueue_pending, outbox_push
from matis.exchange.transport import HubUnreachable
from tipstats import linkage


class FlakyHub:
    """Wraps a transport: the hub is down for the first ``down`` calls; or it stores the item
    and the acknowledgement is lost on the way back (``lose_acks``)."""

    def __init__(self, inner, *, down=0, lose_acks=0):
        self.inner, self.down, self.lose_acks = inner, down, lose_acks
        self.calls = []

    def post_item(self, body, idempotency_key):
        self.calls.append(idempotency_key)
        if self.down > 0:
            self.down -= 1
            raise HubUnreachable("connection refused")
        response = self.inner.post_item(body, idempotency_key)
        if self.lose_acks > 0:
            self.lose_acks -= 1
            raise HubUnreachable("connection reset after the hub stored the item")
        return response

    def get_alerts(self, query=""):
        return self.inner.get_alerts(query)


@pytest.fixture
def tokens_queued(person_case, consent):
    """Three THA persons who consented to share with KHM: three token items queued."""
    cases = [person_case("THA", dob=dt.date(1990 + i, 3, 4)) for i in range(3)]
    for case in cases:
        consent(case, "cross_border", "KHM")
    return cases


@pytest.mark.django_db
def test_consent_to_cross_border_sharing_queues_a_token_in_the_same_transaction(
    person_case, consent
):
    case = person_case("THA")
    assert not OutboxItem.objects.exists()
    consent(case, "cross_border", "KHM")
    item = OutboxItem.objects.get()
    assert (item.kind, item.country_id, item.status) == (ItemKind.LINKAGE_TOKEN, "THA", "pending")
    assert item.payload is None  # made (and frozen) on the first attempt


@pytest.mark.django_db
def test_hub_down_then_up_every_item_arrives_exactly_once(
    tokens_queued, local_transports, settings
):
    settings.MATIS_EXCHANGE_BACKOFF_BASE = 60
    hub = FlakyHub(local_transports("THA"), down=2)  # one hub across the pushes

    def factory(country):
        return hub

    first = outbox_push(transport_factory=factory)
    assert first.unreachable and first.sent == 0 and first.deferred == 1
    item = OutboxItem.objects.order_by("id").first()
    assert item.status == OutboxStatus.PENDING and item.attempts == 1
    assert item.next_attempt_at > timezone.now() + dt.timedelta(seconds=25)
    assert outbox_push(transport_factory=factory).sent == 0  # not due yet: nothing is tried

    second = outbox_push(transport_factory=factory, ignore_schedule=True)
    assert second.unreachable  # still down for one more call
    third = outbox_push(transport_factory=factory, ignore_schedule=True)
    assert third.sent == 3 and not third.unreachable
    assert OutboxItem.objects.filter(status=OutboxStatus.SENT).count() == 3
    assert InboxItem.objects.count() == 3
    assert LinkageToken.objects.count() == 3
    keys = list(InboxItem.objects.values_list("idempotency_key", flat=True))
    assert sorted(keys) == sorted(OutboxItem.objects.values_list("idempotency_key", flat=True))


@pytest.mark.django_db
def test_lost_acknowledgement_is_not_doubled(tokens_queued, local_transports):
    hub = FlakyHub(local_transports("THA"), lose_acks=1)
    first = outbox_push(transport_factory=lambda c: hub)
    assert first.unreachable and first.sent == 0
    assert InboxItem.objects.count() == 1  # stored at the hub, but the sender does not know
    payload_before = OutboxItem.objects.order_by("id").first().payload
    second = outbox_push(transport_factory=lambda c: hub, ignore_schedule=True)
    assert second.sent == 3 and second.duplicates == 1
    assert InboxItem.objects.count() == 3
    assert OutboxItem.objects.order_by("id").first().payload == payload_before  # same bytes
    assert len(hub.calls) == 4  # one item twice, the hub kept it once


@pytest.mark.django_db
def test_refused_item_is_set_aside_and_the_queue_goes_on(tokens_queued, local_transports):
    from matis.exchange.services import outbox_enqueue

    outbox_enqueue(
        country_id="THA",
        kind=ItemKind.ALERT_DECISION,
        object_type="test",
        object_id=1,
        idempotency_key="THA:decision:999:confirmed",
        payload={"alert": 999, "decision": "confirmed"},  # no such alert at the hub
    )
    result = outbox_push(transport_factory=local_transports)
    assert result.sent == 3 and result.failed == 1
    failed = OutboxItem.objects.get(status=OutboxStatus.FAILED)
    assert "unknown_alert" in failed.last_error


def test_backoff_grows_exponentially_with_bounded_jitter(settings):
    settings.MATIS_EXCHANGE_BACKOFF_BASE = 10
    settings.MATIS_EXCHANGE_BACKOFF_MAX = 300
    rng = random.Random(1)
    for attempts, nominal in [(1, 10), (2, 20), (3, 40), (4, 80), (6, 300), (20, 300)]:
        delays = [backoff_delay(attempts, rng=rng) for _ in range(200)]
        assert min(delays) >= 0.5 * nominal and max(delays) <= 1.5 * nominal
        assert max(delays) - min(delays) > 0.5 * nominal  # jitter spreads the retries


# --- consent -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_person_without_cross_border_consent_is_never_sent(person_case, consent, local_transports):
    with_consent = person_case("THA", dob=dt.date(1991, 1, 1))
    without = person_case("THA", dob=dt.date(1992, 2, 2))
    other_purpose = person_case("THA", dob=dt.date(1993, 3, 3))
    consent(with_consent, "cross_border", "KHM")
    consent(other_purpose, "statistics")
    consent(other_purpose, "services")
    enqueue_pending(country_id="THA")
    outbox_push(transport_factory=local_transports)
    tokens = list(LinkageToken.objects.all())
    assert len(tokens) == 1
    from matis.exchange.models import LinkageSubject

    assert LinkageSubject.objects.get(ref=tokens[0].subject_ref).case == with_consent
    assert not LinkageSubject.objects.filter(case__in=[without, other_purpose]).exists()


@pytest.mark.django_db
def test_after_a_schema_upgrade_enqueue_sends_every_token_again(
    person_case, consent, local_transports
):
    case = person_case("THA", given="Sokha", family="Chan", dob=dt.date(1999, 2, 4))
    consent(case, "cross_border", "KHM")
    outbox_push(transport_factory=local_transports)
    assert enqueue_pending(country_id="THA")[ItemKind.LINKAGE_TOKEN] == 0  # already sent
    # as if sent by MATIS before the schema change (keys without the schema), and kept
    old = linkage.MATIS_SCHEMA_V1.fingerprint
    for model in (OutboxItem, InboxItem):
        for item in model.objects.filter(idempotency_key__startswith="THA:token:"):
            item.idempotency_key = item.idempotency_key.rsplit(":", 1)[0]
            item.save(update_fields=["idempotency_key"])
    LinkageToken.objects.update(schema_fingerprint=old)
    assert enqueue_pending(country_id="THA")[ItemKind.LINKAGE_TOKEN] == 1
    outbox_push(transport_factory=local_transports)
    assert LinkageToken.objects.get().schema_fingerprint == linkage.MATIS_SCHEMA.fingerprint
    assert enqueue_pending(country_id="THA")[ItemKind.LINKAGE_TOKEN] == 0


@pytest.mark.django_db
def test_withdrawal_before_sending_cancels_the_item(person_case, consent, local_transports):
    case = person_case("THA", dob=dt.date(1991, 1, 1))
    consent(case, "cross_border", "KHM")
    consent(case, "cross_border", "KHM", given=False)
    result = outbox_push(transport_factory=local_transports)
    assert result.sent == 0 and result.cancelled == 2
    assert not InboxItem.objects.exists()


@pytest.mark.django_db
def test_withdrawal_after_sending_deletes_the_token_at_the_hub(
    person_case, consent, local_transports
):
    case = person_case("THA", dob=dt.date(1991, 1, 1))
    consent(case, "cross_border", "KHM")
    outbox_push(transport_factory=local_transports)
    assert LinkageToken.objects.count() == 1
    consent(case, "cross_border", "KHM", given=False)
    result = outbox_push(transport_factory=local_transports)
    assert result.sent == 1
    assert OutboxItem.objects.order_by("id").last().kind == ItemKind.TOKEN_REVOKE
    assert not LinkageToken.objects.exists()
    assert not any("clk" in item.payload for item in InboxItem.objects.all())


@pytest.mark.django_db
def test_consent_withdrawn_after_a_release_was_queued_stops_it(
    person_case, consent, local_transports, settings
):
    from matis.exchange.services import enqueue_deidentified_release

    # four identical records: k = 2 must be the configured k, or the release is refused
    settings.MATIS_DISCLOSURE = {**settings.MATIS_DISCLOSURE, "k_anonymity": 2}
    cases = [person_case("THA", age=30) for _ in range(4)]
    for case in cases:
        consent(case, "statistics")
    item, _ = enqueue_deidentified_release("THA", k=2)
    assert item.case_ids == [c.pk for c in cases]
    consent(cases[0], "statistics", given=False)
    result = outbox_push(transport_factory=local_transports)
    assert result.cancelled == 1 and result.sent == 0
    assert not InboxItem.objects.exists()


@pytest.mark.django_db
def test_token_payload_carries_no_plain_value(person_case, consent, local_transports):
    case = person_case("THA", given="Sokha", family="Chan", dob=dt.date(1999, 2, 4))
    consent(case, "cross_border", "KHM")
    outbox_push(transport_factory=local_transports)
    item = InboxItem.objects.get()
    text = str(item.payload).lower()
    for plain in ("sokha", "chan", "1999", "feminine", case.reference.lower()):
        assert plain not in text.replace(item.payload["clk"].lower(), "")
    assert set(item.payload) == {
        "subject_ref", "clk", "spellings", "block_tokens", "schema", "consent_countries",
    }  # fmt: skip
    assert item.payload["spellings"] == []  # a Latin name has one spelling: its own
    # the hardened schema: no blocking tokens (they chained sex and year of birth)
    assert item.payload["block_tokens"] == {}
    assert item.payload["schema"] == linkage.MATIS_SCHEMA.fingerprint


@pytest.mark.django_db
def test_secure_deletion_of_a_case_withdraws_its_token(person_case, consent, local_transports):
    from matis.cases.services import case_secure_delete

    case = person_case("THA", dob=dt.date(1991, 1, 1))
    consent(case, "cross_border", "KHM")
    outbox_push(transport_factory=local_transports)
    assert LinkageToken.objects.count() == 1
    case_secure_delete(actor=None, case=case, reason="retention period over (synthetic)")
    revoke = OutboxItem.objects.get(kind=ItemKind.TOKEN_REVOKE)
    assert revoke.status == OutboxStatus.PENDING
    outbox_push(transport_factory=local_transports)
    assert not LinkageToken.objects.exists()


@pytest.mark.django_db
def test_token_queued_for_a_case_deleted_before_sending_is_cancelled(
    person_case, consent, local_transports
):
    from matis.cases.services import case_secure_delete

    case = person_case("THA", dob=dt.date(1991, 1, 1))
    consent(case, "cross_border", "KHM")
    case_secure_delete(actor=None, case=case, reason="synthetic")
    result = outbox_push(transport_factory=local_transports)
    assert result.cancelled == 1 and result.sent == 0
    assert not InboxItem.objects.exists()
