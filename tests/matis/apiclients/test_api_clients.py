"""Machine API clients: a scoped, country-bound token submits statistics for a person to approve."""

from __future__ import annotations

import pytest
from apiclient_helpers import bearer, make_token, stats_file
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from matis.access.models import AuditAction, AuditLog
from matis.apiclients.models import ApiClient
from matis.apiclients.services import api_client_revoke, token_hash
from matis.apiclients.throttling import ApiClientRateThrottle
from matis.official_statistics.models import Observation, Submission

pytestmark = pytest.mark.django_db
UPLOAD = "/api/v1/statistics/submissions/"


def _post(client, token, rows, year=2021, fmt="csv"):
    return client.post(
        UPLOAD, {"file": stats_file(rows), "format": fmt, "year": year}, **bearer(token)
    )


def _client_rows(api_client: ApiClient):
    return AuditLog.objects.filter(
        object_type="apiclients.apiclient", object_id=str(api_client.pk)
    ).order_by("id")


def test_a_posted_submission_waits_for_a_second_person_who_approves_it(client, make_user):
    api_client, token = make_token("THA", ["statistics:submit"])
    response = _post(
        client,
        token,
        [
            ["VICTIMS_DETECTED", "THA", "2021", "", "10"],
            ["VICTIMS_DETECTED", "THA", "2021", "F", "6"],
        ],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["country"] == "THA" and body["year"] == 2021
    submission = Submission.objects.get(country_id="THA", period=2021)
    assert submission.status == Submission.Status.SUBMITTED  # waiting, never approved here
    assert submission.submitted_by == api_client.user
    assert Observation.objects.filter(submission=submission, approved=False).count() == 2

    # A statistics officer of Thailand approves it on the submission page (four eyes).
    officer = make_user(role="statistics_officer", country="THA")
    client.force_login(officer)
    url = reverse("statistics:submission_action", args=[submission.pk])
    client.post(url, {"action": "approve"})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED and submission.approved_by == officer
    assert Observation.objects.filter(submission=submission, approved=False).count() == 0


def test_the_submitting_account_cannot_approve_its_own_submission(client):
    from matis.official_statistics.services import submission_approve

    api_client, token = make_token("THA", ["statistics:submit"])
    assert _post(client, token, [["VICTIMS_DETECTED", "THA", "2021", "", "10"]]).status_code == 201
    submission = Submission.objects.get()
    with pytest.raises(Exception, match="someone other"):
        submission_approve(actor=api_client.user, submission=submission)
    assert Submission.objects.get().status == Submission.Status.SUBMITTED


def test_bad_rows_are_refused_by_line_and_nothing_is_written(client):
    _api_client, token = make_token("THA", ["statistics:submit"])
    response = _post(
        client,
        token,
        [
            ["VICTIMS_DETECTED", "THA", "2021", "", "10"],
            ["VICTIMS_DETECTED", "THA", "2021", "F", "x"],
        ],
    )
    assert response.status_code == 400
    assert "line 3" in " ".join(response.json()["file"])
    wrong_year = _post(client, token, [["VICTIMS_DETECTED", "THA", "2020", "", "10"]])
    assert wrong_year.status_code == 400 and "2020" in " ".join(wrong_year.json()["file"])
    assert not Submission.objects.exists() and not Observation.objects.exists()


def test_a_thai_token_cannot_read_cambodias_data_or_any_case(client):
    from matis.cases.test_factories import make_case
    from matis.official_statistics.services import observations_import

    # Cambodia's submission, and a Thai case
    observations_import(
        actor=None, source=stats_file([["VICTIMS_DETECTED", "KHM", "2021", "", "4"]]), fmt="csv"
    )
    khm = Submission.objects.get(country_id="KHM")
    case = make_case("THA", "MARKER-THA-1")
    _c, submit_token = make_token("THA", ["statistics:submit"])
    _c, read_token = make_token("THA", ["statistics:read"])

    for token in (submit_token, read_token):
        assert client.get("/api/v1/cases/", **bearer(token)).status_code == 403
        assert client.get(f"/api/v1/cases/{case.pk}/", **bearer(token)).status_code == 403
    # the submit token reads nothing; the read token sees Thailand only
    assert client.get("/api/v1/statistics/submissions/", **bearer(submit_token)).status_code == 403
    detail = f"/api/v1/statistics/submissions/{khm.pk}/"
    assert client.get(detail, **bearer(submit_token)).status_code == 403
    assert client.get(detail, **bearer(read_token)).status_code == 404
    listed = client.get("/api/v1/statistics/submissions/", **bearer(read_token)).json()
    assert listed["count"] == 0
    # approved Cambodian figures are readable by Thai people, not by a Thai token
    Observation.objects.update(approved=True)
    Submission.objects.update(status=Submission.Status.APPROVED)
    obs = client.get("/api/v1/statistics/observations/", **bearer(read_token)).json()
    assert obs["results"] == []
    # posting Cambodia's rows with the Thai token is refused, naming the line
    response = _post(client, submit_token, [["VICTIMS_DETECTED", "KHM", "2022", "", "3"]], 2022)
    assert response.status_code == 400 and "line 2" in " ".join(response.json()["file"])
    assert not Submission.objects.filter(period=2022).exists()


def test_a_revoked_token_gets_401_and_every_use_is_audited(client, make_user):
    admin = make_user(role="administrator", country="THA")
    api_client, token = make_token("THA", ["statistics:read"])
    assert client.get("/api/v1/statistics/submissions/", **bearer(token)).status_code == 200
    assert client.get("/api/v1/cases/", **bearer(token)).status_code == 403
    api_client_revoke(actor=admin, client=api_client)
    response = client.get("/api/v1/statistics/submissions/", **bearer(token))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    rows = list(_client_rows(api_client))
    uses = [r for r in rows if r.detail.get("path")]
    assert [(r.detail["status"], r.action) for r in uses] == [
        (200, AuditAction.RECORD_READ),
        (403, AuditAction.ACCESS_DENIED),
        (401, AuditAction.ACCESS_DENIED),
    ]
    assert all(r.actor_id == api_client.user_id and r.country_id == "THA" for r in uses)
    assert uses[1].detail["path"] == "/api/v1/cases/" and uses[1].detail["scope"] is None
    assert [r.action for r in rows if not r.detail.get("path")] == [
        AuditAction.RECORD_CREATE,
        AuditAction.STATUS_CHANGE,
    ]
    # the service account is off: it cannot be used any other way either
    api_client.user.refresh_from_db()
    assert not api_client.user.is_active


def test_unknown_or_malformed_tokens_get_401(client):
    _c, token = make_token("THA", ["statistics:read"])
    for value in (token + "x", "matis_nothere_abc", "garbage", f"{token} extra"):
        response = client.get(
            "/api/v1/statistics/submissions/", HTTP_AUTHORIZATION=f"Bearer {value}"
        )
        assert response.status_code == 401, value
    # without any token, as before: 403 (session authentication answers first)
    assert client.get("/api/v1/statistics/submissions/").status_code == 403


def test_throttling_answers_429_after_the_clients_rate(client):
    api_client, token = make_token("THA", ["statistics:read"], rate="3/minute")
    codes = [
        client.get("/api/v1/statistics/submissions/", **bearer(token)).status_code for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    assert [r.detail["status"] for r in _client_rows(api_client) if r.detail.get("path")] == codes


def test_the_default_client_rate_is_configurable(client, monkeypatch):
    monkeypatch.setitem(ApiClientRateThrottle.THROTTLE_RATES, "api_client", "2/hour")
    _c, token = make_token("THA", ["statistics:read"])
    codes = [
        client.get("/api/v1/statistics/indicators/", **bearer(token)).status_code for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    # another client has its own allowance
    _c, other = make_token("THA", ["statistics:read"])
    assert client.get("/api/v1/statistics/indicators/", **bearer(other)).status_code == 200


def test_only_the_hash_is_kept_and_the_token_does_not_open_pages(client):
    api_client, token = make_token("THA", ["statistics:read"])
    assert token.startswith(f"matis_{api_client.token_prefix}_")
    assert api_client.token_hash == token_hash(token) and token not in str(
        ApiClient.objects.filter(pk=api_client.pk).values().get()
    )
    assert not api_client.user.has_usable_password()
    response = client.get("/statistics/", **bearer(token))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_scopes_needing_different_roles_are_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="different roles"):
        make_token("THA", ["statistics:submit", "returns:read"])
    with pytest.raises(ValidationError, match="Unknown scope"):
        make_token("THA", ["cases:read"])
    with pytest.raises(ValidationError, match="rate"):
        make_token("THA", ["statistics:read"], rate="lots")
    assert not ApiClient.objects.exists()
    api_client, _t = make_token("THA", ["statistics:read", "statistics:submit"])
    assert api_client.user.role == "statistics_officer" and api_client.user.country_id == "THA"


# --- the administrators' page and the command


def test_a_national_administrator_makes_and_revokes_clients_of_her_country(client, make_user):
    admin = make_user(role="administrator", country="THA")
    client.force_login(admin)
    assert client.get(reverse("apiclients:client_new")).status_code == 200
    response = client.post(
        reverse("apiclients:client_new"),
        {"name": "DSDW statistics", "country": "THA", "scopes": ["statistics:submit"]},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    api_client = ApiClient.objects.get()
    token = response.context["token"]
    assert token in response.content.decode() and api_client.token_hash == token_hash(token)
    assert api_client.created_by == admin and api_client.country_id == "THA"
    # the list never shows the token again
    listing = client.get(reverse("apiclients:client_list")).content.decode()
    assert "DSDW statistics" in listing and token not in listing
    assert f'href="{reverse("apiclients:client_list")}"' in listing  # in the main menu
    # another country: refused by the form, nothing made
    other = client.post(
        reverse("apiclients:client_new"),
        {"name": "x", "country": "KHM", "scopes": ["statistics:read"]},
    )
    assert other.status_code == 200 and ApiClient.objects.count() == 1
    client.post(reverse("apiclients:client_revoke", args=[api_client.pk]))
    api_client.refresh_from_db()
    assert api_client.revoked_by == admin


def test_others_cannot_manage_clients(client, make_user):
    api_client, _t = make_token("THA", ["statistics:read"])
    client.force_login(make_user(role="administrator", country="KHM"))
    assert client.post(reverse("apiclients:client_revoke", args=[api_client.pk])).status_code == 404
    assert "Client THA" not in client.get(reverse("apiclients:client_list")).content.decode()
    client.force_login(make_user(role="statistics_officer", country="THA"))
    assert client.get(reverse("apiclients:client_list")).status_code == 403
    assert client.post(reverse("apiclients:client_revoke", args=[api_client.pk])).status_code == 403
    api_client.refresh_from_db()
    assert api_client.revoked_at is None


def test_the_command_creates_lists_and_revokes(make_user, capsys):
    admin = make_user(role="administrator", country="THA")
    call_command(
        "api_client",
        "create",
        "--name",
        "Feed",
        "--country",
        "THA",
        "--scope",
        "statistics:submit",
        "--rate",
        "10/minute",
        "--by",
        admin.email,
    )
    out = capsys.readouterr().out
    api_client = ApiClient.objects.get()
    token = out.strip().splitlines()[-1]
    assert api_client.token_hash == token_hash(token) and api_client.created_by == admin
    call_command("api_client", "list")
    assert "Feed" in capsys.readouterr().out
    with pytest.raises(CommandError, match="administrators"):
        call_command(
            "api_client",
            "create",
            "--name",
            "X",
            "--country",
            "KHM",
            "--scope",
            "statistics:read",
            "--by",
            admin.email,
        )
    call_command("api_client", "revoke", str(api_client.pk), "--by", admin.email)
    api_client.refresh_from_db()
    assert api_client.revoked_at is not None


def test_the_schema_describes_the_token_and_its_scopes(client, make_user):
    client.force_login(make_user())
    schema = client.get("/api/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["matisToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "statistics:submit" in scheme["description"]
    upload = schema["paths"]["/api/v1/statistics/submissions/"]["post"]
    assert upload["x-token-scope"] == "statistics:submit"
    assert {"matisToken": []} in upload["security"]
    cases = schema["paths"]["/api/v1/cases/"]["get"]
    assert "x-token-scope" not in cases
    assert all("matisToken" not in s for s in cases.get("security", []))
