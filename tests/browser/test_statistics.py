"""In a real Chromium: the statistics dashboard draws its charts, an upload imports, Thai shows BE."""

import pytest
from browserkit import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _published_glotip():
    """Transactional tests start from an empty database: reference data and GLOTIP, approved."""
    from matis.common.countries import sync_countries
    from matis.common.models import Country
    from matis.official_statistics.loader import data_path, load_context_series, load_structure
    from matis.official_statistics.models import Observation, Submission
    from matis.official_statistics.services import observations_import
    from matis.plans.loader import load_registry

    sync_countries(Country)
    load_registry()
    load_structure()
    with data_path("glotip_COMMIT6.csv").open("rb") as source:
        observations_import(actor=None, source=source, fmt="glotip")
    Submission.objects.update(status=Submission.Status.APPROVED)
    Observation.objects.update(approved=True)
    load_context_series()


def _charts_drawn(page, n):
    page.wait_for_function(
        f"document.querySelectorAll('.chart-canvas[data-rendered=\"true\"]').length === {n}"
    )
    assert page.locator(".chart-canvas[data-rendered='error']").count() == 0


def test_dashboard_upload_and_thai(browser_page, live_server, make_user, tmp_path):
    _published_glotip()
    officer = make_user(role="statistics_officer", country="THA")
    page = browser_page
    login(page, live_server, officer)

    page.goto(
        f"{live_server.url}/statistics/?indicator=PERSONS_PROSECUTED&country=THA&dimension=SEX"
    )
    _charts_drawn(page, 4)  # trend, comparison, breakdown, map
    trend = page.locator("table[data-table='trend']")
    assert "609" in trend.inner_text()
    assert page.locator("table[data-table='breakdown'] td.censored").first.inner_text() == "<5"
    assert page.locator("a[data-download='xlsx']").count() == 3
    page.screenshot(path=str(tmp_path / "statistics-dashboard.png"), full_page=True)

    page.goto(f"{live_server.url}/statistics/context/?country=MMR")
    _charts_drawn(page, 2)

    upload = tmp_path / "thailand-2023.csv"
    upload.write_text(
        "indicator,country,year,sex,value\nVICTIMS_ASSISTED,THA,2023,,120\n"
        "VICTIMS_ASSISTED,THA,2023,F,<5\n"
    )
    page.goto(f"{live_server.url}/statistics/import/")
    page.set_input_files("input[name=file]", str(upload))
    page.select_option("select[name=format]", "csv")
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("[data-count='created']")
    assert page.locator("[data-count='created']").inner_text() == "2"

    page.goto(f"{live_server.url}/statistics/submissions/?status=draft")
    page.click("tr[data-submission='THA-2023'] a")
    assert page.locator("[data-status='draft']").count() == 1
    page.click("button:has-text('Submit for approval')")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-status='submitted']").count() == 1

    page.select_option("#language-select", "th")
    page.wait_for_function("document.documentElement.lang === 'th'")
    page.goto(f"{live_server.url}/statistics/?indicator=PERSONS_PROSECUTED")
    _charts_drawn(page, 3)  # trend, comparison, map (no figures by province: no province map)
    assert "2565" in page.locator("table[data-table='trend'] thead").inner_text()  # 2022 CE
