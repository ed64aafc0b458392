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
    report = AnnualReport.objects.create(
        plan=plan,
        year=year,
        country_id=country_id,
        language=language,
        title=title[:300],
        requested_by=actor if actor is not None and actor.is_authenticated else None,
        step=_("Waiting for a worker"),
    )
    audit_record(
        actor=actor, action=AuditAction.RECORD_CREATE, obj=report, year=year, language=language
    )
    if enqueue:
        from matis.reports.tasks import render_annual_report

        transaction.on_commit(lambda: render_annual_report.enqueue(report.pk))
    return report


def _progress(report: AnnualReport, percent: int, step: str) -> None:
    report.progress, report.step = percent, step
    AnnualReport.objects.filter(pk=report.pk).update(progress=percent, step=step)


def annual_report_render(*, report_id: int) -> AnnualReport:
    """Build, render and store the report's HTML and PDF, recording progress as it goes.

    Runs in the background job; each progress step is committed on its own so
    that the page polling the record sees it.
    """
    report = AnnualReport.objects.select_related("plan").get(pk=report_id)
    if report.status == AnnualReport.Status.DONE:
        return report
    report.status, report.started_at = AnnualReport.Status.RUNNING, timezone.now()
    report.save(update_fields=["status", "started_at"])
    try:
        with override(report.language):
            _progress(report, 10, _("Collecting approved reports"))
            content = build_report(plan=report.plan, year=report.year, country_id=report.country_id)
            _progress(report, 40, _("Writing the document"))
            html_web = render_html(content, language=report.language, for_web=True)
            html_print = render_html(content, language=report.language, for_web=False)
            _progress(report, 60, _("Laying out the PDF"))
            pdf = render_pdf(html_print)
            _progress(report, 95, _("Storing the files"))
        name = f"annual-report-{report.year}-{report.country_id or 'regional'}-{report.language}"
        with transaction.atomic():
            report.html_file.save(f"{name}.html", ContentFile(html_web.encode("utf-8")), save=False)
            report.pdf_file.save(f"{name}.pdf", ContentFile(pdf.data), save=False)
            report.pages, report.synthetic = pdf.pages, content.synthetic
            report.title = report.title or content.title
            report.status, report.progress = AnnualReport.Status.DONE, 100
            report.step, report.finished_at = "", timezone.now()
            report.save()
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
        AnnualReport.objects.filter(pk=report.pk).update(
            status=AnnualReport.Status.FAILED,
            error=f"{type(exc).__name__}",
            finished_at=timezone.now(),
        )
        raise
    return report


@transaction.atomic
def annual_report_publish(*, actor: User, report: AnnualReport) -> AnnualReport:
    """Make a finished report readable by every signed-in user (secretariat only)."""
    if not has_perm(actor, "reports.publish_report"):
        raise PermissionDenied(_("Only the secretariat publishes reports."))
    if report.status != AnnualReport.Status.DONE:
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
