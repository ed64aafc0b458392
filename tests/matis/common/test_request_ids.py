"""Every request gets an id: echoed in X-Request-ID, carried by its JSON log line."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from matis.common.middleware import RequestIdFilter


@pytest.fixture
def json_request_log():
    """The ``matis.request`` lines, formatted by the JSON formatter the settings configure."""
    options = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("matis.request")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.mark.django_db
def test_a_new_id_is_echoed_and_logged_as_json(client, json_request_log):
    response = client.get("/health/")
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", request_id)
    assert client.get("/health/")["X-Request-ID"] != request_id  # one id per request
    line = json_request_log()[0]
    assert line["request_id"] == request_id
    assert line["logger"] == "matis.request" and line["level"] == "INFO"
    assert line["method"] == "GET" and line["route"] == "health/" and line["status"] == 200
    assert line["duration_ms"] >= 0 and "time" in line


@pytest.mark.django_db
def test_the_proxy_id_is_kept_through_response_and_log(client, json_request_log):
    proxy_id = "5f0c1e2d3b4a69788796a5b4c3d2e1f0"  # nginx $request_id: 32 hex digits
    response = client.get("/health/", HTTP_X_REQUEST_ID=proxy_id)
    assert response["X-Request-ID"] == proxy_id
    assert json_request_log()[0]["request_id"] == proxy_id


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sent",
    ["short", "x" * 33, "id with spaces", 'id"\ninjected', "ünïcode-id-123"],
)
def test_an_implausible_id_is_replaced(client, sent):
    request_id = client.get("/health/", HTTP_X_REQUEST_ID=sent)["X-Request-ID"]
    assert request_id != sent
    assert re.fullmatch(r"[0-9a-f]{16}", request_id)


@pytest.mark.django_db
def test_the_route_not_the_path_is_logged(client, make_user, json_request_log):
    client.force_login(make_user(role="secretariat_analyst", country=None))
    client.get("/api/v1/statistics/rules/NON_NEGATIVE/")
    client.get("/no/such/page/?name=Somchai")
    routes = [(line["route"], line["status"]) for line in json_request_log()]
    assert routes[0][0].startswith("api/v1/") and "NON_NEGATIVE" not in routes[0][0]
    assert routes[1] == ("<unmatched>", 404)
    assert all("Somchai" not in json.dumps(line) for line in json_request_log())


@pytest.mark.django_db
def test_djangos_own_warning_about_a_refusal_carries_the_id(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(request_id)s %(message)s"))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/metrics/", REMOTE_ADDR="203.0.113.7")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 403
    assert stream.getvalue().strip() == f"{response['X-Request-ID']} Forbidden: /metrics/"


def test_matis_log_format_json_makes_the_server_log_json(tmp_path):
    """End to end through the environment: MATIS_LOG_FORMAT=json, one request, one JSON line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}
    env.update(
        MATIS_ENV="test",
        MATIS_HOME=str(tmp_path),
        MATIS_LOG_FORMAT="json",
        MATIS_LOG_LEVEL="INFO",
        DJANGO_SETTINGS_MODULE="matis.settings",
    )
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/health/', HTTP_X_REQUEST_ID='abcdef0123456789')\n"
        "print(r['X-Request-ID'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "abcdef0123456789"
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    request_lines = [line for line in lines if line["logger"] == "matis.request"]
    assert len(request_lines) == 1
    assert request_lines[0]["request_id"] == "abcdef0123456789"
    assert request_lines[0]["status"] == 200


def test_an_unknown_log_format_stops_the_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}
    env.update(MATIS_ENV="test", MATIS_HOME=str(tmp_path), MATIS_LOG_FORMAT="xml")
    result = subprocess.run(
        [sys.executable, "-c", "import matis.settings"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "MATIS_LOG_FORMAT must be plain or json" in result.stderr
