"""Tip and group pages through HTTP: access like case data, filters, triage, convert, export."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from matis.access.models import AuditAction, AuditLog
from matis.cases.models import Case
from matis.common.inbox import inbox_counts
from matis.intake import services
from matis.intake.models import GroupRegistration, Tip

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["statistics", "justice", "khm_supervisor", "other_worker"])
def test_role_without_case_permissions_cannot_read_tips(client, desk, record_tip, who):
    tip = record_tip(desk.worker, report="Synthetic secret report")
    client.force_login(getattr(desk, who))
    listing = client.get("/intake/")
    assert "Synthetic secret report" not in listing.content.decode()
    assert tip.reference not in listing.content.decode()
    detail = client.get(f"/intake/{tip.pk}/")
    assert detail.status_code in (403, 404)
    assert "Synthetic secret report" not in detail.content.decode()
    if listing.status_code == 200:  # a case worker of another agency: audited refusal
        assert AuditLog.objects.filter(
            action=AuditAction.ACCESS_DENIED, object_type="intake.tip", object_id=str(tip.pk)
        ).exists()


def test_worker_records_and_reads_tip_audited(client, desk):
    client.force_login(desk.worker)
    response = client.post(
        "/intake/new/",
        {
            "channel": "messaging",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "issue": "labour_exploitation",
            "report": "Synthetic message about unpaid fishing crew",
            "urgency": "immediate",
            "place": "Port (synthetic)",
        },
    )
    tip = Tip.objects.get()
    assert response.status_code == 302 and response.url == f"/intake/{tip.pk}/"
    page = client.get(response.url)
    assert "Synthetic message about unpaid fishing crew" in page.content.decode()
    assert AuditLog.objects.filter(
        action=AuditAction.RECORD_READ, object_type="intake.tip", object_id=str(tip.pk)
    ).exists()


def test_list_filters(client, desk, record_tip):
    hot = record_tip(desk.worker, channel="hotline", urgency="urgent")
    web = record_tip(desk.worker, channel="web", urgency="routine")
    client.force_login(desk.supervisor)
    body = client.get("/intake/?channel=web").content.decode()
    assert web.reference in body and hot.reference not in body
    body = client.get("/intake/?urgency=urgent").content.decode()
    assert hot.reference in body and web.reference not in body
    body = client.get("/intake/?status=closed").content.decode()
    assert hot.reference not in body


def test_new_and_urgent_tips_in_the_triage_inbox(desk, record_tip):
    record_tip(desk.worker, urgency="routine")
    urgent = record_tip(desk.worker, urgency="immediate")
    assert inbox_counts(desk.supervisor).get("intake.tips") == 2
    assert "intake.tips" not in inbox_counts(desk.worker)  # workers do not triage
    assert "intake.tips" not in inbox_counts(desk.khm_supervisor)
    services.tip_triage(actor=desk.supervisor, tip=urgent, status="triaged")
    assert inbox_counts(desk.supervisor).get("intake.tips") == 2  # still urgent, not acted on
    services.tip_triage(
        actor=desk.supervisor, tip=urgent, status="referred", referred_to=desk.police
    )
    assert inbox_counts(desk.supervisor).get("intake.tips") == 1


def test_triage_and_convert_pages(client, desk, record_tip):
    tip = record_tip(desk.worker)
    client.force_login(desk.supervisor)
    assert (
        client.post(
            f"/intake/{tip.pk}/triage/",
            {"status": "triaged", "urgency": "urgent", "issue": "trafficking"},
        ).status_code
        == 302
    )
    data = {"rows": "3"}
    for i, name in enumerate(["Synthetic A", "Synthetic B"]):
        data.update(
            {
                f"name-{i}": name,
                f"sex-{i}": "F",
                f"age-{i}": "30",
                f"nationality-{i}": "LAO",
                f"language-{i}": "lo",
            }
        )
    response = client.post(f"/intake/{tip.pk}/convert/", data)
    assert response.status_code == 302
    tip.refresh_from_db()
    assert tip.status == "converted" and tip.case_links.count() == 2
    page = client.get(f"/intake/{tip.pk}/").content.decode()
    for link in tip.case_links.all():
        assert link.case.reference in page


def test_group_page_bad_row_is_named_and_nothing_written(client, desk):
    client.force_login(desk.worker)
    data = {
        "rescued_on": timezone.localdate().isoformat(),
        "place": "Compound (synthetic)",
        "rescuing_agency": "Police (synthetic)",
        "rows": "2",
        "name-0": "Synthetic A",
        "sex-0": "F",
        "age-0": "30",
        "language-0": "my",
        "name-1": "Synthetic B",
        "sex-1": "M",
        "age-1": "abc",
        "language-1": "my",
    }
    response = client.post("/intake/groups/new/", data)
    assert response.status_code == 400
    assert "Row 2, age" in response.content.decode()
    assert Case.objects.count() == 0 and GroupRegistration.objects.count() == 0


def test_embassy_and_shelter_lists_are_consent_aware_and_exports_neutralised(client, desk, rows):
    people = rows(3, nationality="MMR", language="my")
    people[1]["consent"] = False
    people[2]["name"] = '=HYPERLINK("http://x")'
    group = services.group_register(
        actor=desk.worker,
        rescued_on=timezone.localdate(),
        place="Compound (synthetic)",
        rescuing_agency="Police (synthetic)",
        shelter=desk.shelter,
        rows=people,
    )
    refs = [m.case.reference for m in group.members.select_related("case").order_by("row")]
    client.force_login(desk.worker)
    response = client.get(f"/intake/groups/{group.pk}/list.csv?for=embassy&country=MMR")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in table[1:]] == refs
    assert table[1][1] == "Synthetic person 0"
    assert table[2][1:] == ["", "", "", "", ""]  # no consent: case number only
    assert table[3][1].startswith("'=")  # formula neutralised
    assert AuditLog.objects.filter(
        action=AuditAction.EXPORT, object_type="intake.groupregistration"
    ).exists()
    page = client.get(f"/intake/groups/{group.pk}/?for=shelter").content.decode()
    assert "Synthetic person 0" in page and "Synthetic person 1" not in page and refs[1] in page
    # another country's embassy sees nobody of this group
    other = client.get(f"/intake/groups/{group.pk}/list.csv?for=embassy&country=KHM")
    assert len(list(csv.reader(io.StringIO(other.content.decode("utf-8-sig"))))) == 1
    client.force_login(desk.statistics)
    assert client.get(f"/intake/groups/{group.pk}/list.csv").status_code in (403, 404)
