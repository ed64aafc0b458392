"""The outbox page shows, for a relayed item, its recipient and what became of it there."""

from __future__ import annotations

import re

import pytest

from matis.exchange import relay
from matis.exchange.models import RelayDelivery, RelayOutgoing

KIND = "test.delivery_note"


@pytest.fixture
def note_kind():
    applied = []
    relay.register_relay_kind(KIND, receive=applied.append, fields=frozenset({"n"}), personal=False)
    yield applied
    relay.RELAY_KINDS.pop(KIND, None)


def delivery_line(body: str) -> str:
    [line] = re.findall(r'<span data-relay-delivery="([a-z_]+)">(.*?)</span>', body, re.S)
    return " ".join(line)


@pytest.mark.django_db
def test_a_relayed_item_shows_applied_once_the_recipient_pulled(
    relay_loopback, note_kind, user_client
):
    with relay_loopback.at("THA"):
        relay.relay_enqueue(recipient="KHM", kind=KIND, data={"n": 1}, idempotency_key="note-1")
    client = user_client("task_force_officer", "THA")

    line = delivery_line(client.get("/exchange/").content.decode())
    assert line.startswith("queued ") and "to KHM" in line and "Queued here" in line

    assert relay_loopback.deliver()["KHM"] == 1
    assert len(note_kind) == 1
    out = RelayOutgoing.objects.get()
    assert out.delivery == RelayDelivery.APPLIED and out.delivery_at is not None

    line = delivery_line(client.get("/exchange/").content.decode())
    assert line.startswith("applied ")
    assert "to KHM" in line and "Applied by the recipient" in line

    client.cookies["matis_language"] = "th"
    line = delivery_line(client.get("/exchange/").content.decode())
    assert line.startswith("applied ")
    assert "ผู้รับนำไปใช้แล้ว" in line  # "Applied by the recipient"
    assert "ถึง KHM" in line  # "to KHM"
    assert "Applied by the recipient" not in line


@pytest.mark.django_db
def test_items_of_other_kinds_have_no_delivery_line(user_client):
    from matis.exchange.test_factories import _outbox

    _outbox("THA", "PLAIN-1")
    body = user_client("task_force_officer", "THA").get("/exchange/").content.decode()
    assert "data-relay-delivery" not in body
