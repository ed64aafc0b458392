"""The offline sync endpoint, through HTTP: grants, idempotency, duplicates, conflicts,
revocation and refusals. People are synthetic, generated here."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.test import Client

from matis.access.models import AuditLog

PASSWORD = "correct horse battery"
SYLLABLES = ["ka", "lo", "mi", "sa", "phon", "da", "rin", "tee", "wan", "noi"]


def synthetic_name(n: int) -> tuple[str, str]:
    given = SYLLABLES[n % 10].title() + SYLLABLES[(n * 3 + 1) % 10]
    family = "Testa" + SYLLABLES[(n * 7 + 2) % 10]
    return given, family


@pytest.fixture
def setup(db, make_agency, make_user, client):
    from matis.cases.models import ServiceProvider
    from matis.common.countries import sync_countries
    from matis.common.models import Country

    sync_countries(Country)
    shelter = make_agency("THA", name="Shelter (synthetic)")
    worker = make_user(role="case_worker", country="THA", agency=shelter)
    provider = ServiceProvider.objects.create(
        country_id="THA", name="Legal aid (synthetic)", services=["Legal"]
    )
    client.force_login(worker)
    response = client.post(
        "/offline/grant/", json.dumps({"password": PASSWORD}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    grant = response.json()["grant"]
    return worker, provider, grant


def record(n: int = 1, *, provider=None, born="1999-04-02", **extra) -> dict:
    given, family = synthetic_name(n)
    today = dt.date.today().isoformat()
    out = {
        "uuid": str(uuid.uuid4()),
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "person": {
            "given_name": given,
            "family_name": family,
            "date_of_birth": born,
            "gender": "Feminine",
            "primary_citizenship": "LAO",
            "exploitation_types": ["ForcedLabour"],
            "opened_on": today,
        },
        "screening": {
            "instrument": "general",
            "answers": {"deceived": True, "documents_withheld": True},
            "language": "lo",
            "interpreter_present": True,
            "screened_on": today,
        },
        "consents": [
            {
                "purpose": "services",
                "given": "1",
                "on": today,
                "language": "lo",
                "given_by": "person",
            }
        ],
        "referral": None,
    }
    if provider is not None:
        out["consents"].append(
            {
                "purpose": "referral",
                "given": "1",
                "on": today,
                "language": "lo",
                "given_by": "person",
                "organisation": str(provider.pk),
            }
        )
        out["referral"] = {
            "provider": str(provider.pk),
            "reason": "AdditionalServicesRequired",
            "services": ["Legal"],
        }
    out.update(extra)
    return out


def sync(client, grant, *records):
    response = client.post(
        "/offline/sync/",
        json.dumps({"records": list(records)}),
        content_type="application/json",
        headers={"X-Matis-Grant": grant},
    )
    return response


def test_a_record_is_applied_through_the_case_services_with_audit(setup, client):
    from matis.cases.models import Case, ConsentEvent, Referral, Screening

    worker, provider, grant = setup
    sent = record(1, provider=provider)
    response = sync(client, grant, sent)
    assert response.status_code == 200
    [answer] = response.json()["results"]
    assert answer["status"] == "applied", answer
    case = Case.objects.get()
    assert answer["reference"] == case.reference
    assert case.person.given_name == sent["person"]["given_name"]
    assert case.person.date_of_birth == dt.date(1999, 4, 2)
    screening = Screening.objects.get(case=case)
    assert screening.answers["deceived"] is True and screening.screened_by == worker
    assert ConsentEvent.objects.filter(case=case).count() == 2
    assert Referral.objects.get(case=case).provider == provider
    actions = set(
        AuditLog.objects.filter(object_type="cases.case", object_id=str(case.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"record_create", "consent_change", "referral", "import"} <= actions


def test_a_replay_changes_nothing(setup, client):
    from matis.cases.models import Case

    _, _, grant = setup
    sent = record(2)
    first = sync(client, grant, sent).json()["results"][0]
    audit_rows = AuditLog.objects.count()
    again = sync(client, grant, sent).json()["results"][0]
    assert again["status"] == "applied" and again["replayed"] is True
    assert again["reference"] == first["reference"]
    assert Case.objects.count() == 1
    assert AuditLog.objects.count() == audit_rows


def test_the_same_id_with_other_content_is_a_conflict_not_an_overwrite(setup, client):
    from matis.cases.models import Case

    _, _, grant = setup
    sent = record(3)
    sync(client, grant, sent)
    changed = json.loads(json.dumps(sent))
    changed["person"]["family_name"] = "Otherfamily"
    answer = sync(client, grant, changed).json()["results"][0]
    assert answer["status"] == "conflict"
    case = Case.objects.get()
    assert case.person.family_name == sent["person"]["family_name"]


def test_same_name_and_birth_date_is_a_duplicate_until_confirmed(setup, client):
    from matis.cases.models import Case

    _, _, grant = setup
    first = sync(client, grant, record(4)).json()["results"][0]
    twin = record(4)  # same synthetic name and birth date, another id
    answer = sync(client, grant, twin).json()["results"][0]
    assert answer["status"] == "duplicate"
    assert answer["matches"] == [first["reference"]]
    assert Case.objects.count() == 1
    other_birthday = sync(client, grant, record(4, born="1999-04-03")).json()["results"][0]
    assert other_birthday["status"] == "applied"
    confirmed = sync(client, grant, {**twin, "confirm_new_person": True}).json()["results"][0]
    assert confirmed["status"] == "applied"
    assert Case.objects.count() == 3


def test_an_invalid_record_writes_nothing_and_names_the_field(setup, client):
    from matis.cases.models import Case, Person

    _, provider, grant = setup
    no_consent = record(5, provider=provider)
    no_consent["consents"] = no_consent["consents"][:1]  # referral without consent to it
    answer = sync(client, grant, no_consent).json()["results"][0]
    assert answer["status"] == "invalid" and "referral" in answer["errors"]
    bad = record(6)
    bad["person"]["gender"] = "nonsense"
    answer = sync(client, grant, bad).json()["results"][0]
    assert answer["status"] == "invalid" and "person.gender" in answer["errors"]
    assert not Case.objects.exists() and not Person.objects.exists()


def test_a_record_older_than_the_offline_limit_is_refused(setup, client, settings):
    from matis.cases.models import Case

    _, _, grant = setup
    settings.MATIS_OFFLINE_MAX_DAYS = 7
    old = record(7, created_at=(dt.datetime.now(dt.UTC) - dt.timedelta(days=8)).isoformat())
    answer = sync(client, grant, old).json()["results"][0]
    assert answer["status"] == "invalid" and "created_at" in answer["errors"]
    assert not Case.objects.exists()


def test_a_revoked_grant_is_refused_by_bundle_and_sync(setup, client, make_user):
    from matis.cases.models import Case
    from matis.offline.models import OfflineGrant

    worker, _, grant = setup
    assert client.get("/offline/bundle.json", headers={"X-Matis-Grant": grant}).status_code == 200
    admin = make_user(role="administrator", country="THA")
    admin_client = Client()
    admin_client.force_login(admin)
    page = admin_client.get("/offline/devices/")
    assert grant in page.content.decode()
    assert admin_client.post("/offline/devices/", {"revoke": grant}).status_code == 302
    assert OfflineGrant.objects.get(pk=grant).revoked_by == admin
    assert AuditLog.objects.filter(object_type="offline.grant", action="status_change").exists()
    # the session the device was set up in has ended
    refused = client.get("/offline/bundle.json", headers={"X-Matis-Grant": grant})
    assert refused.status_code == 403 and refused.json()["error"] == "signin"
    client.force_login(worker)  # signed in again: the grant stays refused
    refused = client.get("/offline/bundle.json", headers={"X-Matis-Grant": grant})
    assert refused.status_code == 403 and refused.json()["error"] == "grant_refused"
    refused = sync(client, grant, record(8))
    assert refused.status_code == 403 and refused.json()["error"] == "grant_refused"
    assert not Case.objects.exists()


def test_another_countrys_administrator_cannot_revoke(setup, make_user):
    from matis.offline.models import OfflineGrant

    _, _, grant = setup
    admin = make_user(role="administrator", country="KHM")
    other = Client()
    other.force_login(admin)
    assert other.post("/offline/devices/", {"revoke": grant}).status_code == 403
    assert OfflineGrant.objects.get(pk=grant).is_active


def test_roles_without_case_entry_are_refused(setup, client, make_user):
    from matis.cases.models import Case

    _, _, grant = setup
    for role in ("justice_officer", "statistics_officer", "auditor"):
        other = Client()
        user = make_user(role=role, country="THA")
        other.force_login(user)
        assert other.get("/offline/").status_code == 403
        setup_response = other.post(
            "/offline/grant/", json.dumps({"password": PASSWORD}), content_type="application/json"
        )
        assert setup_response.status_code == 403
        # someone else's grant id does not help either
        assert sync(other, grant, record(9)).status_code == 403
        assert (
            other.get("/offline/bundle.json", headers={"X-Matis-Grant": grant}).status_code == 403
        )
    assert not Case.objects.exists()


def test_a_grant_needs_the_password_and_belongs_to_its_user(setup, client, make_user):
    _, _, grant = setup
    wrong = client.post(
        "/offline/grant/", json.dumps({"password": "not it"}), content_type="application/json"
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "wrong_password"
    colleague = make_user(role="case_worker", country="THA")
    other = Client()
    other.force_login(colleague)
    assert sync(other, grant, record(10)).status_code == 403
    anonymous = Client()
    assert sync(anonymous, grant, record(10)).json()["error"] == "signin"


def test_sync_needs_the_csrf_token(setup):
    worker, _, grant = setup
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(worker)
    assert sync(strict, grant, record(11)).status_code == 403
    token = strict.get("/offline/sync/", headers={"X-Matis-Grant": grant}).json()["csrf_token"]
    response = strict.post(
        "/offline/sync/",
        json.dumps({"records": [record(11)]}),
        content_type="application/json",
        headers={"X-Matis-Grant": grant, "X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "applied"


def test_the_bundle_carries_instruments_and_the_forms_code_lists(setup, client):
    _, provider, grant = setup
    data = client.get("/offline/bundle.json", headers={"X-Matis-Grant": grant}).json()
    assert "general" in [i["slug"] for i in data["instruments"]]
    assert [v for v, _ in data["lists"]["primary_citizenship"] if v == "LAO"] == ["LAO"]
    assert str(provider.pk) in [v for v, _ in data["lists"]["provider"]]
    assert data["max_days"] == 7 and data["csrf_token"]


def test_the_app_shell_is_served_without_a_session(client):
    manifest = client.get("/offline/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == "/offline/"
    worker = client.get("/offline/sw.js")
    assert worker["Content-Type"].startswith("application/javascript")
    assert "/offline/" in worker.content.decode() and "offline.js" in worker.content.decode()


def test_the_page_links_the_manifest_and_carries_its_strings_without_inline_script(setup, client):
    body = client.get("/offline/").content.decode()
    assert 'rel="manifest"' in body and 'id="offline-strings"' in body
    assert 'type="application/json"' in body
    assert "<script>" not in body  # CSP: script-src 'self' only
