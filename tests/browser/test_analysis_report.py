"""In a real Chromium: an analysis result page draws its estimate figure and its chart,
with no console errors (CSP included), in Thai."""

import numpy as np
import pandas as pd
import pytest
from browserkit import login

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_result_page_draws_the_estimate_figure(browser_page, live_server, make_user, tmp_path):
    from matis.analytics import services

    analyst = make_user(role="statistics_officer", country="THA", preferred_language="th")
    rng = np.random.default_rng(11)
    years = np.arange(2003, 2023)
    victims = 40 + 2 * (years - 2003) + np.where(years >= 2013, 20, 0) + rng.normal(0, 2, 20)
    raw = pd.DataFrame({"year": years, "victims": victims.round(1)}).to_csv(index=False)
    dataset = services.dataset_upload(actor=analyst, name="synthetic", raw=raw.encode())
    analysis = services.analysis_create(
        actor=analyst,
        title="law of 2013 (synthetic)",
        kind="its",
        source=f"dataset:{dataset.pk}",
        parameters={"time": "year", "outcome": "victims", "intervention_at": "2013"},
        enqueue=False,
    )
    analysis = services.analysis_run(analysis_id=analysis.pk)
    assert analysis.status == "done", analysis.error

    page = browser_page
    login(page, live_server, analyst)
    page.goto(f"{live_server.url}/analytics/{analysis.pk}/")
    figure = page.locator("[data-estimate-figure]")
    box = figure.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 80
    # a dot and an interval line for each effect, drawn inside the figure
    assert figure.locator("circle[data-estimate]").count() == 4
    dot = figure.locator("circle[data-estimate]").nth(1).bounding_box()
    assert dot and box["x"] <= dot["x"] <= box["x"] + box["width"]
    page.wait_for_function(
        "document.querySelectorAll('.chart-canvas[data-rendered=\"true\"]').length === 1"
    )
    assert "การเปลี่ยนแปลงระดับ" in page.inner_text("[data-report-headline]")  # "Level change"
    page.screenshot(path=str(tmp_path / "analysis-report.png"), full_page=True)
