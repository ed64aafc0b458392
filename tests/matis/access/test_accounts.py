"""Accounts: password links, forced changes, the password policy, user pages, two-factor sign-in."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken

from matis.access import services, twofactor
from matis.access.models import AuditAction, AuditLog, Role, User

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "violet kettle mountain 47"
LINK = re.compile(r"https?://\S+/password/set/\S+/")


def _link(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(0)


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _code(device, drift: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:0{device.digits}d}"


def _last(action) -> AuditLog:
    return AuditLog.objects.filter(action=action).order_by("-id").first()


@pytest.fixture
def admin_tha(make_user):
    return make_user(role=Role.ADMINISTRATOR, country="THA")


def _set_password_from(client, link: str, password: str = NEW_PASSWORD):
    response = client.get(_path(link))
    assert response.status_code == 302  # Django moves the token out of the URL
    form_url = response["Location"]
    return client.post(form_url, {"new_password1": password, "new_password2": password})


# -- password links -------------------------------------------------------------------


def test_reset_link_works_once(client, make_user):
    user = make_user(role=Role.CASE_WORKER)
    response = client.post("/password/reset/", {"email": user.email.upper()})
    assert response.status_code == 200 and b"reset-sent" in response.content
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    link = _link(mail.outbox[0])
    assert _last(AuditAction.PASSWORD_RESET).object_id == str(user.pk)

    response = _set_password_from(client, link)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    event = _last(AuditAction.PASSWORD_CHANGE)
    assert event.actor == user and event.changes == {"password": {"redacted": True}}

    # the same link again: refused, the password stays
    response = client.get(_path(link), follow=True)
    assert b"link-invalid" in response.content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post("/password/reset/", {"email": "nobody@test.example"})
    assert response.status_code == 200 and b"reset-sent" in response.content
    assert mail.outbox == []


def test_reset_link_expires(client, make_user, settings, monkeypatch):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    user = make_user(role=Role.CASE_WORKER)
    # a link made two hours ago
    two_hours_ago = datetime.now() - timedelta(hours=2)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: two_hours_ago)
    services.password_reset_request(email=user.email, link_base="http://testserver/")
    monkeypatch.undo()
    link = _link(mail.outbox[0])
    response = client.get(_path(link), follow=True)
    assert b"link-invalid" in response.content
    assert b"password-set-form" not in response.content


# -- forced change ----------------------------------------------------------------------


def _sign_in(client, user, password):
    response = client.post("/login/", {"username": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]


def test_password_set_by_an_administrator_must_be_changed_first(client, admin_tha, make_user):
    worker = make_user(role=Role.CASE_WORKER, country="THA")
    services.user_set_password(actor=admin_tha, user=worker, password="temporary pass 9981")
    _sign_in(client, worker, "temporary pass 9981")
    for url in ("/", "/cases/", "/me/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/me/password/")
    response = client.get("/me/password/")
    assert b"forced-change" in response.content
    response = client.post(
        "/me/password/",
        {
            "old_password": "temporary pass 9981",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert not worker.must_change_password and worker.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200
    assert _last(AuditAction.PASSWORD_CHANGE).changes == {
        "password": {"redacted": True},
        "must_change_password": [True, False],
    }


def test_first_password_chosen_by_an_administrator_must_be_changed(admin_tha, make_agency):
    user = services.user_create(
        actor=admin_tha,
        email="first.password@test.example",
        password="temporary pass 9981",
        role=Role.CASE_WORKER,
        country_id="THA",
        agency=make_agency("THA"),
    )
    assert user.must_change_password
    made_by_the_system = services.user_create(
        actor=None, email="system@test.example", password="x" * 14, role="auditor", country_id=None
    )
    assert not made_by_the_system.must_change_password


# -- password policy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short 1a", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("738291046573", "This password is entirely numeric."),
    ],
)
def test_policy_refuses_weak_passwords_with_a_clear_message(client, make_user, password, message):
    user = make_user(role=Role.CASE_WORKER)
    client.force_login(user)
    response = client.post(
        "/me/password/",
        {
            "old_password": "correct horse battery",
            "new_password1": password,
            "new_password2": password,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("correct horse battery")


def test_minimum_length_follows_the_setting(client, make_user, settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 30},
        }
    ]
    user = make_user(role=Role.CASE_WORKER)
    client.force_login(user)
    response = client.post(
        "/me/password/",
        {
            "old_password": "correct horse battery",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert "at least 30 characters" in response.content.decode()


# -- own account ------------------------------------------------------------------------


def test_preferred_language_is_one_of_the_seven(client, make_user):
    user = make_user(role=Role.CASE_WORKER)
    client.force_login(user)
    page = client.get("/me/").content.decode()
    assert page.count("<option") >= 8 and 'value="km"' in page
    response = client.post("/me/", {"preferred_language": "km"})
    assert response.status_code == 302 and response.cookies["matis_language"].value == "km"
    user.refresh_from_db()
    assert user.preferred_language == "km"
    assert _last(AuditAction.USER_UPDATE).changes == {"preferred_language": ["", "km"]}
    response = client.post("/me/", {"preferred_language": "klingon"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    user.refresh_from_db()
    assert user.preferred_language == "km"


# -- user administration --------------------------------------------------------------------


def test_national_admin_invites_a_user_of_her_country(client, admin_tha, make_agency):
    agency = make_agency("THA")
    client.force_login(admin_tha)
    response = client.post(
        "/users/invite/",
        {
            "email": "New.Worker@test.example",
            "full_name": "New worker",
            "role": Role.CASE_WORKER,
            "agency": agency.pk,
            "preferred_language": "th",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="new.worker@test.example")
    assert user.country_id == "THA" and user.agency == agency and not user.has_usable_password()
    event = _last(AuditAction.USER_INVITE)
    assert event.actor == admin_tha
    assert event.changes["role"] == [None, "case_worker"]
    assert event.changes["agency"] == [None, agency.pk]
    assert len(mail.outbox) == 1
    assert "MATIS" in mail.outbox[0].subject and mail.outbox[0].subject != "Your MATIS account"

    client.logout()
    assert _set_password_from(client, _link(mail.outbox[0])).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.must_change_password


def test_national_admin_cannot_touch_another_countrys_users(client, admin_tha, make_user):
    other = make_user(role=Role.CASE_WORKER, country="KHM")
    client.force_login(admin_tha)
    assert client.get(f"/users/{other.pk}/").status_code == 403
    for action in ("save", "reset_2fa", "send_reset"):
        response = client.post(f"/users/{other.pk}/", {"action": action, "role": "auditor"})
        assert response.status_code == 403
    other.refresh_from_db()
    assert other.role == Role.CASE_WORKER
    with pytest.raises(PermissionDenied):
        services.two_factor_reset(actor=admin_tha, user=other)
    with pytest.raises(PermissionDenied):
        services.user_manage(actor=admin_tha, user=other, role=Role.CASE_SUPERVISOR)
    with pytest.raises(PermissionDenied):
        services.password_reset_send(actor=admin_tha, user=other, link_base="http://x/")
    assert mail.outbox == []


def test_national_admin_cannot_make_region_wide_users_or_use_other_agencies(
    client, admin_tha, make_user, make_agency
):
    khm_agency = make_agency("KHM")
    with pytest.raises(PermissionDenied):
        services.user_invite(
            actor=admin_tha,
            email="analyst@test.example",
            role=Role.SECRETARIAT_ANALYST,
            agency=None,
            link_base="http://x/",
        )
    with pytest.raises(PermissionDenied):
        services.user_invite(
            actor=admin_tha,
            email="worker@test.example",
            role=Role.CASE_WORKER,
            agency=khm_agency,
            link_base="http://x/",
        )
    worker = make_user(role=Role.CASE_WORKER, country="THA")
    with pytest.raises(PermissionDenied):
        services.user_manage(actor=admin_tha, user=worker, role=Role.SECRETARIAT_ANALYST)
    with pytest.raises(PermissionDenied):
        services.user_update(actor=admin_tha, user=worker, role=Role.SECRETARIAT_ANALYST)
    # the pages offer neither
    client.force_login(admin_tha)
    page = client.get("/users/invite/").content.decode()
    assert 'value="secretariat_analyst"' not in page and khm_agency.name not in page
    response = client.post(
        f"/users/{worker.pk}/",
        {"action": "save", "role": Role.SECRETARIAT_ANALYST, "agency": worker.agency_id},
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not User.objects.filter(email__in=["analyst@test.example", "worker@test.example"])
    worker.refresh_from_db()
    assert worker.role == Role.CASE_WORKER


def test_national_admin_changes_role_and_deactivates_with_before_after(
    client, admin_tha, make_user
):
    worker = make_user(role=Role.CASE_WORKER, country="THA")
    client.force_login(admin_tha)
    page = client.get(f"/users/{worker.pk}/").content.decode()
    assert worker.email in page and "last-login" in page
    response = client.post(
        f"/users/{worker.pk}/",
        {
            "action": "save",
            "full_name": worker.full_name,
            "role": Role.CASE_SUPERVISOR,
            "agency": worker.agency_id,
            "preferred_language": "",
        },
    )
    assert response.status_code == 302
    assert _last(AuditAction.USER_UPDATE).changes == {
        "role": ["case_worker", "case_supervisor"],
        "is_active": [True, False],
    }
    worker.refresh_from_db()
    assert worker.role == Role.CASE_SUPERVISOR and not worker.is_active


def test_regional_admin_manages_region_wide_users_only(client, make_user):
    regional = make_user(role=Role.ADMINISTRATOR, country=None)
    analyst = make_user(role=Role.SECRETARIAT_ANALYST, country=None)
    national = make_user(role=Role.CASE_WORKER, country="LAO")
    client.force_login(regional)
    assert client.get(f"/users/{analyst.pk}/").status_code == 200
    assert client.get(f"/users/{national.pk}/").status_code == 403
    assert ("secretariat_analyst", Role.SECRETARIAT_ANALYST.label) in services.manageable_roles(
        regional
    )
    with pytest.raises(PermissionDenied):
        services.user_invite(
            actor=regional,
            email="w@test.example",
            role=Role.CASE_WORKER,
            agency=None,
            link_base="http://x/",
        )


def test_non_administrators_cannot_open_the_user_pages(client, make_user):
    client.force_login(make_user(role=Role.CASE_SUPERVISOR, country="THA"))
    for url in ("/users/", "/users/invite/"):
        assert client.get(url).status_code == 403


# -- two-factor sign-in -------------------------------------------------------------------


def _enrol(user) -> tuple[object, list[str]]:
    device = twofactor.pending_totp(user)
    codes = services.two_factor_enrol(user=user, device=device, token=_code(device))
    assert codes and len(codes) == 10
    device.refresh_from_db()
    return device, codes


def test_recovery_code_works_once(client, make_user):
    user = make_user(role=Role.CASE_WORKER)
    _device, codes = _enrol(user)
    user.refresh_from_db()
    client.force_login(user)
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/login/code/")
    response = client.post("/login/code/?next=/cases/", {"token": codes[0], "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    assert _last(AuditAction.LOGIN_SECOND_FACTOR).detail == {"method": "recovery_code"}
    assert StaticToken.objects.filter(device__user=user).count() == 9

    client.logout()
    client.force_login(user)
    response = client.post("/login/code/", {"token": codes[0]})
    assert response.status_code == 200 and "already used" in response.content.decode()
    assert _last(AuditAction.LOGIN_FAILED).detail["step"] == "second_factor"
    assert client.get("/cases/").status_code == 302


def test_enrolment_is_audited_and_reset_by_the_administrator(admin_tha, make_user):
    worker = make_user(role=Role.CASE_WORKER, country="THA")
    _enrol(worker)
    worker.refresh_from_db()
    event = _last(AuditAction.TWO_FACTOR_ENROL)
    assert event.changes["two_factor_confirmed_at"][0] is None
    assert event.changes["two_factor_confirmed_at"][1] is not None
    services.two_factor_reset(actor=admin_tha, user=worker)
    worker.refresh_from_db()
    assert worker.two_factor_confirmed_at is None and twofactor.confirmed_totp(worker) is None
    assert twofactor.recovery_codes_left(worker) == 0
    reset = _last(AuditAction.TWO_FACTOR_RESET)
    assert reset.actor == admin_tha and reset.changes["two_factor_confirmed_at"][1] is None


def _routes(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _sensitive_urls() -> list[str]:
    """Every case, justice and exchange-alert page and case API URL, parameters filled in."""
    urls = []
    for route, _pattern in _routes():
        if not (
            route.startswith(("cases/", "justice/", "exchange/alerts/", "returns/"))
            or route.startswith("api/v1/cases")
        ):
            continue
        if "format" in route:
            continue
        url = "/" + re.sub(r"\^|\$|\\", "", route)
        url = re.sub(r"<(?:int:)?\w+>|\(\?P<\w+>[^)]*\)", "1", url)
        urls.append(url)
    return sorted(set(urls))


def test_with_two_factor_required_an_unverified_case_worker_is_sent_to_enrol(
    client, make_user, settings
):
    settings.MATIS_REQUIRE_2FA = True
    worker = make_user(role=Role.CASE_WORKER, country="THA")
    client.force_login(worker)
    urls = _sensitive_urls()
    assert len(urls) > 20 and "/cases/" in urls and "/justice/" in urls
    assert "/exchange/alerts/1/" in urls
    for url in urls:
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code == 403, url
        else:
            assert response.status_code == 302, (url, response.status_code)
            assert response["Location"].startswith("/me/two-factor/"), url

    # enrolled and verified in this session: in
    device, _codes = _enrol(worker)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    for url in urls:
        response = client.get(url)
        location = response.get("Location", "")
        assert not location.startswith(("/me/two-factor/", "/login/code/")), url
    assert client.get("/cases/").status_code == 200
    assert client.get("/exchange/alerts/").status_code == 200


def test_without_enforcement_roles_that_need_it_are_not_stopped(client, make_user, settings):
    settings.MATIS_REQUIRE_2FA = False
    client.force_login(make_user(role=Role.CASE_WORKER, country="THA"))
    assert client.get("/cases/").status_code == 200


def test_which_roles_need_two_factor(make_user, settings):
    settings.MATIS_REQUIRE_2FA = True
    needs = {
        role: twofactor.two_factor_required(make_user(role=role, country="THA"))
        for role in Role.values
        if role != Role.SECRETARIAT_ANALYST
    }
    assert needs == {
        "task_force_officer": False,
        "statistics_officer": False,
        "case_worker": True,
        "case_supervisor": True,
        "justice_officer": True,
        "auditor": False,
        "administrator": True,
    }
    assert twofactor.two_factor_required(make_user(role=Role.ADMINISTRATOR, country=None))


def test_an_optional_user_who_enrolled_is_asked_for_a_code(client, make_user, settings):
    settings.MATIS_REQUIRE_2FA = True
    officer = make_user(role=Role.STATISTICS_OFFICER, country="THA")
    client.force_login(officer)
    assert client.get("/statistics/").status_code == 200
    device, _codes = _enrol(officer)
    client.force_login(officer)
    assert client.get("/statistics/")["Location"].startswith("/login/code/")
    # the enrolment used this time step's code (never accepted twice): sign in with the next
    response = client.post("/login/code/", {"token": _code(device, drift=1)})
    assert response.status_code == 302
    assert client.get("/statistics/").status_code == 200


def test_setup_page_shows_an_inline_qr_code_and_the_key_and_refuses_a_wrong_code(client, make_user):
    user = make_user(role=Role.CASE_WORKER)
    client.force_login(user)
    page = client.get("/me/two-factor/").content.decode()
    assert "<svg" in page and 'id="totp-secret"' in page and "<?xml" not in page
    device = twofactor.pending_totp(user)
    assert twofactor.secret_base32(device) in page
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/me/two-factor/", {"token": wrong})
    assert response.status_code == 200 and "The code is not correct" in response.content.decode()
    user.refresh_from_db()
    assert user.two_factor_confirmed_at is None


# -- mail settings -------------------------------------------------------------------------


def test_email_url_is_parsed(tmp_path):
    from matis.settings import email_settings

    smtp = email_settings("smtp://mailer:p%40ss@relay.example:587/?tls=1", home=tmp_path)
    assert smtp["EMAIL_HOST"] == "relay.example" and smtp["EMAIL_PORT"] == 587
    assert smtp["EMAIL_HOST_USER"] == "mailer" and smtp["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert smtp["EMAIL_USE_TLS"] and not smtp["EMAIL_USE_SSL"]
    ssl = email_settings("smtps://relay.example", home=tmp_path)
    assert ssl["EMAIL_PORT"] == 465 and ssl["EMAIL_USE_SSL"] and not ssl["EMAIL_USE_TLS"]
    assert email_settings("file:///var/mail/matis", home=tmp_path)[
        "EMAIL_FILE_PATH"
    ].as_posix() == ("/var/mail/matis")
    assert email_settings("console:", home=tmp_path)["EMAIL_BACKEND"].endswith(
        "console.EmailBackend"
    )
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="smtp://"):
        email_settings("imap://x", home=tmp_path)
    with pytest.raises(ImproperlyConfigured, match="no host"):
        email_settings("smtp:///", home=tmp_path)


def test_demo_names_the_mail_folder(settings, tmp_path):
    from matis.access.demo import demo_mail_note

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    assert str(tmp_path / "mail") in demo_mail_note(settings)
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert "printed" in demo_mail_note(settings)
