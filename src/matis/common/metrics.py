"""Prometheus metrics: request rates and latency, the job queue, and what apps add.

Request counters live in this process (``matis serve`` is one process with
threads); queue depths are counted in the database when Prometheus scrapes,
so they are right whichever process (server or separate worker) did the work.
An app adds its own gauges by naming a function on its AppConfig,
``metrics_collector = "matis.<app>.metrics.collect"``, that yields
``prometheus_client`` metric families (the exchange outbox backlog does).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db.models import Count
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from matis.access.scoping import scoped
from matis.common.middleware import route_of

REGISTRY = CollectorRegistry()
for _collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
    REGISTRY.register(_collector)

HTTP_REQUESTS = Counter(
    "matis_http_requests",
    "HTTP requests answered, by method, URL pattern and status code.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "matis_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by method and URL pattern.",
    ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
# Any other method string a client sends is counted as "other", so a client
# cannot grow the number of series.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LOOPBACK = frozenset({"127.0.0.1", "::1"})


class RequestMetricsMiddleware:
    """Count every request and time it, labelled by URL pattern (never the path with its ids)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        began = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in _METHODS else "other"
        route = route_of(request)
        HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - began)
        HTTP_REQUESTS.labels(method, route, str(response.status_code)).inc()
        return response


class DatabaseCollector(Collector):
    """Gauges counted in the database at scrape time: the job queue and the apps' backlogs."""

    def collect(self) -> Iterator:
        yield from task_queue_metrics()
        for config in apps.get_app_configs():
            dotted = getattr(config, "metrics_collector", None)
            if dotted:
                module_name, func_name = dotted.rsplit(".", 1)
                yield from getattr(import_module(module_name), func_name)()


def task_queue_metrics() -> Iterator[GaugeMetricFamily]:
    """Background jobs in the django-tasks database queue, by queue and status (ready, running)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    gauge = GaugeMetricFamily(
        "matis_task_queue_jobs",
        "Background jobs in the database queue: ready (waiting for a worker) and running.",
        labels=["queue", "status"],
    )
    waiting = {TaskResultStatus.READY: "ready", TaskResultStatus.RUNNING: "running"}
    counts = {(queue, label): 0 for queue in _queue_names() for label in waiting.values()}
    rows = (
        DBTaskResult.objects.filter(status__in=list(waiting))
        .values("queue_name", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[(row["queue_name"], waiting[row["status"]])] = row["n"]
    for (queue, label), n in sorted(counts.items()):
        gauge.add_metric([queue, label], n)
    yield gauge


def _queue_names() -> list[str]:
    backend = settings.TASKS.get("default", {})
    return list(backend.get("QUEUES") or ["default"])


REGISTRY.register(DatabaseCollector())


def metrics_allowed(request) -> bool:
    """The bearer of ``MATIS_METRICS_TOKEN``; without a token configured, loopback callers only."""
    token = settings.MATIS_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return request.META.get("REMOTE_ADDR") in LOOPBACK


@scoped("global")
@require_GET
def metrics_view(request):
    """Prometheus text format; refused (403, empty) to anyone else."""
    if not metrics_allowed(request):
        return HttpResponse(status=403)
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
