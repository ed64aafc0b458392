"""PRO2 without delay: recording a placement notifies the country of nationality by itself.

Both sides run through the functions the relay calls: what the detaining instance
hands to ``relay_enqueue`` is captured and delivered to the receive handler.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from matis.cases.choices import PlacementKind
from matis.cooperation import services
from matis.cooperation.models import DetentionNotice, Direction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _automatic(settings):
    settings.MATIS_DETENTION_AUTO_NOTIFY = True


@pytest.fixture
def queued(monkeypatch):
    sent = []

    def capture(*, recipient, kind, data, idempotency_key, case_ids=(), sender=None):
        sent.append({"sender": sender, "recipient": recipient, "kind": kind, "data": data,
                     "key": idempotency_key, "case_ids": list(case_ids)})  # fmt: skip

    from matis.cooperation.services import detention

    monkeypatch.setattr(detention, "relay_enqueue", capture)
    return sent


def _deliver(item, make_envelope):
    return services.detention_notice_receive(
        make_envelope(sender=item["sender"], recipient=item["recipient"], kind=item["kind"],
                      data=item["data"], key=item["key"])
    )  # fmt: skip


def test_recording_a_detention_sends_the_notice_at_once(detained, queued):
    placement = detained("THA", "KHM")
    notice = DetentionNotice.objects.get(placement=placement, direction=Direction.OUT)
    assert notice.other_country_id == "KHM" and not notice.personal
    assert [q["kind"] for q in queued] == [services.KIND_NOTICE_BASIC]
    assert placement.case.person.given_name not in repr(queued[0]["data"])
    # once only: the manual action now refuses
    with pytest.raises(services.CooperationError):
        services.detention_notice_send(actor=placement.recorded_by, placement=placement)


def test_placements_that_notify_nobody_send_nothing(detained, queued):
    detained("THA", "THA")  # own national
    detained("THA", "KHM", kind=PlacementKind.SHELTER, voluntary=True)  # free to leave
    assert queued == [] and not DetentionNotice.objects.exists()
    detained("THA", "LAO", kind=PlacementKind.SHELTER, voluntary=False)  # closed shelter
    assert [q["recipient"] for q in queued] == ["LAO"]


def test_consent_given_later_completes_the_notice_on_both_sides(
    detained, queued, cross_border_consent, make_envelope
):
    placement = detained("THA", "KHM")
    received = _deliver(queued[0], make_envelope)
    assert received.direction == Direction.IN and not received.personal
    assert received.given_name == ""

    cross_border_consent(placement.case, "LAO")  # another country: nothing more leaves
    assert len(queued) == 1
    cross_border_consent(placement.case, "KHM")
    assert [q["kind"] for q in queued] == [services.KIND_NOTICE_BASIC, services.KIND_NOTICE]
    personal = queued[1]
    assert personal["data"]["notice"] == queued[0]["data"]["notice"]  # same notice number
    assert personal["data"]["given_name"] == placement.case.person.given_name
    assert personal["case_ids"] == [placement.case_id]
    sent = DetentionNotice.objects.get(placement=placement, direction=Direction.OUT)
    assert sent.personal and sent.given_name == placement.case.person.given_name

    completed = _deliver(personal, make_envelope)
    assert completed.pk == received.pk
    completed.refresh_from_db()
    assert completed.personal
    assert completed.given_name == placement.case.person.given_name
    assert completed.place_name == placement.facility.name
    assert DetentionNotice.objects.filter(country_id="KHM").count() == 1

    # the same consent recorded again sends nothing new
    cross_border_consent(placement.case, "KHM")
    assert len(queued) == 2


def test_consent_after_release_sends_no_personal_details(detained, queued, cross_border_consent):
    from matis.cases.services import placement_end

    placement = detained("THA", "KHM")
    placement_end(actor=placement.recorded_by, placement=placement, end_date=dt.date.today())
    cross_border_consent(placement.case, "KHM")
    assert [q["kind"] for q in queued] == [services.KIND_NOTICE_BASIC]


def test_a_recorder_who_may_not_notify_leaves_it_to_a_colleague(
    detained, queued, coop_workers, make_user
):
    from matis.cases.services import facility_create, placement_add

    placement = detained("THA", "KHM", kind=PlacementKind.SHELTER, voluntary=True)
    from matis.access.models import User

    supervisor_without_agency = make_user(role="case_supervisor", country="THA")
    User.objects.filter(pk=supervisor_without_agency.pk).update(agency=None)
    supervisor_without_agency.refresh_from_db()
    facility = facility_create(actor=coop_workers["THA"], name="Closed centre (synthetic)",
                               kind=PlacementKind.POLICE_CUSTODY, province="P")  # fmt: skip
    second = placement_add(actor=supervisor_without_agency, case=placement.case,
                           kind=facility.kind, facility=facility, voluntary=False,
                           start_date=dt.date.today())  # fmt: skip
    assert not DetentionNotice.objects.filter(placement=second).exists()
    assert queued == []
    notice = services.detention_notice_send(actor=coop_workers["THA"], placement=second)
    assert notice.other_country_id == "KHM"


def test_switched_off_the_instance_notifies_by_hand(detained, queued, settings):
    settings.MATIS_DETENTION_AUTO_NOTIFY = False
    detained("THA", "KHM")
    assert queued == [] and not DetentionNotice.objects.exists()


def test_the_placement_page_says_the_notice_left(detained, coop_workers, queued, client):
    from matis.cases.services import facility_create

    placement = detained("THA", "KHM", kind=PlacementKind.SHELTER, voluntary=True)
    worker = coop_workers["THA"]
    facility = facility_create(actor=worker, name="Detention centre (synthetic)",
                               kind=PlacementKind.IMMIGRATION_DETENTION, province="P")  # fmt: skip
    client.force_login(worker)
    response = client.post(
        reverse("cases:placement_new", args=[placement.case_id]),
        {"facility": facility.pk, "voluntary": "0", "start_date": dt.date.today().isoformat(),
         "notes": ""},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    assert "notified without personal details" in response.content.decode()
    assert [q["recipient"] for q in queued] == ["KHM"]
