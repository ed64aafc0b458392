"""Sections on progress: summary, Areas, countries, priorities, budgets, annex, notes."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from matis.common.calendars import display_year
from matis.common.i18n import local_text
from matis.common.tables import Column, Table
from matis.monitoring.dashboards import (
    MonitoringData,
    budget_table,
    completion_table,
    status_columns,
)
from matis.monitoring.models import (
    BudgetKind,
    ExchangeRate,
)
from matis.reports import svgcharts
from matis.reports.builder.common import Section, completion_rate, pct, rate, usd


def summary_lines(
    data: MonitoringData,
    year,
    overall,
    priority,
    allocation,
    spending,
    partner,
    pending,
    indicators,
) -> list[str]:
    lines = [
        _(
            "In %(year)s, %(reported)s of %(expected)s activity reports were approved by the "
            "secretariat. %(completed)s of the %(applicable)s applicable activities were "
            "completed (%(rate)s) and %(in_progress)s were in progress."
        )
        % {
            "year": display_year(year),
            "reported": overall.reported,
            "expected": overall.expected,
            "completed": overall.completed,
            "applicable": overall.applicable,
            "rate": pct(completion_rate(overall)),
            "in_progress": overall.in_progress,
        },
        _(
            "Of the priority activities that all six governments agreed to carry out, "
            "%(completed)s of %(applicable)s were completed (%(rate)s)."
        )
        % {
            "completed": priority.completed,
            "applicable": priority.applicable,
            "rate": pct(completion_rate(priority)),
        },
        _(
            "Governments allocated %(allocation)s US dollars to the activities and spent "
            "%(spending)s; partners contributed %(partner)s US dollars."
        )
        % {"allocation": usd(allocation), "spending": usd(spending), "partner": usd(partner)},
    ]
    rates = [
        (c.display_name, completion_rate(data.completion(year=year, country=c.iso3)))
        for c in data.countries
    ]
    rates = [(name, rate) for name, rate in rates if rate is not None]
    if len(rates) > 1:
        best = max(rates, key=lambda r: r[1])
        worst = min(rates, key=lambda r: r[1])
        lines.append(
            _(
                "Completion was highest in %(best)s (%(best_rate)s) and lowest in "
                "%(worst)s (%(worst_rate)s)."
            )
            % {
                "best": best[0],
                "best_rate": pct(best[1]),
                "worst": worst[0],
                "worst_rate": pct(worst[1]),
            }
        )
    if indicators["with_target"]:
        lines.append(
            _("%(met)s of %(with_target)s indicator values with a target reached it.")
            % {"met": indicators["met"], "with_target": indicators["with_target"]}
        )
    if pending:
        lines.append(
            _("%(n)s reports for %(year)s were still in the workflow and are not counted.")
            % {"n": pending, "year": display_year(year)}
        )
    return lines


def area_label(area) -> str:
    return f"{area.number} {local_text(area, 'title')}"


def progress_by_area(data: MonitoringData, year: int) -> Section:
    columns = [
        Column("area", _("Area")),
        Column("completed", _("Completed"), "int"),
        Column("in_progress", _("In progress"), "int"),
        Column("applicable", _("Applicable"), "int"),
        Column("rate", _("Completed"), "pct"),
        Column("priority_rate", _("Priority completed"), "pct"),
        Column("spending", _("Spending (USD)"), "usd"),
    ]
    rows = []
    for area in data.areas:
        c = data.completion(year=year, area_id=area.pk)
        p = data.completion(year=year, area_id=area.pk, priority=True)
        rows.append(
            {
                "area": area_label(area),
                "completed": c.completed,
                "in_progress": c.in_progress,
                "applicable": c.applicable,
                "rate": completion_rate(c),
                "priority_rate": completion_rate(p),
                "spending": data.usd(kind=BudgetKind.SPENDING, year=year, area_id=area.pk),
            }
        )
    table = Table("areas", _("Progress by Area"), columns, rows)
    bars = [(f"{a.number} {a.code}", r["rate"]) for a, r in zip(data.areas, rows, strict=True)]
    chart = svgcharts.hbar_chart(bars, title=_("Completed activities by Area (%)"))
    return Section("areas", _("Progress by Area"), [table], [chart], chart_data={"areas": bars})


def progress_by_country(data: MonitoringData, year: int) -> Section:
    table = completion_table(data, year)
    # The dashboard table keeps one decimal; the report shows whole per cents,
    # computed once from the counts for the table and the charts alike.
    for row, country in zip(table.rows, data.countries, strict=True):
        for area in data.areas:
            row[f"area_{area.number}"] = completion_rate(
                data.completion(year=year, country=country.iso3, area_id=area.pk)
            )
        row["all"] = completion_rate(data.completion(year=year, country=country.iso3))
    area_labels = [f"{a.number} {a.code}" for a in data.areas]
    grid = [[r[f"area_{a.number}"] for a in data.areas] for r in table.rows]
    chart = svgcharts.heatmap(
        [r["country"] for r in table.rows], area_labels, grid, title=table.title
    )
    charts = [chart]
    chart_data = {
        "countries": [
            (r["country"], label, value)
            for r, values in zip(table.rows, grid, strict=True)
            for label, value in zip(area_labels, values, strict=True)
        ]
    }
    if len(data.years) > 1 and len(data.countries) > 1:
        series = [display_year(y) for y in data.years]
        values = [
            [completion_rate(data.completion(year=y, country=c.iso3)) for y in data.years]
            for c in data.countries
        ]
        charts.append(
            svgcharts.grouped_columns(
                [c.display_name for c in data.countries],
                series,
                values,
                title=_("Completed activities by country and year (%)"),
            )
        )
        chart_data["years"] = [
            (c.display_name, label, value)
            for c, row in zip(data.countries, values, strict=True)
            for label, value in zip(series, row, strict=True)
        ]
    return Section("countries", _("Progress by country"), [table], charts, chart_data=chart_data)


def status_matrix(data: MonitoringData, year: int, activities, name: str, title: str) -> Table:
    columns = [Column("code", _("Code")), Column("activity", _("Activity"))]
    columns += status_columns(data.countries)
    rows = []
    for activity in activities:
        row = {"code": activity.code, "activity": str(local_text(activity, "title"))}
        for c in data.countries:
            row[c.iso3] = data.status.get((c.iso3, activity.pk, year))
        rows.append(row)
    return Table(name, title, columns, rows)


def priority_section(data: MonitoringData, year: int) -> Section:
    priority = [a for a in data.activities if a.priority]
    table = status_matrix(
        data,
        year,
        priority,
        "priority",
        _("Priority activities, %(year)s") % {"year": display_year(year)},
    )
    return Section(
        "priority",
        _("Priority activities"),
        [table],
        paragraphs=[
            _(
                "The nine priority activities are those that all six governments agreed to complete "
                "during the plan. Empty cells: no approved report."
            )
        ],
    )


def budget_section(data: MonitoringData, year: int) -> Section:
    columns = [
        Column("country", _("Country")),
        Column("allocation", _("Government allocation (USD)"), "usd"),
        Column("spending", _("Government spending (USD)"), "usd"),
        Column("partner", _("Partner contributions (USD)"), "usd"),
        Column("execution", _("Spent of allocation"), "pct"),
    ]
    rows = []
    for c in data.countries:
        allocation = data.usd(kind=BudgetKind.ALLOCATION, year=year, country=c.iso3)
        spending = data.usd(kind=BudgetKind.SPENDING, year=year, country=c.iso3)
        rows.append(
            {
                "country": c.display_name,
                "allocation": allocation,
                "spending": spending,
                "partner": data.usd(kind=BudgetKind.PARTNER, year=year, country=c.iso3),
                "execution": rate(spending, allocation) if allocation else None,
            }
        )
    rows.append(
        {
            "country": _("Total"),
            "allocation": sum((r["allocation"] for r in rows), Decimal("0.00")),
            "spending": sum((r["spending"] for r in rows), Decimal("0.00")),
            "partner": sum((r["partner"] for r in rows), Decimal("0.00")),
            "execution": None,
        }
    )
    total = rows[-1]
    total["execution"] = (
        rate(total["spending"], total["allocation"]) if total["allocation"] else None
    )
    by_country = Table(
        "budget_countries",
        _("Budget by country, %(year)s (US dollars)") % {"year": display_year(year)},
        columns,
        rows,
    )
    trend = budget_table(data)
    chart = svgcharts.stacked_columns(
        [display_year(y) for y in data.years],
        [f"{a.number} {a.code}" for a in data.areas],
        [
            [
                next(
                    r["spending"]
                    for r in trend.rows
                    if r["year"] == y and r["area_number"] == a.number
                )
                for a in data.areas
            ]
            for y in data.years
        ],
        title=_("Government spending by year and Area (US dollars)"),
    )
    return Section(
        "budget",
        _("Budgets"),
        [by_country, trend],
        [chart],
        paragraphs=[
            _(
                "Amounts are reported in national currencies and converted "
                "with the yearly exchange rates kept by the secretariat; each "
                "amount is rounded to the cent before it is added up."
            )
        ],
    )


def annex_section(data: MonitoringData, year: int) -> Section:
    table = status_matrix(
        data,
        year,
        data.activities,
        "annex",
        _("Status of every activity, %(year)s") % {"year": display_year(year)},
    )
    return Section("annex", _("Annex: status of all activities"), [table])


def notes_section(data: MonitoringData, year: int, pending: int) -> Section:
    rates = ExchangeRate.objects.filter(year__in=data.years).order_by("year", "currency")
    columns = [
        Column("year", _("Year"), "year"),
        Column("currency", _("Currency")),
        Column("rate", _("Units per US dollar"), "number"),
    ]
    table = Table(
        "rates",
        _("Exchange rates used"),
        columns,
        [{"year": r.year, "currency": r.currency, "rate": r.units_per_usd} for r in rates],
    )
    paragraphs = [
        _(
            "Only activity reports approved by the secretariat are counted. Completion "
            "is the share of completed activities among the applicable ones "
            "(activities marked not applicable are left out)."
        )
    ]
    if pending:
        paragraphs.append(
            _("%(n)s reports for %(year)s were not yet approved when this report was prepared.")
            % {"n": pending, "year": display_year(year)}
        )
    if data.budget.missing_rates:
        paragraphs.append(
            _("Some amounts could not be converted for lack of an exchange rate: %(list)s.")
            % {
                "list": ", ".join(
                    f"{c} {display_year(y)}" for c, y in sorted(data.budget.missing_rates)
                )
            }
        )
    return Section("notes", _("About the data"), [table], paragraphs=paragraphs)
