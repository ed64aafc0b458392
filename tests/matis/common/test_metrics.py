"""/metrics/ in Prometheus format: request counters, the job queue, the exchange outbox backlog."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from matis.exchange.models import ItemKind, OutboxItem, OutboxStatus
from matis.exchange.services import outbox_enqueue

TOKEN = "metrics-token-for-the-test-0123456789abcdef"


def scrape(client, **headers) -> dict[tuple, float]:
    """{(sample name, sorted labels): value} of one scrape of /metrics/."""
    response = client.get("/metrics/", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.django_db
def test_request_counters_and_latency_move_after_requests(client):
    before = scrape(client)
    for _ in range(3):
        assert client.get("/health/").status_code == 200
    client.get("/no/such/page/")
    after = scrape(client)
    health = {"method": "GET", "route": "health/"}
    assert (
        value(after, "matis_http_requests_total", status="200", **health)
        - value(before, "matis_http_requests_total", status="200", **health)
        == 3
    )
    assert (
        value(after, "matis_http_request_duration_seconds_count", **health)
        - value(before, "matis_http_request_duration_seconds_count", **health)
        == 3
    )
    assert value(after, "matis_http_request_duration_seconds_bucket", le="+Inf", **health) >= 3
    unmatched = {"method": "GET", "route": "<unmatched>", "status": "404"}
    assert (
        value(after, "matis_http_requests_total", **unmatched)
        - value(before, "matis_http_requests_total", **unmatched)
        == 1
    )
    # the scrape itself is counted, by its route
    assert value(after, "matis_http_requests_total", method="GET", route="metrics/", status="200")


@pytest.mark.django_db
def test_outbox_backlog_counts_a_queued_item_and_a_parked_one(client):
    before = scrape(client)
    assert value(before, "matis_exchange_outbox_items", status="pending") == 0
    assert value(before, "matis_exchange_outbox_oldest_age_seconds") == 0
    item, created = outbox_enqueue(
        country_id="THA",
        kind=ItemKind.ALERT_DECISION,
        object_type="test",
        object_id=1,
        idempotency_key="THA:decision:metrics-test",
        payload={"alert": 1, "decision": "confirmed"},
    )
    assert created
    queued = scrape(client)
    assert value(queued, "matis_exchange_outbox_items", status="pending") == 1
    assert value(queued, "matis_exchange_outbox_items", status="parked") == 0
    assert value(queued, "matis_exchange_outbox_oldest_age_seconds") >= 0
    OutboxItem.objects.filter(pk=item.pk).update(status=OutboxStatus.PARKED)
    parked = scrape(client)
    assert value(parked, "matis_exchange_outbox_items", status="pending") == 0
    assert value(parked, "matis_exchange_outbox_items", status="parked") == 1
    OutboxItem.objects.filter(pk=item.pk).update(status=OutboxStatus.SENT)
    assert value(scrape(client), "matis_exchange_outbox_items", status="parked") == 0


@pytest.mark.django_db
def test_job_queue_depth_counts_ready_and_running_jobs(client):
    from django.utils import timezone
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    assert value(scrape(client), "matis_task_queue_jobs", queue="default", status="ready") == 0
    common = {
        "task_path": "matis.common.tasks.example",
        "args_kwargs": {"args": [], "kwargs": {}},
        "queue_name": "default",
        "backend_name": "default",
        "priority": 0,
        "run_after": timezone.now(),
    }
    DBTaskResult.objects.create(status=TaskResultStatus.READY, **common)
    DBTaskResult.objects.create(status=TaskResultStatus.READY, **common)
    DBTaskResult.objects.create(status=TaskResultStatus.RUNNING, **common)
    DBTaskResult.objects.create(status=TaskResultStatus.SUCCESSFUL, **common)
    samples = scrape(client)
    assert value(samples, "matis_task_queue_jobs", queue="default", status="ready") == 2
    assert value(samples, "matis_task_queue_jobs", queue="default", status="running") == 1


@pytest.mark.django_db
def test_with_a_token_only_its_bearer_is_answered(client, settings):
    settings.MATIS_METRICS_TOKEN = TOKEN
    assert client.get("/metrics/").status_code == 403  # loopback, but no token
    assert client.get("/metrics/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics/", HTTP_AUTHORIZATION=TOKEN).status_code == 403  # no "Bearer"
    refused = client.get("/metrics/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x")
    assert refused.status_code == 403 and refused.content == b""
    samples = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert any(name == "matis_http_requests_total" for name, _ in samples)


@pytest.mark.django_db
def test_without_a_token_only_loopback_is_answered(client, settings):
    settings.MATIS_METRICS_TOKEN = ""
    assert client.get("/metrics/", REMOTE_ADDR="203.0.113.7").status_code == 403
    assert client.get("/metrics/", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/metrics/", REMOTE_ADDR="127.0.0.1").status_code == 200


@pytest.mark.django_db
def test_a_signed_in_user_without_the_token_is_refused(client, settings, make_user):
    settings.MATIS_METRICS_TOKEN = TOKEN
    admin = make_user(role="administrator", country=None)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(admin)
    assert client.get("/metrics/").status_code == 403
