"""Pages end to end: dashboards on the GLOTIP data, downloads, imports with progress, scope."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from stats_helpers import csv_bytes

from matis.official_statistics.models import ImportJob, Observation, Submission


@pytest.fixture
def analyst(client, make_user):
    client.force_login(make_user(role="secretariat_analyst", country=None))
    return client


def _text(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


@pytest.mark.django_db
def test_dashboard_shows_trend_comparison_and_breakdown(analyst, glotip_approved):
    response = analyst.get("/statistics/?indicator=PERSONS_PROSECUTED&country=THA&dimension=SEX")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-table="trend"' in body and 'data-table="comparison"' in body
    assert 'data-table="breakdown"' in body and body.count('class="vega-spec"') == 4  # + map
    assert ">609<" in body  # Thailand persons prosecuted 2022
    assert 'class="num censored"' in body and "&lt;5" in body  # "Other" sex 2022 is <5


@pytest.mark.django_db
def test_thai_readers_see_buddhist_era_years(client, make_user, glotip_approved):
    client.force_login(make_user(role="task_force_officer", country="THA", preferred_language="th"))
    client.cookies["matis_language"] = "th"
    body = client.get("/statistics/?indicator=PERSONS_PROSECUTED").content.decode()
    assert ">2565<" in body  # 2022 CE
    assert "สถิติทางการ" in body  # "Official statistics" from the app's Thai catalogue


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_the_data(
    analyst, glotip_approved, django_assert_max_num_queries
):
    url = "/statistics/?indicator=VICTIMS_DETECTED&country=MMR&dimension=FORM"
    with django_assert_max_num_queries(25) as small:
        analyst.get(url)
    # Ten times the rows (synthetic copies into other years) must not add queries.
    from matis.official_statistics.models import Submission as S

    extra = []
    for year in range(1960, 1970):
        sub = S.objects.create(country_id="MMR", period=year, status="approved")
        extra += [
            Observation(
                indicator=o.indicator,
                country_id="MMR",
                period=year,
                series_key=o.series_key,
                value=o.value,
                censored_below=o.censored_below,
                submission=sub,
                approved=True,
            )
            for o in Observation.objects.filter(country_id="MMR", period=2019)
        ]
    Observation.objects.bulk_create(extra)
    with django_assert_max_num_queries(len(small.captured_queries)):
        analyst.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["trend", "comparison", "completeness", "context"])
def test_every_table_downloads_as_csv_and_excel(analyst, glotip_approved, table):
    base = f"/statistics/download/?table={table}&indicator=PERSONS_PROSECUTED"
    csv_text = _text(analyst.get(base + "&fmt=csv"))
    book = load_workbook(io.BytesIO(analyst.get(base + "&fmt=xlsx").content))
    sheet = book.worksheets[0]
    assert sheet.max_row >= 3 and csv_text.count("\n") >= 2
    if table == "trend":
        assert "609" in csv_text and "<5" not in csv_text.split("\n")[0]
        values = [c.value for row in sheet.iter_rows() for c in row]
        assert 609 in values  # a number in Excel, not text


@pytest.mark.django_db
def test_censored_figures_stay_censored_in_downloads(analyst, glotip_approved):
    url = "/statistics/download/?table=breakdown&indicator=PERSONS_PROSECUTED&country=THA&dimension=SEX"
    assert "<5" in _text(analyst.get(url + "&fmt=csv"))
    book = load_workbook(io.BytesIO(analyst.get(url + "&fmt=xlsx").content))
    assert "<5" in [c.value for row in book.worksheets[0].iter_rows() for c in row]


@pytest.mark.django_db
def test_completeness_and_context_pages(analyst, glotip_approved):
    body = analyst.get("/statistics/completeness/").content.decode()
    assert 'data-table="completeness"' in body and "PERSONS_PROSECUTED" in body
    body = analyst.get("/statistics/context/?country=THA").content.decode()
    assert "Watchlist" in body and "Heiss" in body


@pytest.mark.django_db
def test_export_form_and_files(analyst, glotip_approved):
    assert analyst.get("/statistics/export/").status_code == 200
    sdmx = _text(
        analyst.get(
            "/statistics/export/?fmt=sdmx-csv&indicator=PERSONS_CONVICTED&country=CHN&totals=1"
        )
    )
    lines = sdmx.strip().splitlines()
    assert lines[0].startswith("DATAFLOW,INDICATOR,REF_AREA")
    assert any(",2018,2400," in line for line in lines)
    assert all(",PERSONS_CONVICTED,CHN," in line for line in lines[1:])


@pytest.mark.django_db
def test_upload_runs_in_the_background_and_reports_progress(client, make_user):
    officer = make_user(role="statistics_officer", country="THA")
    client.force_login(officer)
    assert client.get("/statistics/template.xlsx").status_code == 200
    good = csv_bytes(
        [["VICTIMS_DETECTED", "THA", "2021", "", "12"]],
        ["indicator", "country", "year", "sex", "value"],
    )
    good.name = "thai-2021.csv"
    response = client.post("/statistics/import/", {"file": good, "format": "csv"})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/statistics/import/{job.pk}/"
    status = client.get(f"/statistics/import/{job.pk}/status/").json()
    assert status["finished"] and status["progress"] == 1.0 and status["created"] == 1
    assert Observation.objects.get().value == 12
    bad = csv_bytes(
        [
            ["VICTIMS_DETECTED", "THA", "2022", "", "12"],
            ["VICTIMS_DETECTED", "KHM", "2022", "", "3"],
        ],
        ["indicator", "country", "year", "sex", "value"],
    )
    bad.name = "mixed.csv"
    client.post("/statistics/import/", {"file": bad, "format": "csv"})
    job = ImportJob.objects.order_by("-pk").first()
    assert job.status == "rejected" and [e["line"] for e in job.errors] == [3]
    page = client.get(f"/statistics/import/{job.pk}/").content.decode()
    assert 'data-line="3"' in page and "KHM" in page
    assert Observation.objects.count() == 1  # nothing of the rejected file


@pytest.mark.django_db
def test_submission_pages_and_actions(client, make_user):
    from stats_helpers import import_csv

    officer = make_user(role="statistics_officer", country="THA")
    approver = make_user(role="task_force_officer", country="THA")
    import_csv(
        [
            ["VICTIMS_DETECTED", "THA", "2021", "", "10"],
            ["VICTIMS_DETECTED", "THA", "2021", "F", "12"],
        ]
    )
    submission = Submission.objects.get()
    client.force_login(officer)
    client.post(f"/statistics/submissions/{submission.pk}/action/", {"action": "submit"})
    body = client.get(f"/statistics/submissions/{submission.pk}/").content.decode()
    assert 'data-violation="SEX_WITHIN_TOTAL"' in body and 'data-status="submitted"' in body
    client.force_login(approver)
    response = client.post(
        f"/statistics/submissions/{submission.pk}/action/", {"action": "approve"}, follow=True
    )
    assert "need a comment" in response.content.decode()
    violation = submission.violations.get(rule__code="SEX_WITHIN_TOTAL")
    client.post(
        f"/statistics/submissions/{submission.pk}/comment/",
        {"violation": violation.pk, "comment": "Two registers overlap."},
    )
    client.post(f"/statistics/submissions/{submission.pk}/action/", {"action": "approve"})
    submission.refresh_from_db()
    assert submission.status == "approved"


@pytest.mark.django_db
def test_drafts_are_national_and_approved_data_is_for_everyone(client, make_user):
    from stats_helpers import import_csv

    import_csv([["VICTIMS_DETECTED", "KHM", "2021", "", "31"]])
    draft = Observation.objects.get()
    client.force_login(make_user(role="statistics_officer", country="THA"))
    assert client.get(f"/statistics/observations/{draft.pk}/").status_code == 404
    assert client.get(f"/statistics/submissions/{draft.submission_id}/").status_code == 404
    client.force_login(make_user(role="statistics_officer", country="KHM"))
    assert client.get(f"/statistics/observations/{draft.pk}/").status_code == 200
    secretariat = make_user(role="secretariat_analyst", country=None)
    client.force_login(secretariat)
    assert (
        client.get(f"/statistics/observations/{draft.pk}/").status_code == 404
    )  # hub: approved only
    Submission.objects.update(status="approved")
    Observation.objects.update(approved=True)
    assert client.get(f"/statistics/observations/{draft.pk}/").status_code == 200
    client.force_login(make_user(role="case_worker", country="THA"))
    assert client.get(f"/statistics/observations/{draft.pk}/").status_code == 200
