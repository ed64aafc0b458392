"""Security review finding 5: a copy of the database holds no session a cookie could replay."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from matis.access.sessions import stored_key

pytestmark = pytest.mark.django_db

PERSONAL = ("/cases/", "/api/v1/cases/", "/returns/", "/justice/")


def _sign_in(make_user, role: str) -> Client:
    user = make_user(role=role, country="THA")
    client = Client()
    response = client.post("/login/", {"username": user.email, "password": "correct horse battery"})
    assert response.status_code == 302
    return client


def test_finding_05_session_rows_cannot_be_replayed_as_cookies(make_user, settings):
    clients = [_sign_in(make_user, role) for role in ("case_worker", "justice_officer")]
    for client in clients:
        assert client.get("/cases/").status_code in (200, 403)
    rows = list(Session.objects.values_list("session_key", flat=True))
    assert len(rows) >= len(clients)
    cookies = {c.cookies[settings.SESSION_COOKIE_NAME].value for c in clients}
    assert not cookies & set(rows), "a cookie value is stored in the clear"
    for row in rows:
        thief = Client()
        thief.cookies[settings.SESSION_COOKIE_NAME] = row
        for path in PERSONAL:
            response = thief.get(path)
            assert response.status_code in (302, 403), (path, response.status_code)
            if response.status_code == 302:
                assert "/login/" in response["Location"]


def test_finding_05_the_real_cookie_still_works_and_logout_deletes_the_row(make_user, settings):
    client = _sign_in(make_user, "case_worker")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=stored_key(cookie)).exists()
    assert client.get("/cases/").status_code == 200
    client.post("/logout/")
    assert not Session.objects.filter(session_key=stored_key(cookie)).exists()
