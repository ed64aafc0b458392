"""The annual report's charts: Vega-Lite specs, drawn on the server by vl-convert.

WeasyPrint runs no JavaScript, so the report cannot draw its charts in the
browser as the dashboards do. Each builder here makes a Vega-Lite spec from
the report builder's numbers (``*_spec``, built on :mod:`matis.common.charts`,
the same base as every dashboard chart) and :func:`matis.common.charts.render_img`
renders it (vl-convert, the Vega renderer) into the page: one chart code path
for the browser and the PDF, no hand-drawn SVG. The maps and the Sankey
diagram of routes come from :mod:`matis.common.maps` the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.safestring import SafeString

from matis.common.charts import axis, base_spec, render_img

PALETTE = ["#0b4f71", "#137a7f", "#e0a23b", "#b5471b", "#6b5b95", "#2e7d32", "#8c6d31"]
MISSING = "–"


def _num(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    return float(value) if isinstance(value, Decimal | int | float) else None


def _colour(series: Sequence[str], title=None) -> dict:
    return axis(
        "series",
        "nominal",
        title,
        sort=list(series),
        scale={"domain": list(series), "range": PALETTE[: len(series)] or PALETTE},
        legend={"orient": "bottom", "direction": "horizontal"},
    )


def hbar_spec(
    items: Sequence[tuple[str, object]], *, title: str, max_value: float = 100, unit: str = "%"
) -> dict:
    """Horizontal bars, one per item (label, value or None), each with its value written
    after it (the number the report's table shows); a missing value reads "–"."""
    suffix = "%" if unit == "%" else ""
    values = []
    for label, v in items:
        n = _num(v)
        text = MISSING if n is None else f"{n:.0f}{suffix}"
        values.append({"label": str(label), "value": n, "at": n or 0, "text": text})
    y = axis("label", "nominal", None, sort=None)
    x = axis("value", "quantitative", unit, scale={"domain": [0, max_value]})
    return base_spec(
        title,
        values,
        height=max(60, 22 * len(values)),
        layer=[
            {"mark": {"type": "bar", "color": PALETTE[0]}, "encoding": {"y": y, "x": x}},
            {
                "mark": {"type": "text", "align": "left", "dx": 4},
                "encoding": {
                    "y": y,
                    "x": {"field": "at", "type": "quantitative"},
                    "text": {"field": "text"},
                },
            },
        ],
    )


def heatmap_spec(
    rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[object]], *, title: str
) -> dict:
    """A grid of cells shaded by value (0-100), with the value written in each cell."""
    cells = []
    for r, row in zip(rows, values, strict=True):
        for c, v in zip(columns, row, strict=True):
            n = _num(v)
            cells.append(
                {
                    "row": str(r),
                    "column": str(c),
                    "value": n,
                    "text": MISSING if n is None else f"{n:.0f}",
                }
            )
    y = axis("row", "nominal", None, sort=[str(r) for r in rows])
    x = axis("column", "nominal", None, sort=[str(c) for c in columns], axis={"orient": "top"})
    return base_spec(
        title,
        cells,
        height=max(60, 24 * len(rows)),
        layer=[
            {
                "mark": {"type": "rect", "stroke": "#fff"},
                "encoding": {
                    "y": y,
                    "x": x,
                    "color": axis(
                        "value", "quantitative", "%", scale={"domain": [0, 100], "scheme": "greens"}
                    ),
                },
            },
            {
                "mark": {"type": "text", "fontSize": 10},
                "encoding": {"y": y, "x": x, "text": {"field": "text"}},
            },
        ],
    )


def stacked_columns_spec(
    categories: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[object]],
    *,
    title: str,
    height: int = 240,
) -> dict:
    """Columns per category, stacked by series; values[category][series]."""
    data = [
        {"category": str(c), "series": str(s), "order": i, "value": _num(v) or 0}
        for c, row in zip(categories, values, strict=True)
        for i, (s, v) in enumerate(zip(series, row, strict=True))
    ]
    return base_spec(
        title,
        data,
        height=height,
        mark="bar",
        encoding={
            "x": axis("category", "nominal", None, sort=[str(c) for c in categories]),
            "y": axis("value", "quantitative", None),
            "color": _colour([str(s) for s in series]),
            "order": {"field": "order", "type": "quantitative"},
        },
    )


def grouped_columns_spec(
    groups: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[object]],
    *,
    title: str,
    max_value: float = 100,
    unit: str = "%",
    height: int = 240,
) -> dict:
    """Columns per group, side by side by series; values[group][series]."""
    data = [
        {"group": str(g), "series": str(s), "value": _num(v)}
        for g, row in zip(groups, values, strict=True)
        for s, v in zip(series, row, strict=True)
    ]
    return base_spec(
        title,
        data,
        height=height,
        mark="bar",
        encoding={
            "x": axis("group", "nominal", None, sort=[str(g) for g in groups]),
            "xOffset": {"field": "series", "sort": [str(s) for s in series]},
            "y": axis("value", "quantitative", unit, scale={"domain": [0, max_value]}),
            "color": _colour([str(s) for s in series]),
        },
    )


def hbar_chart(
    items, *, title: str, max_value: float = 100, unit: str = "%", width: int = 640
) -> SafeString:
    return render_img(hbar_spec(items, title=title, max_value=max_value, unit=unit), width=width)


def heatmap(rows, columns, values, *, title: str, width: int = 640) -> SafeString:
    return render_img(heatmap_spec(rows, columns, values, title=title), width=width)


def stacked_columns(
    categories, series, values, *, title: str, width: int = 640, height: int = 240
) -> SafeString:
    spec = stacked_columns_spec(categories, series, values, title=title, height=height)
    return render_img(spec, width=width)


def grouped_columns(
    groups,
    series,
    values,
    *,
    title: str,
    max_value: float = 100,
    unit: str = "%",
    width: int = 640,
    height: int = 240,
) -> SafeString:
    spec = grouped_columns_spec(
        groups, series, values, title=title, max_value=max_value, unit=unit, height=height
    )
    return render_img(spec, width=width)
