"""Register pages, scope, API, documents and follow-up actions, through HTTP."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from matis.access.models import AuditAction, AuditLog
from matis.registers.kit.specs import registers
from matis.registers.models import (
    Curriculum,
    FollowUpAction,
    Meeting,
    SituationAssessment,
)
from matis.testing.factories import make_scoped_object

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "th", "km", "lo", "my", "zh-hans", "vi"]


def test_every_register_page_renders_in_vietnamese(user_client):
    client = user_client("task_force_officer", "THA")
    client.post("/i18n/setlang/", {"language": "vi"})
    for spec in registers():
        obj = make_scoped_object(spec.model, "THA")
        for action, kwargs in (
            ("list", {}),
            ("create", {}),
            ("import", {}),
            ("detail", {"pk": obj.pk}),
            ("update", {"pk": obj.pk}),
            ("delete", {"pk": obj.pk}),
        ):
            response = client.get(reverse(spec.url_name(action), kwargs=kwargs or None))
            assert response.status_code == 200, (spec.key, action)
            assert '<html lang="vi">' in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_registers_speak_every_language(user_client, language):
    client = user_client("task_force_officer", "THA")
    client.post("/i18n/setlang/", {"language": language})
    english = {"Programme registers", "Agreements with an overdue yearly review"}
    body = client.get("/registers/").content.decode()
    assert all((text in body) == (language == "en") for text in english), language


def test_list_filters_chart_and_buddhist_era(user_client, curriculum):
    client = user_client("task_force_officer", "THA")
    curriculum(title="Old", adopted_on=dt.date(2010, 3, 1))
    curriculum(title="New CJ", activity="CJ5", adopted_on=dt.date(2012, 3, 1))
    body = client.get("/registers/curricula/").content.decode()
    assert 'data-count="2"' in body and 'class="vega-spec"' in body
    assert 'data-count="1"' in client.get("/registers/curricula/?year=2012").content.decode()
    body = client.get("/registers/curricula/?activity=CJ5").content.decode()
    assert "New CJ" in body and ">Old<" not in body
    client.post("/i18n/setlang/", {"language": "th"})
    body = client.get("/registers/curricula/").content.decode()
    assert '<option value="2012">2555</option>' in body


def test_regional_meetings_are_seen_by_everyone_but_changed_by_the_secretariat(
    user_client, make_user, client
):
    som = Meeting.objects.create(
        kind="som",
        number=9,
        title="SOM 9 (synthetic)",
        host_country_id="VNM",
        city="Ha Noi",
        start_date=dt.date(2012, 3, 14),
        end_date=dt.date(2012, 3, 15),
    )
    officer = user_client("task_force_officer", "THA")
    assert "SOM 9" in officer.get("/registers/meetings/").content.decode()
    assert officer.get(f"/registers/meetings/{som.pk}/").status_code == 200
    assert officer.get(f"/registers/meetings/{som.pk}/edit/").status_code == 403
    assert officer.post(f"/registers/meetings/{som.pk}/delete/").status_code == 403
    secretariat = make_user("secretariat_analyst", None)
    client.force_login(secretariat)
    assert client.get(f"/registers/meetings/{som.pk}/edit/").status_code == 200


def test_readers_without_a_writing_role_cannot_write(user_client):
    client = user_client("case_worker", "THA")
    assert client.get("/registers/curricula/").status_code == 200
    assert client.get("/registers/curricula/new/").status_code == 403
    assert client.post("/registers/curricula/import/").status_code == 403


def test_a_curriculum_in_use_cannot_be_deleted_and_deletions_are_audited(
    user_client, event, curriculum
):
    client = user_client("task_force_officer", "THA")
    used = event().curriculum
    response = client.post(f"/registers/curricula/{used.pk}/delete/", follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert Curriculum.objects.filter(pk=used.pk).exists()
    spare = curriculum(title="Spare")
    assert client.post(f"/registers/curricula/{spare.pk}/delete/").status_code == 302
    assert not Curriculum.objects.filter(pk=spare.pk).exists()
    deleted = AuditLog.objects.get(action=AuditAction.RECORD_DELETE)
    assert deleted.object_id == str(spare.pk) and deleted.country_id == "THA"


def test_the_api_lists_own_rows_with_children_and_flags(user_client, event):
    client = user_client("task_force_officer", "THA")
    mine = make_scoped_object(Meeting, "THA")
    make_scoped_object(Meeting, "KHM")
    rows = client.get("/api/v1/registers/meetings/").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert "decisions" in rows[0]
    action = make_scoped_object(FollowUpAction, "THA")
    flags = client.get(f"/api/v1/registers/actions/{action.pk}/").json()["status_flags"]
    assert flags == {"overdue": True}
    schema = client.get("/api/schema/").content.decode()
    for spec in registers():
        assert f"/api/v1/registers/{spec.key}/" in schema


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _assessment_form(**extra):
    data = {
        "ref": "",
        "country": "THA",
        "title": "Border assessment (synthetic)",
        "kind": "border",
        "border_point": "Mae Sot",
        "period_start": "2012-01-01",
        "period_end": "2012-06-30",
        "issued_on": "2012-07-15",
        "language": "th",
        "classification": "restricted",
        "shared_with": ["MMR"],
        "findings": "Synthetic findings",
        "notes": "",
    }
    data.update(extra)
    return data


def test_assessment_documents_are_checked_stored_and_served_with_an_audit(
    user_client, settings, make_user
):
    from django.test import Client

    officer = user_client("task_force_officer", "THA")
    fake = SimpleUploadedFile("report.pdf", b"this is plain text, not a PDF")
    response = officer.post("/registers/assessments/new/", _assessment_form(upload=fake))
    assert response.status_code == 200 and "is not a .pdf file" in response.content.decode()
    assert not SituationAssessment.objects.exists()

    response = officer.post(
        "/registers/assessments/new/",
        _assessment_form(upload=SimpleUploadedFile("report.pdf", PDF)),
    )
    assert response.status_code == 302
    saved = SituationAssessment.objects.get()
    stored = settings.MEDIA_ROOT / saved.document.name
    assert stored.read_bytes() == PDF and saved.document_name == "report.pdf"
    assert list(saved.shared_with.values_list("pk", flat=True)) == ["MMR"]

    download = officer.get(f"/registers/assessments/{saved.pk}/document/")
    assert b"".join(download.streaming_content) == PDF
    assert 'filename="report.pdf"' in download["Content-Disposition"]
    assert AuditLog.objects.filter(action=AuditAction.FILE_DOWNLOAD).count() == 1
    assert AuditLog.objects.filter(action=AuditAction.FILE_UPLOAD).count() == 1

    other = Client()
    other.force_login(make_user("task_force_officer", "KHM"))
    assert other.get(f"/registers/assessments/{saved.pk}/document/").status_code == 404

    settings.MATIS_EVIDENCE_MAX_BYTES = 10
    response = officer.post(
        f"/registers/assessments/{saved.pk}/edit/",
        _assessment_form(upload=SimpleUploadedFile("big.pdf", PDF)),
    )
    assert response.status_code == 200 and "the limit is" in response.content.decode()
    saved.refresh_from_db()
    assert saved.document_name == "report.pdf"


def test_an_edit_is_audited_with_before_and_after_values(user_client):
    officer = user_client("task_force_officer", "THA")
    assert officer.post("/registers/assessments/new/", _assessment_form()).status_code == 302
    saved = SituationAssessment.objects.get()
    response = officer.post(
        f"/registers/assessments/{saved.pk}/edit/",
        _assessment_form(findings="Revised findings", border_point="Myawaddy"),
    )
    assert response.status_code == 302
    event = AuditLog.objects.filter(action=AuditAction.RECORD_UPDATE).latest("id")
    assert event.object_id == str(saved.pk)
    assert event.changes == {
        "findings": ["Synthetic findings", "Revised findings"],
        "border_point": ["Mae Sot", "Myawaddy"],
    }


def test_follow_up_actions_are_tracked_to_done(user_client):
    client = user_client("task_force_officer", "THA")
    action = make_scoped_object(FollowUpAction, "THA")
    assert 'data-flag="overdue"' in client.get(f"/registers/actions/{action.pk}/").content.decode()
    assert 'data-count="1"' in client.get("/registers/actions/?overdue=1").content.decode()
    client.post(
        f"/registers/actions/{action.pk}/status/", {"status": "done", "done_on": "2012-09-01"}
    )
    action.refresh_from_db()
    assert action.status == "done" and action.done_on == dt.date(2012, 9, 1)
    assert 'data-count="0"' in client.get("/registers/actions/?overdue=1").content.decode()
    response = client.post(
        f"/registers/actions/{action.pk}/status/", {"status": "dropped"}, follow=True
    )
    assert "cannot change" in response.content.decode()
    action.refresh_from_db()
    assert action.status == "done"
    assert AuditLog.objects.filter(action=AuditAction.STATUS_CHANGE).count() == 1


def test_campaign_page_shows_the_effect(user_client):
    from matis.registers.models import AwarenessCampaign

    client = user_client("task_force_officer", "THA")
    campaign = AwarenessCampaign.objects.create(
        country_id="THA",
        name="Radio (synthetic)",
        channel="radio",
        audience="youth",
        start_date=dt.date(2012, 1, 1),
        end_date=dt.date(2012, 2, 1),
        measure="Checks licence",
        pre_surveyed=400,
        pre_positive=120,
        post_surveyed=400,
        post_positive=180,
    )
    body = client.get(f"/registers/campaigns/{campaign.pk}/").content.decode()
    assert 'data-effect="improved"' in body and 'data-difference="0.1500"' in body
    assert "+15.0" in body and "+8.3" in body and "+21.5" in body


def test_demo_data_is_synthetic_and_loads_once():
    from matis.registers.demo import load_demo
    from matis.registers.models import Trainer, TrainingEvent

    first = load_demo()
    assert "0 synthetic" not in first
    assert load_demo().startswith("0 synthetic register rows created")
    assert (
        TrainingEvent.objects.count() == 54
        and not TrainingEvent.objects.filter(synthetic=False).exists()
    )
    assert all(t.name.endswith("(synthetic)") for t in Trainer.objects.all())
    lapsed = Trainer.objects.filter(ref__endswith="-6")  # accreditation ended in 2011
    assert not TrainingEvent.objects.filter(trainers__in=lapsed, start_date__year__gt=2011)


def test_list_pages_do_not_grow_queries_with_rows(user_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = user_client("task_force_officer", "THA")

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for spec in registers():
        url = reverse(spec.url_name("list"))
        make_scoped_object(spec.model, "THA")
        before = queries(url)
        for _ in range(4):
            make_scoped_object(spec.model, "THA")
        assert queries(url) == before, spec.key
