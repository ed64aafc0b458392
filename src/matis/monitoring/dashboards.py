"""Dashboard figures: completion by country and Area, priority activities, budgets.

Everything is computed from one load of approved reports and budget lines
(:func:`load_monitoring_data`, a fixed number of queries whatever the number of
countries, activities or years), then shaped into ``Table`` objects for pages,
downloads, charts and the annual report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from matis.common.calendars import display_year
from matis.common.models import COMMIT_COUNTRIES, Country
from matis.common.tables import Column, Table
from matis.monitoring.models import (
    ActivityReport,
    BudgetEntry,
    BudgetKind,
    ExchangeRate,
    ProgressStatus,
    Workflow,
)
from matis.monitoring.money import Totals, convert_rows
from matis.plans.models import Activity, Area, Plan

STATUS_ORDER = [s.value for s in ProgressStatus]
STATUS_COLOURS = {
    ProgressStatus.NOT_STARTED: "#c9ced6",
    ProgressStatus.PLANNED: "#8fb8d8",
    ProgressStatus.IN_PROGRESS: "#e0a23b",
    ProgressStatus.COMPLETED: "#2e7d32",
    ProgressStatus.NOT_APPLICABLE: "#ffffff",
}


@dataclass
class Completion:
    completed: int = 0
    in_progress: int = 0
    applicable: int = 0
    reported: int = 0
    expected: int = 0

    @property
    def rate(self) -> Decimal | None:
        """Completed activities as a share (%) of the applicable reported ones."""
        if not self.applicable:
            return None
        return (Decimal(100) * self.completed / self.applicable).quantize(Decimal("0.1"))

    def add(self, status: str | None) -> None:
        self.expected += 1
        if status is None:
            return
        self.reported += 1
        if status == ProgressStatus.NOT_APPLICABLE:
            return
        self.applicable += 1
        if status == ProgressStatus.COMPLETED:
            self.completed += 1
        elif status == ProgressStatus.IN_PROGRESS:
            self.in_progress += 1


@dataclass
class MonitoringData:
    """Approved progress and budgets of a plan, loaded once."""

    plan: Plan
    years: list[int]
    countries: list[Country]
    areas: list[Area]
    activities: list[Activity]
    status: dict[tuple[str, int, int], str] = field(default_factory=dict)
    synthetic: bool = False
    budget: Totals = field(default_factory=Totals)
    rates: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    pending: dict[tuple[str, int], int] = field(default_factory=dict)

    @property
    def country_ids(self) -> list[str]:
        return [c.iso3 for c in self.countries]

    def country_name(self, iso3: str) -> str:
        return next((c.display_name for c in self.countries if c.iso3 == iso3), iso3)

    def completion(
        self,
        *,
        year: int,
        country: str | None = None,
        area_id: int | None = None,
        priority: bool | None = None,
    ) -> Completion:
        result = Completion()
        for c in [country] if country else self.country_ids:
            for activity in self.activities:
                if area_id is not None and activity.area_id != area_id:
                    continue
                if priority is not None and activity.priority != priority:
                    continue
                result.add(self.status.get((c, activity.pk, year)))
        return result

    def latest_status(self, country: str, activity_id: int, up_to: int) -> str | None:
        """The last approved status of an activity up to ``up_to`` (end-of-plan view)."""
        for year in sorted((y for y in self.years if y <= up_to), reverse=True):
            status = self.status.get((country, activity_id, year))
            if status is not None:
                return status
        return None

    def usd(
        self,
        *,
        kind: str,
        year: int | None = None,
        country: str | None = None,
        area_id: int | None = None,
    ) -> Decimal:
        """Sum of converted amounts over the given dimensions."""
        total = Decimal("0.00")
        for (c, a, y, k), value in self.budget.by_key.items():
            if (
                k != kind
                or (year is not None and y != year)
                or (country is not None and c != country)
                or (area_id is not None and a != area_id)
            ):
                continue
            total += value
        return total


def load_monitoring_data(
    plan: Plan | None = None, *, years: list[int] | None = None, countries: list[str] | None = None
) -> MonitoringData | None:
    """Load approved progress and budget lines of ``plan`` in a fixed number of queries."""
    plan = plan or Plan.objects.filter(code="SPA3").first()
    if plan is None:
        return None
    years = years or list(range(plan.start_year, plan.end_year + 1))
    country_ids = countries or list(COMMIT_COUNTRIES)
    country_rows = sorted(
        Country.objects.filter(iso3__in=country_ids), key=lambda c: country_ids.index(c.iso3)
    )
    areas = list(Area.objects.filter(plan=plan).order_by("number"))
    activities = list(
        Activity.objects.filter(area__plan=plan)
        .select_related("area")
        .order_by("area__number", "number")
    )
    data = MonitoringData(
        plan=plan, years=years, countries=country_rows, areas=areas, activities=activities
    )
    approved = ActivityReport.objects.filter(
        workflow=Workflow.APPROVED,
        period__plan=plan,
        period__year__in=years,
        country_id__in=country_ids,
    )
    for country, activity_id, year, progress, synthetic in approved.values_list(
        "country_id", "activity_id", "period__year", "progress", "synthetic"
    ):
        data.status[(country, activity_id, year)] = progress
        data.synthetic = data.synthetic or synthetic
    pending = (
        ActivityReport.objects.filter(
            period__plan=plan, period__year__in=years, country_id__in=country_ids
        )
        .exclude(workflow=Workflow.APPROVED)
        .values("country_id", "period__year")
        .annotate(n=Count("id"))
    )
    data.pending = {(r["country_id"], r["period__year"]): r["n"] for r in pending}
    data.rates = {
        (r.currency, r.year): r.units_per_usd for r in ExchangeRate.objects.filter(year__in=years)
    }
    rows = BudgetEntry.objects.filter(report__in=approved).values(
        "report__country_id",
        "report__activity__area_id",
        "report__period__year",
        "kind",
        "currency",
        "amount",
    )
    data.budget = convert_rows(
        (
            {
                "country": r["report__country_id"],
                "area": r["report__activity__area_id"],
                "year": r["report__period__year"],
                "kind": r["kind"],
                "currency": r["currency"],
                "amount": r["amount"],
            }
            for r in rows
        ),
        data.rates,
        ("country", "area", "year", "kind"),
    )
    return data


# --- tables ---------------------------------------------------------------------


def completion_table(data: MonitoringData, year: int) -> Table:
    """Country x Area: completed share of applicable activities, approved reports only."""
    columns = [Column("country", _("Country"))]
    columns += [
        Column(f"area_{a.number}", f"{_('Area')} {a.number} ({a.code})", "pct") for a in data.areas
    ]
    columns += [
        Column("all", _("All Areas"), "pct"),
        Column("reported", _("Reported"), "int"),
        Column("expected", _("Activities"), "int"),
    ]
    rows = []
    for country in data.countries:
        row = {"country": country.display_name}
        for area in data.areas:
            row[f"area_{area.number}"] = data.completion(
                year=year, country=country.iso3, area_id=area.pk
            ).rate
        overall = data.completion(year=year, country=country.iso3)
        row.update(
            {
                "all": overall.rate,
                "reported": overall.reported,
                "expected": overall.expected,
                "iso3": country.iso3,
            }
        )
        rows.append(row)
    return Table(
        "completion",
        _("Completion by country and Area, %(year)s") % {"year": display_year(year)},
        columns,
        rows,
        note=_("Completed activities as a share of the applicable activities in approved reports."),
    )


def status_columns(countries) -> list[Column]:
    """One column per country whose cells are progress statuses, shown by their labels."""
    labels = dict(ProgressStatus.choices)
    return [Column(c.iso3, c.display_name, "status", labels) for c in countries]


def priority_table(data: MonitoringData, year: int) -> Table:
    """Priority activity x country: the approved status."""
    columns = [Column("code", _("Code")), Column("activity", _("Activity"))]
    columns += status_columns(data.countries)
    columns += [Column("completed", _("Countries completed"), "int")]
    rows = []
    from matis.common.i18n import local_text

    for activity in (a for a in data.activities if a.priority):
        row = {"code": activity.code, "activity": str(local_text(activity, "title"))}
        completed = 0
        for country in data.countries:
            status = data.status.get((country.iso3, activity.pk, year))
            row[country.iso3] = status
            completed += status == ProgressStatus.COMPLETED
        row["completed"] = completed
        rows.append(row)
    return Table(
        "priority", _("Priority activities, %(year)s") % {"year": display_year(year)}, columns, rows
    )


def budget_table(data: MonitoringData, *, country: str | None = None) -> Table:
    """Year x Area: allocation, spending and partner contributions in US dollars."""
    columns = [
        Column("year", _("Year"), "year"),
        Column("area", _("Area")),
        Column("allocation", _("Government allocation (USD)"), "usd"),
        Column("spending", _("Government spending (USD)"), "usd"),
        Column("partner", _("Partner contributions (USD)"), "usd"),
        Column("execution", _("Spent of allocation"), "pct"),
    ]
    rows = []
    for year in data.years:
        for area in data.areas:
            allocation = data.usd(
                kind=BudgetKind.ALLOCATION, year=year, area_id=area.pk, country=country
            )
            spending = data.usd(
                kind=BudgetKind.SPENDING, year=year, area_id=area.pk, country=country
            )
            rows.append(
                {
                    "year": year,
                    "area": f"{area.number} {area.code}",
                    "area_number": area.number,
                    "allocation": allocation,
                    "spending": spending,
                    "partner": data.usd(
                        kind=BudgetKind.PARTNER, year=year, area_id=area.pk, country=country
                    ),
                    "execution": (Decimal(100) * spending / allocation).quantize(Decimal("0.1"))
                    if allocation
                    else None,
                }
            )
    note = ""
    if data.budget.missing_rates:
        missing = ", ".join(f"{c} {y}" for c, y in sorted(data.budget.missing_rates))
        note = _("Not converted (no exchange rate yet): %(list)s.") % {"list": missing}
    return Table("budget", _("Budget by year and Area (US dollars)"), columns, rows, note=note)


def comparison_table(data: MonitoringData) -> Table:
    """Country x year: completion, priority completion and spending."""
    columns = [
        Column("country", _("Country")),
        Column("year", _("Year"), "year"),
        Column("completion", _("Completed"), "pct"),
        Column("priority_completed", _("Priority activities completed"), "int"),
        Column("reported", _("Activities reported"), "int"),
        Column("pending", _("Reports not yet approved"), "int"),
        Column("spending", _("Government spending (USD)"), "usd"),
    ]
    rows = []
    for country in data.countries:
        for year in data.years:
            overall = data.completion(year=year, country=country.iso3)
            priority = data.completion(year=year, country=country.iso3, priority=True)
            rows.append(
                {
                    "country": country.display_name,
                    "iso3": country.iso3,
                    "year": year,
                    "completion": overall.rate,
                    "priority_completed": priority.completed,
                    "reported": overall.reported,
                    "pending": data.pending.get((country.iso3, year), 0),
                    "spending": data.usd(kind=BudgetKind.SPENDING, year=year, country=country.iso3),
                }
            )
    return Table("comparison", _("Cross-country comparison"), columns, rows)


def status_counts(
    data: MonitoringData, year: int, *, priority: bool | None = None
) -> dict[str, Counter]:
    """Per country: how many activities are in each status (approved reports)."""
    out: dict[str, Counter] = defaultdict(Counter)
    for country in data.countries:
        for activity in data.activities:
            if priority is not None and activity.priority != priority:
                continue
            status = data.status.get((country.iso3, activity.pk, year))
            out[country.iso3][status or "not_reported"] += 1
    return out


TABLES = {
    "completion": lambda data, year: completion_table(data, year),
    "priority": lambda data, year: priority_table(data, year),
    "budget": lambda data, year: budget_table(data),
    "comparison": lambda data, year: comparison_table(data),
}
