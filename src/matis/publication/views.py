"""The published face of MATIS: no login, read only from releases.

This module imports nothing from cases, returns or justice (an import-linter
contract checks it), so no page here can reach personal data.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from matis.common.tables import download_response
from matis.official_statistics import charts
from matis.official_statistics.io import writers
from matis.plans.selectors import area_list_with_activities, current_plan
from matis.publication import sdmx, selectors
from matis.publication import tables as public_tables
from matis.publication.models import Release
from matis.publication.throttling import public_view


def _lang_links(request) -> list[tuple[str, str, str]]:
    params = request.GET.copy()
    links = []
    for code, name in settings.LANGUAGES:
        params["lang"] = code
        links.append((code, str(name), f"{request.path}?{params.urlencode()}"))
    return links


def _render(request, template: str, context: dict):
    context["lang_links"] = _lang_links(request)
    context["lang_param"] = request.GET.get("lang", "")
    return render(request, template, context)


@public_view
def index(request):
    return _render(
        request,
        "publication/index.html",
        {
            "datasets": selectors.statistics_datasets(),
            "reports": selectors.report_releases()[:10],
        },
    )


def _dataset_context(request, release: Release) -> dict:
    snap = release.snapshot
    indicator = public_tables.pick_indicator(snap, request.GET.get("indicator"))
    if indicator is None:
        raise Http404("empty release")
    table = public_tables.trend(snap, indicator)
    unit = dict(writers.SDMX_UNITS).get(indicator["unit"], indicator["unit"])
    return {
        "release": release,
        "indicator": indicator,
        "indicators": [
            {"code": i["code"], "name": public_tables.indicator_name(i)} for i in snap["indicators"]
        ],
        "table": table,
        "spec": charts.trend_chart(table, y_title=str(unit).lower()),
        "versions": selectors.versions(release.dataset),
    }


@public_view
def dataset(request, dataset: str, version: int | None = None):
    release = selectors.statistics_release(dataset, version)
    context = _dataset_context(request, release)
    base = (
        reverse("public:dataset_version", args=[release.dataset, release.version])
        + f"download/?indicator={context['indicator']['code']}"
    )
    context["downloads"] = {
        fmt.replace("-", "_"): f"{base}&fmt={fmt}" for fmt in ("csv", "xlsx", "sdmx-csv")
    }
    context["sdmx_data"] = reverse("public:sdmx_data", args=["MATIS,TIP_STATISTICS,1.0", "all"])
    return _render(request, "publication/dataset.html", context)


@public_view
def download(request, dataset: str, version: int):
    """The page's table as CSV or Excel; the indicator's released data as SDMX-CSV."""
    release = selectors.statistics_release(dataset, version)
    context = _dataset_context(request, release)
    table = context["table"]
    fmt = request.GET.get("fmt", "csv")
    name = f"matis-{release.dataset}-v{release.version}-{context['indicator']['code'].lower()}"
    if fmt == "csv":
        return download_response(writers.table_csv_lines(table), f"{name}.csv")
    if fmt == "xlsx":
        return download_response(writers.table_xlsx(table), f"{name}.xlsx")
    if fmt == "sdmx-csv":
        snap = release.snapshot
        wanted = [None] * len(sdmx.dimension_ids(snap))
        wanted[0] = {context["indicator"]["code"]}
        selected = sdmx.series(snap, wanted)
        return download_response(sdmx.data_csv_lines(release, selected), f"{name}-sdmx.csv")
    raise Http404("unknown format")


@public_view
def reports(request):
    return _render(request, "publication/reports.html", {"reports": selectors.report_releases()})


@public_view
def report_file(request, pk: int, fmt: str):
    release = get_object_or_404(selectors.report_releases(), pk=pk)
    field = {"pdf": release.report.pdf_file, "html": release.report.html_file}.get(fmt)
    if not field:
        raise Http404("no such file")
    content_type = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    with field.open("rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{release.dataset}.{fmt}"'
    return response


@public_view
def plan(request):
    return _render(
        request,
        "publication/plan.html",
        {"plan": current_plan(), "areas": area_list_with_activities()},
    )


@public_view
def catalog(request):
    """DCAT (JSON-LD): every published dataset, each version a dcat:Dataset with its files."""
    root = request.build_absolute_uri("/")[:-1]
    datasets = []
    for release in selectors.published_releases().defer("snapshot").order_by("dataset", "version"):
        if release.kind == Release.Kind.STATISTICS:
            page = reverse("public:dataset_version", args=[release.dataset, release.version])
            distributions = [
                {
                    "@type": "dcat:Distribution",
                    "dcat:accessURL": {"@id": f"{root}{page}"},
                    "dcat:mediaType": "text/html",
                },
                {
                    "@type": "dcat:Distribution",
                    "dcat:downloadURL": {
                        "@id": root
                        + reverse("public:sdmx_data", args=["MATIS,TIP_STATISTICS,1.0", "all"])
                        + "?format=csv"
                    },
                    "dcat:mediaType": "application/vnd.sdmx.data+csv",
                },
            ]
        else:
            page = reverse("public:reports")
            distributions = [
                {
                    "@type": "dcat:Distribution",
                    "dcat:downloadURL": {
                        "@id": root + reverse("public:report_file", args=[release.pk, "pdf"])
                    },
                    "dcat:mediaType": "application/pdf",
                }
            ]
        datasets.append(
            {
                "@id": f"{root}{page}",
                "@type": "dcat:Dataset",
                "dct:identifier": f"{release.dataset}/v{release.version}",
                "dct:title": release.title,
                "dct:issued": release.publish_at.isoformat(),
                "dcat:version": str(release.version),
                "adms:versionNotes": release.revision_note,
                "dct:publisher": "COMMIT Secretariat",
                "dcat:distribution": distributions,
            }
        )
    body = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "adms": "http://www.w3.org/ns/adms#",
        },
        "@id": f"{root}/public/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": "MATIS published statistics and reports",
        "dcat:dataset": datasets,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1), content_type="application/ld+json"
    )


# --- SDMX REST (2.1 paths) ------------------------------------------------------------------


def _flow_release(agency: str, flow: str, version: str) -> Release:
    if (
        agency not in (sdmx.AGENCY, "all")
        or flow != sdmx.FLOW
        or version
        not in (
            sdmx.VERSION,
            "latest",
        )
    ):
        raise Http404("unknown dataflow")
    return selectors.statistics_release("tip-statistics")


@public_view
def sdmx_dataflow(request, agency: str, flow: str, version: str = "latest"):
    release = _flow_release(agency, flow, version)
    return HttpResponse(sdmx.structure_xml(release), content_type=sdmx.STRUCTURE_TYPE)


@public_view
def sdmx_data(request, flow_ref: str, key: str = "all"):
    parts = flow_ref.split(",")
    if len(parts) == 1:
        parts = [sdmx.AGENCY, parts[0], sdmx.VERSION]
    if len(parts) != 3:
        return HttpResponseBadRequest("flowRef is AGENCY,FLOW,VERSION\n")
    release = _flow_release(*parts)
    try:
        wanted = sdmx.parse_query_key(release.snapshot, key)
    except sdmx.KeyError_ as exc:
        return HttpResponseBadRequest(f"{exc}\n", content_type="text/plain; charset=utf-8")

    def year(name):
        value = request.GET.get(name)
        try:
            return int(str(value)[:4]) if value else None
        except ValueError:
            return None

    selected = sdmx.series(release.snapshot, wanted, year("startPeriod"), year("endPeriod"))
    if not selected:
        return HttpResponse("NoResultsFound\n", status=404, content_type="text/plain")
    fmt = request.GET.get("format", "")
    accept = request.headers.get("Accept", "")
    if fmt in ("csv", "sdmx-csv") or "csv" in accept:
        response = HttpResponse(
            "".join(sdmx.data_csv_lines(release, selected)), content_type=sdmx.CSV_TYPE
        )
    elif fmt == "structurespecificdata" or "structurespecificdata" in accept:
        response = HttpResponse(
            sdmx.structure_specific_data_xml(release, selected),
            content_type=sdmx.STRUCTURE_SPECIFIC_TYPE,
        )
    else:
        response = HttpResponse(
            sdmx.generic_data_xml(release, selected), content_type=sdmx.GENERIC_TYPE
        )
    response["Vary"] = "Accept"
    return response
