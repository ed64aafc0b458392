"""In a real Chromium, in Khmer: the Cambodian (receiving) case worker reads the timeline of a
return from Thailand, built like a demo case; she sees the minimum, not the Thai case."""

import datetime as dt

import pytest
from browserkit import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date


def _khmer(text: str) -> bool:
    return any(0x1780 <= ord(ch) < 0x1800 for ch in text)


def test_repatriation_timeline_in_khmer(browser_page, live_server, make_agency, make_user):
    from matis.access.models import OrganisationType
    from matis.cases import screening as instruments
    from matis.cases.services import case_register, consent_record, identification_decide
    from matis.common.models import Country
    from matis.plans.loader import load_registry
    from matis.returns import services
    from matis.returns.choices import Step

    load_registry()  # transactional tests start from an empty database
    shelter = make_agency("THA", name="Provincial shelter (THA, synthetic)")
    thai = make_user(role="case_worker", country="THA", agency=shelter)
    welfare = make_agency(
        "KHM",
        name="Provincial shelter (KHM, synthetic)",
        org_type=OrganisationType.LOCAL_GOVERNMENT,
    )
    khmer_worker = make_user(role="case_worker", country="KHM", agency=welfare)
    # a demo-like case: a Cambodian woman identified in Thailand (synthetic name in Khmer script)
    case = case_register(
        actor=thai,
        person={
            "given_name": "សុខា",
            "family_name": "ចាន់",
            "gender": "Feminine",
            "age_at_registration": 22,
            "languages": ["km"],
            "primary_citizenship": Country.objects.get(pk="KHM"),
        },
        case={"opened_on": D(2025, 3, 1), "summary": "SECRET-SUMMARY (synthetic)"},
    )
    identification_decide(
        actor=thai,
        case=case,
        decision="ActualVictimOfTrafficking",
        decision_org="Police",
        guideline=instruments.guidelines_for("THA")[0].code,
        language_informed="km",
        interpreter_present=True,
        decided_on=D(2025, 3, 5),
    )
    consent_record(
        actor=thai,
        case=case,
        purpose="cross_border",
        given=True,
        on=D(2025, 3, 6),
        language="km",
        recipient_country=Country.objects.get(pk="KHM"),
    )
    rep = services.repatriation_request(
        actor=thai,
        case=case,
        receiving_agency=welfare,
        requested_on=D(2025, 3, 6),
        notes="TH-ONLY-NOTE",
    )
    for step, actor, start, end in (
        (Step.TRACING, khmer_worker, D(2025, 3, 7), D(2025, 3, 28)),
        (Step.NATIONALITY, khmer_worker, D(2025, 3, 28), D(2025, 4, 10)),
        (Step.TRAVEL_DOCUMENTS, khmer_worker, D(2025, 4, 10), D(2025, 4, 20)),
        (Step.HANDOVER, thai, D(2025, 4, 24), D(2025, 4, 25)),
    ):
        services.repatriation_step_record(
            actor=actor,
            repatriation=rep,
            step=step,
            started_on=start,
            completed_on=end,
            outcome="positive",
        )

    page = browser_page
    login(page, live_server, khmer_worker)
    page.context.add_cookies([{"name": "matis_language", "value": "km", "url": live_server.url}])
    page.goto(f"{live_server.url}/returns/")
    assert page.locator("html").get_attribute("lang") == "km"
    assert _khmer(page.locator("h1").inner_text())
    page.click(f"tr[data-return='{rep.reference}'] a")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/returns/{rep.pk}/")
    items = page.locator("ol[data-timeline] li")
    assert items.count() == 5
    assert [items.nth(i).get_attribute("data-step") for i in range(5)] == [
        "request",
        "tracing",
        "nationality",
        "travel_documents",
        "handover",
    ]
    timeline = page.locator("ol[data-timeline]").inner_text()
    assert "ការស្វែងរកគ្រួសារ និងការវាយតម្លៃហានិភ័យ" in timeline  # family tracing, in Khmer
    assert "ការប្រគល់ជូននៅព្រំដែន" in timeline  # handover at the border
    assert "21 ថ្ងៃ" in timeline  # tracing took 21 days
    assert (
        'data-field="days"' in page.content()
        and page.locator("[data-field=days]").inner_text() == "51"
    )
    assert "សុខា" in page.locator("[data-field=name]").inner_text()
    body = page.content()
    assert (
        "SECRET-SUMMARY" not in body and "TH-ONLY-NOTE" not in body and case.reference not in body
    )
    # the next step (reception) is Cambodia's: the button is offered
    assert page.locator(f"a[href='/returns/{rep.pk}/step/']").count() == 1
    page.screenshot(path="/tmp/matis-return-km.png", full_page=True)  # noqa: S108 - for people
