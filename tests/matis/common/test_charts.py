"""The chart kit: one Vega-Lite base and small builders."""

from __future__ import annotations

from matis.common.charts import FONT, SCHEMA, axis, bar_chart, base_spec, heatmap, line_chart


def test_base_spec_has_schema_width_data_and_font():
    spec = base_spec("Title", [{"a": 1}], height=200)
    assert spec["$schema"] == SCHEMA and SCHEMA.endswith("/v6.json")
    assert spec["title"] == "Title" and spec["width"] == "container" and spec["height"] == 200
    assert spec["data"] == {"values": [{"a": 1}]}
    assert spec["config"] == {"font": FONT, "view": {"stroke": None}}
    assert "Noto Sans Khmer" in FONT and "Noto Sans Myanmar" in FONT


def test_base_spec_without_title_or_data_and_with_its_own_config():
    spec = base_spec(height=280, config={"font": FONT}, autosize={"type": "fit"})
    assert "title" not in spec and "data" not in spec
    assert spec["config"] == {"font": FONT} and spec["autosize"] == {"type": "fit"}
    # each spec has its own config: changing one leaves the next alone
    spec["config"]["font"] = "x"
    assert base_spec()["config"]["font"] == FONT


def test_builders_set_the_mark_and_keep_the_encoding():
    encoding = {"x": axis("year", "ordinal", "Year", sort=None)}
    assert encoding["x"] == {"field": "year", "type": "ordinal", "title": "Year", "sort": None}
    bar = bar_chart("Bars", [], encoding=encoding)
    assert bar["mark"] == {"type": "bar", "tooltip": True} and bar["encoding"] is encoding
    assert bar_chart("Bars", [], encoding={}, tooltip=False)["mark"] == "bar"
    assert line_chart("Line", [], encoding={})["mark"] == {
        "type": "line",
        "point": True,
        "tooltip": True,
    }
    assert line_chart("Line", [], encoding={}, tooltip=False)["mark"] == {
        "type": "line",
        "point": True,
    }
    heat = heatmap("Heat", [], encoding={}, height=220)
    assert heat["mark"] == {"type": "rect", "stroke": "#fff"} and heat["height"] == 220
