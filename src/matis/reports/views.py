"""Annual report pages: list and request, progress, the stored HTML and PDF, publication."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.common.jobs import JobStatus, job_status_response
from matis.monitoring import selectors as monitoring_selectors
from matis.reports import selectors, services
from matis.reports.forms import ReportRequestForm
from matis.reports.models import AnnualReport


@scoped("country", model=AnnualReport)
@login_required
def report_list(request):
    user = request.user
    years = [p.year for p in monitoring_selectors.periods()]
    countries = monitoring_selectors.countries_for(user)
    can_request = has_perm(user, "reports.request_report", user.country_id)
    form = ReportRequestForm(
        request.POST or None,
        years=years,
        countries=countries,
        region_wide=user.is_region_wide,
        initial={"report_language": request.LANGUAGE_CODE, "year": years[-1] if years else None},
    )
    if request.method == "POST":
        if not can_request:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.annual_report_request(
                    actor=user,
                    year=data["year"],
                    language=data["report_language"],
                    country_id=data["country"] or None,
                    title=data["title"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                if getattr(report, "is_duplicate_request", False):
                    messages.info(
                        request,
                        _("The same report is already being prepared: this is its page."),
                    )
                return redirect("reports:report_status", pk=report.pk)
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": selectors.visible_annual_reports(user)[:200],
            "form": form,
            "can_request": can_request and bool(years),
        },
    )


@scoped("country", model=AnnualReport, lookup="pk")
@login_required
def report_status(request, pk: int):
    report = selectors.annual_report_for(request.user, pk)
    return render(
        request,
        "reports/report_status.html",
        {"report": report, "can_publish": has_perm(request.user, "reports.publish_report")},
    )


@scoped("country", model=AnnualReport, lookup="pk")
@login_required
def report_progress(request, pk: int):
    """Progress for ``includes/job_progress.html`` (``static/matis/js/progress.js``)."""
    return job_status_response(selectors.annual_report_for(request.user, pk))


def _serve(request, pk: int, fmt: str):
    report = selectors.annual_report_for(request.user, pk)
    if report.status != JobStatus.DONE:
        return redirect("reports:report_status", pk=report.pk)
    handle = services.annual_report_open(actor=request.user, report=report, fmt=fmt)
    name = (
        f"matis-annual-report-{report.year}-{report.country_id or 'regional'}-"
        f"{report.language}.{fmt}"
    )
    response = FileResponse(
        handle,
        as_attachment=fmt == "pdf",
        filename=name,
        content_type="application/pdf" if fmt == "pdf" else "text/html; charset=utf-8",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@scoped("country", model=AnnualReport, lookup="pk")
@login_required
def report_html(request, pk: int):
    return _serve(request, pk, "html")


@scoped("country", model=AnnualReport, lookup="pk")
@login_required
def report_pdf(request, pk: int):
    return _serve(request, pk, "pdf")


@scoped("country", model=AnnualReport, lookup="pk")
@login_required
def report_publish(request, pk: int):
    report = selectors.annual_report_for(request.user, pk)
    if request.method == "POST":
        try:
            services.annual_report_publish(actor=request.user, report=report)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Published: every signed-in user can now read it."))
    return redirect("reports:report_status", pk=report.pk)
