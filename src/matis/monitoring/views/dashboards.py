"""Dashboards of approved progress and their downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from matis.access.scoping import scoped
from matis.common.tables import download_response
from matis.exchange import conf as exchange_conf
from matis.exchange.consolidate import reporting_status_table
from matis.monitoring import charts, dashboards, selectors, services
from matis.monitoring.services.exports import FORMATS


@scoped("global")
@login_required
def dashboard(request):
    """Approved progress of all countries: shared with every signed-in user (see selectors)."""
    period = selectors.period_for_year(request.GET.get("year"))
    data = dashboards.load_monitoring_data()
    if data is None or period is None:
        return render(request, "monitoring/dashboard.html", {"period": None})
    year = period.year
    completion = dashboards.completion_table(data, year)
    priority = dashboards.priority_table(data, year)
    budget = dashboards.budget_table(data)
    comparison = dashboards.comparison_table(data)
    sections = [
        {"table": completion, "chart": charts.completion_heatmap(completion, data)},
        {"table": priority, "chart": charts.priority_chart(data, year), "status_cells": True},
        {"table": budget, "chart": charts.budget_chart(budget)},
        {"table": comparison, "chart": charts.comparison_chart(comparison)},
    ]
    received = None
    if exchange_conf.is_hub():  # the regional hub: which governments' reports are missing or late
        received = reporting_status_table(year=year, plan=data.plan)
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "period": period,
            "periods": selectors.periods(),
            "sections": sections,
            "synthetic": data.synthetic,
            "received": received,
        },
    )


@scoped("global")
@login_required
def dashboard_download(request):
    name = request.GET.get("table", "")
    fmt = request.GET.get("format", "csv")
    if name not in dashboards.TABLES or fmt not in FORMATS:
        raise Http404
    period = selectors.period_for_year(request.GET.get("year"))
    data = dashboards.load_monitoring_data()
    if data is None or period is None:
        raise Http404
    table = dashboards.TABLES[name](data, period.year)
    payload, content_type = services.table_export(
        actor=request.user, table=table, fmt=fmt, year=period.year
    )
    return download_response(
        payload, f"matis-{name}-{period.year}.{fmt}", content_type=content_type
    )
