"""In a real Chromium: the routes analysis and the statistics dashboard draw a map and a Sankey."""

import pytest
from browserkit import login

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROUTES = {
    "name": "Routes",
    "columns": ["origin", "transit", "destination", "n_cases"],
    "rows": [
        ["MMR", "LAO", "THA", 40],
        ["KHM", None, "THA", 30],
        ["VNM", None, "CHN", 25],
        ["LAO", None, "THA", 12],
    ],
}


def _published_routes_analysis(author):
    from matis.analytics.models import Analysis
    from matis.common.countries import sync_countries
    from matis.common.models import Country
    from matis.official_statistics.loader import load_structure
    from matis.plans.loader import load_registry

    sync_countries(Country)
    load_registry()
    load_structure()
    return Analysis.objects.create(
        title="Routes (synthetic)",
        kind="flows",
        source="dataset:0",
        country=None,
        created_by=author,
        status="done",
        tables=[ROUTES],
        chart={},
        published=True,
        published_tables=[ROUTES],
    )


def _drawn(page, chart_id: str) -> int:
    """Pixels drawn on the chart's canvas (not blank): Vega draws on canvas in the browser."""
    page.wait_for_selector(f"#{chart_id}[data-rendered='true'] canvas")
    return page.evaluate(
        """(id) => {
            const canvas = document.querySelector('#' + id + ' canvas');
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let n = 0;
            for (let i = 0; i < data.length; i += 4) {
                if (data[i + 3] > 0 && (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235)) n++;
            }
            return n;
        }""",
        chart_id,
    )


def test_routes_analysis_and_statistics_dashboard_draw_map_and_sankey(
    browser_page, live_server, make_user, tmp_path
):
    analyst = make_user(role="secretariat_analyst", country=None)
    analysis = _published_routes_analysis(analyst)
    page = browser_page
    login(page, live_server, analyst)

    page.goto(f"{live_server.url}/analytics/{analysis.pk}/")
    assert _drawn(page, "route-map") > 5000
    assert _drawn(page, "route-sankey") > 5000
    page.screenshot(path=str(tmp_path / "routes-analysis.png"), full_page=True)

    page.goto(f"{live_server.url}/statistics/")
    for chart_id in ("chart-map", "route-map", "route-sankey"):
        assert _drawn(page, chart_id) > 5000, chart_id
    assert page.locator(".chart-canvas[data-rendered='error']").count() == 0
    page.screenshot(path=str(tmp_path / "statistics-maps.png"), full_page=True)


def test_statistics_dashboard_draws_the_province_map(browser_page, live_server, make_user):
    import csv
    import io

    from matis.common.models import Subdivision
    from matis.common.places import sync_subdivisions
    from matis.official_statistics.loader import load_structure
    from matis.official_statistics.models import Observation, Submission
    from matis.official_statistics.services import observations_import

    analyst = make_user(role="secretariat_analyst", country=None)
    _published_routes_analysis(analyst)  # loads the countries and the statistical structure
    sync_subdivisions(Subdivision)  # the provinces (emptied between transactional tests)
    load_structure()  # and the province code list from them
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["indicator", "country", "year", "province", "value"])
    writer.writerows(
        [
            ["VICTIMS_DETECTED", "THA", "2022", "", "400"],
            ["VICTIMS_DETECTED", "THA", "2022", "TH-10", "250"],
            ["VICTIMS_DETECTED", "THA", "2022", "TH-50", "120"],
            ["VICTIMS_DETECTED", "THA", "2022", "TH-57", "<5"],
        ]
    )
    observations_import(source=io.BytesIO(buffer.getvalue().encode("utf-8")), fmt="csv", actor=None)
    Submission.objects.update(status=Submission.Status.APPROVED)
    Observation.objects.update(approved=True)
    page = browser_page
    login(page, live_server, analyst)
    page.goto(f"{live_server.url}/statistics/?indicator=VICTIMS_DETECTED")
    assert _drawn(page, "chart-province-map") > 5000
    assert page.locator(".chart-canvas[data-rendered='error']").count() == 0
    assert page.locator("[data-chart-empty='chart-province-map']").count() == 0
