"""Server-side SVG charts: labels are escaped, values drawn to scale."""

from __future__ import annotations

import re
from decimal import Decimal

from matis.reports import svgcharts


def test_labels_and_titles_are_escaped():
    svg = svgcharts.hbar_chart(
        [("<script>alert(1)</script>", Decimal(50))], title='Completed "&" <b>'
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<b>" not in svg and "&amp;" in svg


def test_bars_are_drawn_to_scale_and_missing_values_are_marked():
    svg = svgcharts.hbar_chart(
        [("A", Decimal(100)), ("B", Decimal(25)), ("C", None)], title="t", width=640
    )
    widths = [float(w) for w in re.findall(r'<rect x="150.0" y="[\d.]+" width="([\d.]+)"', svg)]
    assert len(widths) == 2 and widths[0] == 4 * widths[1]
    assert ">–</text>" in svg


def test_stacked_columns_stack_to_the_total():
    svg = svgcharts.stacked_columns(
        ["2011"], ["x", "y"], [[Decimal(30), Decimal(10)]], title="t", height=240
    )
    heights = [
        float(h)
        for h in re.findall(
            r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" '
            r'height="([\d.]+)" fill="#(?:0b4f71|137a7f)"',
            svg,
        )
    ]
    assert heights[:2] == [heights[0], heights[0] / 3]
