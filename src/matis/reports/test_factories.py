"""Factories for country-owned report objects (used by the authorisation tests)."""

from __future__ import annotations

from matis.plans.models import Plan
from matis.reports.models import AnnualReport
from matis.testing.factories import factory_for


@factory_for(AnnualReport)
def _annual_report(country: str, marker: str) -> AnnualReport:
    return AnnualReport.objects.create(
        plan=Plan.objects.get(code="SPA3"),
        year=2011,
        country_id=country,
        language="en",
        title=f"Annual report {marker}",
    )
