"""Findings 9 and 10 of issue 13: the hub checks k itself; no released record stands out.

9: a signed release of one record claiming ``"k": 1`` was stored (201) and
replaced the country's records. 10: k held over five quasi-identifiers only,
so records were unique once the other released fields were added.
"""

from __future__ import annotations

from collections import Counter

import pytest

from matis.exchange.models import DeidentifiedCase, InboxItem, OutboxItem, OutboxStatus
from matis.exchange.privacy import DEIDENTIFIED_FIELDS, ReleaseNotAnonymous, check_release
from matis.exchange.signing import canonical_json, sign_request

INBOX = "/exchange/api/inbox/"
RECORD = {
    "prs_Gender": "Feminine",
    "commit_AgeBand": "18-29",
    "commit_Citizenship": "COMMIT",
    "commit_YearOpened": "*",
    "commit_CountryOfExploitation": "TH",
    "vic_TraffickingStatus": "*",
    "vic_TypeOfExploitation": "labour",
    "commit_ForcedCriminality": False,
}
# eleven of each of two forms of exploitation: 11-anonymous and 2-diverse
DIVERSE = [RECORD] * 11 + [{**RECORD, "vic_TypeOfExploitation": "sexual"}] * 11


def release(records, *, k):
    return {"k": k, "n_released": len(records), "records": records}


def post_release(client, cred, data, key):
    body = canonical_json(
        {
            "v": 1,
            "country": "THA",
            "kind": "deidentified_cases",
            "idempotency_key": key,
            "created_at": "2026-01-01T00:00:00+00:00",
            "data": data,
        }
    )
    signed = sign_request(
        key_id=cred.key_id,
        secret=cred.secret,
        method="POST",
        path=INBOX,
        body=body,
        idempotency_key=key,
    )
    headers = {k: v for k, v in signed.headers.items() if k != "Content-Type"}
    return client.post(INBOX, data=body, content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_finding_09_hub_refuses_a_release_that_is_not_k_anonymous(client, hub, country_keys):
    cred = country_keys["THA"]
    first = post_release(client, cred, release(DIVERSE, k=11), "THA:deidentified:a")
    assert first.status_code == 201, first.content
    assert DeidentifiedCase.objects.filter(country="THA").count() == 22

    # the attack: one signed record, claiming k = 1
    attack = post_release(client, cred, release([RECORD], k=1), "THA:deidentified:b")
    assert attack.status_code == 422
    assert attack.json()["error"] == "not_k_anonymous"
    assert "smaller than k = 11" in attack.json()["detail"]
    # the refused release replaced nothing and was not stored
    assert DeidentifiedCase.objects.filter(country="THA").count() == 22
    assert InboxItem.objects.count() == 1

    # claiming k = 11 changes nothing: the hub counts the classes itself
    other = {**RECORD, "prs_Gender": "Masculine"}
    claimed = post_release(client, cred, release([*DIVERSE, other], k=11), "THA:d:c")
    assert claimed.status_code == 422
    assert DeidentifiedCase.objects.filter(country="THA").count() == 22


@pytest.mark.django_db
def test_finding_09_hub_checks_at_its_own_k(client, hub, country_keys, settings):
    settings.MATIS_DISCLOSURE = {**settings.MATIS_DISCLOSURE, "k_anonymity": 20}
    response = post_release(
        client, country_keys["THA"], release(DIVERSE, k=11), "THA:deidentified:k"
    )
    assert response.status_code == 422
    assert not DeidentifiedCase.objects.exists()


@pytest.mark.django_db
def test_finding_09_sender_parks_a_release_the_hub_refuses(local_transports, monkeypatch):
    """A sender that skips its own check (an older version) gets a permanent refusal."""
    from matis.exchange import services

    item = OutboxItem.objects.create(
        country_id="THA",
        kind="deidentified_cases",
        object_type="cases.release",
        object_id="THA",
        idempotency_key="THA:deidentified:old-sender",
        payload=release([RECORD], k=1),
    )
    monkeypatch.setattr(services, "check_payload", lambda kind, data: None)
    result = services.outbox_push(transport_factory=local_transports)
    item.refresh_from_db()
    assert result.failed == 1 and result.sent == 0
    assert item.status == OutboxStatus.FAILED
    assert item.last_error.startswith("422 not_k_anonymous")
    assert not DeidentifiedCase.objects.exists()


@pytest.mark.django_db
def test_finding_09_sender_refuses_to_send_a_release_below_k(local_transports):
    from matis.exchange.services import outbox_push

    item = OutboxItem.objects.create(
        country_id="THA",
        kind="deidentified_cases",
        object_type="cases.release",
        object_id="THA",
        idempotency_key="THA:deidentified:forged",
        payload=release([RECORD], k=1),
    )
    result = outbox_push(transport_factory=local_transports)
    item.refresh_from_db()
    assert result.failed == 1
    assert item.status == OutboxStatus.FAILED
    assert "not 11-anonymous" in item.last_error
    assert not InboxItem.objects.exists()
    with pytest.raises(ReleaseNotAnonymous):
        check_release(release([RECORD], k=1))


def classes(records, fields):
    def key(value):
        return tuple(value) if isinstance(value, list) else value

    return Counter(tuple(key(r.get(f)) for f in fields) for r in records)


@pytest.fixture
def demo_cases(db):
    """The demo's synthetic cases (1,500, about half of them consenting to statistics)."""
    from matis.access.demo import load_demo as load_access_demo
    from matis.cases.demo import load_demo

    load_access_demo()
    load_demo(1500)


@pytest.mark.django_db
def test_finding_10_no_released_record_is_unique_on_released_fields(demo_cases):
    from matis.exchange import payloads
    from matis.exchange.payloads import QUASI_IDENTIFIERS, deidentified_release

    assert set(QUASI_IDENTIFIERS) == DEIDENTIFIED_FIELDS  # every released field counts in k
    fields = sorted(DEIDENTIFIED_FIELDS)
    # the attack: before anonymisation, the released fields single people out
    raw = [payloads._deidentified_row(c) for c in payloads.cases_consenting_to_statistics("THA")]
    assert min(classes(raw, fields).values()) == 1
    released_any = False
    for country in ("THA", "KHM", "VNM", "MMR", "LAO", "CHN"):
        data, _ = deidentified_release(country, k=11)
        records = data["records"]
        released_any |= bool(records)
        assert data["quasi_identifiers"] == list(QUASI_IDENTIFIERS)
        for record in records:
            assert set(record) == DEIDENTIFIED_FIELDS
        # every combination of released fields: the classes over all of them are the finest
        sizes = classes(records, fields)
        assert not sizes or min(sizes.values()) >= 11, (country, sizes)
        for field in fields:  # each field alone, e.g. vic_TypeOfExploitation
            assert all(n >= 11 for n in classes(records, [field]).values())
        assert check_release(data, k=11).n_unique == 0
    assert released_any


@pytest.mark.django_db
def test_finding_09_hub_tells_apart_what_a_reader_tells_apart(client, hub, country_keys):
    """Values that print alike but read differently (False / "False", absent) are not one class."""
    cred = country_keys["THA"]
    odd = {**RECORD, "commit_ForcedCriminality": "False"}
    absent = {k: v for k, v in RECORD.items() if k != "vic_TraffickingStatus"}
    for n, one in enumerate((odd, absent)):
        response = post_release(client, cred, release([*DIVERSE, one], k=11), f"THA:t:{n}")
        assert response.status_code == 422, one
        assert response.json()["error"] == "not_k_anonymous"
    assert not DeidentifiedCase.objects.exists()
