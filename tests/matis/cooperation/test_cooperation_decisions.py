"""SOM/IMM decisions: recorded on the hub, pulled by each country, statuses reported back.

The hub runs in-process (as in the one-database demo); pulls and status
reports go through signed requests and the real outbox.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest

from matis.cooperation import services
from matis.cooperation.models import ActionStatusReport, ReceivedAction, ReceivedDecision
from matis.cooperation.selectors import decision_tracking_rows
from matis.exchange.models import OutboxItem, OutboxStatus

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def hub_keys(settings, db):
    settings.MATIS_EXCHANGE_LOCAL_HUB = True
    from matis.exchange.conf import Credential
    from matis.exchange.keys import country_key_create

    creds = {}
    for country in ("THA", "KHM", "LAO"):
        key, secret = country_key_create(actor=None, country_id=country)
        creds[country] = Credential(key.key_id, secret)
    return creds


@pytest.fixture
def transport(hub_keys):
    from matis.exchange.transport import LocalTransport

    return lambda country: LocalTransport(hub_keys[country])


@pytest.fixture
def secretariat(make_user):
    return make_user(role="secretariat_analyst", country=None)


@pytest.fixture
def task_force(make_user):
    return {c: make_user(role="task_force_officer", country=c) for c in ("THA", "KHM", "LAO")}


@pytest.fixture
def decision(hub_keys, secretariat):
    return services.decision_record(
        actor=secretariat,
        meeting="SOM",
        meeting_number=9,
        held_on=TODAY - dt.timedelta(days=120),
        text="Governments report detained victims each quarter (synthetic).",
        actions=[
            {"text": "Name a focal point", "countries": ["THA", "KHM"],
             "due_on": TODAY - dt.timedelta(days=30)},
            {"text": "Share the SOP draft", "countries": ["KHM"],
             "due_on": TODAY + dt.timedelta(days=30)},
            {"text": "Host the workshop", "countries": ["LAO"],
             "due_on": TODAY + dt.timedelta(days=60)},
        ],
    )  # fmt: skip


def push(country, transport):
    from matis.exchange.services import outbox_push

    return outbox_push(country_id=country, transport_factory=transport, ignore_schedule=True)


def test_each_country_pulls_only_its_actions(decision, transport):
    assert services.decisions_pull(country_id="THA", transport=transport("THA")) == 1
    assert services.decisions_pull(country_id="KHM", transport=transport("KHM")) == 1
    tha = ReceivedDecision.objects.get(country_id="THA")
    assert tha.uid == decision.uid and tha.meeting_number == 9
    assert [a.text for a in tha.actions.all()] == ["Name a focal point"]
    khm = ReceivedDecision.objects.get(country_id="KHM")
    assert [a.text for a in khm.actions.all()] == ["Name a focal point", "Share the SOP draft"]
    # again: nothing new
    assert services.decisions_pull(country_id="THA", transport=transport("THA")) == 0
    assert ReceivedAction.objects.filter(decision__country_id="THA").count() == 1


def test_statuses_come_back_and_the_hub_table_shows_them(
    decision, transport, task_force, secretariat, client
):
    services.decisions_pull(country_id="THA", transport=transport("THA"))
    services.decisions_pull(country_id="KHM", transport=transport("KHM"))
    tha_action = ReceivedAction.objects.get(decision__country_id="THA")
    services.action_status_report(
        actor=task_force["THA"], action=tha_action, status="completed", comment="Appointed"
    )
    khm_first = ReceivedAction.objects.get(decision__country_id="KHM", number=1)
    services.action_status_report(actor=task_force["KHM"], action=khm_first, status="in_progress")
    assert push("THA", transport).sent == 1
    assert push("KHM", transport).sent == 1
    reports = {(r.action.number, r.country_id): r.status for r in ActionStatusReport.objects.all()}
    assert reports == {(1, "THA"): "completed", (1, "KHM"): "in_progress"}

    rows = {(r["action"], r["country_code"]): r for r in decision_tracking_rows(today=TODAY)}
    assert set(rows) == {(1, "THA"), (1, "KHM"), (2, "KHM"), (3, "LAO")}
    assert not rows[(1, "THA")]["overdue"]  # completed
    assert rows[(1, "KHM")]["overdue"]  # past due, in progress
    assert not rows[(2, "KHM")]["reported"] and not rows[(2, "KHM")]["overdue"]

    client.force_login(secretariat)
    page = client.get("/cooperation/decisions/tracking/").content.decode()
    assert page.count("data-overdue") == 1
    csv = client.get("/cooperation/decisions/tracking/?format=csv")
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert text.count("\n") == 5  # header and four rows
    assert "Appointed" not in text  # comments stay out of the table
    xlsx = client.get("/cooperation/decisions/tracking/?format=xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row >= 5

    # a second pull brings the hub's view back but never overwrites our own report
    services.decisions_pull(country_id="THA", transport=transport("THA"))
    tha_action.refresh_from_db()
    assert tha_action.status == "completed"


def test_a_later_report_wins_and_an_older_one_changes_nothing(decision, transport, task_force):
    services.decisions_pull(country_id="KHM", transport=transport("KHM"))
    action = ReceivedAction.objects.get(decision__country_id="KHM", number=2)
    services.action_status_report(actor=task_force["KHM"], action=action, status="in_progress")
    services.action_status_report(actor=task_force["KHM"], action=action, status="completed")
    assert push("KHM", transport).sent == 2
    report = ActionStatusReport.objects.get(action__number=2, country_id="KHM")
    assert report.status == "completed"
    first = OutboxItem.objects.filter(kind="decision_status").order_by("id").first()
    services.action_status_receive(country_id="KHM", data=first.payload)  # arrives late again
    report.refresh_from_db()
    assert report.status == "completed"


def test_the_hub_refuses_a_report_on_an_action_not_assigned(decision, transport, task_force):
    from matis.cooperation.models import DecisionAction

    services.decisions_pull(country_id="THA", transport=transport("THA"))
    action = ReceivedAction.objects.get(decision__country_id="THA")
    # pretend THA reports on LAO's action (a forged or stale item)
    action.uid = DecisionAction.objects.get(number=3).uid
    action.save(update_fields=["uid"])
    services.action_status_report(actor=task_force["THA"], action=action, status="completed")
    result = push("THA", transport)
    assert result.failed == 1
    item = OutboxItem.objects.get(kind="decision_status")
    assert item.status == OutboxStatus.FAILED and "not_assigned" in item.last_error
    assert not ActionStatusReport.objects.exists()


def test_only_the_own_country_reports(decision, transport, task_force):
    from django.core.exceptions import PermissionDenied

    services.decisions_pull(country_id="THA", transport=transport("THA"))
    action = ReceivedAction.objects.get(decision__country_id="THA")
    with pytest.raises(PermissionDenied):
        services.action_status_report(actor=task_force["KHM"], action=action, status="completed")


def test_bad_decisions_are_refused_naming_the_action(hub_keys, secretariat):
    from matis.cooperation.services import CooperationError

    def record(actions):
        return services.decision_record(
            actor=secretariat, meeting="IMM", meeting_number=3, held_on=TODAY, text="x",
            actions=actions,
        )  # fmt: skip

    with pytest.raises(CooperationError, match="Action 2"):
        record([{"text": "a", "countries": ["THA"], "due_on": TODAY},
                {"text": "b", "countries": ["USA"], "due_on": TODAY}])  # fmt: skip
    with pytest.raises(CooperationError, match="Action 1"):
        record([{"text": "a", "countries": [], "due_on": TODAY}])
    with pytest.raises(CooperationError):
        record([])
    from matis.cooperation.models import Decision

    assert not Decision.objects.exists()


def test_decisions_are_recorded_on_the_hub_only(settings, secretariat):
    from matis.cooperation.services import CooperationError

    settings.MATIS_EXCHANGE_LOCAL_HUB = False
    with pytest.raises(CooperationError):
        services.decision_record(
            actor=secretariat, meeting="SOM", meeting_number=1, held_on=TODAY, text="x",
            actions=[{"text": "a", "countries": ["THA"], "due_on": TODAY}],
        )  # fmt: skip


def test_unsigned_pull_is_refused(hub_keys, client):
    response = client.get("/exchange/api/decisions/")
    assert response.status_code == 403
