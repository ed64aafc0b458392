"""Access gates: who sees a case, the same answer for missing and not yours, audited reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from matis.access.models import AuditAction, AuditLog
from matis.cases import gates, services
from matis.cases.choices import AlertKind, ConsentPurpose, ReferralStatus
from matis.cases.models import Alert, BreakGlassGrant

pytestmark = pytest.mark.django_db


def _reads(case) -> int:
    return AuditLog.objects.filter(
        action=AuditAction.RECORD_READ, object_type="cases.case", object_id=str(case.pk)
    ).count()


def test_every_read_of_a_case_writes_an_audit_row(client, world, register_case):
    case = register_case(world.worker)
    client.force_login(world.worker)
    reads = [
        reverse("cases:case_detail", args=[case.pk]),
        reverse("cases:case_htcds", args=[case.pk]),
        reverse("cases:case_edit", args=[case.pk]),
        reverse("cases:screen", args=[case.pk]),
        reverse("cases:consent", args=[case.pk]),
        f"/api/v1/cases/{case.pk}/",
    ]
    for n, url in enumerate(reads, start=1):
        assert client.get(url).status_code == 200, url
        assert _reads(case) == n, url
        row = AuditLog.objects.filter(action=AuditAction.RECORD_READ).latest("id")
        assert row.actor == world.worker and row.country_id == "THA" and row.detail["purpose"]
    # a list page records which cases it showed
    client.get(reverse("cases:case_list"))
    row = AuditLog.objects.filter(action=AuditAction.RECORD_READ, object_id="").latest("id")
    assert row.detail["case_ids"] == [case.pk]
    client.get("/api/v1/cases/")
    row = AuditLog.objects.filter(action=AuditAction.RECORD_READ, object_id="").latest("id")
    assert row.detail == {"purpose": "api_list", "case_ids": [case.pk]}


def test_audit_rows_carry_no_personal_data(client, world, register_case):
    case = register_case(
        world.worker,
        given_name="จันทร์เพ็ญ",
        documents=[{"doc_type": "passport", "number": "PX5550001"}],
    )
    client.force_login(world.worker)
    client.get(reverse("cases:case_detail", args=[case.pk]))
    client.get(reverse("cases:case_list"), {"q": "จันทร์เพ็ญ"})
    client.get(reverse("cases:case_list"), {"q": "PX5550001"})
    dump = str(list(AuditLog.objects.values_list("detail", "object_id")))
    assert "จันทร์เพ็ญ" not in dump and "PX5550001" not in dump


def test_gate_answers_alike_for_missing_and_not_yours(world, register_case):
    case = register_case(world.worker)
    for user in (world.other_worker, world.khm_worker, world.justice):
        with pytest.raises(gates.CaseNotAvailable) as theirs:
            gates.access_case_by_id(user, case.pk)
        with pytest.raises(gates.CaseNotAvailable) as missing:
            gates.access_case_by_id(user, case.pk + 1000)
        assert str(theirs.value) == str(missing.value)
    with pytest.raises(gates.CaseNotAvailable):
        gates.access_case_by_id(world.worker, "1 OR 1=1")
    denied = AuditLog.objects.filter(action=AuditAction.ACCESS_DENIED)
    assert denied.count() == 7 and _reads(case) == 0


def test_who_sees_a_case(world, register_case, make_user):
    case = register_case(world.worker)
    assert gates.access_case_by_id(world.worker, case.pk) == case
    assert gates.access_case_by_id(world.supervisor, case.pk) == case
    assigned_elsewhere = make_user(role="case_worker", country="THA")
    case.case_worker = assigned_elsewhere
    case.save()
    assert gates.access_case_by_id(assigned_elsewhere, case.pk) == case
    for role in ("secretariat_analyst", "auditor", "administrator"):
        region = make_user(role=role, country=None)
        assert not gates.cases_visible_to(region).exists()
    for role in ("task_force_officer", "statistics_officer", "administrator", "auditor"):
        assert not gates.cases_visible_to(make_user(role=role, country="THA")).exists()


def test_restricted_case_is_hidden_from_supervisors(world, register_case):
    case = register_case(world.worker, case={"restricted": True, "opened_on": dt.date.today()})
    assert gates.access_case_by_id(world.worker, case.pk) == case
    with pytest.raises(gates.CaseNotAvailable):
        gates.access_case_by_id(world.supervisor, case.pk)


def test_an_accepted_referral_opens_the_case_to_the_receiving_agency(world, register_case):
    case = register_case(world.worker)
    services.consent_record(
        actor=world.worker,
        case=case,
        purpose=ConsentPurpose.REFERRAL,
        organisation=world.provider,
        given=True,
        on=dt.date.today(),
        language="th",
    )
    referral = services.referral_create(
        actor=world.worker,
        case=case,
        provider=world.provider,
        reason="AdditionalServicesRequired",
        services=["Legal"],
    )
    with pytest.raises(gates.CaseNotAvailable):  # pending: not yet
        gates.access_case_by_id(world.other_worker, case.pk)
    assert gates.referrals_incoming(world.other_worker).get() == referral
    answered = gates.access_referral(world.other_worker, referral.pk, purpose="answer")
    services.referral_answer(
        actor=world.other_worker, referral=answered, status=ReferralStatus.ACCEPTED
    )
    assert gates.access_case_by_id(world.other_worker, case.pk) == case
    with pytest.raises(gates.CaseNotAvailable):  # reading is not editing
        gates.access_case_for_update(world.other_worker, case.pk, purpose="edit")
    services.consent_record(
        actor=world.worker,
        case=case,
        purpose=ConsentPurpose.REFERRAL,
        organisation=world.provider,
        given=False,
        on=dt.date.today(),
        language="th",
    )
    with pytest.raises(gates.CaseNotAvailable):  # consent withdrawn: access ends
        gates.access_case_by_id(world.other_worker, case.pk)


def test_break_the_glass(client, world, register_case):
    case = register_case(world.worker)
    with pytest.raises(ValidationError):  # a reason is mandatory
        services.break_glass_open(actor=world.justice, reference=case.reference, reason="urgent")
    with pytest.raises(gates.CaseNotAvailable):  # other country: the same answer as missing
        services.break_glass_open(
            actor=world.khm_worker,
            reference=case.reference,
            reason="The witness is in danger tonight and must be moved.",
        )
    grant = services.break_glass_open(
        actor=world.justice,
        reference=case.reference.lower(),
        reason="The witness is in danger tonight and must be moved.",
    )
    assert grant.expires_at - grant.granted_at == dt.timedelta(hours=4)
    assert AuditLog.objects.filter(action=AuditAction.BREAK_GLASS, actor=world.justice).count() == 1
    alert = Alert.objects.get(kind=AlertKind.BREAK_GLASS)
    assert alert in gates.alerts_for(world.supervisor)
    assert gates.access_case_by_id(world.justice, case.pk) == case
    with pytest.raises(gates.CaseNotAvailable):  # emergency access is read-only
        gates.access_case_for_update(world.justice, case.pk, purpose="edit")
    client.force_login(world.justice)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "emergency access" in page
    BreakGlassGrant.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(gates.CaseNotAvailable):  # time limit
        gates.access_case_by_id(world.justice, case.pk)


def test_break_glass_page_flow(client, world, register_case):
    case = register_case(world.worker)
    client.force_login(world.justice)
    response = client.post(
        reverse("cases:break_glass"), {"reference": "THA-1999-999999", "reason": "x" * 30}
    )
    assert response.status_code == 400 and not BreakGlassGrant.objects.exists()
    response = client.post(
        reverse("cases:break_glass"),
        {"reference": case.reference, "reason": "Court hearing at 9:00."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
