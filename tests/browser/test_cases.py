"""In a real Chromium, in Thai: a case worker registers a person, screens her, records
consent and a shelter placement."""

import datetime as dt

import pytest
from browserkit import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _thai(text: str) -> bool:
    return any(0x0E00 <= ord(ch) < 0x0E80 for ch in text)


def test_case_worker_registers_screens_consents_and_places_in_thai(
    browser_page, live_server, make_agency, make_user
):
    from matis.cases.choices import PlacementKind
    from matis.cases.models import Alert, Case, Facility
    from matis.common.countries import sync_countries
    from matis.common.models import Country
    from matis.plans.loader import load_registry

    load_registry()  # transactional tests may start from an empty database
    sync_countries(Country)
    shelter = make_agency("THA", name="Provincial shelter (synthetic)")
    worker = make_user(role="case_worker", country="THA", agency=shelter)
    Facility.objects.create(
        country_id="THA", name="Government shelter (synthetic)", kind=PlacementKind.SHELTER
    )
    page = browser_page
    login(page, live_server, worker)
    # Thai through the language cookie (the switcher itself is covered by test_foundation)
    page.context.add_cookies([{"name": "matis_language", "value": "th", "url": live_server.url}])

    # register
    page.goto(f"{live_server.url}/cases/new/")
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.locator("h1").inner_text() == "ลงทะเบียนบุคคล"
    page.fill("input[name=given_name]", "บัวเรียน")
    page.fill("input[name=family_name]", "ทดสอบระบบ")
    page.fill("input[name=age_at_registration]", "23")
    page.select_option("select[name=gender]", "Feminine")
    page.select_option("select[name=primary_citizenship]", "LAO")
    page.check("input[name=languages][value=lo]")
    page.select_option("select[name=doc_type]", "passport")
    page.fill("input[name=doc_number]", "LA 0099887")
    page.check("input[name=exploitation_types][value=ForcedLabour]")
    page.click("main button.primary")
    page.wait_for_load_state("networkidle")
    case = Case.objects.get()
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert "บัวเรียน" in page.locator("h1").inner_text()
    assert str(dt.date.today().year + 543) in page.locator("ol.timeline").inner_text()  # BE

    # screen her
    page.click(f"a[href='/cases/{case.pk}/screen/']")
    page.wait_for_load_state("networkidle")
    assert _thai(page.locator("h1").inner_text())
    page.check("input[name=ind_deceived]")
    page.check("input[name=ind_not_free_to_leave]")
    page.check("input[name=ind_documents_withheld]")
    page.select_option("main select[name=language]", "lo")
    page.check("input[name=interpreter_present]")
    page.click("main button.primary")
    page.wait_for_load_state("networkidle")
    screening = case.screenings.get()
    assert (screening.score, screening.recommendation) == (10, "strong")
    assert "มีข้อบ่งชี้ชัดเจน" in page.content()

    # consent to services
    page.click(f"a[href='/cases/{case.pk}/consent/']")
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=purpose]", "services")
    page.check("input[name=given][value='1']")
    page.select_option("main select[name=language]", "lo")
    page.select_option("select[name=given_by]", "person")
    page.fill("input[name=witness]", "ล่ามภาษาลาว (synthetic)")
    page.click("main button.primary")
    page.wait_for_load_state("networkidle")
    assert page.locator("tr[data-consent=services] .badge.yes").count() == 1

    # a shelter placement, voluntary
    page.click(f"a[href='/cases/{case.pk}/placements/new/']")
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=facility]", label="Government shelter (synthetic) (สถานคุ้มครอง)")
    page.check("input[name=voluntary][value='1']")
    page.click("main button.primary")
    page.wait_for_load_state("networkidle")
    assert page.locator("tr[data-placement=shelter]").count() == 1
    assert "สถานคุ้มครอง" in page.locator("tr[data-placement=shelter]").inner_text()
    assert not Alert.objects.exists()  # voluntary shelter: no alert
    assert case.placements.get().voluntary is True
    page.set_viewport_size({"width": 1280, "height": 720})
    page.screenshot(path="/tmp/matis-case-th.png", full_page=True)  # noqa: S108 - for people
