"""Security review findings 17 (caching, session lifetime) and 19 (API paging, throttling)."""

from __future__ import annotations

import time

import pytest
from rest_framework.throttling import UserRateThrottle

pytestmark = pytest.mark.django_db


def test_finding_17_pages_and_api_of_a_signed_in_user_are_not_cached(user_client):
    client = user_client("case_worker", "THA")
    for path in ("/cases/", "/api/v1/cases/", "/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_finding_17_anonymous_answers_are_left_to_their_views(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_finding_17_session_cookie_ends_with_the_browser(client, make_user, settings):
    user = make_user(role="case_worker", country="THA")
    response = client.post("/login/", {"username": user.email, "password": "correct horse battery"})
    assert response.status_code == 302
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_finding_17_an_idle_session_ends(user_client, settings):
    client = user_client("case_worker", "THA")
    assert client.get("/cases/").status_code == 200
    session = client.session
    session["matis_last_seen"] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get("/cases/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get("/api/v1/cases/").status_code == 403


def test_finding_17_an_active_session_stays(user_client, settings):
    client = user_client("case_worker", "THA")
    client.get("/")
    session = client.session
    session["matis_last_seen"] = int(time.time()) - settings.SESSION_IDLE_SECONDS + 120
    session.save()
    assert client.get("/cases/").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "limit=9999999999999999999",
        "limit=9223372036854775807",
        "offset=9999999999999999999",
        "limit=-5&offset=-3",
        "limit=abc",
    ],
)
def test_finding_19_absurd_paging_is_bounded_not_an_error(user_client, query):
    client = user_client("task_force_officer", "THA")
    response = client.get(f"/api/v1/activities/?{query}")
    assert response.status_code == 200, response.content[:300]
    assert len(response.json()["results"]) <= 1000


def test_finding_19_paging_never_returns_more_than_the_maximum(user_client):
    from matis.common.api import BoundedLimitOffsetPagination

    client = user_client("task_force_officer", "THA")
    response = client.get("/api/v1/activities/?limit=2")
    assert len(response.json()["results"]) == 2
    assert BoundedLimitOffsetPagination.max_limit == 1000


def test_finding_19_throttle_rates_are_applied(user_client, monkeypatch):
    monkeypatch.setattr(
        UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"}
    )
    client = user_client("task_force_officer", "THA")
    codes = [client.get("/api/v1/activities/").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
