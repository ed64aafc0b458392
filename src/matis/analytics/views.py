import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import get_scoped_or_404, scoped
from matis.analytics import selectors, services
from matis.analytics.disclosure import min_cell, rounding_base
from matis.analytics.forms import AnalysisForm, DatasetForm
from matis.analytics.models import Analysis, AnalysisKind, Dataset
from matis.analytics.report import build_report, localise_table
from matis.analytics.route_charts import route_charts
from matis.analytics.runners import ParameterError
from matis.analytics.sources import SourceError, available_sources
from matis.common.files import upload_limit
from matis.common.jobs import JOB_STATUS_FIELDS, JobStatus, job_status_response
from matis.common.tables import Column, Table, table_download


def _source_choices(user):
    choices = [(s.key, s.label) for s in available_sources(user)]
    choices += [
        (f"dataset:{d.pk}", f"{d.name} ({d.n_rows})") for d in selectors.dataset_list(user=user)
    ]
    return choices


@scoped("country", model=Analysis)
@login_required
def analysis_list(request):
    kind = request.GET.get("kind") or None
    page = Paginator(selectors.analysis_list(user=request.user, kind=kind), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "analytics/analysis_list.html",
        {
            "page": page,
            "kinds": AnalysisKind.choices,
            "can_run": has_perm(request.user, "analytics.run_analysis"),
            "datasets": selectors.dataset_list(user=request.user)[:20],
        },
    )


@scoped("country", model=Analysis)
@login_required
@require_http_methods(["GET", "POST"])
def analysis_new(request):
    if not has_perm(request.user, "analytics.run_analysis"):
        raise PermissionDenied
    choices = _source_choices(request.user)
    form = AnalysisForm(
        request.POST or None,
        source_choices=choices,
        initial={"source": request.GET.get("source"), "kind": request.GET.get("kind")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            analysis = services.analysis_create(
                actor=request.user,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                source=form.cleaned_data["source"],
                parameters=form.parameters(),
            )
        except ParameterError as exc:
            form.add_error(
                f"{form.cleaned_data['kind']}__{exc.field}" if exc.field != "kind" else "kind",
                exc.message,
            )
        except SourceError as exc:
            form.add_error("source", str(exc))
        else:
            return redirect("analytics:analysis_detail", pk=analysis.pk)
    return render(request, "analytics/analysis_form.html", {"form": form})


def _rounded_to(analysis: Analysis) -> int | None:
    """The base the published tables were rounded to; ``None`` when small counts were hidden."""
    return next((t["rounded_to"] for t in analysis.published_tables if t.get("rounded_to")), None)


@scoped("country", model=Analysis, lookup="pk")
@login_required
def analysis_detail(request, pk: int):
    analysis = get_scoped_or_404(request.user, Analysis.objects.select_related("created_by"), pk=pk)
    # The report is built on the raw results; others see the published tables.
    raw = has_perm(request.user, "analytics.view_raw_results", analysis)
    report = build_report(analysis) if raw and analysis.status == JobStatus.DONE else None
    return render(
        request,
        "analytics/analysis_detail.html",
        {
            "analysis": analysis,
            "raw": raw,
            "report": report,
            "published_tables": [localise_table(t) for t in analysis.published_tables],
            "rounded_to": _rounded_to(analysis),
            "rounding_base": rounding_base(),
            "chart": report.chart if report else None,
            "route_charts": route_charts(analysis, raw=raw),
            "can_publish": has_perm(request.user, "analytics.publish_analysis", analysis)
            and analysis.status == JobStatus.DONE,
            "can_export": raw or analysis.published,
        },
    )


@scoped("country", model=Analysis, lookup="pk")
@login_required
def analysis_pdf(request, pk: int):
    """The result page as a PDF: a disclosure, so audited, and its counts protected.

    The analyst who ran it gets the whole report with every table of counts passed
    through disclosure control (a PDF leaves the system); others get the published
    version, as on the page, and nothing before it is published.
    """
    from matis.reports.render import TEXT_LAYER_PRIMER, render_pdf

    analysis = get_scoped_or_404(request.user, Analysis.objects.select_related("created_by"), pk=pk)
    raw = has_perm(request.user, "analytics.view_raw_results", analysis)
    if analysis.status != JobStatus.DONE:
        raise Http404
    if not raw and not analysis.published:
        raise PermissionDenied
    report = build_report(analysis, protect=True) if raw else None
    html = render_to_string(
        "analytics/analysis_report_pdf.html",
        {
            "analysis": analysis,
            "report": report,
            "published_tables": [localise_table(t) for t in analysis.published_tables],
            "rounded_to": _rounded_to(analysis),
            "language": get_language(),
            "text_layer_primer": TEXT_LAYER_PRIMER,
            "generated_at": timezone.now(),
            "min_cell": min_cell(),
        },
        request=request,
    )
    pdf = render_pdf(html)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=analysis,
        format="pdf",
        version="report" if raw else "published",
        pages=pdf.pages,
    )
    name = slugify(analysis.title) or "analysis"
    response = HttpResponse(pdf.data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@scoped("country", model=Analysis, lookup="pk")
@login_required
def analysis_status(request, pk: int):
    only = Analysis.objects.only("country", *JOB_STATUS_FIELDS)
    return job_status_response(get_scoped_or_404(request.user, only, pk=pk))


@scoped("country", model=Analysis, lookup="pk")
@login_required
def analysis_download(request, pk: int):
    """One result table as CSV or Excel: ``?table=N&format=csv|xlsx``."""
    analysis = get_scoped_or_404(request.user, Analysis.objects.all(), pk=pk)
    fmt = request.GET.get("format", "csv")
    if request.GET.get("published"):
        tables = analysis.published_tables
    elif has_perm(request.user, "analytics.view_raw_results", analysis):
        tables = analysis.tables
    else:
        # Not the analyst who ran it: the raw tables are not this reader's (403, as the
        # project-wide URL test expects of an own-country record one may not use).
        raise PermissionDenied
    try:
        index = int(request.GET.get("table", "0"))
        table = tables[index]
    except (ValueError, IndexError):
        raise Http404 from None
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    name = slugify(f"{analysis.title}-{table['name']}") or "table"
    audit_record(
        actor=request.user, action=AuditAction.EXPORT, obj=analysis, table=index, format=fmt
    )
    keys = [f"c{i}" for i in range(len(table["columns"]))]
    download = Table(
        table["name"] or "table",
        table["name"] or "",
        [Column(k, str(label)) for k, label in zip(keys, table["columns"], strict=True)],
        [dict(zip(keys, row, strict=False)) for row in table["rows"]],
    )
    provenance = [
        [key, json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value]
        for key, value in analysis.provenance.items()
    ]
    return table_download(download, fmt, name, extra_sheets=[("provenance", provenance)])


@scoped("country", model=Analysis, lookup="pk")
@login_required
@require_http_methods(["POST"])
def analysis_publish(request, pk: int):
    analysis = get_scoped_or_404(request.user, Analysis.objects.all(), pk=pk)
    method = request.POST.get("method", "suppress")
    try:
        services.analysis_publish(actor=request.user, analysis=analysis, method=method)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        if method == "round":
            messages.success(
                request,
                _("Published: counts are rounded to multiples of %(base)d in the published tables.")
                % {"base": rounding_base()},
            )
        else:
            messages.success(
                request, _("Published: counts below 11 are suppressed in the published tables.")
            )
    return redirect("analytics:analysis_detail", pk=analysis.pk)


@scoped("country", model=Dataset)
@login_required
@require_http_methods(["GET", "POST"])
@upload_limit(services.MAX_UPLOAD_BYTES)
def dataset_upload(request):
    if not has_perm(request.user, "analytics.run_analysis"):
        raise PermissionDenied
    form = DatasetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.dataset_upload(
                actor=request.user,
                name=form.cleaned_data["name"],
                raw=form.cleaned_data["file"].read(),
                description=form.cleaned_data["description"],
            )
        except services.DatasetError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("Data set uploaded: %(n)s rows.") % {"n": dataset.n_rows})
            return redirect(f"{_analysis_new_url()}?source=dataset:{dataset.pk}")
    return render(request, "analytics/dataset_form.html", {"form": form})


def _analysis_new_url():
    from django.urls import reverse

    return reverse("analytics:analysis_new")
