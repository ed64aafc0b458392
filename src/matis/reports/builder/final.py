"""Sections of the final year: the end-of-plan assessment and the impact framework."""

from __future__ import annotations

from django.utils.translation import gettext as _

from matis.common.calendars import display_year
from matis.common.i18n import local_text
from matis.common.tables import Column, Table
from matis.monitoring.dashboards import (
    MonitoringData,
)
from matis.monitoring.models import (
    BudgetKind,
    PlanIndicator,
    ProgressStatus,
)
from matis.reports.builder.common import Section, completion_rate, pct


def end_of_plan_section(data: MonitoringData, year: int) -> Section:
    """Each government's progress over the whole plan (goal 5.3)."""
    n_priority = sum(1 for a in data.activities if a.priority)
    columns = [Column("country", _("Country"))]
    columns += [
        Column(f"y{y}", _("Completed %(year)s") % {"year": display_year(y)}, "pct")
        for y in data.years
    ]
    columns += [
        Column("completed", _("Activities completed by the end of the plan"), "int"),
        Column(
            "priority", _("Priority activities completed (of %(n)s)") % {"n": n_priority}, "int"
        ),
        Column("spending", _("Spending over the plan (USD)"), "usd"),
    ]
    rows, paragraphs = [], []
    for c in data.countries:
        row = {"country": c.display_name}
        for y in data.years:
            row[f"y{y}"] = completion_rate(data.completion(year=y, country=c.iso3))
        latest = [data.latest_status(c.iso3, a.pk, year) for a in data.activities]
        completed = sum(s == ProgressStatus.COMPLETED for s in latest)
        priority = sum(
            data.latest_status(c.iso3, a.pk, year) == ProgressStatus.COMPLETED
            for a in data.activities
            if a.priority
        )
        row.update(
            {
                "completed": completed,
                "priority": priority,
                "spending": data.usd(kind=BudgetKind.SPENDING, country=c.iso3),
            }
        )
        rows.append(row)
        first, last = row[f"y{data.years[0]}"], row[f"y{data.years[-1]}"]
        paragraphs.append(
            _(
                "%(country)s: %(completed)s of %(total)s activities completed by the end of the "
                "plan, %(priority)s of the %(n)s priority activities; completion went from "
                "%(first)s in %(first_year)s to %(last)s in %(last_year)s."
            )
            % {
                "country": c.display_name,
                "completed": completed,
                "total": len(latest),
                "priority": priority,
                "n": n_priority,
                "first": pct(first),
                "first_year": display_year(data.years[0]),
                "last": pct(last),
                "last_year": display_year(data.years[-1]),
            }
        )
    table = Table("assessment", _("Progress of each government over the plan"), columns, rows)
    return Section("end-of-plan", _("End-of-plan assessment"), [table], paragraphs=paragraphs)


def impact_section(values: dict, data: MonitoringData) -> Section:
    """The impact assessment framework (goal 5.4): baseline against end-line per indicator."""
    end_year = data.years[-1]
    columns = [
        Column("goal", _("Goal")),
        Column("indicator", _("Indicator")),
        Column("country", _("Country")),
        Column("baseline", _("Baseline"), "number"),
        Column("endline", _("End-line %(year)s") % {"year": display_year(end_year)}, "number"),
        Column("change", _("Change"), "number"),
        Column("target", _("Final target"), "number"),
        Column("assessment", _("Assessment")),
    ]
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
                better = (
                    change < 0 if i.direction == PlanIndicator.Direction.DECREASE else change > 0
                )
                improved += better
                met = i.is_met(endline, target)
                verdict = (
                    _("target met") if met else _("improved") if better else _("no improvement")
                )
            rows.append(
                {
                    "goal": i.goal.code,
                    "indicator": str(local_text(i, "name")),
                    "country": c.display_name,
                    "baseline": baseline,
                    "endline": endline,
                    "change": change,
                    "target": target,
                    "assessment": verdict,
                }
            )
    table = Table("impact", _("Impact assessment framework: baseline and end-line"), columns, rows)
    paragraphs = [
        _(
            "The framework compares each indicator at the start of the plan (baseline) with its "
            "value in the final year (end-line). %(improved)s of %(compared)s country values "
            "moved in the intended direction. The full impact assessment of the plan is due "
            "within one year of its end (goal 5.4)."
        )
        % {"improved": improved, "compared": compared}
    ]
    return Section("impact", _("Impact assessment framework"), [table], paragraphs=paragraphs)
