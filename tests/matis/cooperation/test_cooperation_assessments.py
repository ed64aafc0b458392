"""Situation assessments (P&C5): four eyes, named countries only, files checked both ends."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from matis.common.files import EvidenceRejected
from matis.common.workflow import TransitionNotAllowed
from matis.cooperation import services
from matis.cooperation.models import AssessmentStatus, ReceivedAssessment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def queued(monkeypatch):
    sent = []

    def capture(*, recipient, kind, data, idempotency_key, case_ids=(), sender=None):
        sent.append(
            {
                "sender": sender,
                "recipient": recipient,
                "kind": kind,
                "data": data,
                "key": idempotency_key,
            }
        )

    from matis.cooperation.services import assessments

    monkeypatch.setattr(assessments, "relay_enqueue", capture)
    return sent


@pytest.fixture
def officers(make_user):
    return {
        "writer": make_user(role="statistics_officer", country="THA"),
        "approver": make_user(role="task_force_officer", country="THA"),
        "KHM": make_user(role="statistics_officer", country="KHM"),
        "LAO": make_user(role="statistics_officer", country="LAO"),
    }


def draft(officers, recipients=("KHM",)):
    return services.assessment_create(
        actor=officers["writer"],
        title="Border situation Q1 (synthetic)",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        summary="Recruitment through online job offers rose.",
        routes="Route A to B; route C closed.",
        recipients=list(recipients),
    )


def test_approval_sends_to_named_countries_only(officers, queued, make_envelope):
    a = draft(officers, ["KHM", "VNM"])
    services.assessment_attach(
        actor=officers["writer"], assessment=a,
        uploaded=SimpleUploadedFile("map.pdf", PDF, content_type="application/pdf"),
    )  # fmt: skip
    services.assessment_submit(actor=officers["writer"], assessment=a)
    with pytest.raises(PermissionDenied):  # four eyes: not the one who submitted
        services.assessment_approve(actor=officers["writer"], assessment=a)
    assert queued == []
    services.assessment_approve(actor=officers["approver"], assessment=a)
    a.refresh_from_db()
    assert a.status == AssessmentStatus.APPROVED
    assert sorted(q["recipient"] for q in queued) == ["KHM", "VNM"]
    assert {q["kind"] for q in queued} == {services.KIND_ASSESSMENT}
    assert {q["sender"] for q in queued} == {"THA"}
    assert len({q["key"] for q in queued}) == 2
    for q in queued:
        assert set(q["data"]) <= services.ASSESSMENT_FIELDS
    item = next(q for q in queued if q["recipient"] == "KHM")
    env = make_envelope(sender="THA", recipient="KHM", kind=item["kind"], data=item["data"])
    received = services.assessment_receive(env)
    assert received.country_id == "KHM" and received.sender_id == "THA"
    assert received.summary.startswith("Recruitment")
    attachment = received.attachments.get()
    assert attachment.original_name == "map.pdf" and attachment.file.read() == PDF
    # LAO was not named: nothing was queued for it and it holds nothing
    assert not ReceivedAssessment.objects.filter(country_id="LAO").exists()
    # and an item that reached the wrong instance is refused, not stored
    wrong = make_envelope(sender="THA", recipient="LAO", kind=item["kind"], data=item["data"])
    with pytest.raises(ValueError, match="shared_with"):
        services.assessment_receive(wrong)
    assert not ReceivedAssessment.objects.filter(country_id="LAO").exists()


def test_workflow_steps(officers, queued):
    a = draft(officers)
    with pytest.raises(TransitionNotAllowed):
        services.assessment_approve(actor=officers["approver"], assessment=a)
    services.assessment_submit(actor=officers["writer"], assessment=a)
    services.assessment_return(actor=officers["approver"], assessment=a)
    a.refresh_from_db()
    assert a.status == AssessmentStatus.DRAFT
    with pytest.raises(PermissionDenied):
        services.assessment_submit(actor=officers["KHM"], assessment=a)
    assert queued == []


def test_recipients_are_checked(officers):
    from matis.cooperation.services import CooperationError

    with pytest.raises(CooperationError):
        draft(officers, [])
    with pytest.raises(CooperationError):
        draft(officers, ["THA"])
    with pytest.raises(CooperationError):
        draft(officers, ["USA"])


def test_attachments_pass_the_evidence_checks(officers):
    a = draft(officers)
    with pytest.raises(EvidenceRejected):
        services.assessment_attach(
            actor=officers["writer"], assessment=a,
            uploaded=SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
        )  # fmt: skip
    assert not a.attachments.exists()


def test_tampered_attachment_is_refused_and_nothing_kept(officers, queued, make_envelope):
    a = draft(officers)
    services.assessment_attach(
        actor=officers["writer"], assessment=a,
        uploaded=SimpleUploadedFile("map.pdf", PDF, content_type="application/pdf"),
    )  # fmt: skip
    services.assessment_submit(actor=officers["writer"], assessment=a)
    services.assessment_approve(actor=officers["approver"], assessment=a)
    data = dict(queued[0]["data"])
    data["attachments"] = [
        dict(data["attachments"][0], content=base64.b64encode(PDF + b"x").decode())
    ]
    from django.db import transaction

    env = make_envelope(sender="THA", recipient="KHM", kind=services.KIND_ASSESSMENT, data=data)
    with pytest.raises(ValueError, match=r"attachments\[0\]\.sha256"), transaction.atomic():
        services.assessment_receive(env)
    assert not ReceivedAssessment.objects.filter(country_id="KHM").exists()


def test_inbox_page_lists_what_was_shared(officers, queued, make_envelope, client):
    a = draft(officers)
    services.assessment_submit(actor=officers["writer"], assessment=a)
    services.assessment_approve(actor=officers["approver"], assessment=a)
    env = make_envelope(
        sender="THA", recipient="KHM", kind=queued[0]["kind"], data=queued[0]["data"]
    )
    services.assessment_receive(env)
    client.force_login(officers["KHM"])
    page = client.get("/cooperation/assessments/").content.decode()
    assert "Border situation Q1 (synthetic)" in page
    client.force_login(officers["LAO"])
    page = client.get("/cooperation/assessments/").content.decode()
    assert "Border situation Q1 (synthetic)" not in page
