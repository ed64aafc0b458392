"""Reintegration through the pages: plan, services, scored visits, feedback, closure,
re-trafficking; and the measures page with its downloads."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from matis.returns import instruments as tools
from matis.returns.models import FeedbackSurvey, FollowUpVisit, ReintegrationPlan

D = dt.date
pytestmark = pytest.mark.django_db


def test_plan_visit_feedback_close_and_event(client, two_countries, identified_case):
    from matis.cases.models import ServiceProvider

    w = two_countries
    case = identified_case(w.tha_worker)
    provider = ServiceProvider.objects.create(country_id="THA", name="Training centre (synthetic)")
    client.force_login(w.tha_worker)
    base = f"/returns/case/{case.pk}/"
    assert client.get(base).status_code == 200
    r = client.post(f"{base}plan/", {"opened_on": "2025-03-01", "goals": "GOAL-TEXT"})
    assert r.status_code == 302
    plan = ReintegrationPlan.objects.get(case=case)
    r = client.post(
        f"{base}plan/service/",
        {
            "kind": "livelihood",
            "provider": provider.pk,
            "planned_on": "2025-03-01",
            "status": "delivered",
            "delivered_on": "",
        },
    )
    assert r.status_code == 400 and "Give the date it was delivered" in r.content.decode()
    r = client.post(
        f"{base}plan/service/",
        {
            "kind": "livelihood",
            "provider": provider.pk,
            "planned_on": "2025-03-01",
            "status": "delivered",
            "delivered_on": "2025-04-01",
        },
    )
    assert r.status_code == 302
    tool = tools.assessment("resilience")
    answers = {f"item_{i.code}": ("3" if i.domain == "psychosocial" else "1") for i in tool.items}
    r = client.post(f"{base}plan/visit/", {"visited_on": "2025-06-01", **answers})
    assert r.status_code == 302, r.content.decode()[:2000]
    visit = FollowUpVisit.objects.get()
    # psychosocial: 5 items x 3 of 15 = 100; economic: 5 x 1 of 15 = 33
    assert (visit.psychosocial_score, visit.economic_score) == (100, 33)
    assert visit.months_after_plan == 3
    r = client.post(
        f"{base}feedback/",
        {
            "stage": "reintegration",
            "answered_on": "2025-06-01",
            "q_return_safe": "4",
            "q_heard": "2",
            "comments": "OWN-WORDS",
        },
    )
    assert r.status_code == 302
    assert FeedbackSurvey.objects.get().ratings == {"return_safe": 4, "heard": 2}
    r = client.post(
        f"{base}retrafficking/",
        {"kind": "retrafficked", "on": "2025-07-01", "where": "KHM", "notes": ""},
    )
    assert r.status_code == 302
    assert case.retrafficking_events.get().where_id == "KHM"
    r = client.post(f"{base}plan/close/", {"closed_on": "2025-02-01", "reason": "goals_met"})
    assert r.status_code == 400  # before the plan was made
    r = client.post(f"{base}plan/close/", {"closed_on": "2025-09-01", "reason": "goals_met"})
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "closed" and plan.closure_reason == "goals_met"
    assert (
        client.post(f"{base}plan/visit/", {"visited_on": "2025-10-01", **answers}).status_code
        == 400
    )
    page = client.get(base).content.decode()
    assert 'data-plan-status="closed"' in page and "GOAL-TEXT" in page
    # another agency's worker may neither read nor write
    client.force_login(w.tha_other)
    assert client.get(base).status_code == 403
    assert (
        client.post(
            f"{base}plan/close/", {"closed_on": "2025-09-01", "reason": "goals_met"}
        ).status_code
        == 403
    )


def test_measures_page_and_downloads(client, make_user, two_countries, identified_case, consent):
    from openpyxl import load_workbook

    from matis.returns import services
    from matis.returns.choices import Step

    w = two_countries
    case = identified_case(w.tha_worker, decided_on=D(2025, 1, 10))
    consent(w.tha_worker, case, on=D(2025, 1, 12))
    rep = services.repatriation_request(
        actor=w.tha_worker, case=case, receiving_agency=w.khm_agency, requested_on=D(2025, 1, 12)
    )
    for step, actor, start, end in (
        (Step.TRACING, w.khm_worker, D(2025, 1, 13), D(2025, 1, 23)),
        (Step.NATIONALITY, w.khm_worker, D(2025, 1, 23), D(2025, 2, 2)),
        (Step.TRAVEL_DOCUMENTS, w.khm_worker, D(2025, 2, 3), D(2025, 2, 23)),
        (Step.HANDOVER, w.tha_worker, D(2025, 2, 28), D(2025, 3, 1)),
    ):
        services.repatriation_step_record(
            actor=actor,
            repatriation=rep,
            step=step,
            started_on=start,
            completed_on=end,
            outcome="positive",
        )
    client.force_login(make_user(role="task_force_officer", country="THA"))
    page = client.get("/returns/measures/?year=2025")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-figure="median-days">50<' in body
    assert "vega-spec" in body
    csv = client.get("/returns/measures/?year=2025&table=corridors&format=csv")
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv")
    assert "THA→KHM,2025,1,50,50" in text
    xlsx = client.get("/returns/measures/?year=2025&table=corridors&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[2]][:4] == ["THA→KHM", 2025, 1, 50]
    # Lao users see their own country only: nothing returned there
    client.force_login(make_user(role="task_force_officer", country="LAO"))
    body = client.get("/returns/measures/?year=2025&country=THA").content.decode()
    assert 'data-figure="returned">0<' in body


def test_instrument_file_errors_name_the_item(tmp_path):
    bad = {
        "format": 1,
        "assessments": [
            {
                "slug": "r",
                "version": 1,
                "scale_max": 3,
                "items": [{"code": "a", "domain": "spiritual", "en": "x"}],
            }
        ],
        "surveys": [],
    }
    with pytest.raises(tools.InstrumentError, match="assessment r, item a: domain"):
        tools.parse(bad)
    tool = tools.assessment("resilience")
    with pytest.raises(tools.InstrumentError, match="no answer"):
        tool.score({"safety": 1})
    with pytest.raises(tools.InstrumentError, match=r"must be 0\.\.3"):
        tool.score({i.code: 4 for i in tool.items})
