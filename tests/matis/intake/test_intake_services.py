"""Tips: record, triage, refer, convert; hotline counts computed from tips; group registration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from matis.access.models import AuditAction, AuditLog
from matis.cases.choices import ConsentPurpose
from matis.cases.models import Case, ConsentEvent, Person
from matis.cases.services import consent_allows
from matis.common.workflow import TransitionNotAllowed
from matis.intake import services
from matis.intake.models import GroupRegistration, Tip, TipCase
from matis.registers.indicators import counts
from matis.registers.models import HotlineRecord

pytestmark = pytest.mark.django_db


def _month(tip):
    local = timezone.localtime(tip.received_at)
    return local.year, local.month


def test_report_is_encrypted_at_rest(desk, record_tip):
    from django.db import connection

    tip = record_tip(desk.worker, report="Secret synthetic words", reporter_contact="081 000 0000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT report, reporter_contact FROM intake_tip WHERE id = %s", [tip.pk])
        report, contact = cursor.fetchone()
    assert "Secret" not in report and "081" not in contact
    assert Tip.objects.get(pk=tip.pk).report == "Secret synthetic words"
    assert tip.reference.startswith(f"TIP-THA-{_month(tip)[0]}-")
    assert AuditLog.objects.filter(
        action=AuditAction.RECORD_CREATE, object_type="intake.tip", object_id=str(tip.pk)
    ).exists()


def test_tip_converted_to_two_cases_keeps_link_and_counts_in_hotline_month(desk, record_tip, rows):
    year = timezone.localtime(timezone.now() - dt.timedelta(hours=1)).year
    before = counts.hotline_contacts(countries=["THA"], years=[year]).get(("THA", year), 0)
    tip = record_tip(desk.worker)
    year, month = _month(tip)
    services.tip_triage(actor=desk.supervisor, tip=tip, status="triaged", notes="Credible")
    cases = services.tip_convert(actor=desk.supervisor, tip=tip, rows=rows(2))

    assert len(cases) == 2
    for case in cases:
        assert Case.objects.get(pk=case.pk).intake_tip.tip == tip
    assert set(TipCase.objects.filter(tip=tip).values_list("case_id", flat=True)) == {
        c.pk for c in cases
    }
    tip.refresh_from_db()
    assert tip.status == "converted"
    computed = HotlineRecord.objects.get(
        country_id="THA", year=year, month=month, computed=True, issue="trafficking"
    )
    assert computed.count == 1
    assert computed.outcome == HotlineRecord.Outcome.SOCIAL
    assert computed.service == "MATIS tips: hotline calls"
    # the existing consumer (plan indicator PRE4) counts it, once
    after = counts.hotline_contacts(countries=["THA"], years=[year]).get(("THA", year), 0)
    assert after == before + 1


def test_hotline_rows_follow_the_tips(desk, record_tip):
    first = record_tip(desk.worker, channel="hotline")
    record_tip(desk.worker, channel="hotline")
    record_tip(desk.worker, channel="web")
    record_tip(desk.worker, channel="police")  # a police report is not a hotline contact
    year, month = _month(first)
    rows = HotlineRecord.objects.filter(country_id="THA", year=year, month=month, computed=True)
    assert {(r.service, r.outcome): r.count for r in rows} == {
        ("MATIS tips: hotline calls", "open"): 2,
        ("MATIS tips: web form", "open"): 1,
    }
    ref = rows.get(service="MATIS tips: hotline calls").ref
    services.tip_triage(actor=desk.supervisor, tip=first, status="triaged")
    services.tip_triage(
        actor=desk.supervisor, tip=first, status="referred", referred_to=desk.police
    )
    rows = HotlineRecord.objects.filter(country_id="THA", year=year, month=month, computed=True)
    assert {(r.service, r.outcome): r.count for r in rows} == {
        ("MATIS tips: hotline calls", "open"): 1,
        ("MATIS tips: hotline calls", "referred_police"): 1,
        ("MATIS tips: web form", "open"): 1,
    }
    assert rows.get(service="MATIS tips: hotline calls", outcome="open").ref == ref
    referrals = counts.hotline_referrals(countries=["THA"], years=[year])
    assert referrals[("THA", year)] == 1


def test_computed_row_cannot_be_edited_by_hand(desk, record_tip):
    tip = record_tip(desk.worker)
    row = HotlineRecord.objects.get(country_id="THA", computed=True, year=_month(tip)[0])
    row.count = 99
    with pytest.raises(ValidationError):
        row.full_clean()


def test_triage_workflow_and_refusals(desk, record_tip):
    tip = record_tip(desk.worker)
    with pytest.raises(PermissionDenied):
        services.tip_triage(actor=desk.worker, tip=tip, status="triaged")
    with pytest.raises(TransitionNotAllowed):
        services.tip_triage(
            actor=desk.supervisor, tip=tip, status="referred", referred_to=desk.police
        )
    services.tip_triage(actor=desk.supervisor, tip=tip, status="triaged")
    with pytest.raises(ValidationError) as err:
        services.tip_triage(
            actor=desk.supervisor, tip=tip, status="referred", referred_to=desk.hotline
        )
    assert "referred_to" in err.value.error_dict
    with pytest.raises(ValidationError) as err:
        services.tip_triage(actor=desk.supervisor, tip=tip, status="closed")
    assert "notes" in err.value.error_dict
    services.tip_triage(actor=desk.supervisor, tip=tip, status="closed", notes="Duplicate call")
    tip.refresh_from_db()
    assert tip.status == "closed" and "Duplicate call" in tip.triage_notes
    assert (
        AuditLog.objects.filter(action=AuditAction.STATUS_CHANGE, object_id=str(tip.pk)).count()
        == 2
    )


def test_future_tip_refused(desk, record_tip):
    with pytest.raises(ValidationError):
        record_tip(desk.worker, received_at=timezone.now() + dt.timedelta(days=1))


def test_group_of_sixty_each_with_case_and_consent(desk, rows):
    group = services.group_register(
        actor=desk.worker,
        rescued_on=timezone.localdate(),
        place="Compound (synthetic)",
        operation="Operation Synthetic",
        rescuing_agency="Provincial police (synthetic)",
        shelter=desk.shelter,
        rows=rows(60),
    )
    members = list(group.members.select_related("case"))
    assert len(members) == 60 and [m.row for m in members] == list(range(1, 61))
    case_ids = [m.case_id for m in members]
    assert len(set(case_ids)) == 60
    assert Person.objects.filter(cases__in=case_ids).distinct().count() == 60
    for case_id in case_ids[:3]:
        assert consent_allows(case_id, ConsentPurpose.SERVICES)
        assert consent_allows(case_id, ConsentPurpose.CROSS_BORDER, country="MMR")
    assert ConsentEvent.objects.filter(case_id__in=case_ids, purpose="services").count() == 60


def test_bad_row_names_row_and_field_and_writes_nothing(desk, rows):
    people = rows(30)
    people[16]["age"] = "twenty"
    cases_before, audit_before = Case.objects.count(), AuditLog.objects.count()
    with pytest.raises(services.RowError) as err:
        services.group_register(
            actor=desk.worker,
            rescued_on=timezone.localdate(),
            place="Compound (synthetic)",
            rescuing_agency="Police (synthetic)",
            rows=people,
        )
    assert (err.value.row, err.value.field) == (17, "age")
    assert "17" in err.value.messages[0]
    assert Case.objects.count() == cases_before
    assert GroupRegistration.objects.count() == 0
    assert AuditLog.objects.count() == audit_before


def test_late_row_error_from_case_service_rolls_back_earlier_cases(desk, rows):
    people = rows(5)
    people[4].update(age="10", consent=True)  # a child cannot consent alone (child protocol)
    with pytest.raises(services.RowError) as err:
        services.group_register(
            actor=desk.worker,
            rescued_on=timezone.localdate(),
            place="Compound (synthetic)",
            rescuing_agency="Police (synthetic)",
            rows=people,
        )
    assert (err.value.row, err.value.field) == (5, "consent")
    assert Case.objects.count() == 0 and Person.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("sex", "X"),
        ("nationality", "ZZZ"),
        ("language", "xx"),
        ("date_of_birth", "3-3"),
    ],
)
def test_each_field_checked(desk, rows, field, value):
    people = rows(3)
    people[1][field] = value
    with pytest.raises(services.RowError) as err:
        services.tip_convert  # noqa: B018 - the same row parser serves both
        services.group_register(
            actor=desk.worker,
            rescued_on=timezone.localdate(),
            place="p",
            rescuing_agency="a",
            rows=people,
        )
    assert (err.value.row, err.value.field) == (2, field)


def test_group_register_needs_permission(desk, rows):
    with pytest.raises(PermissionDenied):
        services.group_register(
            actor=desk.statistics,
            rescued_on=timezone.localdate(),
            place="p",
            rescuing_agency="a",
            rows=rows(1),
        )


def test_demo_tips_are_idempotent(desk):
    from matis.intake.demo import TIPS, load_demo

    assert load_demo(countries=("THA",)) == f"{len(TIPS)} demo tips"
    assert load_demo(countries=("THA",)) == "0 demo tips"
    statuses = set(Tip.objects.filter(country_id="THA").values_list("status", flat=True))
    assert statuses == {"new", "triaged", "closed", "referred"}


def test_a_thai_worker_types_the_birth_date_in_the_buddhist_era(desk, rows):
    from django.utils import translation

    people = rows(2)
    people[0]["date_of_birth"] = "15/03/2550"
    people[0]["age"] = ""
    with translation.override("th"):
        group = services.group_register(
            actor=desk.worker,
            rescued_on=timezone.localdate(),
            place="p",
            rescuing_agency="a",
            rows=people,
        )
    born = [m.case.person.date_of_birth for m in group.members.order_by("row")]
    assert born[0] == dt.date(2007, 3, 15)
