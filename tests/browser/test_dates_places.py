"""In a real Chromium, in Thai: a case worker types a Buddhist Era date and picks a
province from a list narrowed by country."""

import datetime as dt

import pytest
from browserkit import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_thai_case_form_takes_a_buddhist_era_date_and_a_narrowed_province(
    browser_page, live_server, make_agency, make_user
):
    from matis.cases.models import Case
    from matis.common.countries import sync_countries
    from matis.common.models import Country, District, Subdivision
    from matis.common.places import sync_districts, sync_subdivisions
    from matis.plans.loader import load_registry

    load_registry()  # transactional tests may start from an empty database
    sync_countries(Country)
    sync_subdivisions(Subdivision)
    sync_districts(District)
    worker = make_user(
        role="case_worker", country="THA", agency=make_agency("THA", name="Shelter (synthetic)")
    )
    page = browser_page
    login(page, live_server, worker)
    page.context.add_cookies([{"name": "matis_language", "value": "th", "url": live_server.url}])
    page.goto(f"{live_server.url}/cases/new/")
    opened = page.locator("input[name=opened_on]")
    assert opened.get_attribute("placeholder") == "วว/ดด/ปปปป"
    opened.fill("")
    opened.type("15/03/2567")
    page.fill("input[name=given_name]", "บัวเรียน")
    page.fill("input[name=age_at_registration]", "23")
    page.select_option("select[name=gender]", "Feminine")
    page.check("input[name=languages][value=lo]")

    # the province list shows only Thai provinces, then only Lao ones
    province = page.locator("select[name=place_of_identification]")
    assert province.locator("option[data-country=THA]:not([hidden])").count() > 70
    assert province.locator("option[data-country=LAO]:not([hidden])").count() == 0
    page.select_option("select[name=place_country]", "LAO")
    assert province.locator("option[data-country=THA]:not([hidden])").count() == 0
    page.select_option("select[name=place_country]", "THA")
    page.select_option("select[name=place_of_identification]", "TH-57")

    # the district list shows only the districts of Chiang Rai; a district chosen in
    # another province is cleared when the province changes
    district = page.locator("select[name=district_of_identification]")
    assert district.locator("option[data-parent=TH-57]:not([hidden])").count() > 10
    assert district.locator("option[data-parent=TH-50]:not([hidden])").count() == 0
    page.select_option("select[name=place_of_identification]", "TH-50")
    page.select_option("select[name=district_of_identification]", "TH-5001")
    page.select_option("select[name=place_of_identification]", "TH-57")
    assert district.input_value() == ""
    page.select_option("select[name=place_country]", "LAO")
    assert page.locator("select[name=place_of_identification]").input_value() == ""
    page.select_option("select[name=place_country]", "THA")
    page.select_option("select[name=place_of_identification]", "TH-57")
    page.select_option("select[name=district_of_identification]", "TH-5701")

    page.click("main button.primary")
    page.wait_for_load_state("networkidle")
    case = Case.objects.get()
    assert case.opened_on == dt.date(2024, 3, 15)
    assert case.place_of_identification_id == "TH-57"
    assert case.district_of_identification_id == "TH-5701"
    assert "เชียงราย" in page.locator("[data-place]").inner_text()
