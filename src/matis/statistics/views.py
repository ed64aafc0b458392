"""Pages: dashboards (approved data, every user), submissions and imports (own country)."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.scoping import get_scoped_or_404, scoped
from matis.common.calendars import display_year
from matis.common.models import COMMIT_COUNTRIES, Country
from matis.statistics import charts, dashboards, selectors
from matis.statistics.forms import CommentForm, ImportForm, ObservationForm, ReasonForm
from matis.statistics.io import writers
from matis.statistics.models import (
    Dimension,
    ImportJob,
    Indicator,
    Observation,
    Submission,
    SubmissionTransitionError,
    ValidationRule,
)
from matis.statistics.permissions import can_approve, can_edit_country, can_unlock
from matis.statistics.services import (
    SubmissionBlocked,
    observation_update,
    submission_approve,
    submission_reopen,
    submission_return,
    submission_submit,
    submission_validate,
    violation_comment,
)
from matis.statistics.services.submissions import violation_summary
from matis.statistics.tasks import run_import_job

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BREAKDOWN_DIMENSIONS = ("SEX", "AGE", "FORM", "CITIZENSHIP")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _indicator(request) -> Indicator:
    code = request.GET.get("indicator")
    qs = Indicator.objects.filter(is_active=True)
    found = qs.filter(code=code).first() if code else None
    return found or qs.filter(is_glotip=True).first() or qs.first() or _no_structure()


def _no_structure():
    raise Http404("no indicators")


def _country(request) -> str | None:
    code = (request.GET.get("country") or "").upper()
    return code if code in COMMIT_COUNTRIES else None


def _breakdown_dimensions(indicator: Indicator) -> list[Dimension]:
    links = indicator.indicator_dimensions.select_related("dimension__code_list")
    return [link.dimension for link in links if link.dimension.code in BREAKDOWN_DIMENSIONS]


def _breakdown_dimension(request, dimensions: list[Dimension]) -> Dimension | None:
    wanted = request.GET.get("dimension")
    return next((d for d in dimensions if d.code == wanted), dimensions[0] if dimensions else None)


def build_table(request, name: str, indicator: Indicator | None = None) -> dashboards.Table:
    """The dashboard table ``name`` for the query string (shared by pages and downloads)."""
    if name == "completeness":
        return dashboards.completeness()
    if name == "context":
        country = _country(request)
        return dashboards.context(countries=[country] if country else None)
    indicator = indicator or _indicator(request)
    if name == "trend":
        country = _country(request)
        return dashboards.trend(
            indicator,
            countries=[country] if country else None,
            year_min=_int(request.GET.get("from")),
            year_max=_int(request.GET.get("to")),
        )
    if name == "comparison":
        return dashboards.comparison(indicator, year=_int(request.GET.get("year")))
    if name == "breakdown":
        country = _country(request)
        dimension = _breakdown_dimension(request, _breakdown_dimensions(indicator))
        if not country or dimension is None:
            raise Http404("a breakdown needs a country and a dimension")
        return dashboards.breakdown(indicator, dimension, country=country)
    raise Http404("unknown table")


def _download_links(request, name: str) -> dict:
    params = request.GET.copy()
    params["table"] = name
    links = {}
    for fmt in ("csv", "xlsx"):
        params["fmt"] = fmt
        links[fmt] = f"{reverse('statistics:download')}?{params.urlencode()}"
    return links


@scoped("global")
@login_required
@require_GET
def dashboard(request):
    indicator = _indicator(request)
    country = _country(request)
    unit = indicator.get_unit_display()
    trend = build_table(request, "trend", indicator)
    comparison = build_table(request, "comparison", indicator)
    context = {
        "indicator": indicator,
        "indicators": Indicator.objects.filter(is_active=True),
        "countries": Country.objects.filter(iso3__in=COMMIT_COUNTRIES),
        "country": country,
        "trend": trend,
        "trend_spec": charts.trend_chart(trend, y_title=unit),
        "trend_links": _download_links(request, "trend"),
        "comparison": comparison,
        "comparison_spec": charts.comparison_chart(comparison, y_title=unit),
        "comparison_links": _download_links(request, "comparison"),
    }
    if country:
        dimensions = _breakdown_dimensions(indicator)
        dimension = _breakdown_dimension(request, dimensions)
        if dimension is not None:
            table = dashboards.breakdown(indicator, dimension, country=country)
            years = table.params.get("years") or []
            context.update(
                breakdown=table,
                breakdown_chart_title=(
                    f"{table.title} ({display_year(years[-1])})" if years else table.title
                ),
                breakdown_spec=charts.breakdown_chart(table, y_title=unit),
                breakdown_links=_download_links(request, "breakdown"),
                dimension=dimension,
                dimensions=dimensions,
            )
    return render(request, "statistics/dashboard.html", context)


@scoped("global")
@login_required
@require_GET
def completeness(request):
    table = build_table(request, "completeness")
    return render(
        request,
        "statistics/completeness.html",
        {"table": table, "links": _download_links(request, "completeness")},
    )


@scoped("global")
@login_required
@require_GET
def context_series(request):
    table = build_table(request, "context")
    return render(
        request,
        "statistics/context.html",
        {
            "table": table,
            "links": _download_links(request, "context"),
            "countries": Country.objects.filter(iso3__in=COMMIT_COUNTRIES),
            "country": _country(request),
            "tier_spec": charts.context_chart(
                table, "TIP_TIER", y_title=_("Tier (1 best, 3 worst)"), reverse=True, domain=(1, 3)
            ),
            "p3_spec": charts.context_chart(
                table, "P3_INDEX", y_title=_("3P index (3 to 15)"), domain=(3, 15)
            ),
        },
    )


@scoped("global")
@login_required
@require_GET
def download(request):
    """A dashboard table as CSV or Excel, exactly as the page shows it."""
    table = build_table(request, request.GET.get("table", ""))
    fmt = request.GET.get("fmt", "csv")
    filename = f"matis-{table.name}"
    if fmt == "xlsx":
        response = HttpResponse(writers.table_xlsx(table), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    if fmt != "csv":
        raise Http404("unknown format")
    response = StreamingHttpResponse(
        writers.table_csv_lines(table), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def observations_file_response(rows_qs, fmt: str, filename: str):
    rows = (
        rows_qs.order_by("indicator_id", "country_id", "period", "series_key")
        .values_list(*writers.OBSERVATION_FIELDS)
        .iterator(chunk_size=5000)
    )
    if fmt == "xlsx":
        response = HttpResponse(writers.observations_xlsx(rows), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    if fmt == "sdmx-csv":
        lines, suffix = writers.observations_sdmx_lines(rows), "-sdmx.csv"
    elif fmt == "csv":
        lines, suffix = writers.observations_csv_lines(rows), ".csv"
    else:
        raise Http404("unknown format")
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}{suffix}"'
    return response


@scoped("global")
@login_required
@require_GET
def export(request):
    """Approved observations, filtered, as CSV, Excel or SDMX-CSV (or the form to choose)."""
    fmt = request.GET.get("fmt")
    if not fmt:
        return render(
            request,
            "statistics/export.html",
            {
                "indicators": Indicator.objects.filter(is_active=True),
                "countries": Country.objects.filter(iso3__in=COMMIT_COUNTRIES),
            },
        )
    qs = selectors.filter_observations(
        selectors.observations_published(),
        indicator=request.GET.get("indicator") or None,
        country=_country(request),
        year_min=_int(request.GET.get("from")),
        year_max=_int(request.GET.get("to")),
        series_key="" if request.GET.get("totals") else None,
    )
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="statistics.observation",
        format=fmt,
        query=request.GET.urlencode()[:300],
    )
    return observations_file_response(qs, fmt, "matis-statistics")


@scoped("global")
@login_required
@require_GET
def template_download(request):
    response = HttpResponse(writers.excel_template(request.user.country_id), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="matis-statistics-template.xlsx"'
    return response


@scoped("global")
@login_required
@require_GET
def indicator_list(request):
    return render(
        request,
        "statistics/indicator_list.html",
        {
            "indicators": selectors.active_indicators(),
            "rules": ValidationRule.objects.select_related("indicator", "dimension"),
        },
    )


@scoped("global", model=Indicator, lookup="code")
@login_required
@require_GET
def indicator_detail(request, code: str):
    indicator = get_object_or_404(
        Indicator.objects.prefetch_related("indicator_dimensions__dimension__code_list__codes"),
        code=code,
    )
    table = dashboards.trend(indicator)
    return render(
        request,
        "statistics/indicator_detail.html",
        {
            "indicator": indicator,
            "table": table,
            "rules": ValidationRule.objects.filter(is_active=True)
            .filter(Q(indicator__isnull=True) | Q(indicator=indicator))
            .select_related("dimension"),
        },
    )


# --- submissions -------------------------------------------------------------------------


@scoped("country", model=Submission)
@login_required
@require_GET
def submission_list(request):
    status = request.GET.get("status") or None
    qs = selectors.submission_list(
        request.user, country=_country(request), status=status, year=_int(request.GET.get("year"))
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "statistics/submission_list.html",
        {
            "page": page,
            "statuses": Submission.Status.choices,
            "countries": Country.objects.filter(iso3__in=COMMIT_COUNTRIES),
            "can_import": can_edit_country(request.user, request.user.country_id),
        },
    )


def _submission(request, pk: int) -> Submission:
    return get_scoped_or_404(
        request.user,
        Submission.objects.select_related("country", "submitted_by", "approved_by"),
        pk=pk,
    )


@scoped("country", model=Submission, lookup="pk")
@login_required
@require_GET
def submission_detail(request, pk: int):
    submission = _submission(request, pk)
    observations = selectors.submission_observations(request.user, submission)
    page = Paginator(observations, 100).get_page(request.GET.get("page"))
    violations = list(selectors.submission_violations(submission))
    labels = selectors.series_labels()
    for item in [*page, *violations]:
        item.series_label = selectors.label_series(item.series_key, labels)
    user = request.user
    return render(
        request,
        "statistics/submission_detail.html",
        {
            "submission": submission,
            "page": page,
            "violations": violations,
            "summary": violation_summary(submission),
            "can_edit": can_edit_country(user, submission.country_id),
            "can_approve": can_approve(user, submission),
            "can_unlock": can_unlock(user, submission),
            "reason_form": ReasonForm(),
        },
    )


@scoped("country", model=Submission, lookup="pk")
@login_required
def submission_action(request, pk: int):
    submission = _submission(request, pk)
    if request.method != "POST":
        return redirect("statistics:submission_detail", pk=submission.pk)
    action = request.POST.get("action")
    reason = request.POST.get("reason", "")
    user = request.user
    try:
        if action == "validate":
            if not can_edit_country(user, submission.country_id):
                raise PermissionDenied
            summary = submission_validate(actor=user, submission=submission)
            messages.info(
                request,
                _("Checked: %(e)s error(s), %(w)s warning(s).")
                % {"e": summary.n_errors, "w": summary.n_warnings},
            )
        elif action == "submit":
            submission_submit(actor=user, submission=submission)
            messages.success(request, _("Submitted for approval."))
        elif action == "return":
            submission_return(actor=user, submission=submission, reason=reason)
            messages.info(request, _("Returned to draft."))
        elif action == "approve":
            submission_approve(actor=user, submission=submission)
            messages.success(request, _("Approved and locked."))
        elif action == "reopen":
            submission_reopen(actor=user, submission=submission, reason=reason)
            messages.info(request, _("Reopened as a draft."))
        else:
            messages.error(request, _("Unknown action."))
    except SubmissionBlocked as exc:
        messages.error(request, str(exc))
    except SubmissionTransitionError:
        messages.error(
            request,
            _("This step is not possible while the submission is %(status)s.")
            % {"status": submission.get_status_display()},
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("statistics:submission_detail", pk=submission.pk)


@scoped("country", model=Submission, lookup="pk")
@login_required
def submission_comment(request, pk: int):
    submission = _submission(request, pk)
    if request.method != "POST":
        return redirect("statistics:submission_detail", pk=submission.pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment."))
        return redirect("statistics:submission_detail", pk=submission.pk)
    violation = get_object_or_404(submission.violations, pk=form.cleaned_data["violation"])
    try:
        violation_comment(
            actor=request.user, violation=violation, comment=form.cleaned_data["comment"]
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Comment saved."))
    return redirect(f"{reverse('statistics:submission_detail', args=[submission.pk])}#violations")


@scoped("country", model=Submission, lookup="pk")
@login_required
@require_GET
def submission_download(request, pk: int):
    submission = _submission(request, pk)
    qs = selectors.observations_visible(request.user).filter(submission=submission)
    return observations_file_response(
        qs, request.GET.get("fmt", "csv"), f"matis-{submission.country_id}-{submission.period}"
    )


@scoped("country", model=Observation, lookup="pk")
@login_required
def observation_detail(request, pk: int):
    # Approved figures of every country are public; drafts only for their own country.
    observation = get_object_or_404(
        selectors.observations_visible(request.user).select_related(
            "indicator", "submission", "country"
        ),
        pk=pk,
    )
    editable = observation.submission.is_editable and can_edit_country(
        request.user, observation.country_id
    )
    form = None
    if editable:
        initial = {
            "value": observation.display.replace(",", ""),
            "is_estimated": observation.is_estimated,
            "is_provisional": observation.is_provisional,
        }
        form = ObservationForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                changed = observation_update(
                    actor=request.user,
                    observation=observation,
                    value_text=form.cleaned_data["value"],
                    is_estimated=form.cleaned_data["is_estimated"],
                    is_provisional=form.cleaned_data["is_provisional"],
                    reason=form.cleaned_data["reason"],
                )
            except ValueError as exc:
                form.add_error("value", str(exc))
            else:
                messages.success(request, _("Saved.") if changed else _("Nothing changed."))
                return redirect("statistics:observation_detail", pk=observation.pk)
    elif request.method == "POST":
        raise PermissionDenied
    observation.series_label = selectors.label_series(
        observation.series_key, selectors.series_labels()
    )
    return render(
        request,
        "statistics/observation_detail.html",
        {
            "observation": observation,
            "form": form,
            "revisions": selectors.observation_revisions(observation),
        },
    )


# --- imports -----------------------------------------------------------------------------


@scoped("country", model=ImportJob)
@login_required
def import_upload(request):
    user = request.user
    allowed = can_edit_country(user, user.country_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            name = PurePath(upload.name).name[:200]
            stored = default_storage.save(f"statistics/imports/{uuid.uuid4().hex}", upload)
            job = ImportJob.objects.create(
                country_id=user.country_id,
                created_by=user,
                format=form.cleaned_data["format"],
                filename=name,
                stored_file=stored,
                dry_run=form.cleaned_data["dry_run"],
            )
            audit_record(actor=user, action=AuditAction.FILE_UPLOAD, obj=job, filename=name)
            run_import_job.enqueue(job.pk)
            return redirect("statistics:import_job", pk=job.pk)
    jobs = selectors.import_jobs_visible(user)[:20]
    return render(
        request, "statistics/import.html", {"form": form, "jobs": jobs, "allowed": allowed}
    )


def _job(request, pk: int) -> ImportJob:
    return get_scoped_or_404(request.user, ImportJob.objects.select_related("created_by"), pk=pk)


@scoped("country", model=ImportJob, lookup="pk")
@login_required
@require_GET
def import_job(request, pk: int):
    return render(request, "statistics/import_job.html", {"job": _job(request, pk)})


@scoped("country", model=ImportJob, lookup="pk")
@login_required
@require_GET
def import_job_status(request, pk: int):
    """Progress for ``includes/job_progress.html`` (``static/matis/js/progress.js``)."""
    job = _job(request, pk)
    return JsonResponse(
        {
            "progress": job.progress,
            "status": job.get_status_display(),
            "message": job.progress_message,
            "finished": job.is_finished,
            "phase": job.phase,
            "done": job.done,
            "total": job.total,
            "created": job.n_created,
            "updated": job.n_updated,
            "unchanged": job.n_unchanged,
            "n_errors": job.n_errors,
            "errors": job.errors[:50],
        }
    )


@scoped("country", model=ImportJob, lookup="pk")
@login_required
@require_GET
def import_job_file(request, pk: int):
    """The uploaded file, back to the people who may see the job."""
    job = _job(request, pk)
    if not job.stored_file or not default_storage.exists(job.stored_file):
        raise Http404
    audit_record(actor=request.user, action=AuditAction.FILE_DOWNLOAD, obj=job)
    return FileResponse(
        default_storage.open(job.stored_file, "rb"), as_attachment=True, filename=job.filename
    )
