"""The demo's logins: every one listed (printed, and on the login page in the demo only),
each country has a second statistics officer to approve what the first submits, and the
footer of the all-countries demo says what it is."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users(settings, tmp_path):
    settings.MATIS_HOME = tmp_path
    from matis.access.demo import load_demo

    load_demo()


def _listed():
    from matis.access.demo import demo_login_groups

    return {email: (group, role) for group, logins in demo_login_groups() for role, email in logins}


def test_every_demo_user_is_listed_with_its_role(demo_users):
    from matis.access.models import User

    listed = _listed()
    users = User.objects.filter(email__endswith="@matis.example")
    assert users.count() == len(listed) == 6 * 8 + 3
    for user in users:
        _group, role = listed[user.email]
        assert str(user.get_role_display()) in role
    # the README names these; each is a login of its country
    assert listed["justice.tha@matis.example"][0] == "Thailand"
    assert listed["caseworker.tha@matis.example"][0] == "Thailand"
    assert listed["secretariat@matis.example"][0] == "Regional secretariat"
    assert "approves statistics" in listed["approver.vnm@matis.example"][1]


def test_each_country_has_someone_to_approve_its_statistics_submitter(demo_users):
    """statistics.<c> submits; approver.<c> approves (four eyes), through the services."""
    from matis.access.models import User
    from matis.access.permissions import has_perm
    from matis.common.demo import demo_countries
    from matis.official_statistics.models import Submission
    from matis.official_statistics.services.submissions import (
        submission_approve,
        submission_submit,
    )

    for iso3 in demo_countries():
        submitter = User.objects.get(email=f"statistics.{iso3.lower()}@matis.example")
        approver = User.objects.get(email=f"approver.{iso3.lower()}@matis.example")
        submission = Submission.objects.create(country_id=iso3, period=1990)
        submission_submit(actor=submitter, submission=submission)
        submission.refresh_from_db()
        assert not has_perm(submitter, "statistics.approve_submission", submission)
        assert has_perm(approver, "statistics.approve_submission", submission)
        if iso3 == "VNM":
            submission_approve(actor=approver, submission=submission)
            submission.refresh_from_db()
            assert submission.is_approved and submission.approved_by == approver


@override_settings(ENV="demo")
def test_demo_login_page_lists_the_demo_accounts_without_the_password(demo_users, client):
    from matis.access.demo import demo_password

    page = client.get("/login/").content.decode()
    assert 'id="demo-accounts"' in page
    assert "approver.vnm@matis.example" in page
    assert "justice.tha@matis.example" in page
    assert demo_password() not in page


def test_production_login_page_lists_no_accounts(demo_users, client, settings):
    assert settings.ENV != "demo"
    page = client.get("/login/").content.decode()
    assert 'id="demo-accounts"' not in page
    assert "matis.example" not in page


FOOTER_DEMO = "Demonstration: all six countries and the regional hub in one database"


@override_settings(ENV="demo", MATIS_COUNTRY=None, MATIS_ROLE="national")
def test_demo_footer_says_all_countries_in_one_database(client):
    page = client.get("/login/").content.decode()
    assert FOOTER_DEMO in page
    assert "National instance" not in page


@pytest.mark.parametrize(
    ("env", "country", "expected"),
    [("production", "THA", "National instance"), ("demo", "THA", "National instance")],
)
def test_footer_of_a_national_instance(client, env, country, expected):
    with override_settings(ENV=env, MATIS_COUNTRY=country, MATIS_ROLE="national"):
        page = client.get("/login/").content.decode()
    assert expected in page
    assert FOOTER_DEMO not in page


@override_settings(ENV="demo", MATIS_COUNTRY=None, MATIS_ROLE="national", LANGUAGE_CODE="th")
def test_demo_footer_is_translated(client):
    client.cookies["django_language"] = "th"
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert FOOTER_DEMO not in page
