"""The report's charts: Vega-Lite specs from the builder's numbers, rendered by vl-convert."""

from __future__ import annotations

import base64
import io
import re
from decimal import Decimal

from PIL import Image

from matis.common.charts import SCHEMA
from matis.reports import svgcharts


def _png(img: str) -> Image.Image:
    data = re.search(r'src="data:image/png;base64,([^"]+)"', img).group(1)
    return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")


def test_hbar_spec_keeps_the_values_and_marks_missing_ones():
    spec = svgcharts.hbar_spec(
        [("A", Decimal(100)), ("B", Decimal(25)), ("C", None)], title="Completed (%)"
    )
    assert spec["$schema"] == SCHEMA and spec["title"] == "Completed (%)"
    rows = {r["label"]: r for r in spec["data"]["values"]}
    assert rows["A"]["value"] == 100.0 and rows["B"]["value"] == 25.0
    assert rows["C"]["value"] is None and rows["C"]["text"] == "–"
    assert spec["layer"][0]["encoding"]["x"]["scale"] == {"domain": [0, 100]}


def test_heatmap_and_columns_specs_carry_every_cell():
    heat = svgcharts.heatmap_spec(
        ["THA", "KHM"], ["1 P", "2 Pr"], [[50, None], [Decimal("12.5"), 100]], title="t"
    )
    cells = {(c["row"], c["column"]): c["text"] for c in heat["data"]["values"]}
    assert cells == {
        ("THA", "1 P"): "50",
        ("THA", "2 Pr"): "–",
        ("KHM", "1 P"): "12",
        ("KHM", "2 Pr"): "100",
    }
    stacked = svgcharts.stacked_columns_spec(
        ["2011"], ["x", "y"], [[Decimal(30), Decimal(10)]], title="t"
    )
    assert [(r["series"], r["value"], r["order"]) for r in stacked["data"]["values"]] == [
        ("x", 30.0, 0),
        ("y", 10.0, 1),
    ]
    grouped = svgcharts.grouped_columns_spec(["THA"], ["2011", "2012"], [[40, 60]], title="t")
    assert grouped["encoding"]["xOffset"]["field"] == "series"
    assert sum(r["value"] for r in grouped["data"]["values"]) == 100


def test_rendered_chart_is_an_image_drawn_to_scale_with_an_escaped_title():
    img = str(svgcharts.hbar_chart([("A", 100), ("B", 25)], title='Completed "&" <b>', width=400))
    assert img.startswith('<img class="chart-img"') and "<b>" not in img and "&amp;" in img
    image = _png(img)
    blue = (0x0B, 0x4F, 0x71)
    rows = {}
    for y in range(image.height):
        n = sum(
            1
            for x in range(image.width)
            if all(abs(a - b) < 10 for a, b in zip(image.getpixel((x, y)), blue, strict=True))
        )
        if n:
            rows[n] = rows.get(n, 0) + 1
    widths = sorted(w for w, count in rows.items() if count > 5)  # the two bars' lengths
    assert len(widths) >= 2 and abs(widths[-1] / widths[0] - 4) < 0.2, widths
