"""In a real Chromium: the monitoring dashboards draw their Vega-Lite charts, in Thai too."""

import pytest
from browserkit import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_charts_render_and_switch_to_thai(browser_page, live_server, make_user, tmp_path):
    from matis.monitoring.test_factories import build_scenario
    from matis.plans.loader import load_registry

    load_registry()  # transactional tests start from an empty database
    build_scenario(countries=("THA", "KHM", "VNM"), activities=30, years=(2011, 2012))
    user = make_user(role="task_force_officer", country="THA")
    page = browser_page
    login(page, live_server, user)
    page.goto(f"{live_server.url}/monitoring/?year=2012")
    page.wait_for_selector(".chart-canvas[data-rendered]")
    page.wait_for_function(
        "document.querySelectorAll('.chart-canvas[data-rendered=\"true\"]').length === 4"
    )
    assert page.locator(".chart-canvas[data-rendered='error']").count() == 0
    assert page.locator("table[data-table='priority'] tbody tr").count() == 9
    assert page.locator("a[data-download='csv']").count() == 4

    page.select_option("#language-select", "th")
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "document.querySelectorAll('.chart-canvas[data-rendered=\"true\"]').length === 4"
    )
    assert "2555" in page.locator("h1").inner_text()  # 2012 in the Buddhist Era
    page.screenshot(path=str(tmp_path / "monitoring-dashboard-th.png"), full_page=True)
