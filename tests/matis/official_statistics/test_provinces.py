"""Official statistics by province (ISO 3166-2): every path from a file to the public SDMX.

The PROVINCE dimension's code list (CL_PROVINCE) is the places table; a row's
province must be one of its country's; a country's national figure is its
grand total, or the sum of its provinces where it reported provinces only.
"""

from __future__ import annotations

import io

import pytest
from stats_helpers import csv_bytes, import_csv

from matis.official_statistics.models import Code, Observation, Submission
from matis.official_statistics.services import ImportRejected, observations_import

HEADER = ("indicator", "country", "year", "province", "value")


def _thai_rows():
    return [
        ["VICTIMS_DETECTED", "THA", "2022", "", "40"],
        ["VICTIMS_DETECTED", "THA", "2022", "TH-50", "25"],
        ["VICTIMS_DETECTED", "THA", "2022", "TH-10", "12"],
    ]


@pytest.mark.django_db
def test_the_province_code_list_is_the_places_table():
    from matis.common.models import Subdivision
    from matis.official_statistics.models import IndicatorDimension

    codes = set(Code.objects.filter(code_list__code="CL_PROVINCE").values_list("code", flat=True))
    subdivisions = set(Subdivision.objects.values_list("code", flat=True))
    assert codes == subdivisions and {"TH-50", "KH-12", "VN-HN", "MM-11"} <= codes
    chiang_mai = Code.objects.get(code_list__code="CL_PROVINCE", code="TH-50")
    assert chiang_mai.name_en == "Chiang Mai" and chiang_mai.name_th == "เชียงใหม่"
    assert IndicatorDimension.objects.filter(
        indicator__code="VICTIMS_DETECTED", dimension__code="PROVINCE"
    ).exists()


@pytest.mark.django_db
def test_csv_rows_by_province_import_and_bad_provinces_are_named_by_line_and_column():
    result = import_csv(_thai_rows(), header=HEADER)
    assert result.n_created == 3
    assert set(Observation.objects.values_list("series_key", flat=True)) == {
        "",
        "PROVINCE=TH-50",
        "PROVINCE=TH-10",
    }
    Observation.objects.all().delete()
    Submission.objects.all().delete()
    rows = [
        ["VICTIMS_DETECTED", "KHM", "2022", "", "9"],
        ["VICTIMS_DETECTED", "KHM", "2022", "TH-50", "4"],  # line 3: a Thai province
        ["VICTIMS_DETECTED", "KHM", "2022", "KH-99", "4"],  # line 4: no such province
        ["VICTIMS_DETECTED", "KHM", "2022", "Siem Reab", "5"],  # by its ISO name: KH-17
    ]
    with pytest.raises(ImportRejected) as caught:
        import_csv(rows, header=HEADER)
    errors = {e.line: e for e in caught.value.errors}
    assert set(errors) == {3, 4}
    assert "TH-50" in errors[3].message and "THA" in errors[3].message
    assert "KHM" in errors[3].message and errors[3].column == "province"
    assert "KH-99" in errors[4].message and errors[4].column == "province"
    assert not Observation.objects.exists()  # nothing partly written
    import_csv([rows[0], rows[3]], header=HEADER)
    assert Observation.objects.filter(series_key="PROVINCE=KH-17").exists()


@pytest.mark.django_db
def test_the_excel_template_lists_the_countrys_provinces_and_names_the_bad_row():
    from openpyxl import load_workbook

    from matis.official_statistics.io.writers import excel_template

    book = load_workbook(io.BytesIO(excel_template("THA")))
    listed = {(r[0], r[1]) for r in book["Codes"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert ("province", "TH-50") in listed
    assert not any(code.startswith("KH-") for column, code in listed if column == "province")
    sheet = book["Data"]
    header = [c.value for c in sheet[1]]
    for province, value in (("TH-50", 8), ("LA-VT", 3)):  # row 3: a Lao province
        row = dict.fromkeys(header)
        row.update(indicator="VICTIMS_ASSISTED", country="THA", year=2023, value=value)
        row["province"] = province
        sheet.append([row[h] for h in header])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ImportRejected) as caught:
        observations_import(actor=None, source=io.BytesIO(buffer.getvalue()), fmt="xlsx")
    (error,) = caught.value.errors
    assert error.line == 3 and error.where.startswith("row 3") and "province" in error.where
    assert "LA-VT" in error.message


@pytest.mark.django_db
def test_province_totals_roll_up_without_double_counting():
    from matis.official_statistics.dashboards import comparison, trend
    from matis.official_statistics.models import StatisticalIndicator
    from matis.official_statistics.selectors import national_cells, observations_published

    import_csv(
        [
            *_thai_rows(),  # national 40 beside provinces 25 + 12: the national figure is 40
            ["VICTIMS_DETECTED", "KHM", "2022", "KH-12", "7"],  # provinces only: 7 + 5 = 12
            ["VICTIMS_DETECTED", "KHM", "2022", "KH-17", "5"],
            ["VICTIMS_DETECTED", "LAO", "2022", "LA-VT", "6"],  # a censored province: unknown
            ["VICTIMS_DETECTED", "LAO", "2022", "LA-XA", "<5"],
        ],
        header=HEADER,
    )
    Submission.objects.update(status=Submission.Status.APPROVED)
    Observation.objects.update(approved=True)
    indicator = StatisticalIndicator.objects.get(code="VICTIMS_DETECTED")
    cells = {
        c: (v, rolled)
        for c, _p, v, _cens, _miss, rolled in national_cells(
            observations_published().filter(indicator=indicator)
        )
    }
    assert cells == {"THA": (40, False), "KHM": (12, True), "LAO": (None, True)}
    table = comparison(indicator, year=2022)
    values = {r["country"]: r["value"] for r in table.rows}
    assert values["THA"].value == 40 and values["KHM"].value == 12
    assert values["LAO"].is_missing and values["VNM"] is None
    assert "sum" in table.note
    trend_values = {r["country"]: r["y2022"].value for r in trend(indicator).rows}
    assert trend_values == {"THA": 40, "KHM": 12, "LAO": None}


@pytest.mark.django_db
def test_provinces_adding_up_to_more_than_the_national_figure_block_approval(make_user):
    from matis.official_statistics.services import submission_submit
    from matis.official_statistics.services.submissions import (
        SubmissionBlocked,
        submission_approve,
    )

    import_csv(
        [
            ["VICTIMS_DETECTED", "THA", "2022", "", "30"],
            ["VICTIMS_DETECTED", "THA", "2022", "TH-50", "25"],
            ["VICTIMS_DETECTED", "THA", "2022", "TH-10", "12"],  # 37 > 30: a double count
        ],
        header=HEADER,
    )
    submission = Submission.objects.get()
    officer = make_user(role="statistics_officer", country="THA")
    approver = make_user(role="task_force_officer", country="THA")
    summary = submission_submit(actor=officer, submission=submission)
    assert summary.n_errors == 1
    (error,) = submission.violations.filter(severity="error")
    assert error.rule.code == "PROVINCE_WITHIN_TOTAL" and error.series_key == ""
    with pytest.raises(SubmissionBlocked):
        submission_approve(actor=approver, submission=submission)


@pytest.mark.django_db
def test_an_approved_submission_by_province_reaches_the_hub_with_its_provinces():
    from matis.exchange.consolidate import _received_rows
    from matis.exchange.payloads import statistics_data

    import_csv(_thai_rows(), header=HEADER)
    payload = statistics_data(Submission.objects.get())
    assert "PROVINCE" in payload["sdmx_csv"].splitlines()[0].split(",")
    rows = _received_rows(sdmx_csv=payload["sdmx_csv"], country_id="THA", year=2022)
    assert {(r[4], r[5]) for r in rows} == {
        ("", 40),
        ("PROVINCE=TH-50", 25),
        ("PROVINCE=TH-10", 12),
    }
    # the hub checks the province against the item's country as any import does
    wrong = payload["sdmx_csv"].replace("TH-50", "KH-12")
    with pytest.raises(ImportRejected) as caught:
        _received_rows(sdmx_csv=wrong, country_id="THA", year=2022)
    assert "KH-12" in caught.value.errors[0].message


@pytest.mark.django_db
def test_the_api_write_endpoint_refuses_a_province_of_another_country(user_client):
    client = user_client("statistics_officer", "THA")
    rows = [["VICTIMS_DETECTED", "THA", "2022", "VN-HN", "3"]]
    response = client.post(
        "/api/v1/statistics/submissions/",
        {"file": csv_bytes(rows, list(HEADER)), "format": "csv", "year": 2022},
    )
    assert response.status_code == 400
    message = " ".join(response.json()["file"])
    assert "line 2" in message and "VN-HN" in message
    assert not Observation.objects.exists()
    response = client.post(
        "/api/v1/statistics/submissions/",
        {"file": csv_bytes(_thai_rows(), list(HEADER)), "format": "csv", "year": 2022},
    )
    assert response.status_code == 201, response.content
    assert Observation.objects.filter(series_key="PROVINCE=TH-50").exists()


@pytest.mark.django_db
def test_sdmx_structure_has_the_province_codelist_and_small_provinces_are_protected(make_user):
    import sdmx
    from django.utils import timezone

    from matis.publication.sdmx import structure_xml
    from matis.publication.services import release_statistics

    import_csv(
        [
            ["VICTIMS_DETECTED", "THA", "2022", "", "60"],
            ["VICTIMS_DETECTED", "THA", "2022", "TH-50", "40"],
            ["VICTIMS_DETECTED", "THA", "2022", "TH-10", "17"],
            ["VICTIMS_DETECTED", "THA", "2022", "TH-57", "3"],  # a small cell
        ],
        header=HEADER,
    )
    Submission.objects.update(status=Submission.Status.APPROVED)
    Observation.objects.update(approved=True)
    release = release_statistics(
        actor=make_user(role="secretariat_analyst", country=None), publish_at=timezone.now()
    )
    message = sdmx.read_sdmx(io.BytesIO(structure_xml(release)))
    codelist = message.codelist["CL_PROVINCE"]
    assert "TH-50" in codelist and str(codelist["TH-50"].name) == "Chiang Mai"
    dsd = message.structure["DSD_TIP_STATISTICS"]
    province = next(d for d in dsd.dimensions.components if d.id == "PROVINCE")
    assert province.local_representation.enumerated.id == "CL_PROVINCE"
    published = {
        row[3]: row for row in release.snapshot["observations"] if row[0] == "VICTIMS_DETECTED"
    }
    assert published[""][4] == 60 and published["PROVINCE=TH-50"][4] == 40
    small = published["PROVINCE=TH-57"]
    assert small[4] is None and small[5] is not None  # censored, not shown as 3
    assert published["PROVINCE=TH-10"][4] is None  # withheld too, or 3 = 60 - 40 - 17


@pytest.mark.django_db
def test_the_breakdown_by_province_names_provinces_in_the_readers_language():
    from django.utils import translation

    from matis.official_statistics.dashboards import breakdown
    from matis.official_statistics.models import Dimension, StatisticalIndicator

    import_csv(_thai_rows(), header=HEADER)
    Observation.objects.update(approved=True)
    indicator = StatisticalIndicator.objects.get(code="VICTIMS_DETECTED")
    province = Dimension.objects.get(code="PROVINCE")
    with translation.override("th"):
        table = breakdown(indicator, province, country="THA")
    labels = {r["code"]: r["label"] for r in table.rows}
    assert labels["TH-50"] == "เชียงใหม่" and labels["_T"]
    assert table.rows[-1]["y2022"].value == 40
    with translation.override("zh-hans"):
        table = breakdown(indicator, province, country="THA")
    assert {r["code"]: r["label"] for r in table.rows}["TH-50"] == "清迈府"


def _province_map_values(body: str) -> dict[str, tuple]:
    """The province map embedded in the dashboard: code -> (value, what the tooltip shows)."""
    import html
    import json
    import re

    found = re.search(
        r'<script type="application/json" class="vega-spec" data-target="chart-province-map">'
        r"(.*?)</script>",
        body,
        re.S,
    )
    assert found, "no province map on the page"
    spec = json.loads(html.unescape(found.group(1)))
    shapes = spec["layer"][0]["data"]["values"]
    return {
        f["properties"]["code"]: (f["properties"]["value"], f["properties"]["shown"])
        for f in shapes
    }


@pytest.mark.django_db
def test_the_dashboard_maps_the_approved_figures_by_province_small_ones_not_shown(
    client, make_user
):
    import_csv([*_thai_rows(), ["VICTIMS_DETECTED", "THA", "2022", "TH-57", "<5"]], header=HEADER)
    client.force_login(make_user(role="secretariat_analyst", country=None))
    url = "/statistics/?indicator=VICTIMS_DETECTED"
    assert "chart-province-map" not in client.get(url).content.decode()  # not yet approved
    Submission.objects.update(status=Submission.Status.APPROVED)
    Observation.objects.update(approved=True)
    body = client.get(url).content.decode()
    values = _province_map_values(body)
    assert values["TH-50"][0] == 25 and values["TH-10"][0] == 12
    assert values["TH-57"] == (None, "<5")  # published only as below a threshold: grey
    assert values["TH-40"][0] is None  # no figure
    assert all(code.startswith("TH-") for code in values)  # only Thailand reported provinces
    assert "in 2022 by province" in body


@pytest.mark.django_db
def test_no_province_map_without_figures_by_province(client, make_user):
    import_csv([["VICTIMS_DETECTED", "THA", "2022", "", "40"]], header=HEADER)
    Submission.objects.update(status=Submission.Status.APPROVED)
    Observation.objects.update(approved=True)
    client.force_login(make_user(role="secretariat_analyst", country=None))
    body = client.get("/statistics/?indicator=VICTIMS_DETECTED").content.decode()
    assert 'data-target="chart-map"' in body  # the country map is there
    assert "chart-province-map" not in body and "data-statistics-province-map" not in body
