"""The return workflow: order of steps, the responsible government, consent, status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from matis.cases.services import ConsentRequired
from matis.returns import services
from matis.returns.choices import RepatriationStatus, Step
from matis.returns.models import Repatriation, StepOutOfOrder, WrongCountry

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def started(two_countries, identified_case, consent):
    w = two_countries
    case = identified_case(w.tha_worker)
    consent(w.tha_worker, case)
    rep = services.repatriation_request(
        actor=w.tha_worker, case=case, receiving_agency=w.khm_agency, requested_on=D(2025, 1, 20)
    )
    return w, rep


def _step(actor, rep, step, start, end, outcome="positive", **kw):
    return services.repatriation_step_record(
        actor=actor,
        repatriation=rep,
        step=step,
        started_on=start,
        completed_on=end,
        outcome=outcome,
        **kw,
    )


def test_the_transition_table_is_a_single_chain_in_step_order():
    from matis.returns.choices import STEP_ORDER

    chain, current = [], None
    while Repatriation.STEP_TRANSITIONS[current]:
        (current,) = Repatriation.STEP_TRANSITIONS[current]
        chain.append(current)
    assert tuple(chain) == STEP_ORDER


def test_steps_out_of_order_are_refused(started):
    w, rep = started
    with pytest.raises(StepOutOfOrder) as exc:
        _step(w.khm_worker, rep, Step.NATIONALITY, D(2025, 1, 21), D(2025, 1, 25))
    assert exc.value.allowed == [Step.TRACING]
    with pytest.raises(StepOutOfOrder):
        _step(w.tha_worker, rep, Step.HANDOVER, D(2025, 1, 21), D(2025, 1, 25))
    with pytest.raises(StepOutOfOrder):  # the request cannot be repeated
        _step(w.tha_worker, rep, Step.REQUEST, D(2025, 1, 21), D(2025, 1, 21))
    assert rep.steps.count() == 1


def test_a_step_by_the_wrong_countrys_agency_is_refused(started):
    w, rep = started
    # family tracing is the home country's job: the Thai worker may not record it
    with pytest.raises(WrongCountry) as exc:
        _step(w.tha_worker, rep, Step.TRACING, D(2025, 1, 21), D(2025, 2, 1))
    assert (exc.value.needed_country, exc.value.actor_country) == ("KHM", "THA")
    # nor may an agency of a third country
    with pytest.raises(WrongCountry):
        _step(w.lao_worker, rep, Step.TRACING, D(2025, 1, 21), D(2025, 2, 1))
    _step(w.khm_worker, rep, Step.TRACING, D(2025, 1, 21), D(2025, 2, 1))
    _step(w.khm_worker, rep, Step.NATIONALITY, D(2025, 2, 1), D(2025, 2, 10))
    _step(w.khm_worker, rep, Step.TRAVEL_DOCUMENTS, D(2025, 2, 10), D(2025, 2, 20))
    # the handover is the sending side's: Cambodia may not record it
    with pytest.raises(WrongCountry):
        _step(w.khm_worker, rep, Step.HANDOVER, D(2025, 2, 21), D(2025, 2, 22))
    assert [s.step for s in rep.steps.all()] == [
        "request",
        "tracing",
        "nationality",
        "travel_documents",
    ]


def test_another_agency_of_the_right_country_may_not_act(started):
    w, rep = started
    with pytest.raises(PermissionDenied):  # Cambodian, but not the receiving agency
        _step(w.khm_other, rep, Step.TRACING, D(2025, 1, 21), D(2025, 2, 1))
    _step(w.khm_supervisor, rep, Step.TRACING, D(2025, 1, 21), D(2025, 2, 1))  # supervisors may


def test_the_receiving_side_cannot_act_without_consent(two_countries, identified_case, consent):
    w = two_countries
    case = identified_case(w.tha_worker)
    rep = services.repatriation_request(
        actor=w.tha_worker, case=case, receiving_agency=w.khm_agency, requested_on=D(2025, 1, 20)
    )
    with pytest.raises(ConsentRequired):
        _step(w.khm_worker, rep, Step.TRACING, D(2025, 1, 21), D(2025, 2, 1))
    consent(w.tha_worker, case, country="LAO")  # consent for another country does not count
    with pytest.raises(ConsentRequired):
        _step(w.khm_worker, rep, Step.TRACING, D(2025, 1, 21), D(2025, 2, 1))


def test_full_return_then_reception_opens_a_case_at_home(started):
    w, rep = started
    _step(w.khm_worker, rep, Step.TRACING, D(2025, 1, 21), D(2025, 2, 1))
    _step(w.khm_worker, rep, Step.NATIONALITY, D(2025, 2, 1), D(2025, 2, 10))
    _step(w.khm_worker, rep, Step.TRAVEL_DOCUMENTS, D(2025, 2, 10), D(2025, 2, 20))
    _step(w.tha_worker, rep, Step.HANDOVER, D(2025, 2, 24), D(2025, 2, 25))
    _step(w.khm_worker, rep, Step.RECEPTION, D(2025, 2, 25), D(2025, 2, 25), open_case=True)
    rep.refresh_from_db()
    assert rep.status == RepatriationStatus.COMPLETED
    assert rep.returned_on == D(2025, 2, 25)
    home = rep.receiving_case
    assert home.country_id == "KHM" and home.agency_id == w.khm_agency.pk
    assert home.person.given_name == "Sreyleak"
    assert home.summary == ""  # the case narrative did not travel
    assert rep.allowed_steps() == set()


def test_an_open_step_is_completed_and_a_negative_outcome_stops_and_can_be_retried(started):
    w, rep = started
    services.repatriation_step_record(
        actor=w.khm_worker, repatriation=rep, step=Step.TRACING, started_on=D(2025, 1, 21)
    )
    assert rep.allowed_steps() == {Step.TRACING}
    _step(
        w.khm_worker,
        rep,
        Step.TRACING,
        D(2025, 1, 21),
        D(2025, 2, 3),
        outcome="negative",
        notes="home unsafe",
    )
    rep.refresh_from_db()
    assert rep.status == RepatriationStatus.STOPPED
    assert rep.steps.count() == 2  # request + tracing: the open step was completed in place
    _step(w.khm_worker, rep, Step.TRACING, D(2025, 3, 1), D(2025, 3, 20))
    rep.refresh_from_db()
    assert rep.status == RepatriationStatus.IN_PROGRESS
    assert rep.allowed_steps() == {Step.NATIONALITY}


def test_a_request_needs_an_identified_victim_and_one_return_at_a_time(
    two_countries, identified_case
):
    from django.core.exceptions import ValidationError

    from matis.cases.services import case_register

    w = two_countries
    unidentified = case_register(
        actor=w.tha_worker,
        person={"given_name": "Dara", "gender": "Masculine", "age_at_registration": 30},
        case={"opened_on": D(2025, 1, 1)},
    )
    with pytest.raises(ValidationError):
        services.repatriation_request(
            actor=w.tha_worker,
            case=unidentified,
            receiving_agency=w.khm_agency,
            requested_on=D(2025, 1, 20),
        )
    case = identified_case(w.tha_worker)
    services.repatriation_request(
        actor=w.tha_worker, case=case, receiving_agency=w.khm_agency, requested_on=D(2025, 1, 20)
    )
    with pytest.raises(ValidationError):
        services.repatriation_request(
            actor=w.tha_worker,
            case=case,
            receiving_agency=w.lao_agency,
            requested_on=D(2025, 1, 21),
        )
    with pytest.raises(PermissionDenied):  # a Thai worker of another agency
        services.repatriation_request(
            actor=w.tha_other,
            case=case,
            receiving_agency=w.khm_agency,
            requested_on=D(2025, 1, 21),
        )
