"""Items up to the hub's 20 MiB limit arrive over real HTTP; a larger one gets a clear 413.

The hub runs under waitress on loopback with the options ``matis serve``
uses (:func:`matis.cli.waitress_options`), in this process, on the test
database; the national side pushes with :class:`~matis.exchange.transport.HttpTransport`.
Before the fix Django's 2.5 MiB ``DATA_UPLOAD_MAX_MEMORY_SIZE`` refused a
10 MiB item with a 400 that the sender took as a permanent refusal.
"""

from __future__ import annotations

import itertools
import json
import threading
import urllib.error
import urllib.request

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from matis.exchange.hub import MAX_BODY_BYTES
from matis.exchange.models import DeidentifiedCase, InboxItem, ItemKind, OutboxItem, OutboxStatus
from matis.exchange.services import _envelope, outbox_enqueue, outbox_push
from matis.exchange.transport import HttpTransport

pytestmark = [pytest.mark.slow]

MiB = 1024 * 1024


@pytest.fixture
def hub_server(transactional_db, settings):
    """``matis serve``'s waitress, with its options, serving this test process's hub."""
    from waitress.server import create_server

    from matis.cli import waitress_options
    from matis.wsgi import application

    settings.MATIS_EXCHANGE_LOCAL_HUB = True

    def app(environ, start_response):
        # the application itself; each request's database connection is closed after
        # it (waitress's threads outlive the test; PostgreSQL keeps idle ones open)
        response = application(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()
            connections.close_all()

    server = create_server(app, host="127.0.0.1", port=0, threads=2, **waitress_options())
    stopping = threading.Event()

    def run():
        try:
            server.run()
        except (OSError, ValueError):
            if not stopping.is_set():  # closing the sockets under the loop ends it so
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}/"
    stopping.set()
    server.close()
    thread.join(timeout=10)


def release(n_records: int) -> dict:
    """A synthetic de-identified release: every class of look-alikes has 600+ records and
    holds two forms of exploitation (k-anonymous and l-diverse)."""
    classes = list(
        itertools.product(
            ("Feminine", "Masculine"),
            ("18-24", "25-29", "30-39", "40-49"),
            ("KHM", "LAO", "MMR"),
            ("Sexual exploitation", "Forced labour and services in fishing"),
        )
    )
    records = []
    for i in range(n_records):
        gender, band, citizenship, exploitation = classes[i % len(classes)]
        records.append(
            {
                "prs_Gender": gender,
                "commit_AgeBand": band,
                "commit_Citizenship": citizenship,
                "commit_YearOpened": 2024,
                "commit_CountryOfExploitation": "THA",
                "vic_TraffickingStatus": "Confirmed victim of trafficking",
                "vic_TypeOfExploitation": exploitation,
                "commit_ForcedCriminality": False,
            }
        )
    return {"k": 11, "records": records}


def queue_release(n_records: int, tag: str, *, chain: str = "") -> tuple[OutboxItem, int]:
    item, _ = outbox_enqueue(
        country_id="THA",
        kind=ItemKind.DEIDENTIFIED_CASES,
        object_type="cases.release",
        object_id="THA",
        idempotency_key=f"THA:deidentified:{tag}",
        payload=release(n_records),
        chain=chain,
    )
    return item, len(_envelope(item))


def test_a_10_mib_release_arrives_over_http(hub_server, country_keys):
    item, size = queue_release(37_000, "ten-mib")
    assert 10 * MiB <= size < MAX_BODY_BYTES
    assert size > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # what refused it before

    result = outbox_push(
        transport_factory=lambda c: HttpTransport(hub_server, country_keys[c], timeout=120)
    )

    assert result.as_dict()["sent"] == 1, result.errors
    item.refresh_from_db()
    assert item.status == OutboxStatus.SENT and item.attempts == 1
    stored = InboxItem.objects.get(idempotency_key=item.idempotency_key)
    assert len(stored.payload["records"]) == 37_000
    assert DeidentifiedCase.objects.filter(country_id="THA").count() == 37_000


def test_an_item_over_the_limit_gets_413_naming_it_and_the_sender_records_why(
    hub_server, country_keys
):
    item, size = queue_release(74_000, "too-big")
    assert size > MAX_BODY_BYTES

    result = outbox_push(
        transport_factory=lambda c: HttpTransport(hub_server, country_keys[c], timeout=120)
    )

    assert result.failed == 1 and result.sent == 0 and not result.unreachable
    item.refresh_from_db()
    assert item.status == OutboxStatus.FAILED  # refused for good: the same bytes never fit
    assert item.last_error.startswith("413 too large")
    assert f"{size} bytes" in item.last_error
    assert "up to 20 MiB (20971520 bytes)" in item.last_error
    assert not InboxItem.objects.exists()

    # the hub's answer itself, as any client sees it
    answer = HttpTransport(hub_server, country_keys["THA"], timeout=120).post_item(
        _envelope(item), item.idempotency_key
    )
    assert answer.status == 413
    assert answer.body["error"] == "too_large" and answer.body["limit_bytes"] == MAX_BODY_BYTES


@pytest.mark.django_db
def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(client, hub):
    response = client.post(
        "/exchange/api/inbox/",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(30 * MiB),
    )
    assert response.status_code == 413
    assert response.json()["limit_bytes"] == MAX_BODY_BYTES
    assert "31457280 bytes" in response.json()["detail"]


def test_other_endpoints_keep_django_s_form_data_limit(hub_server):
    """A 3 MiB form posted to the sign-in page (with a valid CSRF token) is still refused."""
    from http.cookiejar import CookieJar

    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(hub_server + "login/", timeout=30).read()
    token = next(c.value for c in jar if c.name == django_settings.CSRF_COOKIE_NAME)

    def post(pad: int):
        body = b"username=a%40b.example&password=x&pad=" + b"x" * pad
        request = urllib.request.Request(hub_server + "login/", data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("X-CSRFToken", token)
        return opener.open(request, timeout=60)

    assert post(1024).status == 200  # a small form: a failed sign-in, the page again
    with pytest.raises(urllib.error.HTTPError) as refused:
        post(3 * MiB)
    assert refused.value.code == 400  # RequestDataTooBig: the 2.5 MiB limit still holds here


def test_waitress_body_limit_is_set_and_not_below_the_hub_limit(settings):
    from matis.cli import waitress_options

    options = waitress_options()
    assert options["max_request_body_size"] == settings.MATIS_MAX_REQUEST_BYTES
    assert options["max_request_body_size"] >= MAX_BODY_BYTES
    settings.MATIS_MAX_REQUEST_BYTES = MAX_BODY_BYTES - 1
    with pytest.raises(ImproperlyConfigured, match="MATIS_MAX_REQUEST_BYTES"):
        waitress_options()


def test_413_body_is_json_naming_the_limit(hub_server, country_keys):
    """A signed item just over the limit: JSON answer with the limit in bytes and MiB."""
    body = json.dumps({"pad": "x" * (MAX_BODY_BYTES + 10)}).encode()
    answer = HttpTransport(hub_server, country_keys["THA"], timeout=120).post_item(body, "THA:x")
    assert answer.status == 413
    assert "20 MiB" in answer.body["detail"] and str(len(body)) in answer.body["detail"]


def test_a_hub_failing_with_500_over_http_gets_the_item_parked(
    hub_server, country_keys, settings, monkeypatch, make_user
):
    """The hub's handler crashes on the item (HTTP 500): the sender parks it and goes on."""
    from django.core import mail

    from matis.exchange import views

    settings.MATIS_EXCHANGE_MAX_FAILURES = 2
    admin = make_user(role="administrator", country="THA")
    sick, _ = queue_release(600, "sick")
    # queued after it, in a chain of its own (releases of one country share a chain)
    healthy, _ = queue_release(700, "healthy", chain="test:other")

    def crash(**kwargs):
        raise RuntimeError("the hub's handler broke on this item")

    real = views.hub_inbox_answer

    def answer(**kwargs):
        if kwargs["headers"].get("Idempotency-Key") == sick.idempotency_key:
            return crash(**kwargs)
        return real(**kwargs)

    monkeypatch.setattr(views, "hub_inbox_answer", answer)
    push = lambda: outbox_push(  # noqa: E731
        transport_factory=lambda c: HttpTransport(hub_server, country_keys[c]),
        ignore_schedule=True,
    )
    first = push()
    assert (first.deferred, first.sent, first.unreachable) == (1, 0, False)
    assert "hub answered 500" in first.errors[0]
    second = push()
    assert (second.parked, second.sent) == (1, 1)
    sick.refresh_from_db()
    healthy.refresh_from_db()
    assert (sick.status, sick.failures) == (OutboxStatus.PARKED, 2)
    assert healthy.status == OutboxStatus.SENT
    assert [m.to for m in mail.outbox] == [[admin.email]]
