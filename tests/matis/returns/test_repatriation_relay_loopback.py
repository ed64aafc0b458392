"""A return THA -> hub -> KHM -> back, through the real relay (signed, sealed, ordered, once):
``relay_loopback`` runs the three roles in one test database. A completed return opens the
case at home; a withdrawal mid-way cancels what is still queued and erases at KHM."""

from __future__ import annotations

import datetime as dt

import pytest

from matis.exchange.models import RelayItem, RelayOutgoing
from matis.returns import measures, relay, services
from matis.returns.choices import RepatriationStatus, Side, Step
from matis.returns.models import IncomingRepatriation, Repatriation

D = dt.date
pytestmark = pytest.mark.django_db


def _start(w, loop, identified_case, consent, given):
    case = identified_case(w.tha_worker, given=given)
    consent(w.tha_worker, case, country="KHM", on=D(2025, 1, 20))
    with loop.at("THA"):
        rep = services.repatriation_request(
            actor=w.tha_worker,
            case=case,
            receiving_country="KHM",
            requested_on=D(2025, 1, 21),
            notes="TH-NOTE",
        )
    return case, rep


def _khm(w, loop, incoming, step, start, end, **extra):
    with loop.at("KHM"):
        return services.incoming_step_record(
            actor=w.khm_worker,
            incoming=incoming,
            step=step,
            started_on=start,
            completed_on=end,
            outcome="positive",
            **extra,
        )


def test_a_return_completes_across_two_instances_and_opens_the_case_at_home(
    two_countries, identified_case, consent, relay_loopback
):
    w, loop = two_countries, relay_loopback
    _case, rep = _start(w, loop, identified_case, consent, "Sophea")
    # at the hub: routing metadata in clear, the person's name only inside the sealed data
    loop.push("THA")
    (at_hub,) = RelayItem.objects.filter(kind=relay.KIND_REQUEST)
    assert (at_hub.sender_id, at_hub.recipient_id) == ("THA", "KHM")
    assert "Sophea" not in at_hub.envelope and "Synthetic" not in at_hub.envelope
    loop.deliver()
    incoming = IncomingRepatriation.objects.get(uid=rep.uid)
    assert incoming.given_name == "Sophea" and incoming.receiving_country_id == "KHM"

    with loop.at("KHM"):
        services.incoming_assign(actor=w.khm_supervisor, incoming=incoming, agency=w.khm_agency)
    for step, start, end in (
        (Step.TRACING, D(2025, 1, 22), D(2025, 2, 1)),
        (Step.NATIONALITY, D(2025, 2, 1), D(2025, 2, 10)),
        (Step.TRAVEL_DOCUMENTS, D(2025, 2, 10), D(2025, 2, 20)),
    ):
        _khm(w, loop, incoming, step, start, end)
    loop.deliver()
    rep.refresh_from_db()
    assert rep.whose_turn() == Side.SENDING and rep.next_step() == Step.HANDOVER
    with loop.at("THA"):
        services.repatriation_step_record(
            actor=w.tha_worker,
            repatriation=rep,
            step=Step.HANDOVER,
            started_on=D(2025, 2, 25),
            completed_on=D(2025, 2, 26),
            outcome="positive",
        )
    loop.deliver()
    incoming.refresh_from_db()
    assert incoming.returned_on == D(2025, 2, 26)
    _khm(w, loop, incoming, Step.RECEPTION, D(2025, 2, 26), D(2025, 2, 28), open_case=True)
    loop.deliver()

    incoming.refresh_from_db()
    rep.refresh_from_db()
    assert incoming.status == rep.status == RepatriationStatus.COMPLETED
    assert incoming.home_case.country_id == "KHM"
    assert incoming.home_case.person.given_name == "Sophea"
    assert rep.home_case_opened and rep.completed_on == D(2025, 2, 28)
    assert [(s.step, s.side) for s in rep.steps.all()] == [
        (s.step, s.side) for s in incoming.steps.all()
    ]
    # every item applied once, none parked
    assert set(RelayOutgoing.objects.values_list("delivery", flat=True)) == {"applied"}
    assert not RelayItem.objects.exists()  # the hub keeps nothing once applied
    # both sides' dates: 21 Jan (THA's request) to 28 Feb (KHM's reception) = 38 days
    days = {r["days"] for r in measures.request_to_reception("KHM", 2025)}
    assert days == {38}


def test_withdrawal_mid_way_cancels_the_queued_step_and_erases_at_home(
    two_countries, identified_case, consent, relay_loopback
):
    w, loop = two_countries, relay_loopback
    case, rep = _start(w, loop, identified_case, consent, "Kanha")
    loop.deliver()
    incoming = IncomingRepatriation.objects.get(uid=rep.uid)
    with loop.at("KHM"):
        services.incoming_assign(actor=w.khm_supervisor, incoming=incoming, agency=w.khm_agency)
    for step, start, end in (
        (Step.TRACING, D(2025, 1, 22), D(2025, 2, 1)),
        (Step.NATIONALITY, D(2025, 2, 1), D(2025, 2, 10)),
        (Step.TRAVEL_DOCUMENTS, D(2025, 2, 10), D(2025, 2, 20)),
    ):
        _khm(w, loop, incoming, step, start, end)
    loop.deliver()
    rep = Repatriation.objects.get(pk=rep.pk)
    with loop.at("THA"):
        # the handover starts (queued for KHM) ... and the person withdraws consent
        services.repatriation_step_record(
            actor=w.tha_worker,
            repatriation=rep,
            step=Step.HANDOVER,
            started_on=D(2025, 2, 25),
        )
        services.repatriation_consent_withdraw(
            actor=w.tha_worker, repatriation=rep, on=D(2025, 2, 25), language="km"
        )
    loop.deliver()  # the step item is cancelled at push time; its void place-holder is queued
    loop.deliver()  # ... and goes on the next push, so KHM applies the notice in sequence

    step_item = RelayOutgoing.objects.get(kind=relay.KIND_STEP)
    assert step_item.outbox_item.status == "cancelled" and step_item.data is None
    assert RelayOutgoing.objects.get(kind=relay.KIND_WITHDRAWN).delivery == "applied"
    incoming.refresh_from_db()
    assert incoming.status == RepatriationStatus.WITHDRAWN
    assert not incoming.steps.filter(step=Step.HANDOVER).exists()  # never arrived
    assert all(getattr(incoming, f) is None for f in IncomingRepatriation.PERSONAL_FIELDS)
    rep.refresh_from_db()
    assert rep.status == RepatriationStatus.WITHDRAWN
    assert case.consents.filter(given=False, recipient_country_id="KHM").exists()
