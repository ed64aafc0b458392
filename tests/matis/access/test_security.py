"""Logins by email, lockout, Argon2, CSRF, CSP and the audit of logins."""

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import Client

from matis.access.models import AuditAction, AuditLog

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def _login(client, email, password=PASSWORD):
    return client.post("/login/", {"username": email, "password": password})


def test_login_by_email_is_audited(client, make_user):
    user = make_user(country="LAO")
    response = _login(client, user.email)
    assert response.status_code == 302
    event = AuditLog.objects.filter(action=AuditAction.LOGIN).latest("at")
    assert event.actor == user and event.country_id == "LAO"


def test_failed_logins_lock_the_account_out(client, make_user, settings):
    user = make_user()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, user.email, "wrong password")
        assert response.status_code == 200  # the form again, with an error
    locked = _login(client, user.email, "wrong password")
    assert locked.status_code == 429  # locked out now, and told for how long
    assert "Try again in 1 minute" in locked.content.decode()
    assert (
        AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED).count()
        >= settings.AXES_FAILURE_LIMIT
    )
    response = _login(client, user.email)  # now even the right password is refused
    assert response.status_code == 429
    assert "/me/" not in response.get("Location", "")
    # ... from any address (the lockout is the account's, not the address's)
    elsewhere = Client().post(
        "/login/", {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.44"
    )
    assert elsewhere.status_code == 429


def test_passwords_are_hashed_with_argon2_outside_tests():
    encoded = make_password("a long passphrase", hasher="argon2")
    assert identify_hasher(encoded).algorithm == "argon2"
    assert check_password("a long passphrase", encoded)
    from django.conf import settings

    assert "Argon2PasswordHasher" in settings.PASSWORD_HASHERS[1]  # first in production


def test_csrf_is_enforced_on_login_and_language_switch(make_user):
    client = Client(enforce_csrf_checks=True)
    user = make_user()
    assert client.post("/login/", {"username": user.email, "password": PASSWORD}).status_code == 403
    assert client.post("/i18n/setlang/", {"language": "th"}).status_code == 403


def test_api_writes_need_csrf_too(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    assert client.post("/api/v1/activities/", {}).status_code == 403


def test_content_security_policy_forbids_inline_script(client, make_user):
    client.force_login(make_user())
    response = client.get("/plan/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_need_login(client):
    response = client.get("/plan/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/api/v1/activities/").status_code == 403


def test_logout_is_post_only_and_audited(client, make_user):
    user = make_user()
    client.force_login(user)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert AuditLog.objects.filter(action=AuditAction.LOGOUT, actor=user).exists()


def test_unknown_audit_action_is_refused():
    from matis.access.audit import audit_record

    with pytest.raises(ValueError):
        audit_record(actor=None, action="made_up_action")


def test_user_of_a_national_role_must_have_a_country(make_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make_user(role="case_worker", country=None)
    secretariat = make_user(role="secretariat_analyst", country=None)
    assert secretariat.is_region_wide and secretariat.can_see_country("MMR")
