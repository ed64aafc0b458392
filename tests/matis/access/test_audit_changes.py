"""User and agency changes go through the services and are audited with before/after values.

Through the service and through the Django admin alike; personal (encrypted)
fields are sealed in the audit row; failed logins name the account and address.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from matis.access import services
from matis.access.audit import audit_record, change_pair, changes_since, snapshot
from matis.access.models import Agency, AuditAction, AuditLog, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def regional_admin(make_user):
    return make_user(role=Role.ADMINISTRATOR, country=None)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@test.example", "correct horse battery")


def _worker(make_user, country="THA") -> User:
    worker = make_user(role=Role.CASE_WORKER, country=country)
    User.objects.filter(pk=worker.pk).update(agency=None)  # free to move between countries
    worker.refresh_from_db()
    return worker


def _last(action: AuditAction) -> AuditLog:
    return AuditLog.objects.filter(action=action).latest("id")


# -- services ------------------------------------------------------------------------


def test_user_update_records_role_and_country_before_and_after(regional_admin, make_user):
    worker = _worker(make_user)
    services.user_update(
        actor=regional_admin, user=worker, role=Role.CASE_SUPERVISOR, country="KHM"
    )
    event = _last(AuditAction.USER_UPDATE)
    assert event.actor == regional_admin
    assert event.object_type == "access.user" and event.object_id == str(worker.pk)
    assert event.changes == {
        "role": ["case_worker", "case_supervisor"],
        "country": ["THA", "KHM"],
    }
    worker.refresh_from_db()
    assert (worker.role, worker.country_id) == ("case_supervisor", "KHM")


def test_user_update_without_a_change_writes_no_row(regional_admin, make_user):
    worker = make_user(role=Role.CASE_WORKER, country="THA")
    services.user_update(actor=regional_admin, user=worker, role=Role.CASE_WORKER)
    assert not AuditLog.objects.filter(action=AuditAction.USER_UPDATE).exists()


def test_a_country_administrator_cannot_move_a_user_to_another_country(make_user):
    admin_tha = make_user(role=Role.ADMINISTRATOR, country="THA")
    worker = _worker(make_user)
    with pytest.raises(PermissionDenied):
        services.user_update(actor=admin_tha, user=worker, country="KHM")
    worker.refresh_from_db()
    assert worker.country_id == "THA"
    with pytest.raises(PermissionDenied):
        services.user_update(actor=admin_tha, user=worker, is_superuser=True)
    with pytest.raises(ValueError):
        services.user_update(actor=admin_tha, user=worker, password="x")
    assert not AuditLog.objects.filter(action=AuditAction.USER_UPDATE).exists()


def test_user_deactivate_and_password_are_audited_without_the_hash(regional_admin, make_user):
    worker = make_user(role=Role.CASE_WORKER, country="LAO")
    services.user_deactivate(actor=regional_admin, user=worker)
    assert _last(AuditAction.USER_UPDATE).changes == {"is_active": [True, False]}
    services.user_set_password(actor=regional_admin, user=worker, password="another long one")
    event = _last(AuditAction.USER_UPDATE)
    # a password an administrator chose must be changed by its user at the next sign-in
    assert event.changes == {
        "password": {"redacted": True},
        "must_change_password": [False, True],
    }
    assert worker.password not in str(event.changes) + str(event.detail)
    worker.refresh_from_db()
    assert worker.check_password("another long one") and not worker.is_active


def test_agency_update_records_before_and_after(regional_admin):
    agency = services.agency_create(
        actor=regional_admin, name="Shelter one", country_id="VNM", org_type="NGO"
    )
    services.agency_update(actor=regional_admin, agency=agency, city="Hue", is_active=False)
    event = _last(AuditAction.AGENCY_UPDATE)
    assert event.changes == {"city": ["", "Hue"], "is_active": [True, False]}
    assert event.country_id == "VNM"


def test_changes_since_works_for_any_model_and_keeps_values_json_safe(make_user):
    user = make_user(country="MMR")
    before = snapshot(user)
    user.full_name = "New name"
    user.country_id = "KHM"
    assert changes_since(before, user) == {
        "full_name": [before["full_name"], "New name"],
        "country": ["MMR", "KHM"],
    }
    row = audit_record(
        actor=None,
        action=AuditAction.RECORD_UPDATE,
        obj=user,
        changes={
            "date_joined": change_pair(User._meta.get_field("date_joined"), None, user.date_joined)
        },
    )
    row.refresh_from_db()
    assert row.changes["date_joined"] == [None, user.date_joined.isoformat()]


# -- the Django admin ----------------------------------------------------------------


def _admin_user_form(user: User, **overrides) -> dict:
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "country": user.country_id or "",
        "agency": user.agency_id or "",
        "preferred_language": user.preferred_language,
        "is_active": "on" if user.is_active else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_admin_edit_of_role_and_country_is_audited(client, superuser, make_user):
    worker = _worker(make_user)
    client.force_login(superuser)
    url = f"/admin/access/user/{worker.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, _admin_user_form(worker, role=Role.CASE_SUPERVISOR, country="KHM"))
    assert response.status_code == 302, response.content.decode()[:2000]
    worker.refresh_from_db()
    assert (worker.role, worker.country_id) == ("case_supervisor", "KHM")
    event = _last(AuditAction.USER_UPDATE)
    assert event.actor == superuser
    assert event.changes == {
        "role": ["case_worker", "case_supervisor"],
        "country": ["THA", "KHM"],
    }
    # and the audit page shows it, labelled
    auditor = make_user(role=Role.AUDITOR, country=None)
    client.force_login(auditor)
    page = client.get("/audit/?action=user_update").content.decode()
    assert "Case worker" in page and "Case supervisor" in page
    assert "THA" in page and "KHM" in page
    assert "Role" in page and "Country" in page


def test_admin_add_user_agency_and_password_go_through_the_services(client, superuser):
    client.force_login(superuser)
    response = client.post(
        "/admin/access/user/add/",
        {
            "email": "new.person@test.example",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
            "usable_password": "true",
            "role": Role.STATISTICS_OFFICER,
            "country": "LAO",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(email="new.person@test.example")
    assert created.check_password("a long enough passphrase")
    assert _last(AuditAction.USER_CREATE).object_id == str(created.pk)

    response = client.post(
        f"/admin/access/user/{created.pk}/password/",
        {
            "password1": "yet another passphrase",
            "password2": "yet another passphrase",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.check_password("yet another passphrase")
    event = _last(AuditAction.USER_UPDATE)
    assert event.actor == superuser and event.changes == {"password": {"redacted": True}}
    assert created.must_change_password  # chosen by the administrator: changed at sign-in

    response = client.post(
        "/admin/access/agency/add/",
        {"name": "Border unit", "country": "LAO", "org_type": "LawEnforcement", "is_active": "on"},
    )
    assert response.status_code == 302
    agency = Agency.objects.get(name="Border unit")
    assert _last(AuditAction.AGENCY_CREATE).object_id == str(agency.pk)
    response = client.post(
        f"/admin/access/agency/{agency.pk}/change/",
        {"name": "Border unit", "country": "LAO", "org_type": "LawEnforcement", "city": "Pakse"},
    )
    assert response.status_code == 302
    assert _last(AuditAction.AGENCY_UPDATE).changes == {
        "city": ["", "Pakse"],
        "is_active": [True, False],
    }


def test_admin_cannot_delete_users_agencies_or_edit_groups(client, superuser, make_user):
    worker = make_user()
    client.force_login(superuser)
    assert client.get(f"/admin/access/user/{worker.pk}/delete/").status_code == 403
    assert client.get(f"/admin/access/agency/{worker.agency_id}/delete/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 404


# -- failed logins -------------------------------------------------------------------


def test_failed_login_records_the_account_tried_and_the_address(client):
    client.post(
        "/login/",
        {"username": "nobody@test.example", "password": "wrong"},
        REMOTE_ADDR="203.0.113.9",
    )
    event = _last(AuditAction.LOGIN_FAILED)
    assert event.detail["account"] == "nobody@test.example"
    assert event.detail["address"] == "203.0.113.9"
    assert "wrong" not in str(event.detail)
    client.force_login(User.objects.create_user("auditor.x@test.example", "x", role="auditor"))
    page = client.get("/audit/?action=login_failed").content.decode()
    assert "nobody@test.example" in page and "203.0.113.9" in page


def test_lifting_a_lockout_in_the_admin_is_audited(client, superuser):
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username="locked@test.example",
        ip_address="198.51.100.7",
        user_agent="test",
        failures_since_start=5,
    )
    client.force_login(superuser)
    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    event = _last(AuditAction.UNLOCK)
    assert event.actor == superuser and event.object_type == "axes.accessattempt"
    assert event.detail == {"account": "locked@test.example", "address": "198.51.100.7"}
