"""In a real Chromium: a click on a province of the map beside the province select chooses it,
and the district list narrows to that province."""

import pytest
from browserkit import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_click_on_the_map_selects_the_province_and_narrows_the_districts(
    browser_page, live_server, make_agency, make_user
):
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
    page.goto(f"{live_server.url}/cases/new/")

    box = page.locator(".province-map[data-map-for=id_place_of_identification]")
    assert box.is_visible()  # shown by the script (hidden without it)
    assert box.locator("svg[data-country=THA]").is_visible()
    assert not box.locator("svg[data-country=LAO]").is_visible()

    box.locator("path[data-province='TH-57']").click()
    province = page.locator("select[name=place_of_identification]")
    assert province.input_value() == "TH-57"
    assert box.locator("path[data-province='TH-57']").get_attribute("class") == "is-selected"
    district = page.locator("select[name=district_of_identification]")
    assert district.locator("option[data-parent='TH-57']:not([hidden])").count() > 10
    assert district.locator("option[data-parent='TH-50']:not([hidden])").count() == 0

    # another country chosen: its map is shown instead
    page.select_option("select[name=place_country]", "LAO")
    assert box.locator("svg[data-country=LAO]").is_visible()
    assert not box.locator("svg[data-country=THA]").is_visible()
    box.locator("path[data-province='LA-VT']").click()
    assert province.input_value() == "LA-VT"
