"""Factories for the country-owned monitoring objects (used by the authorisation tests)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.core.files.base import ContentFile
from django.utils import timezone

from matis.access.models import Agency, OrganisationType, Role, User
from matis.monitoring.models import (
    ActivityReport,
    EvidenceFile,
    IndicatorActual,
    NationalPlan,
    PlanIndicator,
    ReportingPeriod,
)
from matis.plans.models import Activity, Goal, Plan
from matis.testing.factories import factory_for

_counter = itertools.count(1)


def open_period(year: int = 2011) -> ReportingPeriod:
    """A period of SPA III that is open today."""
    today = timezone.localdate()
    period, _created = ReportingPeriod.objects.get_or_create(
        plan=Plan.objects.get(code="SPA3"),
        year=year,
        defaults={
            "opens_on": today - dt.timedelta(days=30),
            "closes_on": today + dt.timedelta(days=30),
        },
    )
    return period


def free_report_slot(country: str) -> tuple[ReportingPeriod, Activity]:
    """A period and activity for which ``country`` has no report yet."""
    for year in (2011, 2012, 2013):
        period = open_period(year)
        taken = ActivityReport.objects.filter(country_id=country, period=period)
        activity = (
            Activity.objects.filter(area__plan=period.plan_id)
            .exclude(pk__in=taken.values("activity_id"))
            .order_by("pk")
            .first()
        )
        if activity is not None:
            return period, activity
    raise LookupError(f"no free activity report slot left for {country}")


@factory_for(ActivityReport)
def _report(country: str, marker: str) -> ActivityReport:
    period, activity = free_report_slot(country)
    report = ActivityReport.objects.create(
        country_id=country,
        activity=activity,
        period=period,
        narrative=f"Narrative {marker}",
        narrative_language="en",
    )
    agency = Agency.objects.create(
        name=f"Agency {marker}", country_id=country, org_type=OrganisationType.CENTRAL_GOVERNMENT
    )
    report.responsible_agencies.add(agency)
    return report


@factory_for(EvidenceFile)
def _evidence(country: str, marker: str) -> EvidenceFile:
    report = _report(country, marker)
    uploader = User.objects.create_user(
        email=f"up-{marker.lower()}@test.example",
        password=None,
        role=Role.TASK_FORCE_OFFICER,
        country_id=country,
    )
    evidence = EvidenceFile(
        report=report,
        original_name=f"evidence-{marker}.pdf",
        content_type="application/pdf",
        size=20,
        sha256="0" * 64,
        uploaded_by=uploader,
    )
    evidence.file.save("evidence.pdf", ContentFile(b"%PDF-1.4\n% test file\n"), save=False)
    evidence.save()
    return evidence


@factory_for(NationalPlan)
def _national_plan(country: str, marker: str) -> NationalPlan:
    return NationalPlan.objects.create(
        country_id=country,
        title=f"National plan {marker}",
        start_year=1900 + next(_counter),
        end_year=2100,
    )


@factory_for(IndicatorActual)
def _indicator_actual(country: str, marker: str) -> IndicatorActual:
    indicator = PlanIndicator.objects.create(
        goal=Goal.objects.get(code="1.1", area__number=1),
        code=f"test-{marker.lower()}",
        name_en="Test indicator",
    )
    return IndicatorActual.objects.create(
        indicator=indicator,
        country_id=country,
        period=open_period(),
        value=1,
        source=PlanIndicator.Source.REPORTED,
        note=f"Source {marker}",
    )


def build_scenario(
    *,
    countries: tuple[str, ...] = ("THA", "KHM"),
    activities: int = 30,
    years: tuple[int, ...] = (2011,),
    workflow: str = "approved",
    seed: int = 1,
    currency: dict[str, str] | None = None,
) -> dict:
    """Reports with statuses, outputs and budget lines for tests of sizes and totals.

    Every country reports on the first ``activities`` activities in each year;
    amounts are whole numbers in each country's currency (``currency``) plus a
    USD partner contribution on every third report. Rates for 2011-2013 are set.
    Returns what it made, for assertions.
    """
    import random
    from decimal import Decimal

    from matis.monitoring.models import (
        BudgetEntry,
        BudgetKind,
        ExchangeRate,
        PartnerType,
        ProgressStatus,
        ReportOutput,
    )

    rng = random.Random(seed)  # noqa: S311 - test data, not security
    currency = currency or {
        "THA": "THB",
        "KHM": "KHR",
        "LAO": "LAK",
        "MMR": "MMK",
        "VNM": "VND",
        "CHN": "CNY",
    }
    rates = {
        "THB": "30.49",
        "KHR": "4058",
        "LAK": "8030",
        "MMK": "815",
        "VND": "20650",
        "CNY": "6.46",
    }
    for code, value in rates.items():
        for year in (2011, 2012, 2013):
            ExchangeRate.objects.get_or_create(
                currency=code, year=year, defaults={"units_per_usd": Decimal(value)}
            )
    chosen = list(
        Activity.objects.filter(area__plan__code="SPA3").order_by("area__number", "number")[
            :activities
        ]
    )
    statuses = list(ProgressStatus.values)
    made = {"reports": [], "entries": []}
    for year in years:
        period = open_period(year)
        for country in countries:
            for activity in chosen:
                report = ActivityReport.objects.create(
                    country_id=country,
                    activity=activity,
                    period=period,
                    progress=rng.choice(statuses),
                    workflow=workflow,
                    narrative="Test",
                    narrative_language="en",
                )
                made["reports"].append(report)
                ReportOutput.objects.create(
                    report=report, kind="officials_trained", count=rng.randint(1, 50)
                )
                amount = Decimal(rng.randint(1000, 900000))
                made["entries"].append(
                    BudgetEntry.objects.create(
                        report=report,
                        kind=BudgetKind.ALLOCATION,
                        currency=currency[country],
                        amount=amount,
                    )
                )
                made["entries"].append(
                    BudgetEntry.objects.create(
                        report=report,
                        kind=BudgetKind.SPENDING,
                        currency=currency[country],
                        amount=(amount * Decimal(rng.randint(30, 100)) / 100).quantize(
                            Decimal("0.01")
                        ),
                    )
                )
                if len(made["reports"]) % 3 == 0:
                    made["entries"].append(
                        BudgetEntry.objects.create(
                            report=report,
                            kind=BudgetKind.PARTNER,
                            partner_name="Partner X",
                            partner_type=PartnerType.NGO,
                            currency="USD",
                            amount=Decimal(rng.randint(100, 9999)),
                        )
                    )
    return made
