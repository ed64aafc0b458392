"""The content of the annual monitoring report, computed from approved monitoring data.

:func:`build_report` gathers everything in a fixed number of queries (whatever
the number of countries, activities or indicators) and returns a
``ReportContent`` that the template turns into HTML, for the web and for PDF.
Only approved activity reports count; reports still in the workflow are
listed in the data notes as not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from matis.common.calendars import display_date, display_year, display_year_range
from matis.common.i18n import local_text
from matis.common.models import COMMIT_COUNTRIES, Country
from matis.monitoring.dashboards import (
    MonitoringData,
    budget_table,
    completion_table,
    load_monitoring_data,
)
from matis.monitoring.models import (
    BudgetKind,
    ExchangeRate,
    Indicator,
    IndicatorActual,
    IndicatorBaseline,
    IndicatorTarget,
    NationalPlan,
    ProgressStatus,
)
from matis.monitoring.tables import Column, Table, format_cell
from matis.plans.models import Plan
from matis.reports import svgcharts


@dataclass
class Section:
    anchor: str
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[SafeString] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class ReportContent:
    title: str
    subtitle: str
    year: int
    year_label: str
    plan: Plan
    country: Country | None
    generated_on: str
    synthetic: bool
    is_final_year: bool
    key_figures: list[tuple[str, str]]
    summary: list[str]
    sections: list[Section]
    n_tables: int = 0


def _pct(value: Decimal | None) -> str:
    return format_cell(value, "pct")


def _usd(value: Decimal) -> str:
    return format_cell(value, "usd")


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1")) if whole else None


def build_report(*, plan: Plan, year: int, country_id: str | None = None) -> ReportContent:
    """Everything the annual report for ``year`` shows (in the active language)."""
    countries = [country_id] if country_id else list(COMMIT_COUNTRIES)
    years = list(range(plan.start_year, year + 1))
    data = load_monitoring_data(plan, years=years, countries=countries)
    country = data.countries[0] if country_id else None
    is_final = year == plan.end_year
    where = country.display_name if country else _("the six COMMIT governments")
    title = (_("Annual monitoring report %(year)s") % {"year": display_year(year)})
    subtitle = (_("Implementation of %(plan)s (%(span)s) by %(where)s")
                % {"plan": str(local_text(plan, "name")),
                   "span": display_year_range(plan.start_year, plan.end_year), "where": where})

    overall = data.completion(year=year)
    priority = data.completion(year=year, priority=True)
    allocation = data.usd(kind=BudgetKind.ALLOCATION, year=year)
    spending = data.usd(kind=BudgetKind.SPENDING, year=year)
    partner = data.usd(kind=BudgetKind.PARTNER, year=year)
    pending = sum(n for (c, y), n in data.pending.items() if y == year)
    indicators = _indicator_values(plan, year, countries)

    key_figures = [
        (_("Activities completed"), _pct(overall.rate)),
        (_("Priority activities completed"), _pct(priority.rate)),
        (_("Government spending (USD)"), _usd(spending)),
        (_("Indicator targets met"), _pct(_rate(indicators["met"], indicators["with_target"]))),
    ]
    summary = _summary(data, year, overall, priority, allocation, spending, partner, pending,
                       indicators)
    sections = [
        _progress_by_area(data, year),
        _progress_by_country(data, year),
        _priority_section(data, year),
        _budget_section(data, year),
        _indicator_section(indicators, data, year),
        _npa_section(countries),
    ]
    if is_final:
        sections.append(_end_of_plan_section(data, year))
        sections.append(_impact_section(indicators, data))
    sections.append(_annex_section(data, year))
    sections.append(_notes_section(data, year, pending))
    content = ReportContent(
        title=title, subtitle=subtitle, year=year, year_label=display_year(year), plan=plan,
        country=country, generated_on=display_date(timezone.localdate()),
        synthetic=data.synthetic, is_final_year=is_final, key_figures=key_figures,
        summary=summary, sections=sections)
    content.n_tables = sum(len(s.tables) for s in sections)
    return content


def _summary(data: MonitoringData, year, overall, priority, allocation, spending, partner,
             pending, indicators) -> list[str]:
    lines = [
        _("In %(year)s, %(reported)s of %(expected)s activity reports were approved by the "
          "secretariat. %(completed)s of the %(applicable)s applicable activities were "
          "completed (%(rate)s) and %(in_progress)s were in progress.")
        % {"year": display_year(year), "reported": overall.reported,
           "expected": overall.expected, "completed": overall.completed,
           "applicable": overall.applicable, "rate": _pct(overall.rate),
           "in_progress": overall.in_progress},
        _("Of the priority activities that all six governments agreed to carry out, "
          "%(completed)s of %(applicable)s were completed (%(rate)s).")
        % {"completed": priority.completed, "applicable": priority.applicable,
           "rate": _pct(priority.rate)},
        _("Governments allocated %(allocation)s US dollars to the activities and spent "
          "%(spending)s; partners contributed %(partner)s US dollars.")
        % {"allocation": _usd(allocation), "spending": _usd(spending), "partner": _usd(partner)},
    ]
    rates = [(c.display_name, data.completion(year=year, country=c.iso3).rate)
             for c in data.countries]
    rates = [(name, rate) for name, rate in rates if rate is not None]
    if len(rates) > 1:
        best = max(rates, key=lambda r: r[1])
        worst = min(rates, key=lambda r: r[1])
        lines.append(_("Completion was highest in %(best)s (%(best_rate)s) and lowest in "
                       "%(worst)s (%(worst_rate)s).")
                     % {"best": best[0], "best_rate": _pct(best[1]), "worst": worst[0],
                        "worst_rate": _pct(worst[1])})
    if indicators["with_target"]:
        lines.append(_("%(met)s of %(with_target)s indicator values with a target reached it.")
                     % {"met": indicators["met"], "with_target": indicators["with_target"]})
    if pending:
        lines.append(_("%(n)s reports for %(year)s were still in the workflow and are not "
                       "counted.") % {"n": pending, "year": display_year(year)})
    return lines


def _area_label(area) -> str:
    return f"{area.number} {local_text(area, 'title')}"


def _progress_by_area(data: MonitoringData, year: int) -> Section:
    columns = [Column("area", _("Area")), Column("completed", _("Completed"), "int"),
               Column("in_progress", _("In progress"), "int"),
               Column("applicable", _("Applicable"), "int"),
               Column("rate", _("Completed"), "pct"),
               Column("priority_rate", _("Priority completed"), "pct"),
               Column("spending", _("Spending (USD)"), "usd")]
    rows = []
    for area in data.areas:
        c = data.completion(year=year, area_id=area.pk)
        p = data.completion(year=year, area_id=area.pk, priority=True)
        rows.append({"area": _area_label(area), "completed": c.completed,
                     "in_progress": c.in_progress, "applicable": c.applicable, "rate": c.rate,
                     "priority_rate": p.rate,
                     "spending": data.usd(kind=BudgetKind.SPENDING, year=year,
                                          area_id=area.pk)})
    table = Table("areas", _("Progress by Area"), columns, rows)
    chart = svgcharts.hbar_chart(
        [(f"{a.number} {a.code}", r["rate"]) for a, r in zip(data.areas, rows, strict=True)],
        title=_("Completed activities by Area (%)"))
    return Section("areas", _("Progress by Area"), [table], [mark_safe(chart)])  # noqa: S308


def _progress_by_country(data: MonitoringData, year: int) -> Section:
    table = completion_table(data, year)
    chart = svgcharts.heatmap(
        [r["country"] for r in table.rows], [f"{a.number} {a.code}" for a in data.areas],
        [[r[f"area_{a.number}"] for a in data.areas] for r in table.rows],
        title=table.title)
    sections = [mark_safe(chart)]  # noqa: S308 - built from escaped parts
    if len(data.years) > 1 and len(data.countries) > 1:
        series = [display_year(y) for y in data.years]
        values = [[data.completion(year=y, country=c.iso3).rate for y in data.years]
                  for c in data.countries]
        sections.append(mark_safe(svgcharts.grouped_columns(  # noqa: S308
            [c.display_name for c in data.countries], series, values,
            title=_("Completed activities by country and year (%)"))))
    return Section("countries", _("Progress by country"), [table], sections)


def _status_matrix(data: MonitoringData, year: int, activities, name: str, title: str) -> Table:
    columns = [Column("code", _("Code")), Column("activity", _("Activity"))]
    columns += [Column(c.iso3, c.display_name, "status") for c in data.countries]
    rows = []
    for activity in activities:
        row = {"code": activity.code, "activity": str(local_text(activity, "title"))}
        for c in data.countries:
            row[c.iso3] = data.status.get((c.iso3, activity.pk, year))
        rows.append(row)
    return Table(name, title, columns, rows)


def _priority_section(data: MonitoringData, year: int) -> Section:
    priority = [a for a in data.activities if a.priority]
    table = _status_matrix(data, year, priority, "priority",
                           _("Priority activities, %(year)s") % {"year": display_year(year)})
    return Section("priority", _("Priority activities"), [table], paragraphs=[
        _("The nine priority activities are those that all six governments agreed to complete "
          "during the plan. Empty cells: no approved report.")])


def _budget_section(data: MonitoringData, year: int) -> Section:
    columns = [Column("country", _("Country")),
               Column("allocation", _("Government allocation (USD)"), "usd"),
               Column("spending", _("Government spending (USD)"), "usd"),
               Column("partner", _("Partner contributions (USD)"), "usd"),
               Column("execution", _("Spent of allocation"), "pct")]
    rows = []
    for c in data.countries:
        allocation = data.usd(kind=BudgetKind.ALLOCATION, year=year, country=c.iso3)
        spending = data.usd(kind=BudgetKind.SPENDING, year=year, country=c.iso3)
        rows.append({"country": c.display_name, "allocation": allocation, "spending": spending,
                     "partner": data.usd(kind=BudgetKind.PARTNER, year=year, country=c.iso3),
                     "execution": _rate(spending, allocation) if allocation else None})
    rows.append({"country": _("Total"),
                 "allocation": sum((r["allocation"] for r in rows), Decimal("0.00")),
                 "spending": sum((r["spending"] for r in rows), Decimal("0.00")),
                 "partner": sum((r["partner"] for r in rows), Decimal("0.00")),
                 "execution": None})
    total = rows[-1]
    total["execution"] = _rate(total["spending"], total["allocation"]) \
        if total["allocation"] else None
    by_country = Table("budget_countries", _("Budget by country, %(year)s (US dollars)")
                       % {"year": display_year(year)}, columns, rows)
    trend = budget_table(data)
    chart = svgcharts.stacked_columns(
        [display_year(y) for y in data.years], [f"{a.number} {a.code}" for a in data.areas],
        [[next(r["spending"] for r in trend.rows if r["year"] == y and
               r["area_number"] == a.number) for a in data.areas] for y in data.years],
        title=_("Government spending by year and Area (US dollars)"))
    return Section("budget", _("Budgets"), [by_country, trend], [mark_safe(chart)],  # noqa: S308
                   paragraphs=[_("Amounts are reported in national currencies and converted "
                                 "with the yearly exchange rates kept by the secretariat; each "
                                 "amount is rounded to the cent before it is added up.")])


def _indicator_values(plan: Plan, year: int, countries: list[str]) -> dict:
    """Baselines, targets and actuals of every indicator for the countries, in 4 queries."""
    indicators = list(Indicator.objects.select_related("goal", "goal__area"))
    baselines = {(b.indicator_id, b.country_id): b.value for b in
                 IndicatorBaseline.objects.filter(country_id__in=countries)}
    targets, actuals = {}, {}
    for t in IndicatorTarget.objects.filter(country_id__in=countries, period__plan=plan,
                                            period__year__lte=year).values(
            "indicator_id", "country_id", "period__year", "value"):
        targets[(t["indicator_id"], t["country_id"], t["period__year"])] = t["value"]
    for a in IndicatorActual.objects.filter(country_id__in=countries, period__plan=plan,
                                            period__year__lte=year).values(
            "indicator_id", "country_id", "period__year", "value"):
        actuals[(a["indicator_id"], a["country_id"], a["period__year"])] = a["value"]
    met = with_target = 0
    for i in indicators:
        for c in countries:
            target, actual = targets.get((i.pk, c, year)), actuals.get((i.pk, c, year))
            if target is not None and actual is not None:
                with_target += 1
                met += bool(i.is_met(actual, target))
    return {"indicators": indicators, "baselines": baselines, "targets": targets,
            "actuals": actuals, "met": met, "with_target": with_target}


def _yes_no(value, kind: str) -> str:
    if value is None:
        return "–"
    return format_cell(value, "number")


def _indicator_section(values: dict, data: MonitoringData, year: int) -> Section:
    columns = [Column("goal", _("Goal")), Column("indicator", _("Indicator")),
               Column("country", _("Country")), Column("baseline", _("Baseline"), "number"),
               Column("target", _("Target"), "number"), Column("actual", _("Actual"), "number"),
               Column("met", _("Met"))]
    rows = []
    for i in values["indicators"]:
        for c in data.countries:
            target = values["targets"].get((i.pk, c.iso3, year))
            actual = values["actuals"].get((i.pk, c.iso3, year))
            met = i.is_met(actual, target)
            rows.append({"goal": i.goal.code, "indicator": str(local_text(i, "name")),
                         "country": c.display_name,
                         "baseline": values["baselines"].get((i.pk, c.iso3)),
                         "target": target, "actual": actual,
                         "met": "" if met is None else (_("yes") if met else _("no"))})
    table = Table("indicators", _("Indicators against targets, %(year)s")
                  % {"year": display_year(year)}, columns, rows)
    return Section("indicators", _("Indicators and targets"), [table])


def _npa_section(countries: list[str]) -> Section:
    columns = [Column("country", _("Country")), Column("title", _("National plan of action")),
               Column("period", _("Period")), Column("adopted", _("Adopted")),
               Column("committees", _("Sub-national committees"), "int"),
               Column("monitoring", _("Monitoring system"))]
    rows = []
    plans = (NationalPlan.objects.filter(country_id__in=countries).select_related("country")
             .order_by("country_id", "-start_year"))
    seen = set()
    for p in plans:
        if p.country_id in seen:
            continue
        seen.add(p.country_id)
        rows.append({"country": p.country.display_name, "title": p.title,
                     "period": display_year_range(p.start_year, p.end_year),
                     "adopted": display_date(p.adopted_on) if p.adopted_on else "",
                     "committees": p.subnational_committees,
                     "monitoring": _("yes") if p.monitoring_system else _("no")})
    rows.sort(key=lambda r: r["country"])
    table = Table("npa", _("National plans of action (activity P&C1, goal 1.1)"), columns, rows)
    return Section("npa", _("National plans of action"), [table])


def _end_of_plan_section(data: MonitoringData, year: int) -> Section:
    """Each government's progress over the whole plan (goal 5.3)."""
    n_priority = sum(1 for a in data.activities if a.priority)
    columns = [Column("country", _("Country"))]
    columns += [Column(f"y{y}", _("Completed %(year)s") % {"year": display_year(y)}, "pct")
                for y in data.years]
    columns += [Column("completed", _("Activities completed by the end of the plan"), "int"),
                Column("priority", _("Priority activities completed (of %(n)s)")
                       % {"n": n_priority}, "int"),
                Column("spending", _("Spending over the plan (USD)"), "usd")]
    rows, paragraphs = [], []
    for c in data.countries:
        row = {"country": c.display_name}
        for y in data.years:
            row[f"y{y}"] = data.completion(year=y, country=c.iso3).rate
        latest = [data.latest_status(c.iso3, a.pk, year) for a in data.activities]
        completed = sum(s == ProgressStatus.COMPLETED for s in latest)
        priority = sum(data.latest_status(c.iso3, a.pk, year) == ProgressStatus.COMPLETED
                       for a in data.activities if a.priority)
        row.update({"completed": completed, "priority": priority,
                    "spending": data.usd(kind=BudgetKind.SPENDING, country=c.iso3)})
        rows.append(row)
        first, last = row[f"y{data.years[0]}"], row[f"y{data.years[-1]}"]
        paragraphs.append(
            _("%(country)s: %(completed)s of %(total)s activities completed by the end of the "
              "plan, %(priority)s of the %(n)s priority activities; completion went from "
              "%(first)s in %(first_year)s to %(last)s in %(last_year)s.")
            % {"country": c.display_name, "completed": completed, "total": len(latest),
               "priority": priority, "n": n_priority, "first": _pct(first),
               "first_year": display_year(data.years[0]), "last": _pct(last),
               "last_year": display_year(data.years[-1])})
    table = Table("assessment", _("Progress of each government over the plan"), columns, rows)
    return Section("end-of-plan", _("End-of-plan assessment"), [table], paragraphs=paragraphs)


def _impact_section(values: dict, data: MonitoringData) -> Section:
    """The impact assessment framework (goal 5.4): baseline against end-line per indicator."""
    end_year = data.years[-1]
    columns = [Column("goal", _("Goal")), Column("indicator", _("Indicator")),
               Column("country", _("Country")),
               Column("baseline", _("Baseline"), "number"),
               Column("endline", _("End-line %(year)s") % {"year": display_year(end_year)},
                      "number"),
               Column("change", _("Change"), "number"),
               Column("target", _("Final target"), "number"),
               Column("assessment", _("Assessment"))]
    rows = []
    improved = compared = 0
    for i in values["indicators"]:
        for c in data.countries:
            baseline = values["baselines"].get((i.pk, c.iso3))
            endline = values["actuals"].get((i.pk, c.iso3, end_year))
            target = values["targets"].get((i.pk, c.iso3, end_year))
            change = endline - baseline if baseline is not None and endline is not None else None
            if change is None:
                verdict = _("no end-line data")
            else:
                compared += 1
                better = change < 0 if i.direction == Indicator.Direction.DECREASE else change > 0
                improved += better
                met = i.is_met(endline, target)
                verdict = (_("target met") if met else
                           _("improved") if better else _("no improvement"))
            rows.append({"goal": i.goal.code, "indicator": str(local_text(i, "name")),
                         "country": c.display_name, "baseline": baseline, "endline": endline,
                         "change": change, "target": target, "assessment": verdict})
    table = Table("impact", _("Impact assessment framework: baseline and end-line"), columns,
                  rows)
    paragraphs = [
        _("The framework compares each indicator at the start of the plan (baseline) with its "
          "value in the final year (end-line). %(improved)s of %(compared)s country values "
          "moved in the intended direction. The full impact assessment of the plan is due "
          "within one year of its end (goal 5.4).")
        % {"improved": improved, "compared": compared}]
    return Section("impact", _("Impact assessment framework"), [table], paragraphs=paragraphs)


def _annex_section(data: MonitoringData, year: int) -> Section:
    table = _status_matrix(data, year, data.activities, "annex",
                           _("Status of every activity, %(year)s") % {"year": display_year(year)})
    return Section("annex", _("Annex: status of all activities"), [table])


def _notes_section(data: MonitoringData, year: int, pending: int) -> Section:
    rates = ExchangeRate.objects.filter(year__in=data.years).order_by("year", "currency")
    columns = [Column("year", _("Year"), "year"), Column("currency", _("Currency")),
               Column("rate", _("Units per US dollar"), "number")]
    table = Table("rates", _("Exchange rates used"), columns,
                  [{"year": r.year, "currency": r.currency, "rate": r.units_per_usd}
                   for r in rates])
    paragraphs = [_("Only activity reports approved by the secretariat are counted. Completion "
                    "is the share of completed activities among the applicable ones "
                    "(activities marked not applicable are left out).")]
    if pending:
        paragraphs.append(_("%(n)s reports for %(year)s were not yet approved when this report "
                            "was prepared.") % {"n": pending, "year": display_year(year)})
    if data.budget.missing_rates:
        paragraphs.append(_("Some amounts could not be converted for lack of an exchange rate: "
                            "%(list)s.") % {"list": ", ".join(
                                f"{c} {display_year(y)}" for c, y in
                                sorted(data.budget.missing_rates))})
    return Section("notes", _("About the data"), [table], paragraphs=paragraphs)
