"""The routes analysis shows a map and a Sankey diagram of its routes, after disclosure control."""

from __future__ import annotations

import json
import re

import pytest

from matis.analytics.models import Analysis
from matis.common.jobs import JobStatus

pytestmark = pytest.mark.django_db


def _specs(body: str) -> dict[str, dict]:
    found = re.findall(
        r'<script type="application/json" class="vega-spec" data-target="([^"]+)">(.*?)</script>',
        body,
        re.S,
    )
    return {target: json.loads(text) for target, text in found}


def routes_analysis(client, capture) -> Analysis:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from matis.analytics.models import Dataset

    # 40, 30, 25 and 3 cases: the 3 is under the threshold; the next smallest (25) is hidden too
    rows = (
        "origin,transit,destination\n"
        + "MMR,LAO,THA\n" * 40
        + "KHM,,THA\n" * 30
        + "VNM,,CHN\n" * 3
        + "MMR,,MYS\n" * 25
    )
    client.post(
        "/analytics/data/upload/",
        {"name": "routes", "file": SimpleUploadedFile("r.csv", rows.encode(), "text/csv")},
    )
    dataset = Dataset.objects.get()
    with capture(execute=True):
        client.post(
            "/analytics/new/",
            {
                "title": "routes",
                "kind": "flows",
                "source": f"dataset:{dataset.pk}",
                "flows__origin": "origin",
                "flows__destination": "destination",
                "flows__transit": "transit",
            },
        )
    analysis = Analysis.objects.get(title="routes")
    assert analysis.status == JobStatus.DONE, analysis.error
    return analysis


def test_routes_page_draws_released_routes_on_a_map_and_a_sankey(
    user_client, django_capture_on_commit_callbacks, settings
):
    settings.MATIS_DISCLOSURE = {"min_cell": 11, "protection": None}
    analyst = user_client("secretariat_analyst", None)
    analysis = routes_analysis(analyst, django_capture_on_commit_callbacks)
    body = analyst.get(f"/analytics/{analysis.pk}/").content.decode()
    assert "data-route-charts" in body
    specs = _specs(body)
    assert {"route-map", "route-sankey"} <= set(specs)
    sankey = specs["route-sankey"]
    nodes = {(r["stage"], r["place"]): r["n"] for r in sankey["layer"][1]["data"]["values"]}
    # released: MMR>LAO>THA 40 and KHM>THA 30; MMR>MYS (25, hidden as x) and VNM>CHN (3) are not
    assert nodes == {
        ("origin", "Myanmar"): 40,
        ("origin", "Cambodia"): 30,
        ("transit", "Lao PDR"): 40,
        ("destination", "Thailand"): 70,
    }
    legs = {(r["from"], r["to"]) for r in specs["route-map"]["layer"][1]["data"]["values"]}
    assert legs == {("Myanmar", "Lao PDR"), ("Lao PDR", "Thailand"), ("Cambodia", "Thailand")}
    assert "vega-lite.min.js" in body  # the chart scripts are loaded


def test_statistics_dashboard_shows_the_country_map_and_the_latest_published_routes(
    user_client, django_capture_on_commit_callbacks, settings
):
    settings.MATIS_DISCLOSURE = {"min_cell": 11, "protection": None}
    analyst = user_client("secretariat_analyst", None)
    body = analyst.get("/statistics/").content.decode()
    assert "chart-map" in _specs(body) and "route-sankey" not in _specs(body)  # none published
    analysis = routes_analysis(analyst, django_capture_on_commit_callbacks)
    assert analyst.post(f"/analytics/{analysis.pk}/publish/").status_code == 302
    body = analyst.get("/statistics/").content.decode()
    specs = _specs(body)
    assert {"chart-map", "route-map", "route-sankey"} <= set(specs)
    assert specs["chart-map"]["usermeta"]["matis"]["kind"] == "choropleth"
    nodes = specs["route-sankey"]["layer"][1]["data"]["values"]
    assert sum(r["n"] for r in nodes if r["stage"] == "origin") == 70
