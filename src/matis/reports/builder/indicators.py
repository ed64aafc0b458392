"""Sections on indicators and national plans."""

from __future__ import annotations

from django.utils.translation import gettext as _

from matis.common.calendars import display_date, display_year, display_year_range
from matis.common.i18n import local_text
from matis.common.tables import Column, Table
from matis.monitoring.dashboards import (
    MonitoringData,
)
from matis.monitoring.models import (
    IndicatorActual,
    IndicatorBaseline,
    IndicatorTarget,
    NationalPlan,
    PlanIndicator,
)
from matis.plans.models import Plan
from matis.reports.builder.common import Section


def indicator_values(plan: Plan, year: int, countries: list[str]) -> dict:
    """Baselines, targets and actuals of every indicator for the countries, in 4 queries."""
    indicators = list(PlanIndicator.objects.select_related("goal", "goal__area"))
    baselines = {
        (b.indicator_id, b.country_id): b.value
        for b in IndicatorBaseline.objects.filter(country_id__in=countries)
    }
    targets, actuals = {}, {}
    for t in IndicatorTarget.objects.filter(
        country_id__in=countries, period__plan=plan, period__year__lte=year
    ).values("indicator_id", "country_id", "period__year", "value"):
        targets[(t["indicator_id"], t["country_id"], t["period__year"])] = t["value"]
    for a in IndicatorActual.objects.filter(
        country_id__in=countries, period__plan=plan, period__year__lte=year
    ).values("indicator_id", "country_id", "period__year", "value"):
        actuals[(a["indicator_id"], a["country_id"], a["period__year"])] = a["value"]
    met = with_target = 0
    for i in indicators:
        for c in countries:
            target, actual = targets.get((i.pk, c, year)), actuals.get((i.pk, c, year))
            if target is not None and actual is not None:
                with_target += 1
                met += bool(i.is_met(actual, target))
    return {
        "indicators": indicators,
        "baselines": baselines,
        "targets": targets,
        "actuals": actuals,
        "met": met,
        "with_target": with_target,
    }


def indicator_section(values: dict, data: MonitoringData, year: int) -> Section:
    columns = [
        Column("goal", _("Goal")),
        Column("indicator", _("Indicator")),
        Column("country", _("Country")),
        Column("baseline", _("Baseline"), "number"),
        Column("target", _("Target"), "number"),
        Column("actual", _("Actual"), "number"),
        Column("met", _("Met")),
    ]
    rows = []
    for i in values["indicators"]:
        for c in data.countries:
            target = values["targets"].get((i.pk, c.iso3, year))
            actual = values["actuals"].get((i.pk, c.iso3, year))
            met = i.is_met(actual, target)
            rows.append(
                {
                    "goal": i.goal.code,
                    "indicator": str(local_text(i, "name")),
                    "country": c.display_name,
                    "baseline": values["baselines"].get((i.pk, c.iso3)),
                    "target": target,
                    "actual": actual,
                    "met": "" if met is None else (_("yes") if met else _("no")),
                }
            )
    table = Table(
        "indicators",
        _("Indicators against targets, %(year)s") % {"year": display_year(year)},
        columns,
        rows,
    )
    return Section("indicators", _("Indicators and targets"), [table])


def npa_section(countries: list[str]) -> Section:
    columns = [
        Column("country", _("Country")),
        Column("title", _("National plan of action")),
        Column("period", _("Period")),
        Column("adopted", _("Adopted")),
        Column("committees", _("Sub-national committees"), "int"),
        Column("monitoring", _("Monitoring system")),
    ]
    rows = []
    plans = (
        NationalPlan.objects.filter(country_id__in=countries)
        .select_related("country")
        .order_by("country_id", "-start_year")
    )
    seen = set()
    for p in plans:
        if p.country_id in seen:
            continue
        seen.add(p.country_id)
        rows.append(
            {
                "country": p.country.display_name,
                "title": p.title,
                "period": display_year_range(p.start_year, p.end_year),
                "adopted": display_date(p.adopted_on) if p.adopted_on else "",
                "committees": p.subnational_committees,
                "monitoring": _("yes") if p.monitoring_system else _("no"),
            }
        )
    rows.sort(key=lambda r: r["country"])
    table = Table("npa", _("National plans of action (activity P&C1, goal 1.1)"), columns, rows)
    return Section("npa", _("National plans of action"), [table])
