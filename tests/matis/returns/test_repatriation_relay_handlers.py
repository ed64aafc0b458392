"""A return between two national instances (THA sends, KHM receives), through the returns
app's relay items delivered by hand (``relay_wire``): each step recorded by its own government,
the minimum and only with consent at KHM, withdrawal propagated and erased, swiftness from both
sides' dates."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from matis.access.models import AuditAction, AuditLog
from matis.cases.models import Case
from matis.exchange.relay import RelayEnvelope
from matis.returns import measures, relay, services
from matis.returns.choices import RepatriationStatus, Side, Step
from matis.returns.models import (
    IncomingRepatriation,
    Repatriation,
    StepOutOfOrder,
    WrongCountry,
)

D = dt.date
pytestmark = pytest.mark.django_db


def _requested(w, wire, identified_case, consent, *, given="Sreymom"):
    case = identified_case(w.tha_worker, given=given)
    consent(w.tha_worker, case, country="KHM", on=D(2025, 1, 20))
    wire.as_country("THA")
    rep = services.repatriation_request(
        actor=w.tha_worker,
        case=case,
        receiving_country="KHM",
        requested_on=D(2025, 1, 21),
        handover_expected_on=D(2025, 3, 1),
        notes="TH-NOTE-request",
    )
    return case, rep


def _khm_step(w, wire, incoming, step, start, end, outcome="positive", **extra):
    wire.as_country("KHM")
    return services.incoming_step_record(
        actor=extra.pop("actor", w.khm_worker),
        incoming=incoming,
        step=step,
        started_on=start,
        completed_on=end,
        outcome=outcome,
        notes=f"KH-NOTE-{step}",
        **extra,
    )


def _assign(w, incoming):
    return services.incoming_assign(actor=w.khm_supervisor, incoming=incoming, agency=w.khm_agency)


def _raw(table: str, column: str, pk: int):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_request_carries_only_the_minimum_and_needs_consent(
    two_countries, identified_case, relay_wire
):
    w = two_countries
    case = identified_case(w.tha_worker, given="Chenda")
    relay_wire.as_country("THA")
    # no consent naming Cambodia: refused, nothing written, nothing queued
    with pytest.raises(ValidationError, match="consent"):
        services.repatriation_request(
            actor=w.tha_worker, case=case, receiving_country="KHM", requested_on=D(2025, 1, 21)
        )
    assert not Repatriation.objects.exists() and relay_wire.queued == []


def test_thai_request_arrives_in_cambodia_with_the_minimum_encrypted(
    two_countries, identified_case, consent, relay_wire
):
    w = two_countries
    case, rep = _requested(w, relay_wire, identified_case, consent)
    assert rep.relayed and rep.receiving_agency is None
    (item,) = relay_wire.queued
    assert item["kind"] == relay.KIND_REQUEST and item["recipient"] == "KHM"
    assert item["case_ids"] == [case.pk]  # the relay checks this case's consent naming KHM
    assert set(item["data"]) <= relay.REQUEST_FIELDS
    assert item["data"]["given_name"] == "Sreymom" and item["data"]["sex"] == "Feminine"
    assert item["data"]["age"] == case.person.current_age()  # no birth date known: the age
    sent = repr(item["data"])
    assert "SECRET-SUMMARY" not in sent and case.reference not in sent and "TH-NOTE" not in sent

    relay_wire.deliver()
    incoming = IncomingRepatriation.objects.get(uid=rep.uid)
    assert (incoming.sending_country_id, incoming.receiving_country_id) == ("THA", "KHM")
    assert incoming.reference == rep.reference and incoming.requested_on == D(2025, 1, 21)
    assert incoming.handover_expected_on == D(2025, 3, 1)
    assert (incoming.given_name, incoming.family_name) == ("Sreymom", "Synthetic")
    # encrypted at rest: the name is not in the table in clear
    assert "Sreymom" not in str(_raw("returns_incomingrepatriation", "given_name", incoming.pk))
    (request_step,) = incoming.steps.all()
    assert (request_step.step, request_step.side, request_step.agency_id) == (
        Step.REQUEST,
        Side.SENDING,
        None,
    )
    assert request_step.agency_name == w.tha_shelter.name
    assert AuditLog.objects.filter(
        action=AuditAction.RECORD_CREATE, object_id=str(incoming.pk), detail__via="relay"
    ).exists()
    # the Cambodian users of this shared test database never see Thailand's own record
    assert not services.gates.receiving_candidates(w.khm_supervisor).exists()


def test_a_bad_or_oversized_request_is_refused_naming_the_field(two_countries, relay_wire):
    uid = str(uuid.uuid4())
    base = {
        "uid": uid,
        "reference": "RT-THA-KHM-2025-00001",
        "requested_on": "2025-01-21",
        "given_name": "Test",
        "sex": "Feminine",
    }

    def env(data, kind=relay.KIND_REQUEST):
        e = RelayEnvelope(
            sender="THA",
            recipient="KHM",
            kind=kind,
            data=data,
            idempotency_key=f"THA:test:{uuid.uuid4()}",
            sequence=1,
            sent_at=timezone.now(),
        )
        return relay.RECEIVERS[kind], e

    for data, field in (
        ({**base, "case_summary": "x"}, "case_summary"),
        ({**base, "requested_on": "21/01/2025"}, "requested_on"),
        ({**base, "sex": "Woman"}, "sex"),
        ({**base, "uid": "nope"}, "uid"),
        ({k: v for k, v in base.items() if k != "given_name"}, "given_name"),
    ):
        receive, e = env(data)
        with pytest.raises(relay.BadItem, match=field):
            receive(e)
    assert not IncomingRepatriation.objects.exists()
    # a step for a return this instance never received
    receive, e = env(
        {"uid": uid, "step_id": 1, "step": "handover", "started_on": "2025-02-01"},
        relay.KIND_STEP,
    )
    with pytest.raises(relay.BadItem, match="uid"):
        receive(e)


def test_each_government_records_its_own_steps_and_a_case_opens_at_home(
    two_countries, identified_case, consent, relay_wire
):
    w = two_countries
    _case, rep = _requested(w, relay_wire, identified_case, consent)
    relay_wire.deliver()
    incoming = IncomingRepatriation.objects.get(uid=rep.uid)
    assert incoming.whose_turn() == Side.RECEIVING and rep.whose_turn() == Side.RECEIVING

    # before a supervisor gives it to an agency, the agency's case worker cannot act
    with pytest.raises(PermissionDenied):
        _khm_step(w, relay_wire, incoming, Step.TRACING, D(2025, 1, 22), D(2025, 2, 1))
    _assign(w, incoming)
    # Thailand cannot record Cambodia's steps: they are recorded on Cambodia's instance
    relay_wire.as_country("THA")
    with pytest.raises(WrongCountry):
        services.repatriation_step_record(
            actor=w.tha_worker,
            repatriation=rep,
            step=Step.TRACING,
            started_on=D(2025, 1, 22),
        )
    for step, start, end in (
        (Step.TRACING, D(2025, 1, 22), D(2025, 2, 1)),
        (Step.NATIONALITY, D(2025, 2, 1), D(2025, 2, 10)),
        (Step.TRAVEL_DOCUMENTS, D(2025, 2, 10), D(2025, 2, 20)),
    ):
        _khm_step(w, relay_wire, incoming, step, start, end)
    # Cambodia cannot hand over: it is Thailand's step
    with pytest.raises(WrongCountry):
        _khm_step(w, relay_wire, incoming, Step.HANDOVER, D(2025, 2, 21), D(2025, 2, 21))
    replies = relay_wire.deliver()
    assert [e.kind for e in replies] == [relay.KIND_REPLY] * 3
    assert all(set(e.data) <= relay.REPLY_FIELDS for e in replies)
    assert not any("KH-NOTE" in repr(e.data) for e in replies)  # notes stay home
    rep.refresh_from_db()
    assert [s.step for s in rep.steps.all()] == [
        Step.REQUEST,
        Step.TRACING,
        Step.NATIONALITY,
        Step.TRAVEL_DOCUMENTS,
    ]
    khm_steps = rep.steps.filter(side=Side.RECEIVING)
    assert {s.agency_name for s in khm_steps} == {w.khm_agency.name}
    assert all(s.agency_id is None and s.recorded_by_id is None for s in khm_steps)
    assert rep.whose_turn() == Side.SENDING

    # Thailand hands over; the step travels to Cambodia
    relay_wire.as_country("THA")
    services.repatriation_step_record(
        actor=w.tha_worker,
        repatriation=rep,
        step=Step.HANDOVER,
        started_on=D(2025, 2, 25),
        completed_on=D(2025, 2, 26),
        outcome="positive",
    )
    (handover,) = relay_wire.deliver()
    assert handover.kind == relay.KIND_STEP and handover.recipient == "KHM"
    incoming.refresh_from_db()
    assert incoming.returned_on == D(2025, 2, 26) and incoming.whose_turn() == Side.RECEIVING

    # Cambodia receives the person and opens her case at home from the received fields
    cases_before = Case.objects.count()
    _khm_step(
        w,
        relay_wire,
        incoming,
        Step.RECEPTION,
        D(2025, 2, 26),
        D(2025, 2, 27),
        open_case=True,
    )
    incoming.refresh_from_db()
    assert incoming.status == RepatriationStatus.COMPLETED
    home = incoming.home_case
    assert Case.objects.count() == cases_before + 1
    assert home.country_id == "KHM" and home.agency_id == w.khm_agency.pk
    assert (home.person.given_name, home.person.family_name) == ("Sreymom", "Synthetic")
    assert home.person.gender == "Feminine" and home.person.primary_citizenship_id == "KHM"
    assert home.summary == ""  # nothing of the Thai case narrative
    assert AuditLog.objects.filter(
        action=AuditAction.RECORD_CREATE, object_id=str(home.pk), actor=w.khm_worker
    ).exists()
    (reply,) = relay_wire.deliver()
    assert reply.data["case_opened"] is True
    rep.refresh_from_db()
    assert rep.status == RepatriationStatus.COMPLETED and rep.home_case_opened
    assert rep.completed_on == D(2025, 2, 27) and rep.whose_turn() is None

    # swiftness: request (Thai date) to reception (Cambodian date) = 37 days, on both sides
    rep.delete()  # as on Cambodia's own instance: only the received record
    khm = measures.returns_measures("KHM", 2025)["repatriation"]
    assert khm["received"] == 1 and khm["median_days_request_to_reception"] == 37
    assert khm["reception_by_corridor"] == [
        {
            "corridor": "THA→KHM",
            "year": 2025,
            "received": 1,
            "median_days": 37,
            "mean_days": 37.0,
        }
    ]


def test_swiftness_from_the_sending_side_uses_the_home_countrys_reception_date(
    two_countries, identified_case, consent, relay_wire
):
    w = two_countries
    _case, rep = _requested(w, relay_wire, identified_case, consent)
    relay_wire.deliver()
    incoming = IncomingRepatriation.objects.get(uid=rep.uid)
    _assign(w, incoming)
    for step, start, end in (
        (Step.TRACING, D(2025, 1, 22), D(2025, 2, 1)),
        (Step.NATIONALITY, D(2025, 2, 1), D(2025, 2, 10)),
        (Step.TRAVEL_DOCUMENTS, D(2025, 2, 10), D(2025, 2, 20)),
    ):
        _khm_step(w, relay_wire, incoming, step, start, end)
    relay_wire.deliver()
    relay_wire.as_country("THA")
    services.repatriation_step_record(
        actor=w.tha_worker,
        repatriation=rep,
        step=Step.HANDOVER,
        started_on=D(2025, 3, 1),
        completed_on=D(2025, 3, 1),
        outcome="positive",
    )
    relay_wire.deliver()
    _khm_step(w, relay_wire, incoming, Step.RECEPTION, D(2025, 3, 1), D(2025, 3, 3))
    relay_wire.deliver()
    IncomingRepatriation.objects.all().delete()  # as on Thailand's own instance
    tha = measures.returns_measures("THA", 2025)["repatriation"]
    assert tha["received"] == 1 and tha["median_days_request_to_reception"] == 41  # 21 Jan-3 Mar
    # and the days from identification to return (Thai dates only) still come out
    assert (
        tha["returned"] == 1
        and tha["median_days_to_return"] == (D(2025, 3, 1) - D(2025, 1, 10)).days
    )


def test_withdrawal_stops_the_return_and_cambodia_erases_what_it_received(
    two_countries, identified_case, consent, relay_wire
):
    w = two_countries
    case, rep = _requested(w, relay_wire, identified_case, consent)
    relay_wire.deliver()
    incoming = IncomingRepatriation.objects.get(uid=rep.uid)
    _assign(w, incoming)
    _khm_step(w, relay_wire, incoming, Step.TRACING, D(2025, 1, 22), D(2025, 2, 1))
    relay_wire.deliver()

    # the person withdraws consent to sharing with Cambodia (recorded on the Thai return page)
    relay_wire.as_country("THA")
    services.repatriation_consent_withdraw(
        actor=w.tha_worker, repatriation=rep, on=D(2025, 2, 2), language="km"
    )
    rep.refresh_from_db()
    assert rep.status == RepatriationStatus.WITHDRAWN
    assert case.consents.filter(given=False, recipient_country_id="KHM").exists()
    (notice,) = relay_wire.queued
    assert notice["kind"] == relay.KIND_WITHDRAWN and notice["data"] == {
        "uid": str(rep.uid),
        "on": "2025-02-02",
    }
    assert notice["case_ids"] == []  # no personal field: it goes without consent
    # no further transfer from Thailand
    with pytest.raises(StepOutOfOrder):
        services.repatriation_step_record(
            actor=w.tha_worker,
            repatriation=rep,
            step=Step.HANDOVER,
            started_on=D(2025, 2, 3),
        )
    # a Cambodian step crossing the withdrawal on the way is recorded nowhere at Thailand
    _khm_step(w, relay_wire, incoming, Step.NATIONALITY, D(2025, 2, 1), D(2025, 2, 2))
    khm_reply = relay_wire.queued.pop()
    relay_wire.deliver()  # the withdrawal reaches Cambodia

    incoming.refresh_from_db()
    assert incoming.status == RepatriationStatus.WITHDRAWN
    assert incoming.withdrawn_on == D(2025, 2, 2)
    for name in IncomingRepatriation.PERSONAL_FIELDS:
        assert getattr(incoming, name) is None, name
        raw = _raw("returns_incomingrepatriation", name, incoming.pk)
        assert raw is None, (name, raw)
    assert all(s.notes == "" for s in incoming.steps.all())
    # the stub: uid, reference, dates, status
    assert incoming.uid == rep.uid and incoming.reference == rep.reference
    assert incoming.requested_on == D(2025, 1, 21)
    with pytest.raises(StepOutOfOrder):
        _khm_step(w, relay_wire, incoming, Step.TRAVEL_DOCUMENTS, D(2025, 2, 3), D(2025, 2, 4))

    relay_wire.queued.append(khm_reply)
    relay_wire.deliver()
    rep.refresh_from_db()
    assert rep.status == RepatriationStatus.WITHDRAWN
    assert not rep.steps.filter(step=Step.NATIONALITY).exists()


def test_a_withdrawal_recorded_on_the_case_page_is_propagated_at_once(
    two_countries, identified_case, consent, relay_wire
):
    w = two_countries
    case, rep = _requested(w, relay_wire, identified_case, consent)
    relay_wire.deliver()
    consent(w.tha_worker, case, country="KHM", on=D(2025, 2, 2), given=False)
    rep.refresh_from_db()
    assert rep.status == RepatriationStatus.WITHDRAWN  # consent_record propagated it
    (withdrawn,) = relay_wire.queued
    assert withdrawn["kind"] == relay.KIND_WITHDRAWN
    assert services.repatriation_withdrawals_propagate(country_id="THA") == 0  # nothing left
    relay_wire.deliver()
    incoming = IncomingRepatriation.objects.get(uid=rep.uid)
    assert incoming.status == RepatriationStatus.WITHDRAWN and incoming.given_name is None


def test_cancellation_erases_too_and_the_one_database_path_is_unchanged(
    two_countries, identified_case, consent, relay_wire
):
    w = two_countries
    _case, rep = _requested(w, relay_wire, identified_case, consent)
    relay_wire.deliver()
    relay_wire.as_country("THA")
    services.repatriation_cancel(actor=w.tha_worker, repatriation=rep, reason="She stays")
    (cancel,) = relay_wire.deliver()
    assert cancel.kind == relay.KIND_CANCELLED and "She stays" not in repr(cancel.data)
    incoming = IncomingRepatriation.objects.get(uid=rep.uid)
    assert incoming.status == RepatriationStatus.CANCELLED and incoming.family_name is None

    # MATIS_COUNTRY unset (one database for both governments): no relay item, the old path
    relay_wire.as_country(None)
    other = identified_case(w.tha_worker, given="Local")
    local = services.repatriation_request(
        actor=w.tha_worker,
        case=other,
        receiving_agency=w.khm_agency,
        requested_on=D(2025, 1, 21),
    )
    assert not local.relayed and relay_wire.queued == []
