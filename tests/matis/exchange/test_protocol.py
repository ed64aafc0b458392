"""The hub's signed endpoint: stores each item once, refuses tampering, replays, bad keys."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from matis.exchange.models import InboxItem
from matis.exchange.signing import canonical_json, sign_request

INBOX = "/exchange/api/inbox/"
ALERTS = "/exchange/api/alerts/"


def envelope(country="THA", key="THA:report:1:2026", kind="monitoring_report", data=None):
    return {
        "v": 1,
        "country": country,
        "kind": kind,
        "idempotency_key": key,
        "created_at": "2026-01-01T00:00:00+00:00",
        "data": data if data is not None else {"activity": "P&C1", "year": 2012},
    }


def post(client, cred, body: bytes, *, key: str, timestamp=None, path=INBOX, tamper=None):
    signed = sign_request(
        key_id=cred.key_id,
        secret=cred.secret,
        method="POST",
        path=path,
        body=body,
        idempotency_key=key,
        timestamp=timestamp,
    )
    headers = {k: v for k, v in signed.headers.items() if k != "Content-Type"}
    if tamper:
        body, headers = tamper(body, headers)
    return client.post(path, data=body, content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_item_is_stored_once_and_a_repeat_gets_the_same_ack(client, hub, country_keys):
    body = canonical_json(envelope())
    first = post(client, country_keys["THA"], body, key="THA:report:1:2026")
    assert first.status_code == 201, first.content
    again = post(client, country_keys["THA"], body, key="THA:report:1:2026")
    assert again.status_code == 200
    assert again.json()["item"] == first.json()["item"]
    assert again.json()["duplicate"] is True
    assert InboxItem.objects.filter(idempotency_key="THA:report:1:2026").count() == 1


@pytest.mark.django_db
def test_tampered_body_is_rejected_and_nothing_stored(client, hub, country_keys):
    body = canonical_json(envelope())

    def change_one_byte(body, headers):
        return body.replace(b"2012", b"2013"), headers

    response = post(
        client, country_keys["THA"], body, key="THA:report:1:2026", tamper=change_one_byte
    )
    assert response.status_code == 403
    assert response.json()["error"] == "bad_signature"
    assert not InboxItem.objects.exists()


@pytest.mark.django_db
def test_changed_idempotency_key_breaks_the_signature(client, hub, country_keys):
    body = canonical_json(envelope(key="THA:other"))

    def swap_key(body, headers):
        return body, {**headers, "Idempotency-Key": "THA:other"}

    response = post(client, country_keys["THA"], body, key="THA:report:1:2026", tamper=swap_key)
    assert response.status_code == 403
    assert not InboxItem.objects.exists()


@pytest.mark.django_db
def test_signature_of_another_country_key_is_rejected(client, hub, country_keys):
    body = canonical_json(envelope())

    def claim_khm_key(body, headers):
        return body, {**headers, "X-Matis-Key-Id": country_keys["KHM"].key_id}

    response = post(
        client, country_keys["THA"], body, key="THA:report:1:2026", tamper=claim_khm_key
    )
    assert response.status_code == 403
    assert response.json()["error"] == "bad_signature"


@pytest.mark.django_db
def test_country_mismatch_is_rejected(client, hub, country_keys):
    body = canonical_json(envelope(country="THA"))
    response = post(client, country_keys["KHM"], body, key="THA:report:1:2026")
    assert response.status_code == 403
    assert response.json()["error"] == "country_mismatch"
    assert not InboxItem.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [-3600, 3600])
def test_stale_or_future_timestamp_is_rejected_as_a_replay(client, hub, country_keys, offset):
    body = canonical_json(envelope())
    response = post(
        client, country_keys["THA"], body, key="THA:report:1:2026", timestamp=time.time() + offset
    )
    assert response.status_code == 403
    assert response.json()["error"] == "stale"
    assert not InboxItem.objects.exists()


@pytest.mark.django_db
def test_replay_inside_the_window_changes_nothing(client, hub, country_keys):
    body = canonical_json(envelope())
    signed = sign_request(
        key_id=country_keys["THA"].key_id,
        secret=country_keys["THA"].secret,
        method="POST",
        path=INBOX,
        body=body,
        idempotency_key="THA:report:1:2026",
    )
    headers = {k: v for k, v in signed.headers.items() if k != "Content-Type"}
    for _ in range(3):  # the very same signed request, captured and sent again
        client.post(INBOX, data=body, content_type="application/json", headers=headers)
    assert InboxItem.objects.count() == 1


@pytest.mark.django_db
def test_expired_and_revoked_keys_are_rejected(client, hub, country_keys):
    from matis.exchange.keys import country_key_revoke
    from matis.exchange.models import CountryKey

    body = canonical_json(envelope())
    CountryKey.objects.filter(key_id=country_keys["THA"].key_id).update(
        valid_until=timezone.now() - dt.timedelta(seconds=1)
    )
    response = post(client, country_keys["THA"], body, key="THA:report:1:2026")
    assert response.status_code == 403 and response.json()["error"] == "unknown_key"

    country_key_revoke(actor=None, key_id=country_keys["KHM"].key_id)
    body = canonical_json(envelope(country="KHM", key="KHM:x"))
    response = post(client, country_keys["KHM"], body, key="KHM:x")
    assert response.status_code == 403 and response.json()["error"] == "unknown_key"
    assert not InboxItem.objects.exists()


@pytest.mark.django_db
def test_rotation_keeps_the_old_key_during_the_overlap_only(client, hub, country_keys):
    from matis.exchange.conf import Credential
    from matis.exchange.keys import country_key_rotate
    from matis.exchange.models import CountryKey

    new_key, new_secret = country_key_rotate(actor=None, country_id="THA", overlap_days=14)
    old = CountryKey.objects.get(key_id=country_keys["THA"].key_id)
    assert old.valid_until is not None and old.valid_until > timezone.now()
    new = Credential(new_key.key_id, new_secret)
    assert (
        post(client, country_keys["THA"], canonical_json(envelope(key="a")), key="a").status_code
        == 201
    )
    assert post(client, new, canonical_json(envelope(key="b")), key="b").status_code == 201
    CountryKey.objects.filter(pk=old.pk).update(valid_until=timezone.now() - dt.timedelta(days=1))
    response = post(client, country_keys["THA"], canonical_json(envelope(key="c")), key="c")
    assert response.status_code == 403
    assert post(client, new, canonical_json(envelope(key="d")), key="d").status_code == 201


@pytest.mark.django_db
def test_same_key_with_another_body_is_a_conflict(client, hub, country_keys):
    post(client, country_keys["THA"], canonical_json(envelope()), key="THA:report:1:2026")
    other = canonical_json(envelope(data={"activity": "P&C2", "year": 2012}))
    response = post(client, country_keys["THA"], other, key="THA:report:1:2026")
    assert response.status_code == 409
    assert InboxItem.objects.get().payload["activity"] == "P&C1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"activity": "P&C1", "prs_FirstName": "x"},
        {"records": [{"prs_Gender": "Feminine", "prs_Birthdate": "1999-01-01"}]},
        {"nested": [{"deep": {"date_of_birth": "1999-01-01"}}]},
    ],
)
def test_hub_refuses_personal_fields(client, hub, country_keys, data):
    kind = "deidentified_cases" if "records" in data else "monitoring_report"
    body = canonical_json(envelope(kind=kind, data=data))
    response = post(client, country_keys["THA"], body, key="THA:report:1:2026")
    assert response.status_code == 422
    assert response.json()["error"] == "personal_data"
    assert not InboxItem.objects.exists()


@pytest.mark.django_db
def test_deidentified_records_take_only_the_listed_fields(client, hub, country_keys):
    data = {"records": [{"prs_Gender": "Feminine", "commit_Province": "Koh Kong"}]}
    body = canonical_json(envelope(kind="deidentified_cases", key="THA:d:1", data=data))
    response = post(client, country_keys["THA"], body, key="THA:d:1")
    assert response.status_code == 422
    assert "commit_Province" in response.json()["detail"]


@pytest.mark.django_db
def test_unsigned_requests_are_refused(client, hub, user_client):
    assert client.post(INBOX, data=b"{}", content_type="application/json").status_code == 403
    assert client.get(ALERTS).status_code == 403
    logged_in = user_client("administrator", None)  # a session is no substitute for a signature
    assert logged_in.post(INBOX, data=b"{}", content_type="application/json").status_code == 403


@pytest.mark.django_db
def test_endpoints_are_absent_on_a_national_instance(client, settings, country_keys):
    settings.MATIS_EXCHANGE_LOCAL_HUB = False
    settings.MATIS_ROLE = "national"
    body = canonical_json(envelope())
    assert post(client, country_keys["THA"], body, key="THA:report:1:2026").status_code == 404


@pytest.mark.django_db
def test_signed_get_returns_only_the_signing_countrys_alerts(client, hub, country_keys):
    from matis.exchange.test_factories import _hub_alert

    _hub_alert("THA", "m1")  # THA newer, KHM earlier
    _hub_alert("LAO", "m2")  # LAO newer, KHM earlier
    cred = country_keys["THA"]
    signed = sign_request(key_id=cred.key_id, secret=cred.secret, method="GET", path=ALERTS)
    headers = {k: v for k, v in signed.headers.items() if k != "Content-Type"}
    alerts = client.get(ALERTS, headers=headers).json()["alerts"]
    assert [a["other_country"] for a in alerts] == ["KHM"]
    signed_khm = sign_request(
        key_id=country_keys["KHM"].key_id, secret=country_keys["KHM"].secret, method="GET",
        path=ALERTS,
    )  # fmt: skip
    headers = {k: v for k, v in signed_khm.headers.items() if k != "Content-Type"}
    assert len(client.get(ALERTS, headers=headers).json()["alerts"]) == 2
    tampered = {**headers, "X-Matis-Signature": "0" * 64}
    assert client.get(ALERTS, headers=tampered).status_code == 403


@pytest.mark.django_db
def test_in_process_transport_gets_the_endpoints_answers(client, hub, country_keys):
    """The demo's LocalTransport calls the hub's service layer, not its views: same answers."""
    from matis.exchange.transport import LocalTransport

    local = LocalTransport(country_keys["THA"])
    body = canonical_json(envelope(key="THA:report:7:2026"))
    first = local.post_item(body, "THA:report:7:2026")
    assert first.status == 201 and first.body["status"] == "stored"
    over_http = post(client, country_keys["THA"], body, key="THA:report:7:2026")
    assert over_http.status_code == 200 and over_http.json()["duplicate"] is True
    assert over_http.json()["item"] == first.body["item"]
    assert local.post_item(body, "THA:report:7:2026").body == over_http.json()
    refused = local.post_item(canonical_json(envelope(country="KHM", key="k")), "k")
    assert (refused.status, refused.body["error"]) == (403, "country_mismatch")
    assert local.get_alerts("since=x").status == 400
    assert local.get_alerts().body == {"alerts": []}
    assert InboxItem.objects.count() == 1


@pytest.mark.django_db
def test_in_process_transport_finds_no_hub_on_a_national_instance(settings, country_keys):
    from matis.exchange.transport import LocalTransport

    settings.MATIS_EXCHANGE_LOCAL_HUB = False
    settings.MATIS_ROLE = "national"
    answer = LocalTransport(country_keys["THA"]).post_item(canonical_json(envelope()), "x")
    assert answer.status == 404 and not InboxItem.objects.exists()
