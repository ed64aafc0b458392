"""Each inbox source shows its items to the users who may act on them, and to no one else.

Two countries (THA, KHM) and the roles case worker, case supervisor,
statistics officer, task force officer, secretariat analyst and auditor.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from matis.common.inbox import (
    InboxItem,
    InboxSourceError,
    inbox_counts,
    register_source,
    registered_sources,
    unregister_source,
)

pytestmark = pytest.mark.django_db


def counts(user, code):
    return inbox_counts(user).get(code, 0)


def everyone(people):
    return {name: value for name, value in vars(people).items() if hasattr(value, "role")}


def only(people, code, expected: dict[str, int]):
    """Every user of ``people`` has the expected count of ``code`` (0 unless named)."""
    found = {name: counts(user, code) for name, user in everyone(people).items()}
    wanted = {name: expected.get(name, 0) for name in found}
    assert found == wanted


def test_every_feature_app_registers_its_sources():
    codes = {s.code for s in registered_sources()}
    assert codes >= {
        "monitoring.reports",
        "statistics.submissions",
        "cases.referrals",
        "cases.alerts",
        "intake.tips",
        "intake.screenings",
        "cooperation.to_notify",
        "cooperation.notices",
        "returns.overdue",
        "registers.accreditations",
        "registers.agreement_reviews",
        "exchange.alerts",
    }


def test_a_source_code_cannot_be_taken_twice():
    def rows(user, *, today):
        return []

    def describe(row):
        return InboxItem(key="x", title="x", url="/")

    register_source(
        "test.twice", label="x", permission="plans.view_plan", rows=rows, describe=describe,
        url_name="home",
    )  # fmt: skip
    try:
        with pytest.raises(InboxSourceError):
            register_source(
                "test.twice", label="x", permission="plans.view_plan", rows=lambda u, today: [],
                describe=describe, url_name="home",
            )  # fmt: skip
    finally:
        unregister_source("test.twice")


def test_a_referral_awaits_the_receiving_agency_only(people, refer):
    refer("THA")
    only(people, "cases.referrals", {"THA_ngo_worker": 1})
    refer("KHM")
    refer("KHM")
    only(people, "cases.referrals", {"THA_ngo_worker": 1, "KHM_ngo_worker": 2})


def test_an_answered_referral_leaves_the_inbox(people, refer):
    from matis.cases.services import referral_answer

    referral = refer("THA")
    assert counts(people.THA_ngo_worker, "cases.referrals") == 1
    referral_answer(actor=people.THA_ngo_worker, referral=referral, status="accepted")
    assert counts(people.THA_ngo_worker, "cases.referrals") == 0


@pytest.mark.parametrize("automatic", [True, False])
def test_a_detention_alerts_the_supervisor_and_asks_the_worker_to_notify(
    people, settings, automatic
):
    """A KHM national detained in THA: THA's supervisor has an alert; THA's worker a notice
    to send, unless the placement sent it at once (MATIS_DETENTION_AUTO_NOTIFY). Nobody in
    KHM, and no other role, sees either."""
    settings.MATIS_DETENTION_AUTO_NOTIFY = automatic
    from matis.cases.choices import PlacementKind
    from matis.cases.models import Facility
    from matis.cases.services import case_register, placement_add
    from matis.common.models import Country

    case = case_register(
        actor=people.THA_worker,
        person={
            "given_name": "Synth",
            "family_name": "Detained",
            "gender": "Masculine",
            "age_at_registration": 30,
            "primary_citizenship": Country.objects.get(pk="KHM"),
            "languages": ["km"],
        },
        case={"opened_on": dt.date.today()},
        documents=[],
    )
    case.trafficking_status = "ActualVictimOfTrafficking"  # identified: detention raises an alert
    case.save(update_fields=["trafficking_status"])
    facility = Facility.objects.create(
        country_id="THA", name="IDC (synthetic)", kind=PlacementKind.IMMIGRATION_DETENTION
    )
    placement_add(
        actor=people.THA_worker,
        case=case,
        kind=PlacementKind.IMMIGRATION_DETENTION,
        facility=facility,
        voluntary=False,
        start_date=dt.date.today() - dt.timedelta(days=2),
    )
    only(people, "cases.alerts", {"THA_supervisor": 1})
    if automatic:  # the notice left with the placement: nothing to send
        only(people, "cooperation.to_notify", {})
    else:  # the supervisor may change the case too, so she or he may send the notice as well
        only(people, "cooperation.to_notify", {"THA_worker": 1, "THA_supervisor": 1})


def test_a_received_detention_notice_awaits_acknowledgement_in_the_country_of_nationality(
    people,
):
    from matis.cooperation.models import DetentionNotice, Direction

    notice = DetentionNotice.objects.create(
        direction=Direction.IN,
        country_id="KHM",
        other_country_id="THA",
        age_group="adult",
        sex="Feminine",
        place_type="immigration_detention",
        start_date=dt.date.today(),
    )
    only(
        people,
        "cooperation.notices",
        {"KHM_worker": 1, "KHM_ngo_worker": 1, "KHM_supervisor": 1},
    )
    notice.acknowledged_at = timezone.now()
    notice.save()
    only(people, "cooperation.notices", {})


def test_a_submission_awaits_approval_by_another_officer_of_its_country(people):
    """Four eyes: the officer who submitted does not see it; THA's other editors do."""
    from matis.official_statistics.models import Submission

    Submission.objects.create(
        country_id="THA",
        period=2015,
        status=Submission.Status.SUBMITTED,
        submitted_by=people.THA_stats,
        submitted_at=timezone.now(),
    )
    Submission.objects.create(country_id="KHM", period=2015)  # a draft: nobody's yet
    only(people, "statistics.submissions", {"THA_stats2": 1, "THA_tfo": 1})


def test_a_submitted_progress_report_awaits_the_secretariat(people):
    from matis.monitoring.models import ActivityReport, Workflow
    from matis.testing.factories import make_scoped_object

    report = make_scoped_object(ActivityReport, "KHM")
    only(people, "monitoring.reports", {})  # a draft stays with the country
    report.workflow = Workflow.SUBMITTED
    report.submitted_at = timezone.now()
    report.save()
    only(people, "monitoring.reports", {"secretariat": 1})


def test_an_expiring_accreditation_awaits_the_task_force_of_its_country(people):
    from matis.registers.models import Accreditation, Trainer
    from matis.testing.factories import make_scoped_object

    today = timezone.localdate()
    trainer = make_scoped_object(Trainer, "THA")
    Accreditation.objects.create(
        trainer=trainer,
        accredited_by="government",
        body="Ministry (synthetic)",
        valid_from=today - dt.timedelta(days=700),
        valid_until=today + dt.timedelta(days=30),
    )
    Accreditation.objects.create(  # far from expiry: not yet work
        trainer=make_scoped_object(Trainer, "KHM"),
        accredited_by="government",
        body="Ministry (synthetic)",
        valid_from=today - dt.timedelta(days=10),
        valid_until=today + dt.timedelta(days=400),
    )
    only(people, "registers.accreditations", {"THA_tfo": 1, "secretariat": 1})


def test_an_overdue_return_awaits_the_sending_agency(people, settings):
    """Overdue as the returns measures say: requested more than MATIS_RETURNS_PENDING_DAYS ago
    and not handed over."""
    from matis.cases.services import case_register
    from matis.returns.models import Repatriation

    settings.MATIS_RETURNS_PENDING_DAYS = 90
    case = case_register(
        actor=people.THA_worker,
        person={"given_name": "Synth", "family_name": "Returnee", "gender": "Feminine",
                "age_at_registration": 20, "primary_citizenship": None, "languages": []},
        case={"opened_on": dt.date.today()},
        documents=[],
    )  # fmt: skip
    today = dt.date.today()
    repatriation = Repatriation.objects.create(
        reference="RET-SYN-1",
        case=case,
        sending_country_id="THA",
        receiving_country_id="KHM",
        sending_agency=people.THA_shelter,
        identified_on=today - dt.timedelta(days=100),
        requested_on=today - dt.timedelta(days=80),
    )
    only(people, "returns.overdue", {})
    repatriation.requested_on = today - dt.timedelta(days=91)
    repatriation.save()
    # the receiving side (KHM) sees nothing without the person's cross-border consent
    only(people, "returns.overdue", {"THA_worker": 1, "THA_supervisor": 1})
    repatriation.returned_on = today
    repatriation.save()
    only(people, "returns.overdue", {})


def test_a_re_trafficking_alert_awaits_who_may_read_the_case(people):
    from matis.cases.test_factories import make_case
    from matis.exchange.models import AlertStatus, LinkageSubject, ReceivedAlert

    case = make_case("THA", "inbox-alert", agency=people.THA_shelter)
    alert = ReceivedAlert.objects.create(
        hub_alert_id=4711,
        country_id="THA",
        subject=LinkageSubject.objects.create(case=case),
        other_country_id="KHM",
        similarity=0.93,
        this_case_is_newer=True,
        raised_at=timezone.now(),
    )
    only(people, "exchange.alerts", {"THA_worker": 1, "THA_supervisor": 1})
    alert.status = AlertStatus.DISMISSED
    alert.save()
    only(people, "exchange.alerts", {})


def test_an_overdue_agreement_review_awaits_the_task_force_of_its_country(people):
    from matis.registers.models import Agreement
    from matis.testing.factories import make_scoped_object

    make_scoped_object(Agreement, "KHM")  # signed in 2012, never reviewed
    only(people, "registers.agreement_reviews", {"KHM_tfo": 1, "secretariat": 1})
