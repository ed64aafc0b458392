"""End to end over the real relay (sender → hub → recipient, sealed and signed, one database).

THA detains a KHM national: KHM sees the notice, acknowledges, records a
consular visit; THA records the release; each side sees the other's steps.
An assessment reaches only the named country.
"""

from __future__ import annotations

import datetime as dt

import pytest

from matis.cooperation import services
from matis.cooperation.models import (
    DetentionNotice,
    DetentionStatus,
    Direction,
    ReceivedAssessment,
)
from matis.cooperation.selectors import notice_delivery
from matis.exchange.models import RelayItem, RelayOutgoing

pytestmark = pytest.mark.django_db


def test_detention_notice_ack_and_status_travel_both_ways(
    relay_loopback, detained, coop_workers, cross_border_consent
):
    placement = detained("THA", "KHM")
    cross_border_consent(placement.case, "KHM")
    with relay_loopback.at("THA"):
        sent = services.detention_notice_send(actor=coop_workers["THA"], placement=placement)
    applied = relay_loopback.deliver()
    assert applied["KHM"] == 1 and applied["LAO"] == 0
    received = DetentionNotice.objects.get(country_id="KHM", notice=sent.notice)
    assert received.direction == Direction.IN and received.personal
    assert received.given_name == placement.case.person.given_name
    assert received.place_name == placement.facility.name

    with relay_loopback.at("KHM"):
        services.detention_notice_acknowledge(
            actor=coop_workers["KHM"], notice=received, consular_post="Consulate (synthetic)"
        )
        services.detention_status_record(
            actor=coop_workers["KHM"],
            notice=received,
            status=DetentionStatus.CONSULAR_VISIT,
            on=dt.date.today(),
        )
    assert relay_loopback.deliver()["THA"] == 2
    sent.refresh_from_db()
    assert sent.acknowledged_at is not None and sent.consular_post == "Consulate (synthetic)"
    assert sent.status == DetentionStatus.CONSULAR_VISIT

    with relay_loopback.at("THA"):
        services.detention_status_record(
            actor=coop_workers["THA"], notice=sent, status=DetentionStatus.RELEASED,
            on=dt.date.today(),
        )  # fmt: skip
    relay_loopback.deliver()
    received.refresh_from_db()
    assert received.status == DetentionStatus.RELEASED
    steps = [e.status for e in received.events.order_by("id")]
    assert steps == ["notified", "acknowledged", "consular_visit", "released"]


def test_without_consent_the_recipient_holds_no_personal_field(
    relay_loopback, detained, coop_workers
):
    placement = detained("THA", "KHM")
    with relay_loopback.at("THA"):
        sent = services.detention_notice_send(actor=coop_workers["THA"], placement=placement)
    relay_loopback.deliver()
    received = DetentionNotice.objects.get(country_id="KHM", notice=sent.notice)
    assert not received.personal
    assert received.given_name == "" and received.family_name == ""
    assert received.romanised_name == "" and received.date_of_birth is None
    assert received.place_name == "" and received.province == "" and received.languages == []
    assert (received.count, received.age_group, received.sex) == (1, "adult", "Feminine")
    assert received.place_type == "immigration_detention"
    assert received.start_date == placement.start_date


def test_consent_withdrawn_before_sending_stops_the_personal_notice(
    relay_loopback, detained, coop_workers, cross_border_consent
):
    placement = detained("THA", "KHM")
    cross_border_consent(placement.case, "KHM")
    with relay_loopback.at("THA"):
        sent = services.detention_notice_send(actor=coop_workers["THA"], placement=placement)
    cross_border_consent(placement.case, "KHM", given=False)
    relay_loopback.deliver()
    assert not DetentionNotice.objects.filter(country_id="KHM", notice=sent.notice).exists()
    assert notice_delivery(sent)["state"] == "cancelled"
    # the country of nationality is then told without the person's details
    with relay_loopback.at("THA"):
        services.detention_notice_send_basic(actor=coop_workers["THA"], notice=sent)
    relay_loopback.deliver()
    sent.refresh_from_db()
    assert not sent.personal and sent.given_name == ""
    assert notice_delivery(sent)["state"] == "applied"
    received = DetentionNotice.objects.get(country_id="KHM", notice=sent.notice)
    assert not received.personal and received.given_name == ""


def test_assessment_reaches_only_the_named_country(relay_loopback, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    writer = make_user(role="statistics_officer", country="THA")
    approver = make_user(role="task_force_officer", country="THA")
    with relay_loopback.at("THA"):
        a = services.assessment_create(
            actor=writer,
            title="Q2 border assessment (synthetic)",
            period_start=dt.date(2026, 4, 1),
            period_end=dt.date(2026, 6, 30),
            summary="Synthetic summary.",
            routes="Synthetic routes.",
            recipients=["KHM"],
        )
        services.assessment_attach(
            actor=writer,
            assessment=a,
            uploaded=SimpleUploadedFile("brief.pdf", b"%PDF-1.4\n%%EOF\n"),
        )
        services.assessment_submit(actor=writer, assessment=a)
        services.assessment_approve(actor=approver, assessment=a)
    applied = relay_loopback.deliver()
    assert applied["KHM"] == 1 and applied["LAO"] == 0
    got = ReceivedAssessment.objects.get(country_id="KHM")
    assert got.title == "Q2 border assessment (synthetic)" and got.sender_id == "THA"
    assert got.attachments.get().file.read() == b"%PDF-1.4\n%%EOF\n"
    assert not ReceivedAssessment.objects.filter(country_id="LAO").exists()
    assert not RelayItem.objects.filter(recipient_id="LAO").exists()
    sent_to = RelayOutgoing.objects.filter(kind=services.KIND_ASSESSMENT)
    assert list(sent_to.values_list("recipient_id", flat=True)) == ["KHM"]
