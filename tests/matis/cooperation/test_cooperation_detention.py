"""Detention notices (PRO2): consent decides what the notice carries; ack and steps travel back.

The handlers are called with RelayEnvelope objects built from exactly what the
sending side queued (``relay_enqueue`` is captured), so each test runs both
sides of the border through the same functions the relay calls.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from matis.cooperation import services
from matis.cooperation.models import DetentionNotice, DetentionStatus, Direction

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """Everything the services hand to relay_enqueue, in order (the relay itself is not run)."""
    sent = []

    def capture(*, recipient, kind, data, idempotency_key, case_ids=(), sender=None):
        sent.append(
            {"sender": sender, "recipient": recipient, "kind": kind, "data": data, "key": idempotency_key,
             "case_ids": list(case_ids)}
        )  # fmt: skip

    from matis.cooperation.services import assessments, detention

    monkeypatch.setattr(detention, "relay_enqueue", capture)
    monkeypatch.setattr(assessments, "relay_enqueue", capture)
    return sent


def deliver(item, sender, make_envelope):
    handler = {
        services.KIND_NOTICE: services.detention_notice_receive,
        services.KIND_NOTICE_BASIC: services.detention_notice_receive,
        services.KIND_ACK: services.detention_ack_receive,
        services.KIND_STATUS: services.detention_status_receive,
    }[item["kind"]]
    return handler(
        make_envelope(sender=sender, recipient=item["recipient"], kind=item["kind"],
                      data=item["data"], key=item["key"])
    )  # fmt: skip


def test_without_consent_only_a_non_personal_notice_leaves(detained, coop_workers, queued):
    placement = detained("THA", "KHM")
    notice = services.detention_notice_send(actor=coop_workers["THA"], placement=placement)
    assert not notice.personal
    assert [q["kind"] for q in queued] == [services.KIND_NOTICE_BASIC]
    data = queued[0]["data"]
    assert queued[0]["recipient"] == "KHM" and queued[0]["sender"] == "THA"
    assert set(data) <= services.BASIC_NOTICE_FIELDS
    for personal in ("given_name", "family_name", "date_of_birth", "place_name", "romanised_name"):
        assert personal not in data
    assert placement.case.person.given_name not in repr(data)
    assert placement.facility.name not in repr(data)
    assert data["count"] == 1 and data["age_group"] == "adult" and data["sex"] == "Feminine"
    assert data["place_type"] == "immigration_detention"
    assert queued[0]["case_ids"] == []


def test_with_consent_the_notice_names_the_person(
    detained, coop_workers, queued, cross_border_consent
):
    placement = detained("THA", "KHM")
    cross_border_consent(placement.case, "KHM")
    notice = services.detention_notice_send(actor=coop_workers["THA"], placement=placement)
    assert notice.personal
    item = queued[0]
    assert item["kind"] == services.KIND_NOTICE
    assert set(item["data"]) <= services.PERSONAL_NOTICE_FIELDS
    assert item["data"]["given_name"] == placement.case.person.given_name
    assert item["case_ids"] == [placement.case_id]


def test_consent_for_another_country_does_not_count(
    detained, coop_workers, queued, cross_border_consent
):
    placement = detained("THA", "KHM")
    cross_border_consent(placement.case, "LAO")
    notice = services.detention_notice_send(actor=coop_workers["THA"], placement=placement)
    assert not notice.personal and queued[0]["kind"] == services.KIND_NOTICE_BASIC


def test_withdrawn_consent_gives_a_non_personal_notice(
    detained, coop_workers, queued, cross_border_consent
):
    placement = detained("THA", "KHM")
    cross_border_consent(placement.case, "KHM")
    cross_border_consent(placement.case, "KHM", given=False)
    notice = services.detention_notice_send(actor=coop_workers["THA"], placement=placement)
    assert not notice.personal


def test_full_round_trip_notice_ack_and_steps(
    detained, coop_workers, queued, cross_border_consent, make_envelope
):
    placement = detained("THA", "KHM")
    cross_border_consent(placement.case, "KHM")
    sent = services.detention_notice_send(actor=coop_workers["THA"], placement=placement)
    received = deliver(queued[-1], "THA", make_envelope)
    assert received.direction == Direction.IN and received.country_id == "KHM"
    assert received.other_country_id == "THA" and received.notice == sent.notice
    assert received.given_name == placement.case.person.given_name
    assert received.placement_id is None and received.case_id is None

    services.detention_notice_acknowledge(
        actor=coop_workers["KHM"], notice=received, consular_post="Consulate (synthetic)"
    )
    deliver(queued[-1], "KHM", make_envelope)
    sent.refresh_from_db()
    assert sent.status == DetentionStatus.ACKNOWLEDGED
    assert sent.acknowledged_at is not None and sent.consular_post == "Consulate (synthetic)"

    today = dt.date.today()
    services.detention_status_record(
        actor=coop_workers["KHM"], notice=received, status=DetentionStatus.CONSULAR_VISIT,
        on=today, comment="local note",
    )  # fmt: skip
    assert "comment" not in queued[-1]["data"]
    deliver(queued[-1], "KHM", make_envelope)
    sent.refresh_from_db()
    assert sent.status == DetentionStatus.CONSULAR_VISIT
    assert "local note" not in {e.comment for e in sent.events.all()}

    services.detention_status_record(
        actor=coop_workers["THA"], notice=sent, status=DetentionStatus.RELEASED, on=today
    )
    deliver(queued[-1], "THA", make_envelope)
    received.refresh_from_db()
    assert received.status == DetentionStatus.RELEASED
    assert [e.status for e in received.events.order_by("id")] == [
        "notified", "acknowledged", "consular_visit", "released"
    ]  # fmt: skip


def test_each_side_records_only_its_own_steps(detained, coop_workers, queued, make_envelope):
    from matis.cooperation.services import CooperationError

    placement = detained("THA", "KHM")
    sent = services.detention_notice_send(actor=coop_workers["THA"], placement=placement)
    received = deliver(queued[-1], "THA", make_envelope)
    with pytest.raises(CooperationError):
        services.detention_status_record(
            actor=coop_workers["THA"], notice=sent, status=DetentionStatus.DOCUMENTS_ISSUED,
            on=dt.date.today(),
        )  # fmt: skip
    with pytest.raises(CooperationError):
        services.detention_status_record(
            actor=coop_workers["KHM"], notice=received, status=DetentionStatus.REPATRIATED,
            on=dt.date.today(),
        )  # fmt: skip
    # and a forged step from the wrong side is refused on arrival
    forged = make_envelope(
        sender="KHM", recipient="THA", kind=services.KIND_STATUS,
        data={"notice": str(sent.notice), "event": "7f1c1f9e-93a4-4c55-9d0f-8f5a1b0f0001",
              "status": "released", "on": dt.date.today().isoformat()},
    )  # fmt: skip
    with pytest.raises(ValueError, match="status"):
        services.detention_status_receive(forged)


def test_other_countries_users_cannot_follow_up(detained, coop_workers, queued, make_envelope):
    placement = detained("THA", "KHM")
    services.detention_notice_send(actor=coop_workers["THA"], placement=placement)
    received = deliver(queued[-1], "THA", make_envelope)
    with pytest.raises(PermissionDenied):
        services.detention_notice_acknowledge(actor=coop_workers["THA"], notice=received)
    with pytest.raises(PermissionDenied):
        services.detention_notice_acknowledge(actor=coop_workers["LAO"], notice=received)


def test_who_is_notified(detained, coop_workers, queued):
    from matis.cases.choices import PlacementKind
    from matis.cooperation.services import CooperationError

    own_national = detained("THA", "THA")
    with pytest.raises(CooperationError):
        services.detention_notice_send(actor=coop_workers["THA"], placement=own_national)
    open_shelter = detained("THA", "KHM", kind=PlacementKind.SHELTER, voluntary=True)
    with pytest.raises(CooperationError):
        services.detention_notice_send(actor=coop_workers["THA"], placement=open_shelter)
    closed_shelter = detained("THA", "KHM", kind=PlacementKind.SHELTER, voluntary=False)
    notice = services.detention_notice_send(actor=coop_workers["THA"], placement=closed_shelter)
    assert notice.place_type == "shelter" and notice.held_against_will
    with pytest.raises(CooperationError):  # once per placement
        services.detention_notice_send(actor=coop_workers["THA"], placement=closed_shelter)
    assert queued and len(queued) == 1


def test_child_is_reported_as_child(detained, coop_workers, queued):
    placement = detained("THA", "MMR", age=15)
    services.detention_notice_send(actor=coop_workers["THA"], placement=placement)
    assert queued[0]["recipient"] == "MMR" and queued[0]["data"]["age_group"] == "child"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"nationality": "LAO"}, "nationality"),
        ({"count": 0}, "count"),
        ({"age_group": "elderly"}, "age_group"),
        ({"start_date": "03/12/2026"}, "start_date"),
        ({"notice": "not-a-uuid"}, "notice"),
    ],
)
def test_bad_notice_is_refused_naming_the_field(
    change, field, detained, coop_workers, queued, make_envelope
):
    placement = detained("THA", "KHM")
    services.detention_notice_send(actor=coop_workers["THA"], placement=placement)
    item = dict(queued[-1], data={**queued[-1]["data"], **change})
    before = DetentionNotice.objects.filter(direction=Direction.IN).count()
    with pytest.raises(ValueError, match=field):
        deliver(item, "THA", make_envelope)
    assert DetentionNotice.objects.filter(direction=Direction.IN).count() == before


def test_pages_show_notice_on_both_sides(detained, coop_workers, queued, client, make_envelope):
    placement = detained("THA", "KHM")
    client.force_login(coop_workers["THA"])
    listing = client.get("/cooperation/detention/")
    assert listing.status_code == 200 and placement.case.reference in listing.content.decode()
    response = client.post(f"/cooperation/detention/placement/{placement.pk}/notify/")
    assert response.status_code == 302
    sent = DetentionNotice.objects.get(placement=placement)
    page = client.get(response["Location"], follow=True).content.decode()
    assert "data-nonpersonal" in page  # the screen says no personal details went
    received = deliver(queued[-1], "THA", make_envelope)
    client.force_login(coop_workers["KHM"])
    page = client.get(f"/cooperation/detention/{received.pk}/").content.decode()
    assert str(received.notice)[:8] in page and "data-nonpersonal" in page
    assert client.get(f"/cooperation/detention/{sent.pk}/").status_code in (403, 404)
    response = client.post(
        f"/cooperation/detention/{received.pk}/", {"acknowledge": "1", "consular_post": "Post X"}
    )
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.status == DetentionStatus.ACKNOWLEDGED
    api = client.get("/api/v1/detention-notices/").json()
    rows = api.get("results", api)
    assert [r["notice"] for r in rows] == [str(received.notice)]
    assert "given_name" not in rows[0]


def test_a_sent_notice_is_seen_only_by_those_who_see_the_case(
    detained, coop_workers, queued, make_user, make_agency
):
    from matis.cooperation.selectors import notices_visible

    placement = detained("THA", "KHM")
    notice = services.detention_notice_send(actor=coop_workers["THA"], placement=placement)
    other_agency = make_user(role="case_worker", country="THA", agency=make_agency("THA"))
    assert list(notices_visible(coop_workers["THA"])) == [notice]
    assert list(notices_visible(other_agency)) == []
    assert list(notices_visible(coop_workers["KHM"])) == []
