"""The report list tells reports apart; an identical request while one runs is not queued twice."""

from __future__ import annotations

import pytest

from matis.common.jobs import JobStatus
from matis.reports.models import AnnualReport
from matis.reports.services import annual_report_request

pytestmark = pytest.mark.django_db


def test_an_identical_request_follows_the_running_job(client, secretariat, scenario):
    first = annual_report_request(actor=secretariat, year=2013, language="th", enqueue=False)
    again = annual_report_request(actor=secretariat, year=2013, language="th", enqueue=False)
    assert again.pk == first.pk and AnnualReport.objects.count() == 1
    other = annual_report_request(actor=secretariat, year=2013, language="vi", enqueue=False)
    assert other.pk != first.pk
    AnnualReport.objects.filter(pk=first.pk).update(status=JobStatus.DONE)
    later = annual_report_request(actor=secretariat, year=2013, language="th", enqueue=False)
    assert later.pk not in (first.pk, other.pk)  # once done, a new rendering may be asked for

    client.force_login(secretariat)
    client.cookies["matis_language"] = "en"
    response = client.post("/reports/", {"year": 2013, "report_language": "vi", "country": ""})
    assert response["Location"] == f"/reports/{other.pk}/"
    page = client.get("/reports/").content.decode()
    assert "Annual monitoring report 2013 — Region — ไทย" in page
    assert "Annual monitoring report 2013 — Region — Tiếng Việt" in page
    assert page.count("data-requested-at") == 3
    assert f"#{first.pk}" in page and f"#{later.pk}" in page
    assert str(secretariat) in page
    status = client.get(f"/reports/{other.pk}/").content.decode()
    assert "<h1>Annual monitoring report 2013 — Region — Tiếng Việt</h1>" in status
