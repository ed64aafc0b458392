"""The /api/v1/statistics/ endpoints: filters, pagination, hub scope, schema, exports."""

from __future__ import annotations

import io

import pytest
from stats_helpers import import_csv

from matis.official_statistics.models import Observation


@pytest.fixture
def hub(client, make_user):
    client.force_login(make_user(role="secretariat_analyst", country=None))
    return client


@pytest.mark.django_db
def test_observations_filters_and_pagination(hub, glotip_approved):
    url = "/api/v1/statistics/observations/"
    page = hub.get(
        url, {"indicator": "PERSONS_PROSECUTED", "country": "THA", "year": 2022, "series_key": ""}
    ).json()
    (obs,) = page["results"]
    assert (obs["value"], obs["display"], obs["status"], obs["dimensions"]) == (
        609,
        "609",
        "approved",
        {},
    )
    females = hub.get(
        url,
        {"indicator": "PERSONS_PROSECUTED", "country": "THA", "year": 2022, "dimension": "SEX:F"},
    ).json()
    assert {o["series_key"] for o in females["results"]} == {
        "SEX=F",
        "AGE=Y0T17|SEX=F",
        "AGE=Y_GE18|SEX=F",
    }
    first = hub.get(url, {"limit": 10}).json()
    assert "count" not in first and len(first["results"]) == 10 and first["next"]
    censored = hub.get(
        url, {"indicator": "VICTIMS_DETECTED", "country": "CHN", "year": 2003}
    ).json()
    assert censored["results"][0]["display"] == "<5" and censored["results"][0]["value"] is None
    assert hub.get(url, {"year": "twenty"}).status_code == 400
    assert hub.get(url, {"dimension": "SEX"}).status_code == 400


@pytest.mark.django_db
def test_the_hub_receives_approved_data_only(client, make_user):
    import_csv([["VICTIMS_DETECTED", "KHM", "2021", "", "31"]])
    draft = Observation.objects.get()
    client.force_login(make_user(role="secretariat_analyst", country=None))
    assert client.get("/api/v1/statistics/observations/").json()["results"] == []
    assert client.get(f"/api/v1/statistics/observations/{draft.pk}/").status_code == 404
    assert client.get("/api/v1/statistics/submissions/").json()["count"] == 1  # status, not values
    client.force_login(make_user(role="statistics_officer", country="KHM"))
    result = client.get("/api/v1/statistics/observations/").json()
    assert len(result["results"]) == 1 and result["results"][0]["status"] == "draft"
    approved = client.get("/api/v1/statistics/observations/", {"approved": "true"}).json()
    assert approved["results"] == []
    client.force_login(make_user(role="statistics_officer", country="THA"))
    assert client.get("/api/v1/statistics/observations/").json()["results"] == []
    assert client.get("/api/v1/statistics/submissions/").json()["count"] == 0


@pytest.mark.django_db
def test_structure_and_dashboard_endpoints(hub, glotip_approved, django_assert_max_num_queries):
    indicators = hub.get("/api/v1/statistics/indicators/").json()
    codes = {i["code"]: i for i in indicators["results"]}
    assert (
        "SEX" in codes["VICTIMS_DETECTED"]["dimensions"]
        and codes["REFERRALS"]["is_glotip"] is False
    )
    form = hub.get("/api/v1/statistics/dimensions/FORM/").json()
    assert {"code": "FORCED_CRIMINALITY", "parent": "OTHER"}.items() <= next(
        c for c in form["codes"] if c["code"] == "FORCED_CRIMINALITY"
    ).items()
    assert hub.get("/api/v1/statistics/rules/NON_NEGATIVE/").json()["severity"] == "error"
    with django_assert_max_num_queries(8):
        trend = hub.get(
            "/api/v1/statistics/dashboard/trend/", {"indicator": "PERSONS_CONVICTED"}
        ).json()
    china = next(r for r in trend["rows"] if r["country"] == "CHN")
    assert china["y2018"] == {
        "value": 2400.0,
        "censored_below": None,
        "missing": False,
        "display": "2,400",
    }
    assert hub.get("/api/v1/statistics/dashboard/breakdown/").status_code == 400  # needs a country
    breakdown = hub.get(
        "/api/v1/statistics/dashboard/breakdown/",
        {"indicator": "PERSONS_PROSECUTED", "country": "THA", "dimension": "SEX"},
    ).json()
    other = next(r for r in breakdown["rows"] if r["code"] == "OTHER")
    assert other["y2022"]["display"] == "<5"


@pytest.mark.django_db
def test_exports_through_the_api(hub, glotip_approved):
    from openpyxl import load_workbook

    response = hub.get(
        "/api/v1/statistics/observations/export-sdmx/", {"country": "THA", "year": 2022}
    )
    text = response.content.decode()
    assert (
        text.startswith("DATAFLOW,")
        and text.count("\n")
        == 1 + Observation.objects.filter(country_id="THA", period=2022).count()
    )
    response = hub.get("/api/v1/statistics/observations/export-xlsx/", {"indicator": "OFFENCES"})
    sheet = load_workbook(io.BytesIO(response.content))["Data"]
    assert sheet.max_row == 1 + Observation.objects.filter(indicator__code="OFFENCES").count()


@pytest.mark.django_db
def test_openapi_schema_documents_the_endpoints(hub):
    schema = hub.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for path in [
        "/api/v1/statistics/observations/",
        "/api/v1/statistics/observations/{id}/",
        "/api/v1/statistics/indicators/",
        "/api/v1/statistics/submissions/",
        "/api/v1/statistics/dashboard/trend/",
        "/api/v1/statistics/observations/export-sdmx/",
    ]:
        assert path in paths, path
    params = {p["name"] for p in paths["/api/v1/statistics/observations/"]["get"]["parameters"]}
    assert {"indicator", "country", "year", "dimension", "limit", "cursor"} <= params
