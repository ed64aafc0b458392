"""Figures from records on the page, the API and the command line."""

from __future__ import annotations

import datetime as dt

import pytest

from matis.access.models import AuditLog
from matis.cases.models import IdentificationDecision
from matis.cases.test_factories import make_case
from matis.cli import main
from matis.official_statistics.models import Observation, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_victims(make_user):
    """Two synthetic Thai victims identified in 2024 (one girl, one man)."""
    worker = make_user("case_worker", "THA")
    for marker, gender, age in (("G", "Feminine", 16), ("M", "Masculine", 35)):
        case = make_case("THA", marker)
        case.person.gender, case.person.age_at_registration = gender, age
        case.person.save()
        case.exploitation_types = ["ForcedLabour"]
        case.save()
        IdentificationDecision.objects.create(
            case=case,
            decision=case.trafficking_status,
            decided_on=dt.date(2024, 4, 1),
            decided_by=worker,
            decision_org="Police",
            guideline="TH-NRM",
            language_informed="th",
        )


def test_page_shows_true_counts_with_rules_and_applies_a_draft(client, make_user, two_victims):
    officer = make_user("statistics_officer", "THA")
    client.force_login(officer)
    page = client.get("/statistics/from-records/?year=2024")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Which date decides the year" in html
    assert "first identification decision" in html  # the rule text
    assert 'data-indicator="VICTIMS_DETECTED"' in html
    row = html.split('data-indicator="VICTIMS_DETECTED"')[1].split('data-key="SEX=F"')[0]
    assert '<td class="num">2</td><td class="num">&lt;11</td>' in row  # true 2, stored <11
    assert AuditLog.objects.filter(object_type="statistics.records_proposal").count() == 1
    response = client.post("/statistics/from-records/", {"year": "2024"})
    submission = Submission.objects.get(country_id="THA", period=2024)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/statistics/submissions/{submission.pk}/")
    assert submission.status == Submission.Status.DRAFT
    # the submission's download (what leaves) carries <11, never the 2
    csv = b"".join(
        client.get(f"/statistics/submissions/{submission.pk}/download/").streaming_content
    )
    line = next(
        text for text in csv.decode().splitlines() if text.startswith("VICTIMS_DETECTED,THA,2024,,")
    )
    assert ",2," not in line and "11" in line


def test_page_is_refused_to_other_roles_and_in_thai(client, make_user, two_victims):
    client.force_login(make_user("case_worker", "THA"))
    assert client.get("/statistics/from-records/?year=2024").status_code == 403
    client.force_login(make_user("statistics_officer", "THA"))
    page = client.get("/statistics/from-records/?year=2024", HTTP_ACCEPT_LANGUAGE="th")
    assert "ตัวเลขจากข้อมูลบันทึก" in page.content.decode()


def test_api_proposal_and_apply(client, make_user, two_victims):
    client.force_login(make_user("statistics_officer", "THA"))
    data = client.get("/api/v1/statistics/records-proposal/?year=2024").json()
    total = next(
        f for f in data["figures"] if f["indicator"] == "VICTIMS_DETECTED" and not f["series_key"]
    )
    assert (total["value"], total["stored"]) == (2, "<11")
    assert "first identification decision" in data["rules"]["VICTIMS_DETECTED"]["year"]
    reads = AuditLog.objects.filter(object_type="statistics.records_proposal").count()
    rules_only = client.get("/api/v1/statistics/records-proposal/").json()  # no year
    assert rules_only["figures"] == [] and "VICTIMS_DETECTED" in rules_only["rules"]
    assert AuditLog.objects.filter(object_type="statistics.records_proposal").count() == reads
    assert client.get("/api/v1/statistics/records-proposal/?year=x").status_code == 400
    response = client.post("/api/v1/statistics/records-proposal/?year=2024")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assert Observation.objects.filter(country_id="THA", period=2024).exists()
    client.force_login(make_user("statistics_officer", "KHM"))
    km = client.get("/api/v1/statistics/records-proposal/?year=2024").json()
    assert all(f["value"] in (0, None) for f in km["figures"])  # KHM's own records: none


def test_cli_prints_rules_and_applies(capsys, make_user, two_victims):
    officer = make_user("statistics_officer", "THA")
    assert main(["statistics", "from-records", "--user", officer.email, "--year", "2024"]) == 0
    out = capsys.readouterr().out
    assert "VICTIMS_DETECTED" in out and "stored as <11" in out and "year:" in out
    assert not Submission.objects.filter(country_id="THA", period=2024).exists()
    assert (
        main(["statistics", "from-records", "--user", officer.email, "--year", "2024", "--apply"])
        == 0
    )
    assert Submission.objects.get(country_id="THA", period=2024).status == "draft"
    worker = make_user("case_worker", "THA")
    assert main(["statistics", "from-records", "--user", worker.email, "--year", "2024"]) == 2
