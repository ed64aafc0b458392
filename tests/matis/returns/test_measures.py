"""The swiftness measure and the re-trafficking rate against hand-computed examples."""

from __future__ import annotations

import datetime as dt

import pytest

from matis.returns import measures, services
from matis.returns.choices import Step

D = dt.date
pytestmark = pytest.mark.django_db


def _return(w, case, steps, *, agency=None, worker=None):
    """Request on steps[0]; then (step, start, end) in order."""
    rep = services.repatriation_request(
        actor=w.tha_worker,
        case=case,
        receiving_agency=agency or w.khm_agency,
        requested_on=steps[0],
    )
    for step, start, end in steps[1:]:
        actor = w.tha_worker if step == Step.HANDOVER else (worker or w.khm_worker)
        services.repatriation_step_record(
            actor=actor,
            repatriation=rep,
            step=step,
            started_on=start,
            completed_on=end,
            outcome="positive",
        )
    return rep


def _full(request, tracing, nationality, documents, handover):
    return [
        request,
        (Step.TRACING, *tracing),
        (Step.NATIONALITY, *nationality),
        (Step.TRAVEL_DOCUMENTS, *documents),
        (Step.HANDOVER, *handover),
    ]


def test_swiftness_matches_a_hand_computed_example(two_countries, identified_case, consent):
    w = two_countries
    # A: identified 10 Jan 2025, handed over 1 Mar 2025 -> 50 days
    a = identified_case(w.tha_worker, decided_on=D(2025, 1, 10), given="A")
    consent(w.tha_worker, a, on=D(2025, 1, 12))
    _return(
        w,
        a,
        _full(
            D(2025, 1, 12),
            (D(2025, 1, 13), D(2025, 1, 23)),  # tracing 10 days
            (D(2025, 1, 23), D(2025, 2, 2)),  # nationality 10
            (D(2025, 2, 3), D(2025, 2, 23)),  # documents 20
            (D(2025, 2, 28), D(2025, 3, 1)),  # handover 1
        ),
    )
    # B: identified 1 Feb 2025, handed over 12 Apr 2025 -> 70 days
    b = identified_case(w.tha_worker, decided_on=D(2025, 2, 1), opened_on=D(2025, 2, 1), given="B")
    consent(w.tha_worker, b, on=D(2025, 2, 2))
    _return(
        w,
        b,
        _full(
            D(2025, 2, 2),
            (D(2025, 2, 3), D(2025, 3, 5)),  # tracing 30
            (D(2025, 3, 5), D(2025, 3, 15)),  # nationality 10
            (D(2025, 3, 15), D(2025, 4, 4)),  # documents 20
            (D(2025, 4, 9), D(2025, 4, 12)),  # handover 3
        ),
    )
    # C: identified 1 June 2025, still under way (pending, not returned)
    c = identified_case(w.tha_worker, decided_on=D(2025, 6, 1), opened_on=D(2025, 6, 1), given="C")
    consent(w.tha_worker, c, on=D(2025, 6, 2))
    _return(w, c, [D(2025, 6, 2), (Step.TRACING, D(2025, 6, 3), D(2025, 6, 10))])  # pending

    rows = measures.swiftness("THA", 2025)
    assert len(rows) == 1
    row = rows[0]
    assert (row["corridor"], row["year"], row["returned"]) == ("THA→KHM", 2025, 2)
    assert row["median_days"] == 60  # (50 + 70) / 2
    assert row["mean_days"] == 60.0
    assert row["max_days"] == 70
    assert row["step_median_days"] == {
        "request": 0,
        "tracing": 20,
        "nationality": 10,
        "travel_documents": 20,
        "handover": 2,
    }
    block = measures.returns_measures("KHM", 2025, today=D(2025, 12, 31))["repatriation"]
    assert block["returned"] == 2 and block["median_days_to_return"] == 60
    assert block["requested"] == 3 and block["pending"] == 1
    # C was requested on 2 June 2025: pending 212 days by 31 December, over the 90-day limit
    assert block["overdue"] == 1
    assert measures.returns_measures("LAO", 2025)["repatriation"]["returned"] == 0


def test_overdue_limit_is_configurable(settings, two_countries, identified_case, consent):
    w = two_countries
    case = identified_case(w.tha_worker, decided_on=D(2025, 6, 1), opened_on=D(2025, 6, 1))
    services.repatriation_request(
        actor=w.tha_worker, case=case, receiving_agency=w.khm_agency, requested_on=D(2025, 6, 2)
    )
    today = D(2025, 8, 1)  # 60 days after the request
    assert measures.overdue_returns("THA", today=today).count() == 0
    settings.MATIS_RETURNS_PENDING_DAYS = 30
    assert measures.overdue_returns("THA", today=today).count() == 1


def test_retrafficking_rate_matches_a_hand_computed_example(two_countries, identified_case):
    from matis.cases.services import case_status_change

    w = two_countries
    cases = [
        identified_case(
            w.tha_worker, decided_on=D(2024, 1, 10), opened_on=D(2024, 1, 5), given=f"P{i}"
        )
        for i in range(4)
    ]
    for case in cases:  # four cases closed in 2024
        case_status_change(actor=w.tha_worker, case=case, status="Closed", on=D(2024, 6, 1))
    services.retrafficking_record(
        actor=w.tha_worker, case=cases[0], kind="retrafficked", on=D(2025, 2, 1)
    )
    services.retrafficking_record(
        actor=w.tha_worker, case=cases[1], kind="offender", on=D(2025, 3, 1)
    )
    # an event before the case was closed does not count as re-trafficking after care
    services.retrafficking_record(
        actor=w.tha_worker, case=cases[2], kind="retrafficked", on=D(2024, 2, 1)
    )
    result = measures.retrafficking("THA", 2024)
    assert result["cohort"] == 4
    assert result["retrafficked"] == 1
    assert result["rate"] == 0.25
    assert result["offenders"] == 1
    assert measures.retrafficking("THA", 2023)["rate"] is None


def test_measures_on_the_command_line(capsys, two_countries, identified_case):
    import json

    from matis.cli import main

    w = two_countries
    case = identified_case(w.tha_worker)
    services.repatriation_request(
        actor=w.tha_worker, case=case, receiving_agency=w.khm_agency, requested_on=D(2025, 1, 20)
    )
    assert main(["returns", "measures", "--country", "tha", "--year", "2025"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["country"] == "THA" and data["repatriation"]["requested"] == 1
    assert main(["justice", "measures", "--year", "2025"]) == 0
    assert json.loads(capsys.readouterr().out)["verdicts"]["cases_opened"] == 0
