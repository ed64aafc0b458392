"""Requests, rendering and publication of annual monitoring reports."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.access.permissions import has_perm
from matis.common.jobs import JobStatus
from matis.common.models import COMMIT_COUNTRIES
from matis.monitoring.models import ReportingPeriod
from matis.plans.models import Plan
from matis.reports.builder import build_report
from matis.reports.models import AnnualReport
from matis.reports.render import render_html, render_pdf

logger = logging.getLogger(__name__)
REPORT_LANGUAGES = ("en", "th", "km", "lo", "my", "zh-hans", "vi")


@transaction.atomic
def annual_report_request(
    *,
    actor: User | None,
    year: int,
    language: str,
    country_id: str | None = None,
    title: str = "",
    plan: Plan | None = None,
    enqueue: bool = True,
) -> AnnualReport:
    """Record a request for a report and queue its rendering (after the commit)."""
    if actor is not None and not has_perm(actor, "reports.request_report", country_id):
        raise PermissionDenied(_("You may not prepare this report."))
    plan = plan or Plan.objects.get(code="SPA3")
    if language not in REPORT_LANGUAGES:
        raise ValidationError({"language": _("Unknown language.")})
    if country_id is not None and country_id not in COMMIT_COUNTRIES:
        raise ValidationError({"country": _("Not a COMMIT country.")})
    if not ReportingPeriod.objects.filter(plan=plan, year=year).exists():
        raise ValidationError(
            {"year": _("There is no reporting period for %(year)s.") % {"year": year}}
        )
    running = (
        AnnualReport.objects.select_for_update()
        .filter(
            plan=plan,
            year=year,
            country_id=country_id,
            language=language,
            title=title[:300],
            status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
        )
        .order_by("requested_at", "pk")
        .first()
    )
    if running is not None:
        # The same report is already being prepared: follow that one, not a duplicate job.
        running.is_duplicate_request = True
        return running
    report = AnnualReport.objects.create(
        plan=plan,
        year=year,
        country_id=country_id,
        language=language,
        title=title[:300],
        requested_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        actor=actor, action=AuditAction.RECORD_CREATE, obj=report, year=year, language=language
    )
    if enqueue:
        from matis.reports.tasks import render_annual_report

        transaction.on_commit(lambda: render_annual_report.enqueue(report.pk))
    return report


def annual_report_render(*, report_id: int) -> AnnualReport:
    """Build, render and store the report's HTML and PDF, recording progress as it goes.

    Runs in the background job; each progress step (a percentage, ``total=100``)
    is committed on its own so that the page polling the record sees it.
    """
    report = AnnualReport.objects.select_related("plan").get(pk=report_id)
    if report.status == JobStatus.DONE:
        return report
    report.start()
    try:
        with override(report.language):
            report.report_progress(phase="collect", done=10, total=100)
            content = build_report(plan=report.plan, year=report.year, country_id=report.country_id)
            report.report_progress(phase="write", done=40, total=100)
            html_web = render_html(content, language=report.language, for_web=True)
            html_print = render_html(content, language=report.language, for_web=False)
            report.report_progress(phase="layout", done=60, total=100)
            pdf = render_pdf(html_print)
            report.report_progress(phase="store", done=95, total=100)
        name = f"annual-report-{report.year}-{report.country_id or 'regional'}-{report.language}"
        with transaction.atomic():
            report.html_file.save(f"{name}.html", ContentFile(html_web.encode("utf-8")), save=False)
            report.pdf_file.save(f"{name}.pdf", ContentFile(pdf.data), save=False)
            report.finish(
                JobStatus.DONE,
                html_file=report.html_file,
                pdf_file=report.pdf_file,
                pages=pdf.pages,
                synthetic=content.synthetic,
                phase="",
            )
            audit_record(
                actor=report.requested_by,
                action=AuditAction.REPORT_RENDER,
                obj=report,
                year=report.year,
                language=report.language,
                pages=pdf.pages,
            )
    except Exception as exc:
        logger.exception("annual report %s failed", report.pk)
        report.finish(JobStatus.FAILED, error=type(exc).__name__)
        raise
    return report


@transaction.atomic
def annual_report_publish(*, actor: User, report: AnnualReport) -> AnnualReport:
    """Make a finished report readable by every signed-in user (secretariat only)."""
    if not has_perm(actor, "reports.publish_report"):
        raise PermissionDenied(_("Only the secretariat publishes reports."))
    if report.status != JobStatus.DONE:
        raise ValidationError(_("Only a finished report can be published."))
    if report.published_at is None:
        report.published_at, report.published_by = timezone.now(), actor
        report.save(update_fields=["published_at", "published_by"])
        audit_record(actor=actor, action=AuditAction.SHARE, obj=report, year=report.year)
    return report


@transaction.atomic
def annual_report_open(*, actor: User, report: AnnualReport, fmt: str):
    """Open the stored HTML or PDF for reading and audit the download."""
    field = report.pdf_file if fmt == "pdf" else report.html_file
    audit_record(actor=actor, action=AuditAction.FILE_DOWNLOAD, obj=report, format=fmt)
    return field.open("rb")
