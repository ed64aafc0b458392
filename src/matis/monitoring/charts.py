"""Vega-Lite specifications for the dashboards, built from the dashboard tables."""

from __future__ import annotations

from django.utils.translation import gettext as _

from matis.common.calendars import display_year
from matis.common.charts import bar_chart, heatmap
from matis.common.tables import Table
from matis.monitoring.dashboards import STATUS_COLOURS, MonitoringData, status_counts
from matis.monitoring.models import ProgressStatus

HEIGHT = 260


def completion_heatmap(table: Table, data: MonitoringData) -> dict:
    values = []
    for row in table.rows:
        for area in data.areas:
            rate = row.get(f"area_{area.number}")
            values.append(
                {
                    "country": row["country"],
                    "area": f"{area.number} {area.code}",
                    "completion": float(rate) if rate is not None else None,
                }
            )
    return heatmap(
        table.title,
        values,
        height=220,
        encoding={
            "x": {
                "field": "area",
                "type": "ordinal",
                "title": _("Area"),
                "axis": {"labelAngle": 0},
            },
            "y": {"field": "country", "type": "ordinal", "title": None, "sort": None},
            "color": {
                "field": "completion",
                "type": "quantitative",
                "title": _("Completed (%)"),
                "scale": {"domain": [0, 100], "scheme": "greens"},
            },
            "tooltip": [
                {"field": "country"},
                {"field": "area"},
                {"field": "completion", "title": _("Completed (%)")},
            ],
        },
    )


def priority_chart(data: MonitoringData, year: int) -> dict:
    labels = dict(ProgressStatus.choices)
    labels["not_reported"] = _("Not reported")
    order = [*ProgressStatus.values, "not_reported"]
    colours = {**STATUS_COLOURS, "not_reported": "#f0f0f0"}
    counts = status_counts(data, year, priority=True)
    values = [
        {
            "country": data.country_name(iso3),
            "status": str(labels[s]),
            "n": n,
            "order": order.index(s),
        }
        for iso3, counter in counts.items()
        for s, n in counter.items()
    ]
    return bar_chart(
        _("Priority activities by status, %(year)s") % {"year": display_year(year)},
        values,
        tooltip=False,
        height=HEIGHT,
        encoding={
            "y": {"field": "country", "type": "nominal", "title": None, "sort": None},
            "x": {
                "field": "n",
                "type": "quantitative",
                "title": _("Priority activities"),
                "stack": "zero",
            },
            "color": {
                "field": "status",
                "type": "nominal",
                "title": _("Status"),
                "scale": {
                    "domain": [str(labels[s]) for s in order],
                    "range": [colours[s] for s in order],
                },
            },
            "order": {"field": "order"},
            "tooltip": [{"field": "country"}, {"field": "status"}, {"field": "n"}],
        },
    )


def budget_chart(table: Table) -> dict:
    values = [
        {"year": display_year(r["year"]), "area": r["area"], "spending": float(r["spending"])}
        for r in table.rows
    ]
    return bar_chart(
        _("Government spending by year and Area (US dollars)"),
        values,
        tooltip=False,
        height=HEIGHT,
        encoding={
            "x": {"field": "year", "type": "ordinal", "title": _("Year")},
            "y": {
                "field": "spending",
                "type": "quantitative",
                "title": _("US dollars"),
                "stack": "zero",
            },
            "color": {"field": "area", "type": "nominal", "title": _("Area")},
            "tooltip": [
                {"field": "year"},
                {"field": "area"},
                {"field": "spending", "format": ",.0f"},
            ],
        },
    )


def comparison_chart(table: Table) -> dict:
    values = [
        {
            "country": r["country"],
            "year": display_year(r["year"]),
            "completion": float(r["completion"]) if r["completion"] is not None else None,
        }
        for r in table.rows
    ]
    return bar_chart(
        _("Completed activities by country and year (%)"),
        values,
        tooltip=False,
        height=HEIGHT,
        encoding={
            "x": {"field": "country", "type": "nominal", "title": None, "sort": None},
            "xOffset": {"field": "year", "type": "ordinal"},
            "y": {
                "field": "completion",
                "type": "quantitative",
                "title": _("Completed (%)"),
                "scale": {"domain": [0, 100]},
            },
            "color": {"field": "year", "type": "ordinal", "title": _("Year")},
            "tooltip": [{"field": "country"}, {"field": "year"}, {"field": "completion"}],
        },
    )
