"""Drafts stay with their country: other countries can neither read nor change them."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from matis.access.models import AuditAction, AuditLog, OrganisationType
from matis.common.files import EvidenceRejected, check_evidence
from matis.monitoring.models import EvidenceFile, Workflow
from matis.monitoring.services import (
    ActivityReportContent,
    activity_report_transition,
    activity_report_update,
    evidence_add,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tha_draft(make_report, make_agency):
    report = make_report(narrative="Thai draft SECRET-NARRATIVE")
    agency = make_agency("THA", name="THA-ONLY-AGENCY", org_type=OrganisationType.NGO)
    report.responsible_agencies.add(agency)
    return report


def test_other_countrys_task_force_gets_404_everywhere(client, tfo_khm, tha_draft):
    client.force_login(tfo_khm)
    pk = tha_draft.pk
    for url in (
        f"/monitoring/reports/{pk}/",
        f"/monitoring/reports/{pk}/edit/",
        f"/api/v1/monitoring-reports/{pk}/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/monitoring/reports/{pk}/edit/",
        f"/monitoring/reports/{pk}/transition/",
        f"/monitoring/reports/{pk}/evidence/",
    ):
        assert (
            client.post(url, {"target": "submitted", "progress": "completed"}).status_code == 404
        ), url
    tha_draft.refresh_from_db()
    assert tha_draft.workflow == Workflow.DRAFT and tha_draft.revision == 0


def test_lists_and_api_show_only_the_own_country(client, tfo_khm, tha_draft, make_report):
    khm = make_report(country="KHM", code="P&C2")
    client.force_login(tfo_khm)
    page = client.get(f"/monitoring/reports/?year={tha_draft.period.year}").content.decode()
    assert "THA-ONLY-AGENCY" not in page
    assert 'data-activity="P&amp;C2"' in page
    api = client.get("/api/v1/monitoring-reports/").json()
    assert [r["id"] for r in api["results"]] == [khm.pk]
    assert (
        "SECRET-NARRATIVE"
        not in client.get("/api/v1/monitoring-reports/?country=THA").content.decode()
    )


def test_services_refuse_another_countrys_officer(tfo_khm, tha_draft):
    with pytest.raises(PermissionDenied):
        activity_report_update(
            actor=tfo_khm, report=tha_draft, content=ActivityReportContent(progress="completed")
        )
    with pytest.raises(PermissionDenied):
        activity_report_transition(actor=tfo_khm, report=tha_draft, target="submitted")


def test_secretariat_does_not_see_drafts_until_submitted(client, secretariat, tfo, tha_draft):
    client.force_login(secretariat)
    assert client.get(f"/monitoring/reports/{tha_draft.pk}/").status_code == 404
    activity_report_transition(actor=tfo, report=tha_draft, target="submitted")
    assert client.get(f"/monitoring/reports/{tha_draft.pk}/").status_code == 200


def test_workbook_holds_only_the_own_country(client, tfo_khm, tha_draft, make_report):
    make_report(country="KHM", code="P&C3", narrative="Khmer report")
    client.force_login(tfo_khm)
    response = client.get(f"/monitoring/workbook/?year={tha_draft.period.year}")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["About"]["B2"].value == "KHM"
    text = " ".join(str(c.value) for ws in workbook for row in ws.iter_rows() for c in row)
    assert "SECRET-NARRATIVE" not in text and "THA-ONLY-AGENCY" not in text
    assert "Khmer report" in text


def test_region_wide_users_cannot_download_country_workbooks(client, secretariat, period):
    client.force_login(secretariat)
    assert client.get("/monitoring/workbook/").status_code == 403


# --- evidence files -----------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("minutes.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        (
            "sop.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_allowed_files_are_recognised_by_content(name, data, content_type):
    assert check_evidence(SimpleUploadedFile(name, data)).content_type == content_type


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("report.pdf", b"MZ\x90\x00 not a pdf", "is not a .pdf file"),
        ("photo.png", PDF, "is not a .png file"),
        ("script.html", b"<script>alert(1)</script>", "are not accepted"),
        ("sop.docx", b"PK\x03\x04 broken zip", "is not a .docx file"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_disguised_or_unwanted_files_are_refused(name, data, reason):
    with pytest.raises(EvidenceRejected, match=reason):
        check_evidence(SimpleUploadedFile(name, data))


def test_size_cap(settings):
    settings.MATIS_EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(EvidenceRejected, match="limit"):
        check_evidence(SimpleUploadedFile("big.pdf", PDF + b"0" * 2000))


def test_evidence_is_stored_outside_the_web_root_and_served_with_a_check(
    client, settings, tfo, tfo_khm, secretariat, tha_draft
):
    evidence = evidence_add(
        actor=tfo, report=tha_draft, uploaded=SimpleUploadedFile("minutes.pdf", PDF)
    )
    path = evidence.file.path
    assert path.startswith(str(settings.MEDIA_ROOT))
    assert not path.startswith(str(settings.STATIC_ROOT))
    assert "minutes" not in path  # stored under a random name
    client.force_login(tfo)
    response = client.get(f"/monitoring/evidence/{evidence.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert (
        AuditLog.objects.filter(
            action=AuditAction.FILE_DOWNLOAD, object_id=str(evidence.pk)
        ).count()
        == 1
    )
    for other in (tfo_khm, secretariat):  # secretariat: the report is still a draft
        client.force_login(other)
        assert client.get(f"/monitoring/evidence/{evidence.pk}/").status_code == 404
    assert AuditLog.objects.filter(action=AuditAction.FILE_DOWNLOAD).count() == 1


def test_upload_page_refuses_a_disguised_file(client, tfo, tha_draft):
    client.force_login(tfo)
    fake = SimpleUploadedFile("minutes.pdf", b"MZ\x90\x00 executable")
    response = client.post(
        f"/monitoring/reports/{tha_draft.pk}/evidence/", {"file": fake}, follow=True
    )
    assert "is not a .pdf file" in response.content.decode()
    assert not EvidenceFile.objects.exists()
