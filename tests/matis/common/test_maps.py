"""Maps and Sankey diagrams (matis.common.maps): boundaries, specs, disclosure, server rendering."""

from __future__ import annotations

import json

import pycountry
import pytest
from django.utils import translation

from matis.common import maps
from matis.common.charts import SCHEMA, render_svg

ROUTES = [
    {"origin": "MMR", "transit": "LAO", "destination": "THA", "n": 40},
    {"origin": "KHM", "transit": None, "destination": "THA", "n": 25},
    {"origin": "VNM", "transit": "LAO", "destination": "CHN", "n": 12},
    {"origin": "MMR", "transit": None, "destination": "MYS", "n": 20},  # Malaysia: not on the map
]


def test_boundary_file_has_the_six_countries_and_iso_3166_2_provinces():
    assert maps.BOUNDARIES.stat().st_size < 1_500_000
    source = (maps.BOUNDARIES.parent / "SOURCE.md").read_text(encoding="utf-8")
    assert "Natural Earth" in source and "public domain" in source
    countries = {f["properties"]["code"] for f in maps.features("country")}
    assert countries == {"KHM", "CHN", "LAO", "MMR", "THA", "VNM"}
    provinces = maps.features("province")
    for f in provinces:
        p = f["properties"]
        official = {s.code for s in pycountry.subdivisions.get(country_code=p["country"])}
        assert p["code"] in official, p
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    codes = [f["properties"]["code"] for f in provinces]
    assert len(codes) == len(set(codes)) == 226
    # every Thai and Vietnamese province of ISO 3166-2 has a shape (Pattaya, TH-S, is a city)
    assert {s.code for s in pycountry.subdivisions.get(country_code="TH")} - set(codes) == {"TH-S"}
    assert {s.code for s in pycountry.subdivisions.get(country_code="VN")} <= set(codes)
    # the point a flow map draws a province at is inside the country's box
    lon, lat = maps.place_point("TH-50")  # Chiang Mai
    assert 98 < lon < 99.5 and 17.5 < lat < 20


def test_choropleth_colours_only_released_numbers():
    with translation.override("th"):
        spec = maps.choropleth("t", {"THA": 120, "KHM": "<11", "LAO": 30}, legend="Cases")
    assert spec["$schema"] == SCHEMA and spec["projection"]["type"] == "mercator"
    base, coloured = spec["layer"]
    assert len(base["data"]["values"]) == 6
    values = {f["properties"]["code"]: f["properties"]["value"] for f in coloured["data"]["values"]}
    assert values == {"THA": 120, "LAO": 30}
    names = {f["properties"]["code"]: f["properties"] for f in base["data"]["values"]}
    assert names["THA"]["name"] == "ไทย"
    assert names["KHM"]["shown"] == "<11" and names["KHM"]["value"] is None
    assert coloured["encoding"]["color"]["field"] == "properties.value"


def test_province_choropleth_limited_to_the_report_countries():
    spec = maps.choropleth(
        "t", {"TH-50": 20, "TH-10": 5.5}, level="province", legend="c", countries=["THA"]
    )
    base, coloured, outline = spec["layer"]
    assert {f["properties"]["code"][:2] for f in base["data"]["values"]} == {"TH"}
    assert len(outline["data"]["values"]) == 1
    assert sorted(f["properties"]["value"] for f in coloured["data"]["values"]) == [5.5, 20]
    with translation.override("th"):
        chiang_mai = maps.place_name("TH-50")
    assert chiang_mai == "เชียงใหม่"
    with pytest.raises(ValueError, match="level"):
        maps.features("district")


def test_flow_map_adds_up_legs_between_places_on_the_map():
    spec = maps.flow_map("Routes", ROUTES, language="en")
    legs = {(r["from"], r["to"]): r["n"] for r in spec["layer"][1]["data"]["values"]}
    assert legs == {
        ("Myanmar", "Lao PDR"): 40,
        ("Lao PDR", "Thailand"): 40,
        ("Cambodia", "Thailand"): 25,
        ("Viet Nam", "Lao PDR"): 12,
        ("Lao PDR", "China"): 12,
    }
    points = {r["place"]: r["n"] for r in spec["layer"][2]["data"]["values"]}
    assert points["Myanmar"] == 60 and "Malaysia" not in points  # MYS: no shape
    assert spec["layer"][1]["encoding"]["longitude2"] == {"field": "lon2"}


def test_sankey_nodes_hold_their_routes_and_bands_are_proportional():
    spec = maps.sankey("Routes", ROUTES, language="en")
    bands, nodes = spec["layer"][0]["data"]["values"], spec["layer"][1]["data"]["values"]
    by_node = {(r["stage"], r["place"]): r for r in nodes}
    assert by_node[("origin", "Myanmar")]["n"] == 60
    assert by_node[("transit", "Lao PDR")]["n"] == 52
    assert by_node[("destination", "Thailand")]["n"] == 65
    assert by_node[("destination", "Malaysia")]["n"] == 20  # off the map, in the Sankey
    heights = {r["place"]: r["y2"] - r["y"] for r in nodes if r["stage"] == "destination"}
    assert heights["Thailand"] / heights["Malaysia"] == pytest.approx(65 / 20)
    first = {}
    for row in bands:
        first.setdefault(row["link"], row)
    widths = sorted(round(r["y2"] - r["y"], 9) for r in first.values())
    unit = heights["Malaysia"] / 20
    assert widths == sorted(round(n * unit, 9) for n in (40, 40, 25, 12, 12, 20))
    assert spec["usermeta"]["matis"] == {"kind": "sankey", "n_links": 6, "n_nodes": 7}
    empty = maps.sankey("none", [])
    assert empty["data"] == {"values": []} and "layer" not in empty
    assert str(render_svg(empty)).startswith("<svg")
    direct = maps.sankey("d", [r for r in ROUTES if not r["transit"]])
    assert {r["stage"] for r in direct["layer"][1]["data"]["values"]} == {"origin", "destination"}


def test_released_counts_and_route_rows_follow_disclosure(settings):
    settings.MATIS_DISCLOSURE = {"min_cell": 11, "protection": None}
    released = maps.released_counts({"a": 50, "b": 3, "c": 40, "d": 20})
    assert released["a"] == 50 and released["b"] == "<11"
    assert sum(isinstance(v, int) for v in released.values()) == 2  # one more hidden as x
    table = {
        "name": "Routes",
        "columns": ["origin", "transit", "destination", "n_cases"],
        "rows": [
            ["MMR", "LAO", "THA", 40],
            ["KHM", None, "THA", "<11"],
            ["VNM", None, "CHN", "x"],
            ["Total", "", "", 70],
        ],
    }
    assert maps.route_rows(table) == [
        {"origin": "MMR", "transit": "LAO", "destination": "THA", "n": 40}
    ]
    with pytest.raises(ValueError, match="n_cases"):
        maps.route_rows({"columns": ["origin", "destination"], "rows": []})


def test_the_same_spec_renders_on_the_server_with_thai_names():
    with translation.override("th"):
        spec = maps.sankey("เส้นทาง", ROUTES)
    svg = str(render_svg(spec, width=500))
    assert svg.startswith("<svg") and 'width="' in svg and "chart-svg" in svg
    assert svg.count("<path") >= 6  # the bands
    assert "เมียนมา" in svg  # Myanmar, in Thai, as text
    assert json.loads(json.dumps(spec))["width"] == "container"  # the spec itself is unchanged
    map_svg = str(render_svg(maps.flow_map("m", ROUTES)))
    assert map_svg.count("<path") >= 6
