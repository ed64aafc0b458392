"""Prometheus gauges of the exchange: the outbox backlog (matis.common.metrics collects them)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from matis.exchange.models import OutboxItem, OutboxStatus

# Not yet acknowledged by the hub: still to be sent, or set aside after repeated failures.
BACKLOG = (OutboxStatus.PENDING, OutboxStatus.PARKED)


def collect() -> Iterator[GaugeMetricFamily]:
    """Outbox items waiting for the hub, by status, and the age of the oldest one."""
    items = GaugeMetricFamily(
        "matis_exchange_outbox_items",
        "Outbox items not yet acknowledged by the hub, by status (pending, parked).",
        labels=["status"],
    )
    oldest = GaugeMetricFamily(
        "matis_exchange_outbox_oldest_age_seconds",
        "Age of the oldest outbox item not yet acknowledged by the hub (0 when none waits).",
    )
    counts = dict.fromkeys(BACKLOG, 0)
    rows = OutboxItem.objects.filter(status__in=BACKLOG).values("status").annotate(n=Count("id"))
    for row in rows:
        counts[row["status"]] = row["n"]
    for status, n in counts.items():
        items.add_metric([str(status)], n)
    first = OutboxItem.objects.filter(status__in=BACKLOG).aggregate(t=Min("created_at"))["t"]
    oldest.add_metric([], (timezone.now() - first).total_seconds() if first else 0.0)
    yield items
    yield oldest
