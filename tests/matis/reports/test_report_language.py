"""Preparing a report in another language never changes the requester's interface language."""

from __future__ import annotations

import pytest
from django.utils import translation

from matis.reports.models import AnnualReport
from matis.reports.services import annual_report_render, annual_report_request

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("report_language", ["th", "vi"])
def test_a_thai_or_vietnamese_report_leaves_the_analyst_in_english(
    client, secretariat, scenario, django_capture_on_commit_callbacks, report_language
):
    client.force_login(secretariat)
    client.cookies["matis_language"] = "en"
    form = client.get("/reports/").content.decode()
    assert 'name="report_language"' in form and form.count('name="language"') == 1
    # the request, and the rendering (the immediate task backend runs it right after the
    # commit, in this same thread, as a worker would run it)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/", {"year": 2013, "report_language": report_language, "country": ""}
        )
    report = AnnualReport.objects.get()
    assert (report.language, report.status) == (report_language, "done")
    assert response.status_code == 302
    assert "matis_language" not in response.cookies  # no language cookie was set
    assert translation.get_language() == "en"
    assert not any("language" in key for key in client.session.keys())  # noqa: SIM118 - a SessionBase
    # the analyst's next pages: the status page, the list, any other page
    for url in (response["Location"], "/reports/", "/"):
        page = client.get(url).content.decode()
        assert '<html lang="en"' in page, url
    status = client.get(response["Location"]).content.decode()
    assert "Annual monitoring report 2013" in status
    assert "Language" in status and "รายงาน" not in status
    # the document itself is in the report's language
    html = b"".join(client.get(f"/reports/{report.pk}/html/").streaming_content).decode()
    assert f'<html lang="{report_language}" data-document="annual-report">' in html


def test_rendering_restores_the_language_that_was_active(scenario):
    report = annual_report_request(actor=None, year=2012, language="th", enqueue=False)
    with translation.override("km"):
        annual_report_render(report_id=report.pk)
        assert translation.get_language() == "km"
