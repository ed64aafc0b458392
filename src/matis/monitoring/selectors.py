"""Reads of the monitoring app, always through the reader's scope.

Who reads what:

* users of a country read all of that country's reports, drafts included;
* region-wide users (secretariat, auditors, administrators) read every
  country's reports once submitted, never drafts: drafts stay with the country;
* the dashboards and the annual report show only approved reports, and show
  them to every signed-in user: sharing approved progress is what COMMIT is for.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from matis.access.models import Agency
from matis.access.scoping import scope_queryset
from matis.common.models import COMMIT_COUNTRIES, Country
from matis.monitoring.models import (
    ActivityReport,
    EvidenceFile,
    ExchangeRate,
    IndicatorActual,
    IndicatorBaseline,
    IndicatorTarget,
    NationalPlan,
    PlanIndicator,
    ReportingPeriod,
    ReviewComment,
    Workflow,
)
from matis.plans.models import Activity, Plan


def current_plan() -> Plan | None:
    return Plan.objects.filter(code="SPA3").first()


def visible_reports(user) -> QuerySet[ActivityReport]:
    """Activity reports ``user`` may read (see the module docstring)."""
    queryset = scope_queryset(user, ActivityReport.objects.all())
    if user.is_authenticated and user.is_region_wide:
        queryset = queryset.exclude(workflow=Workflow.DRAFT)
    return queryset


def report_detail(user, pk: int) -> ActivityReport:
    queryset = (
        visible_reports(user)
        .select_related(
            "country",
            "activity",
            "activity__area",
            "period",
            "period__plan",
            "approved_by",
            "updated_by",
        )
        .prefetch_related(
            "outputs",
            "responsible_agencies",
            "partners__function",
            "budget",
            Prefetch("comments", queryset=ReviewComment.objects.select_related("author")),
            Prefetch("evidence", queryset=EvidenceFile.objects.select_related("uploaded_by")),
            "activity__goals",
        )
    )
    try:
        return queryset.get(pk=pk)
    except ActivityReport.DoesNotExist:
        raise Http404 from None


def evidence_for(user, pk: int) -> EvidenceFile:
    """An evidence file whose report ``user`` may read; the same 404 otherwise."""
    reports = visible_reports(user)
    try:
        return EvidenceFile.objects.select_related("report", "report__period").get(
            pk=pk, report__in=reports
        )
    except EvidenceFile.DoesNotExist:
        raise Http404 from None


def periods(plan: Plan | None = None) -> QuerySet[ReportingPeriod]:
    plan = plan or current_plan()
    return ReportingPeriod.objects.filter(plan=plan).select_related("plan").order_by("year")


def default_period(plan: Plan | None = None) -> ReportingPeriod | None:
    """The period open for reporting today, else the latest one."""
    today = timezone.localdate()
    rows = list(periods(plan))
    for period in rows:
        if period.accepts_country_edits(today):
            return period
    return rows[-1] if rows else None


def period_for_year(year, plan: Plan | None = None) -> ReportingPeriod | None:
    try:
        year = int(year)
    except (TypeError, ValueError):
        return default_period(plan)
    return periods(plan).filter(year=year).first() or default_period(plan)


def countries_for(user) -> list[Country]:
    """COMMIT countries the user may pick in filters."""
    queryset = Country.objects.filter(iso3__in=COMMIT_COUNTRIES)
    if not user.is_region_wide:
        queryset = queryset.filter(iso3=user.country_id)
    return sorted(queryset, key=lambda c: COMMIT_COUNTRIES.index(c.iso3))


@dataclass
class MatrixRow:
    activity: Activity
    report: ActivityReport | None


def report_matrix(user, *, country_id: str, period: ReportingPeriod) -> list[MatrixRow]:
    """Every activity of the plan with the country's report for the period (if visible)."""
    activities = (
        Activity.objects.filter(area__plan=period.plan_id)
        .select_related("area")
        .order_by("area__number", "number")
    )
    reports = {
        r.activity_id: r
        for r in visible_reports(user)
        .filter(country_id=country_id, period=period)
        .prefetch_related("responsible_agencies")
        .only(
            "id",
            "activity_id",
            "progress",
            "workflow",
            "country_id",
            "updated_at",
            "narrative_language",
            "synthetic",
        )
    }
    return [MatrixRow(a, reports.get(a.pk)) for a in activities]


def review_queue(user, *, period: ReportingPeriod | None = None) -> QuerySet[ActivityReport]:
    """Reports waiting for the secretariat: submitted or reviewed."""
    queryset = (
        visible_reports(user)
        .filter(workflow__in=[Workflow.SUBMITTED, Workflow.REVIEWED])
        .select_related("activity", "country", "period")
    )
    if period is not None:
        queryset = queryset.filter(period=period)
    return queryset.order_by("submitted_at", "id")


def workflow_counts(user, *, period: ReportingPeriod) -> dict[tuple[str, str], int]:
    from django.db.models import Count

    rows = (
        visible_reports(user)
        .filter(period=period)
        .values("country_id", "workflow")
        .annotate(n=Count("id"))
    )
    return {(r["country_id"], r["workflow"]): r["n"] for r in rows}


@dataclass
class IndicatorRow:
    indicator: PlanIndicator
    baseline: IndicatorBaseline | None
    target: IndicatorTarget | None
    actual: IndicatorActual | None

    @property
    def met(self) -> bool | None:
        return self.indicator.is_met(
            self.actual.value if self.actual else None, self.target.value if self.target else None
        )

    @property
    def actual_is_computed(self) -> bool:
        """A computed value (not typed in): a computed indicator with no value takes one by hand."""
        return self.actual is not None and self.actual.source == PlanIndicator.Source.COMPUTED


def indicator_rows(*, country_id: str, period: ReportingPeriod) -> list[IndicatorRow]:
    """Every indicator with the country's baseline, target and actual for the period."""
    indicators = list(PlanIndicator.objects.select_related("goal", "goal__area"))
    baselines = {b.indicator_id: b for b in IndicatorBaseline.objects.filter(country_id=country_id)}
    targets = {
        t.indicator_id: t
        for t in IndicatorTarget.objects.filter(country_id=country_id, period=period)
    }
    actuals = {
        a.indicator_id: a
        for a in IndicatorActual.objects.filter(country_id=country_id, period=period)
    }
    return [
        IndicatorRow(i, baselines.get(i.pk), targets.get(i.pk), actuals.get(i.pk))
        for i in indicators
    ]


def national_plans(user) -> QuerySet[NationalPlan]:
    return scope_queryset(
        user, NationalPlan.objects.select_related("country").prefetch_related("budgets")
    )


def exchange_rates() -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.order_by("-year", "currency")


def country_agencies(country_id: str) -> QuerySet[Agency]:
    return Agency.objects.filter(country_id=country_id, is_active=True).order_by("name")
