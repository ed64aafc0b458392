"""Percentages of the annual report: computed once, rounded one way, the same in chart and table."""

from __future__ import annotations

import re
from fractions import Fraction
from math import floor

import pytest
from django.utils import translation

from matis.common.models import COMMIT_COUNTRIES
from matis.monitoring.dashboards import load_monitoring_data
from matis.monitoring.test_factories import build_scenario
from matis.plans.models import Plan
from matis.reports.builder import build_report
from matis.reports.builder.common import rate, shares
from matis.reports.render import render_html

COUNTRIES = ("THA", "KHM", "VNM")


def half_up(part: int, whole: int) -> int | None:
    """The expected percentage, from the counts, in exact arithmetic."""
    return floor(Fraction(100 * part, whole) + Fraction(1, 2)) if whole else None


def test_rate_rounds_half_up_once_from_the_counts():
    assert rate(87, 200) == 44  # 43.5 -> 44
    assert rate(33, 200) == 17  # 16.5 -> 17 (half-even would say 16)
    # 43.46 %: rounding to one decimal first (43.5) and then to a whole number gives 44
    assert rate(4346, 10000) == 43
    assert rate(1, 3) == 33 and rate(2, 3) == 67
    assert rate(5, 0) is None


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([1, 1, 1], [34, 33, 33]),
        ([2, 1, 1, 1, 1, 1], [29, 15, 14, 14, 14, 14]),
        ([0, 0], [0, 0]),
        ([7], [100]),
        ([1, 2, 3, 4, 5, 6, 7], [4, 7, 11, 14, 18, 21, 25]),
    ],
)
def test_shares_add_up_to_a_hundred(counts, expected):
    assert shares(counts) == expected
    if sum(counts):
        assert sum(shares(counts)) == 100
        # each share is its exact value rounded down or up, never further off
        total = sum(counts)
        for c, s in zip(counts, shares(counts), strict=True):
            assert abs(Fraction(100 * c, total) - s) < 1


def test_shares_refuse_negative_counts():
    with pytest.raises(ValueError, match="negative"):
        shares([3, -1])


@pytest.fixture
def scenario_2013(db):
    from matis.monitoring.services import indicators_load

    indicators_load()
    return build_scenario(countries=COUNTRIES, activities=20, years=(2011, 2012, 2013), seed=7)


def svg_percent_labels(svg: str) -> list[int]:
    """The "N%" labels a chart's marks write (axis and legend labels have no "%")."""
    return [int(n) for n in re.findall(r">(\d+)%</text>", svg)]


def test_chart_and_table_of_the_2013_report_show_the_same_numbers(scenario_2013, monkeypatch):
    """The charts are PNG images drawn by vl-convert: the spec each was drawn from is kept
    (the real renderer still runs) and drawn again as SVG, whose labels are read."""
    from matis.common.charts import render_svg
    from matis.reports import svgcharts

    drawn: list[dict] = []
    real = svgcharts.render_img

    def keep(spec, **kwargs):
        drawn.append(spec)
        return real(spec, **kwargs)

    monkeypatch.setattr(svgcharts, "render_img", keep)
    plan = Plan.objects.get(code="SPA3")
    with translation.override("en"):
        content = build_report(plan=plan, year=2013)
        html = render_html(content, language="en", for_web=False)
    data = load_monitoring_data(plan, years=[2011, 2012, 2013], countries=list(COMMIT_COUNTRIES))

    areas = next(s for s in content.sections if s.anchor == "areas")
    table = areas.tables[0]
    bars = areas.chart_data["areas"]
    assert len(bars) == len(table.rows) == len(data.areas)
    for area, row, (label, value) in zip(data.areas, table.rows, bars, strict=True):
        c = data.completion(year=2013, area_id=area.pk)
        assert label.startswith(f"{area.number} ")
        assert value == row["rate"] == half_up(c.completed, c.applicable)
    # what the reader sees: the chart's labels and the table's cells
    assert any(v is not None for _l, v in bars)

    def drawn_from(keys):  # the spec whose data rows have these fields
        return next(
            sp
            for sp in drawn
            if set(keys) <= set((sp.get("data") or {"values": [{}]})["values"][0])
        )

    bar_spec = drawn_from({"label", "value", "at"})
    assert [d["value"] for d in bar_spec["data"]["values"]] == [v for _l, v in bars]
    with translation.override("en"):
        assert svg_percent_labels(str(render_svg(bar_spec))) == [
            v for _l, v in bars if v is not None
        ]
    rate_column = [c.key for c in table.columns].index("rate")
    shown = [r[rate_column].text for r in table.display_rows()]
    assert shown == [f"{v} %" if v is not None else "–" for _l, v in bars]
    assert all(f"{v} %" in html for _l, v in bars if v is not None)

    countries = next(s for s in content.sections if s.anchor == "countries")
    grid = countries.chart_data["countries"]
    table = countries.tables[0]
    by_name = {r["country"]: r for r in table.rows}
    assert len(grid) == len(COMMIT_COUNTRIES) * len(data.areas)
    for name, label, value in grid:
        number = int(label.split()[0])
        assert by_name[name][f"area_{number}"] == value
    for country in data.countries:
        for area in data.areas:
            c = data.completion(year=2013, country=country.iso3, area_id=area.pk)
            expected = half_up(c.completed, c.applicable)
            assert by_name[country.display_name][f"area_{area.number}"] == expected
    grid_spec = drawn_from({"row", "column", "value"})
    assert [(d["row"], d["column"], d["value"]) for d in grid_spec["data"]["values"]] == [
        (name, label, value) for name, label, value in grid
    ]
    with translation.override("en"):
        svg = str(render_svg(grid_spec))
    # the cells' text marks (layer 1), not the colour legend's 0-50-100
    marks = re.search(r'class="mark-text role-mark layer_1_marks"(.*?)</g>', svg, re.S).group(1)
    cells = re.findall(r">(\d+)</text>", marks)
    assert [int(n) for n in cells] == [v for *_x, v in grid if v is not None]
    for name, label, value in countries.chart_data["years"]:
        year = int(label)
        iso3 = next(c.iso3 for c in data.countries if c.display_name == name)
        c = data.completion(year=year, country=iso3)
        assert value == half_up(c.completed, c.applicable)
