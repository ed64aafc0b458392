"""In a real Chromium: a Thai national administrator invites a case worker, who sets a
password from the e-mailed link, is made to set up two-factor sign-in and signs in with a code."""

from __future__ import annotations

import re

import pytest
from browserkit import PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "violet kettle mountain 47"


def _code(device, drift: int = 0) -> str:
    from django_otp.oath import totp

    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:0{device.digits}d}"


def _countries():
    from matis.common.countries import sync_countries
    from matis.common.models import Country
    from matis.plans.loader import load_registry

    load_registry()  # transactional tests may start from an empty database
    sync_countries(Country)


def _sign_in(page, live_server, user, password: str = PASSWORD) -> None:
    """The password step of the real login form (a code may be asked next)."""
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/").split("?")[0] != f"{live_server.url}/login", page.url


def _mails(folder) -> list[str]:
    return [p.read_text() for p in sorted(folder.glob("*.log"))] if folder.exists() else []


def test_invite_set_password_enrol_and_sign_in_with_a_code(
    browser_page, live_server, make_user, make_agency, settings, tmp_path
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from matis.access.models import AuditAction, AuditLog, User

    _countries()
    mail_dir = tmp_path / "mail"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = mail_dir
    settings.MATIS_REQUIRE_2FA = True

    shelter = make_agency("THA", name="Provincial shelter (synthetic)")
    admin = make_user(role="administrator", country="THA")
    # the administrator has set up her own authenticator
    admin_device = TOTPDevice.objects.create(user=admin, name="authenticator", confirmed=True)
    from django.utils import timezone

    admin.two_factor_confirmed_at = timezone.now()
    admin.save(update_fields=["two_factor_confirmed_at"])

    page = browser_page
    _sign_in(page, live_server, admin)
    assert "/login/code/" in page.url
    page.fill("input[name=token]", _code(admin_device))
    page.click("#two-factor-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login/code/" not in page.url

    # 1. invite
    page.goto(f"{live_server.url}/users/")
    page.click("#invite-user")
    page.fill("input[name=email]", "new.caseworker@test.example")
    page.fill("input[name=full_name]", "New case worker (synthetic)")
    page.select_option("select[name=role]", "case_worker")
    options = page.locator("select[name=role] option").all_inner_texts()
    assert not any("Secretariat" in o for o in options), options
    page.select_option("select[name=agency]", str(shelter.pk))
    page.select_option("select[name=preferred_language]", "en")
    page.click("#invite-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    invited = User.objects.get(email="new.caseworker@test.example")
    assert f"/users/{invited.pk}/" in page.url
    assert not invited.has_usable_password()

    mails = _mails(mail_dir)
    assert len(mails) == 1 and "new.caseworker@test.example" in mails[0]
    link = re.search(r"http://\S+/password/set/\S+/", mails[0]).group(0)

    page.click(".user-box button")
    page.wait_for_load_state("networkidle")

    # 2. the case worker follows the link and sets a password (the policy is checked)
    page.goto(link)
    page.fill("input[name=new_password1]", "short")
    page.fill("input[name=new_password2]", "short")
    page.click("#password-set-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "too short" in page.locator(".errorlist").first.inner_text()
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("#password-set-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login/" in page.url
    # the link works once
    page.goto(link)
    assert page.locator("#link-invalid").count() == 1

    # 3. sign in: made to set up the authenticator before any case page
    invited.refresh_from_db()
    _sign_in(page, live_server, invited, NEW_PASSWORD)
    page.goto(f"{live_server.url}/cases/")
    assert "/me/two-factor/" in page.url
    assert page.locator("#totp-qr svg").count() == 1
    secret = page.locator("#totp-secret").inner_text()
    device = TOTPDevice.objects.get(user=invited, confirmed=False)
    from base64 import b32encode

    assert b32encode(device.bin_key).decode().rstrip("=") == secret
    page.fill("input[name=token]", _code(device))
    page.click("#two-factor-setup-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#recovery-codes li").count() == 10
    page.click("#continue")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/cases/")

    # 4. next sign-in asks for a code from the app (the next time step: codes work once)
    page.click(".user-box button")
    page.wait_for_load_state("networkidle")
    _sign_in(page, live_server, invited, NEW_PASSWORD)
    assert "/login/code/" in page.url
    device.refresh_from_db()
    page.fill("input[name=token]", _code(device, drift=device.drift + 1))
    page.click("#two-factor-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/cases/")
    assert page.url.endswith("/cases/")
    page.click(".user-box button")
    page.wait_for_load_state("networkidle")

    # 5. the audit trail: each step with its before/after values
    steps = list(
        AuditLog.objects.filter(object_type="access.user", object_id=str(invited.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert steps == [
        AuditAction.USER_INVITE,
        AuditAction.PASSWORD_CHANGE,
        AuditAction.TWO_FACTOR_ENROL,
        AuditAction.LOGIN_SECOND_FACTOR,
    ], steps
    _sign_in(page, live_server, admin)
    page.fill("input[name=token]", _code(admin_device, drift=1))
    page.click("#two-factor-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/users/{invited.pk}/")
    assert page.url.endswith(f"/users/{invited.pk}/"), (page.url, page.locator("main").inner_text())
    history = page.locator("#user-history")
    invite_row = history.locator("tr[data-action=user_invite]")
    assert "Case worker" in invite_row.inner_text() and "new.caseworker@test.example" in (
        invite_row.inner_text()
    )
    changed = history.locator("tr[data-action=password_change]").inner_text()
    assert "Password" in changed and "•••" in changed  # that it changed, never the value
    enrol = history.locator("tr[data-action=two_factor_enrol]").inner_text()
    assert "Two-factor sign-in set up" in enrol
    assert history.locator("tr[data-action=login_second_factor]").count() == 1
    assert "Set up on" in page.locator("#two-factor-status").inner_text()
    page.goto(f"{live_server.url}/audit/?action=two_factor_enrol")
    assert "Two-factor sign-in set up" in page.locator("table").first.inner_text()


def test_a_case_worker_without_two_factor_cannot_open_a_case_page(
    browser_page, live_server, make_user, settings
):
    _countries()
    settings.MATIS_REQUIRE_2FA = True
    worker = make_user(role="case_worker", country="THA")
    page = browser_page
    login(page, live_server, worker, PASSWORD)
    for path in ("/cases/", "/cases/1/", "/justice/", "/exchange/alerts/"):
        page.goto(f"{live_server.url}{path}")
        assert "/me/two-factor/" in page.url, path
        assert page.locator("#two-factor-setup-form").count() == 1
