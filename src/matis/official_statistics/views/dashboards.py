"""Dashboards, downloads and exports: approved data, every logged-in user."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.scoping import scoped
from matis.common.calendars import display_year
from matis.common.models import COMMIT_COUNTRIES, Country
from matis.common.tables import download_response
from matis.exchange import conf as exchange_conf
from matis.exchange.consolidate import hub_panels
from matis.official_statistics import charts, dashboards, map_charts, selectors
from matis.official_statistics.io import writers
from matis.official_statistics.models import (
    StatisticalIndicator,
    ValidationRule,
)
from matis.official_statistics.views.common import (
    breakdown_dimension,
    breakdown_dimensions,
    build_table,
    country_param,
    download_links,
    indicator_param,
    int_param,
    observations_file_response,
)


@scoped("global")
@login_required
@require_GET
def dashboard(request):
    indicator = indicator_param(request)
    country = country_param(request)
    unit = indicator.get_unit_display()
    trend = build_table(request, "trend", indicator)
    comparison = build_table(request, "comparison", indicator)
    context = {
        "indicator": indicator,
        "indicators": StatisticalIndicator.objects.filter(is_active=True),
        "countries": Country.objects.filter(iso3__in=COMMIT_COUNTRIES),
        "country": country,
        "trend": trend,
        "trend_spec": charts.trend_chart(trend, y_title=unit),
        "trend_links": download_links(request, "trend"),
        "comparison": comparison,
        "comparison_spec": charts.comparison_chart(comparison, y_title=unit),
        "comparison_links": download_links(request, "comparison"),
        "comparison_map": map_charts.comparison_map(comparison, legend=unit),
        "province_map": map_charts.province_map(
            indicator, comparison.params.get("year"), legend=unit
        ),
        "route_charts": map_charts.latest_route_charts(request.user),
    }
    if exchange_conf.is_hub():  # the regional hub: where the figures come from, who is late
        context.update(hub_panels(request, indicator))
    if country:
        dimensions = breakdown_dimensions(indicator)
        dimension = breakdown_dimension(request, dimensions)
        if dimension is not None:
            table = dashboards.breakdown(indicator, dimension, country=country)
            years = table.params.get("years") or []
            context.update(
                breakdown=table,
                breakdown_chart_title=(
                    f"{table.title} ({display_year(years[-1])})" if years else table.title
                ),
                breakdown_spec=charts.breakdown_chart(table, y_title=unit),
                breakdown_links=download_links(request, "breakdown"),
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
        {"table": table, "links": download_links(request, "completeness")},
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
            "links": download_links(request, "context"),
            "countries": Country.objects.filter(iso3__in=COMMIT_COUNTRIES),
            "country": country_param(request),
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
        return download_response(writers.table_xlsx(table), f"{filename}.xlsx")
    if fmt != "csv":
        raise Http404("unknown format")
    return download_response(writers.table_csv_lines(table), f"{filename}.csv")


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
                "indicators": StatisticalIndicator.objects.filter(is_active=True),
                "countries": Country.objects.filter(iso3__in=COMMIT_COUNTRIES),
            },
        )
    qs = selectors.filter_observations(
        selectors.observations_published(),
        indicator=request.GET.get("indicator") or None,
        country=country_param(request),
        year_min=int_param(request.GET.get("from")),
        year_max=int_param(request.GET.get("to")),
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
    return download_response(
        writers.excel_template(request.user.country_id), "matis-statistics-template.xlsx"
    )


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


@scoped("global", model=StatisticalIndicator, lookup="code")
@login_required
@require_GET
def indicator_detail(request, code: str):
    indicator = get_object_or_404(
        StatisticalIndicator.objects.prefetch_related(
            "indicator_dimensions__dimension__code_list__codes"
        ),
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
