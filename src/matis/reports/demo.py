"""Demo: the 2013 (final-year) regional report, in English and in Thai, as HTML and PDF."""

from __future__ import annotations

from matis.access.models import Role, User
from matis.common.jobs import JobStatus
from matis.monitoring.models import ReportingPeriod
from matis.reports.models import AnnualReport
from matis.reports.services import (
    annual_report_publish,
    annual_report_render,
    annual_report_request,
)

DEMO_YEAR = 2013
DEMO_LANGUAGES = ("en", "th")


def load_demo() -> str:
    if not ReportingPeriod.objects.filter(plan__code="SPA3", year=DEMO_YEAR).exists():
        return "no reporting period for 2013; nothing rendered"
    secretariat = User.objects.filter(role=Role.SECRETARIAT_ANALYST, country=None).first()
    made = []
    for language in DEMO_LANGUAGES:
        if AnnualReport.objects.filter(
            year=DEMO_YEAR, country=None, language=language, status=JobStatus.DONE
        ).exists():
            continue
        report = annual_report_request(actor=None, year=DEMO_YEAR, language=language, enqueue=False)
        report = annual_report_render(report_id=report.pk)
        if secretariat is not None:
            annual_report_publish(actor=secretariat, report=report)
        made.append(f"{language} ({report.pages} pages)")
    if not made:
        return "already rendered, nothing changed"
    return f"{DEMO_YEAR} annual report rendered as HTML and PDF: {', '.join(made)}"
