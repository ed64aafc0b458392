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


@pytest.mark.django_db(transaction=True)
def test_finding_05_a_pg_dump_yields_no_session_that_signs_in(make_user, settings):
    """The literal attack: dump the live database with pg_dump, replay every session key."""
    import re
    import shutil
    import subprocess

    from django.db import connection

    if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
        pytest.skip("needs PostgreSQL and pg_dump")
    clients = [_sign_in(make_user, role) for role in ("case_worker", "case_supervisor")]
    assert all(c.get("/cases/").status_code == 200 for c in clients)
    db = connection.settings_dict
    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "--table=django_session",
            f"--host={db['HOST'] or '127.0.0.1'}",
            f"--port={db['PORT'] or 5432}",
            f"--username={db['USER']}",
            db["NAME"],
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"PGPASSWORD": db.get("PASSWORD") or "", "PATH": "/usr/bin:/bin"},
    )
    keys = set(re.findall(r"^([0-9a-z]{32,40})\t", dump.stdout, re.M))
    assert len(keys) >= len(clients)
    for key in keys:
        thief = Client()
        thief.cookies[settings.SESSION_COOKIE_NAME] = key
        for path in PERSONAL:
            assert thief.get(path).status_code in (302, 403), path
