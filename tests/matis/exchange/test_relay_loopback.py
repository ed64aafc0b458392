"""The country-to-country relay end to end in one database (sender → hub → recipient).

Real signing (HMAC to the hub, Ed25519 end to end) and real sealing
(X25519 + HKDF + ChaCha20-Poly1305); the ``relay_loopback`` fixture plays
THA, KHM and LAO and the hub in this process.
"""

from __future__ import annotations

import json

import pytest

from matis.access.models import AuditAction, AuditLog
from matis.exchange import relay
from matis.exchange.models import (
    OutboxItem,
    OutboxStatus,
    RelayDelivery,
    RelayItem,
    RelayOutgoing,
    RelayReceipt,
    RelayReceived,
    RelayReceivedStatus,
)

MARKER = "Zyxwa-Marker-7731"
KIND = "test.note"
PLAIN_KIND = "test.plain"


class Log(list):
    """Envelopes received, in order; ``failing`` names the notes whose receive() raises."""

    failing: set


@pytest.fixture
def received():
    """Register two test kinds; returns the list of envelopes their receive() got, in order."""
    log = Log()
    failing = log.failing = set()

    def receive(envelope):
        # writes a row first, so a failure shows whether what it wrote is kept
        AuditLog.objects.create(
            action=AuditAction.RECORD_CREATE, object_type="test.relay", object_id=envelope.data["n"]
        )
        if envelope.data["n"] in failing:
            raise ValueError(f"note {envelope.data['n']} cannot be filed")
        log.append(envelope)

    relay.register_relay_kind(KIND, receive=receive, fields=frozenset({"n", "note"}), personal=True)
    relay.register_relay_kind(PLAIN_KIND, receive=receive, fields=frozenset({"n"}), personal=False)
    yield log
    relay.RELAY_KINDS.pop(KIND, None)
    relay.RELAY_KINDS.pop(PLAIN_KIND, None)


@pytest.fixture
def tha_case(person_case, consent):
    case = person_case("THA", given="Sanmai", family="Linna")
    consent(case, "cross_border", "KHM")
    return case


def send(loop, n, *, case=None, kind=KIND, note=MARKER, key=None):
    data = {"n": n, "note": note} if kind == KIND else {"n": n}
    with loop.at("THA"):
        return relay.relay_enqueue(
            recipient="KHM",
            kind=kind,
            data=data,
            idempotency_key=key or f"note-{n}",
            case_ids=[case.pk] if case else (),
        )


def test_roundtrip_applies_once_and_the_sender_sees_it(relay_loopback, received, tha_case):
    item = send(relay_loopback, 1, case=tha_case)
    assert item.kind == "relay" and item.payload is None  # sealed only when sent
    assert relay_loopback.deliver()["KHM"] == 1

    [envelope] = received
    assert (envelope.sender, envelope.recipient, envelope.kind) == ("THA", "KHM", KIND)
    assert envelope.data == {"n": 1, "note": MARKER}
    assert (envelope.sequence, envelope.idempotency_key) == (1, "note-1")
    row = RelayReceived.objects.get()
    assert (row.status, row.sender_id, row.recipient_id) == (
        RelayReceivedStatus.APPLIED,
        "THA",
        "KHM",
    )
    assert row.acked_at is not None
    assert not RelayItem.objects.exists()  # acknowledged: the hub deleted the ciphertext
    assert RelayReceipt.objects.get().status == "applied"
    out = RelayOutgoing.objects.get()
    assert out.delivery == RelayDelivery.APPLIED
    assert OutboxItem.objects.get(kind="relay").status == OutboxStatus.SENT

    # again: nothing new, nothing applied twice
    assert relay_loopback.deliver()["KHM"] == 0
    assert len(received) == 1 and RelayReceived.objects.count() == 1


def test_the_same_idempotency_key_queues_once(relay_loopback, received, tha_case):
    first = send(relay_loopback, 1, case=tha_case)
    again = send(relay_loopback, 1, case=tha_case)
    assert first.pk == again.pk and RelayOutgoing.objects.count() == 1


def test_a_field_outside_the_agreed_fields_is_refused(relay_loopback, received, tha_case):
    with relay_loopback.at("THA"), pytest.raises(relay.FieldNotAgreed, match="'name'"):
        relay.relay_enqueue(
            recipient="KHM",
            kind=KIND,
            data={"n": 1, "name": "Sanmai"},
            idempotency_key="x",
            case_ids=[tha_case.pk],
        )
    assert not OutboxItem.objects.filter(kind="relay").exists()
    assert not RelayOutgoing.objects.exists()


def test_without_consent_for_the_recipient_nothing_is_queued(
    relay_loopback, received, person_case, consent
):
    case = person_case("THA")
    consent(case, "cross_border", "LAO")  # consent for another country only
    with relay_loopback.at("THA"), pytest.raises(relay.NoConsent, match=str(case.pk)):
        relay.relay_enqueue(
            recipient="KHM", kind=KIND, data={"n": 1}, idempotency_key="x", case_ids=[case.pk]
        )
    with relay_loopback.at("THA"), pytest.raises(relay.NoConsent):
        relay.relay_enqueue(recipient="KHM", kind=KIND, data={"n": 1}, idempotency_key="y")
    assert not OutboxItem.objects.filter(kind="relay").exists()


def test_consent_withdrawn_after_enqueue_cancels_and_the_sequence_goes_on(
    relay_loopback, received, tha_case, consent
):
    send(relay_loopback, 1, case=tha_case)
    consent(tha_case, "cross_border", "KHM", given=False)  # withdrawn before the push
    send(relay_loopback, 2, kind=PLAIN_KIND)  # a later, non-personal item

    relay_loopback.deliver()
    relay_loopback.deliver()  # the void place-holder was queued during the first push

    cancelled = OutboxItem.objects.get(idempotency_key="THA:relay:note-1")
    assert cancelled.status == OutboxStatus.CANCELLED and cancelled.payload is None
    assert "withdrawn" in cancelled.last_error
    assert RelayOutgoing.objects.get(key="note-1").data is None
    # the hub never saw it; the recipient got the place-holder, then item 2
    assert not RelayReceipt.objects.filter(idempotency_key="note-1").exists()
    assert [e.data["n"] for e in received] == [2]
    statuses = dict(RelayReceived.objects.values_list("sequence", "status"))
    assert statuses == {1: RelayReceivedStatus.VOID, 2: RelayReceivedStatus.APPLIED}


def test_the_hub_stores_no_plaintext(relay_loopback, received, tha_case):
    send(relay_loopback, 1, case=tha_case)
    relay_loopback.push("THA")
    stored = RelayItem.objects.get()
    assert stored.kind == KIND and stored.sequence == 1 and stored.sender_id == "THA"
    hub_bytes = stored.envelope + json.dumps(list(RelayReceipt.objects.values()), default=str)
    hub_bytes += json.dumps(list(AuditLog.objects.values()), default=str)
    assert MARKER not in hub_bytes and "Sanmai" not in hub_bytes
    # the marker is in the data all the same: it arrives
    relay_loopback.pull("KHM")
    assert received[0].data["note"] == MARKER


class Reordering:
    """A hub that answers items in reverse order and, at first, without the oldest one."""

    def __init__(self, inner):
        self.inner, self.hold_first = inner, True

    def call(self, method, relative, **kwargs):
        response = self.inner.call(method, relative, **kwargs)
        if method == "GET" and relative.endswith("relay/") and "items" in response.body:
            items = list(reversed(response.body["items"]))
            if self.hold_first:
                items = [i for i in items if i["sequence"] != 1]
            response.body["items"] = items
        return response


def test_out_of_order_delivery_is_applied_in_order(relay_loopback, received, tha_case):
    for n in (1, 2, 3):
        send(relay_loopback, n, case=tha_case)
    relay_loopback.push("THA")
    transport = Reordering(relay_loopback.transport("KHM"))
    with relay_loopback.at("KHM"):
        assert relay.relay_pull(transport=transport, country_id="KHM") == 0  # 2 and 3 wait for 1
        assert not RelayReceived.objects.exists() and RelayItem.objects.count() == 3
        transport.hold_first = False
        assert relay.relay_pull(transport=transport, country_id="KHM") == 3
    assert [e.sequence for e in received] == [1, 2, 3]


def test_a_failing_receive_parks_the_item_and_holds_back_later_ones(
    relay_loopback, received, tha_case
):
    received.failing.add(2)
    for n in (1, 2, 3):
        send(relay_loopback, n, case=tha_case)
    assert relay_loopback.deliver()["KHM"] == 1
    assert [e.data["n"] for e in received] == [1]
    parked = RelayReceived.objects.get(sequence=2)
    assert parked.status == RelayReceivedStatus.PARKED and "cannot be filed" in parked.error
    assert not RelayReceived.objects.filter(sequence=3).exists()  # waits behind 2
    # nothing the failed receive() wrote was kept
    assert list(
        AuditLog.objects.filter(object_type="test.relay").values_list("object_id", flat=True)
    ) == ["1"]
    # the sender sees the refusal; the hub keeps items 2 and 3
    out = RelayOutgoing.objects.get(sequence=2)
    assert out.delivery == RelayDelivery.PARKED and "cannot be filed" in out.delivery_error
    hub_receipt = RelayReceipt.objects.get(sequence=2)
    assert hub_receipt.status == "parked" and "cannot be filed" not in hub_receipt.error
    assert hub_receipt.error.startswith("sealed:")  # the hub relays the error, cannot read it
    assert sorted(RelayItem.objects.values_list("sequence", flat=True)) == [2, 3]

    relay_loopback.deliver()  # still parked: nothing moves
    assert [e.data["n"] for e in received] == [1]

    received.failing.clear()  # the cause is fixed; an administrator retries
    assert relay.relay_retry_parked(actor=None, country_id="KHM", sender="THA") == 1
    assert relay_loopback.deliver()["KHM"] == 2
    assert [e.data["n"] for e in received] == [1, 2, 3]
    assert not RelayItem.objects.exists()
    assert RelayOutgoing.objects.get(sequence=2).delivery == RelayDelivery.APPLIED


def test_an_altered_item_is_parked_not_applied(relay_loopback, received, tha_case):
    send(relay_loopback, 1, case=tha_case)
    relay_loopback.push("THA")
    stored = RelayItem.objects.get()
    envelope = json.loads(stored.envelope)
    envelope["sequence"] = 1
    envelope["kind"] = PLAIN_KIND  # the hub relabels the item: the associated data differ
    stored.envelope = json.dumps(envelope)
    stored.save()
    assert relay_loopback.pull("KHM") == 0
    row = RelayReceived.objects.get()
    assert row.status == RelayReceivedStatus.PARKED and "does not decrypt" in row.error
    assert received == []


def test_a_repeated_post_is_a_duplicate_and_a_changed_one_a_conflict(
    relay_loopback, received, tha_case
):
    from matis.exchange.signing import canonical_json
    from matis.exchange.transport import RELAY_PREFIX

    item = send(relay_loopback, 1, case=tha_case)
    relay_loopback.push("THA")
    item.refresh_from_db()
    transport = relay_loopback.transport("THA")
    body = canonical_json(item.payload)
    again = transport.call("POST", RELAY_PREFIX, body=body, idempotency_key="note-1")
    assert again.status == 200 and again.body["duplicate"] is True
    changed = dict(item.payload, nonce=item.payload["ciphertext"][:16])
    refused = transport.call(
        "POST", RELAY_PREFIX, body=canonical_json(changed), idempotency_key="note-1"
    )
    assert refused.status == 409
    # another country's credential cannot post as THA
    forged = relay_loopback.transport("LAO").call(
        "POST", RELAY_PREFIX, body=body, idempotency_key="note-1"
    )
    assert forged.status == 403 and forged.body["error"] == "country_mismatch"
    assert RelayItem.objects.count() == 1


def test_a_recipient_fetches_only_its_own_items(relay_loopback, received, tha_case):
    from matis.exchange.transport import RELAY_PREFIX

    send(relay_loopback, 1, case=tha_case)
    relay_loopback.push("THA")
    assert relay_loopback.transport("LAO").call("GET", RELAY_PREFIX).body["items"] == []
    assert len(relay_loopback.transport("KHM").call("GET", RELAY_PREFIX).body["items"]) == 1
    # LAO cannot acknowledge KHM's item away
    from matis.exchange.signing import canonical_json

    ack = {"acks": [{"sender": "THA", "idempotency_key": "note-1", "status": "applied"}]}
    answer = relay_loopback.transport("LAO").call(
        "POST", RELAY_PREFIX + "ack/", body=canonical_json(ack)
    )
    assert answer.body["results"] == ["unknown"] and RelayItem.objects.count() == 1


def test_pinning_out_of_band_refuses_a_substituted_key(relay_loopback, received, tha_case):
    from matis.exchange.models import PeerKey, PeerKeySource

    with relay_loopback.at("KHM"):
        khm = relay.relay_keys_register(country_id="KHM", transport=relay_loopback.transport("KHM"))
    with relay_loopback.at("THA"):
        pinned = relay.peer_key_pin(
            actor=None,
            holder="THA",
            peer="KHM",
            expected_fingerprint=relay.fingerprint_display(khm.fingerprint),
            transport=relay_loopback.transport("THA"),
        )
        assert pinned.source == PeerKeySource.ADMIN
        with pytest.raises(ValueError, match="do not pin"):
            relay.peer_key_pin(
                actor=None,
                holder="THA",
                peer="KHM",
                expected_fingerprint="00" * 32,
                transport=relay_loopback.transport("THA"),
            )
    assert PeerKey.objects.get(holder="THA", peer="KHM").fingerprint == khm.fingerprint
