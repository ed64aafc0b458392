"""Vega-Lite specs built from dashboard tables (drawn by ``static/matis/js/charts.js``).

A censored figure (``<5``) is never drawn as a guessed number: line charts
mark it with an open triangle at its upper bound, bar charts write ``<5``
instead of a bar. The table under every chart has the exact figures.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from matis.common.calendars import display_year
from matis.common.charts import FONT, base_spec
from matis.official_statistics.dashboards import Table, ValueCell, long_values
from matis.official_statistics.loader import TIER_VALUES


def _base(height: int = 280) -> dict:
    return base_spec(
        height=height,
        autosize={"type": "fit", "contains": "padding"},
        config={"font": FONT, "legend": {"orient": "bottom"}},
    )


def _point(series: str, x, cell: ValueCell, year: int | None = None) -> dict:
    return {
        "series": series,
        "x": x,
        "year": int(display_year(year)) if year is not None else None,
        "value": cell.value,
        "bound": cell.censored_below,
        "censored": cell.is_censored,
        "label": cell.display,
    }


def trend_chart(table: Table, *, y_title: str) -> dict:
    points = [
        _point(p["series"], None, p["cell"], p["year"])
        for p in long_values(table)
        if p["cell"].value is not None or p["cell"].is_censored
    ]
    x = {
        "field": "year",
        "type": "quantitative",
        "title": _("Year"),
        "axis": {"format": "d", "tickMinStep": 1},
        "scale": {"zero": False},
    }
    color = {"field": "series", "type": "nominal", "title": None}
    layers = []
    # A layer only for the points it draws: a layer whose filter leaves nothing makes
    # Vega warn of an infinite extent for its fields.
    if any(not p["censored"] for p in points):
        layers.append(
            {
                "transform": [{"filter": "datum.censored == false"}],
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": x,
                    "y": {"field": "value", "type": "quantitative", "title": y_title},
                    "color": color,
                },
            }
        )
    if any(p["censored"] for p in points):
        layers.append(
            {
                "transform": [{"filter": "datum.censored == true"}],
                "mark": {"type": "point", "shape": "triangle-down", "filled": False, "size": 60},
                "encoding": {
                    "x": x,
                    "y": {"field": "bound", "type": "quantitative", "title": y_title},
                    "color": color,
                },
            }
        )
    spec = _base()
    spec.update({"data": {"values": points}, "layer": layers or [{"mark": "line"}]})
    return spec


def bar_chart(rows: list[tuple[str, ValueCell | None]], *, y_title: str) -> dict:
    points = [
        _point(label, label, cell)
        for label, cell in rows
        if cell is not None and (cell.value is not None or cell.is_censored)
    ]
    order = [label for label, _cell in rows]
    x = {"field": "x", "type": "nominal", "title": None, "sort": order, "axis": {"labelAngle": 0}}
    spec = _base(240)
    spec.update(
        {
            "data": {"values": points},
            "layer": [
                {
                    "transform": [{"filter": "datum.censored == false"}],
                    "mark": {"type": "bar"},
                    "encoding": {
                        "x": x,
                        "y": {"field": "value", "type": "quantitative", "title": y_title},
                    },
                },
                {
                    "mark": {"type": "text", "dy": -6},
                    "encoding": {"x": x, "y": {"datum": 0}, "text": {"field": "label"}},
                    "transform": [{"filter": "datum.censored == true"}],
                },
            ],
        }
    )
    return spec


def comparison_chart(table: Table, *, y_title: str) -> dict:
    return bar_chart([(r["country_name"], r.get("value")) for r in table.rows], y_title=y_title)


def breakdown_chart(table: Table, *, y_title: str) -> dict:
    """Bars for the latest year of a breakdown table (totals left out)."""
    years = table.params.get("years") or []
    if not years:
        return bar_chart([], y_title=y_title)
    last = f"y{years[-1]}"
    return bar_chart(
        [(r["label"], r.get(last)) for r in table.rows if r["code"] != "_T"], y_title=y_title
    )


def context_chart(
    table: Table,
    series_code: str,
    *,
    y_title: str,
    reverse: bool = False,
    domain: tuple[float, float] | None = None,
) -> dict:
    years = table.params.get("years", [])
    points = []
    for row in table.rows:
        if row["series"] != series_code:
            continue
        for y in years:
            text = row.get(f"y{y}")
            if text:
                value = TIER_VALUES.get(text)
                points.append(
                    {
                        "series": row["country_name"],
                        "year": int(display_year(y)),
                        "value": value if value is not None else float(text),
                        "label": text,
                    }
                )
    scale = {"zero": False, "reverse": reverse}
    if domain:
        scale["domain"] = list(domain)
    spec = _base(220)
    spec.update(
        {
            "data": {"values": points},
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {
                    "field": "year",
                    "type": "quantitative",
                    "title": _("Year"),
                    "axis": {"format": "d", "tickMinStep": 1},
                    "scale": {"zero": False},
                },
                "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": scale},
                "color": {"field": "series", "type": "nominal", "title": None},
            },
        }
    )
    return spec
