"""Helpers the pages and the API share: query-string parsing, dashboard tables, files."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse

from matis.common.models import COMMIT_COUNTRIES
from matis.common.tables import download_response
from matis.official_statistics import dashboards
from matis.official_statistics.io import writers
from matis.official_statistics.models import (
    Dimension,
    StatisticalIndicator,
)
from matis.official_statistics.models.observations import OBSERVATION_FIELDS

BREAKDOWN_DIMENSIONS = ("SEX", "AGE", "FORM", "CITIZENSHIP")


def int_param(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def indicator_param(request) -> StatisticalIndicator:
    code = request.GET.get("indicator")
    qs = StatisticalIndicator.objects.filter(is_active=True)
    found = qs.filter(code=code).first() if code else None
    return found or qs.filter(is_glotip=True).first() or qs.first() or _no_structure()


def _no_structure():
    raise Http404("no indicators")


def country_param(request) -> str | None:
    code = (request.GET.get("country") or "").upper()
    return code if code in COMMIT_COUNTRIES else None


def breakdown_dimensions(indicator: StatisticalIndicator) -> list[Dimension]:
    links = indicator.indicator_dimensions.select_related("dimension__code_list")
    return [link.dimension for link in links if link.dimension.code in BREAKDOWN_DIMENSIONS]


def breakdown_dimension(request, dimensions: list[Dimension]) -> Dimension | None:
    wanted = request.GET.get("dimension")
    return next((d for d in dimensions if d.code == wanted), dimensions[0] if dimensions else None)


def build_table(
    request, name: str, indicator: StatisticalIndicator | None = None
) -> dashboards.Table:
    """The dashboard table ``name`` for the query string (shared by pages and downloads)."""
    if name == "completeness":
        return dashboards.completeness()
    if name == "context":
        country = country_param(request)
        return dashboards.context(countries=[country] if country else None)
    indicator = indicator or indicator_param(request)
    if name == "trend":
        country = country_param(request)
        return dashboards.trend(
            indicator,
            countries=[country] if country else None,
            year_min=int_param(request.GET.get("from")),
            year_max=int_param(request.GET.get("to")),
        )
    if name == "comparison":
        return dashboards.comparison(indicator, year=int_param(request.GET.get("year")))
    if name == "breakdown":
        country = country_param(request)
        dimension = breakdown_dimension(request, breakdown_dimensions(indicator))
        if not country or dimension is None:
            raise Http404("a breakdown needs a country and a dimension")
        return dashboards.breakdown(indicator, dimension, country=country)
    raise Http404("unknown table")


def download_links(request, name: str) -> dict:
    params = request.GET.copy()
    params["table"] = name
    links = {}
    for fmt in ("csv", "xlsx"):
        params["fmt"] = fmt
        links[fmt] = f"{reverse('statistics:download')}?{params.urlencode()}"
    return links


def observations_file_response(rows_qs, fmt: str, filename: str):
    rows = (
        rows_qs.order_by("indicator_id", "country_id", "period", "series_key")
        .values_list(*OBSERVATION_FIELDS)
        .iterator(chunk_size=5000)
    )
    if fmt == "xlsx":
        return download_response(writers.observations_xlsx(rows), f"{filename}.xlsx")
    if fmt == "adx":
        return adx_response(rows, filename)
    if fmt == "sdmx-csv":
        lines, suffix = writers.observations_sdmx_lines(rows), "-sdmx.csv"
    elif fmt == "csv":
        lines, suffix = writers.observations_csv_lines(rows), ".csv"
    else:
        raise Http404("unknown format")
    return download_response(lines, f"{filename}{suffix}")


def adx_response(rows, filename: str):
    """Observations as DHIS2 ADX; a code the ADX mapping lacks is a 400 naming it."""
    from django.http import HttpResponseBadRequest

    from matis.official_statistics.io.adx import AdxExportError, observations_adx

    try:
        export = observations_adx(rows)
    except AdxExportError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    response = download_response(
        export.text.encode("utf-8"), f"{filename}-adx.xml", content_type="application/adx+xml"
    )
    response["X-MATIS-Withheld"] = str(export.n_withheld)
    return response
