"""Sending holds no row lock: an item is claimed under a lease, sent outside any transaction,
and its outcome recorded in a short transaction of its own.

Two pushers running at once (threads, each with its own database connection)
never send one item twice at once, nor two items of one chain at once; a
crashed pusher's claim lapses. The concurrency tests need row locks and run
on PostgreSQL (``MATIS_TEST_DATABASE_URL``); the others run on both.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from matis.exchange.models import InboxItem, ItemKind, OutboxItem, OutboxStatus
from matis.exchange.services import _claim_next, _record, outbox_enqueue, outbox_push

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks: run with MATIS_TEST_DATABASE_URL"
)


def queue_revocations(n: int, *, chain: str = "") -> list[OutboxItem]:
    """``n`` token withdrawals (each its own chain unless ``chain`` is given)."""
    items = []
    for _i in range(n):
        ref = str(uuid.uuid4())
        items.append(
            outbox_enqueue(
                country_id="THA",
                kind=ItemKind.TOKEN_REVOKE,
                object_type="exchange.linkagesubject",
                object_id=ref,
                idempotency_key=f"THA:revoke:{ref}",
                payload={"subject_ref": ref},
                chain=chain,
            )[0]
        )
    return items


class Watched:
    """The local hub, watched: which keys are in flight, in what order they were posted."""

    def __init__(self, inner, *, delay=0.0, during=None):
        self.inner, self.delay, self.during = inner, delay, during
        self.lock = threading.Lock()
        self.in_flight: set[str] = set()
        self.posted: list[str] = []
        self.overlaps: list[str] = []
        self.most_at_once = 0

    def post_item(self, body, idempotency_key):
        with self.lock:
            if idempotency_key in self.in_flight:
                self.overlaps.append(idempotency_key)
            self.in_flight.add(idempotency_key)
            self.posted.append(idempotency_key)
            self.most_at_once = max(self.most_at_once, len(self.in_flight))
        try:
            if self.during:
                self.during(idempotency_key)
            time.sleep(self.delay)
            return self.inner.post_item(body, idempotency_key)
        finally:
            with self.lock:
                self.in_flight.discard(idempotency_key)

    def get_alerts(self, query=""):
        return self.inner.get_alerts(query)


def in_other_connection(fn):
    """Run ``fn`` in another thread (so with another database connection); return its result."""
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except Exception as exc:
            out["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if "error" in out:
        raise out["error"]
    return out["value"]


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_and_the_row_is_free_during_the_http_call(
    local_transports, country_keys
):
    items = queue_revocations(2)
    seen = []

    def during(key):
        # the pusher's own connection: no transaction, so no lock can be held ...
        seen.append((key, connection.in_atomic_block))
        item = OutboxItem.objects.get(idempotency_key=key)
        assert (item.status, item.claimed_by != "") == ("pending", True)  # ... the lease holds it

        def touch():
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL lock_timeout = '2s'")
                    # NOWAIT: fails at once if any transaction holds the row
                    OutboxItem.objects.select_for_update(nowait=True).get(pk=item.pk)
                return OutboxItem.objects.filter(pk=item.pk).update(
                    last_error="touched by another connection"
                )

        # ... and another connection can lock and update the row meanwhile
        assert in_other_connection(touch) == 1

    hub = Watched(local_transports("THA"), during=during)
    result = outbox_push(transport_factory=lambda c: hub)
    assert result.sent == 2, result.errors
    assert seen == [(i.idempotency_key, False) for i in items]
    for item in items:
        item.refresh_from_db()
        assert (item.status, item.claimed_by, item.claimed_until) == ("sent", "", None)


@pytest.mark.django_db
def test_a_crashed_pushers_lease_lapses_and_the_item_is_sent_once(local_transports, settings):
    settings.MATIS_EXCHANGE_LEASE_SECONDS = 120
    crashed, *others = queue_revocations(3)
    claimed = _claim_next(country_id="THA", pusher="crashed", ignore_schedule=False)
    assert claimed.pk == crashed.pk  # then the pusher dies before sending
    assert timezone.now() + dt.timedelta(seconds=100) < claimed.claimed_until

    hub = Watched(local_transports("THA"))
    result = outbox_push(transport_factory=lambda c: hub)
    # the claimed item is left to its holder; the others (other chains) go on
    assert result.sent == 2 and crashed.idempotency_key not in hub.posted
    assert set(hub.posted) == {i.idempotency_key for i in others}

    OutboxItem.objects.filter(pk=crashed.pk).update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )  # the lease has run out
    result = outbox_push(transport_factory=lambda c: hub)
    assert result.sent == 1 and hub.posted.count(crashed.idempotency_key) == 1
    crashed.refresh_from_db()
    assert crashed.status == OutboxStatus.SENT

    # the crashed pusher coming back late changes nothing
    def late(current):
        current.status = OutboxStatus.FAILED
        return ["status"]

    assert _record(crashed, "crashed", late) is None
    crashed.refresh_from_db()
    assert crashed.status == OutboxStatus.SENT


@pytest.mark.django_db
def test_a_chain_is_not_sent_past_an_item_another_pusher_holds(local_transports):
    first, second = queue_revocations(2, chain="release:THA")
    (other,) = queue_revocations(1)
    held = _claim_next(country_id="THA", pusher="busy", ignore_schedule=False)
    assert held.pk == first.pk
    hub = Watched(local_transports("THA"))
    result = outbox_push(transport_factory=lambda c: hub)
    assert hub.posted == [other.idempotency_key] and result.sent == 1
    second.refresh_from_db()
    assert second.status == OutboxStatus.PENDING and second.attempts == 0


@on_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_pushers_never_send_an_item_twice(local_transports, country_keys):
    independent = queue_revocations(10)
    chained = queue_revocations(4, chain="release:THA")
    everything = independent + chained
    hub = Watched(local_transports("THA"), delay=0.15)
    start = threading.Barrier(2)
    results = {}

    def pusher(name):
        try:
            start.wait()
            results[name] = outbox_push(transport_factory=lambda c: hub)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pusher, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert not hub.overlaps  # never one item in flight twice
    assert hub.most_at_once == 2  # the two pushers did work at the same time
    assert sorted(hub.posted) == sorted(i.idempotency_key for i in everything)  # each once
    assert results["a"].sent > 0 and results["b"].sent > 0
    assert results["a"].sent + results["b"].sent == len(everything)
    assert InboxItem.objects.count() == len(everything)
    assert set(OutboxItem.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    # one chain: posted in queue order, one at a time
    order = [k for k in hub.posted if k in {i.idempotency_key for i in chained}]
    assert order == [i.idempotency_key for i in chained]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_claims_skip_a_row_another_transaction_has_locked(local_transports):
    """SKIP LOCKED: a pusher passes over a row being claimed elsewhere instead of waiting."""
    locked, free = queue_revocations(2)
    holding = threading.Event()
    release = threading.Event()

    def hold_lock():
        try:
            with transaction.atomic():
                OutboxItem.objects.select_for_update().get(pk=locked.pk)
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        started = time.monotonic()
        claimed = _claim_next(country_id="THA", pusher="p", ignore_schedule=False)
        assert claimed.pk == free.pk and time.monotonic() - started < 5
    finally:
        release.set()
        holder.join(timeout=30)
