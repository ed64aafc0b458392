"""Approved monitoring reports and statistics are queued with their approval and reach the hub."""

from __future__ import annotations

import pytest

from matis.exchange.models import InboxItem, ItemKind, OutboxItem
from matis.exchange.services import enqueue_pending, outbox_push


@pytest.fixture
def approved_report(make_user):
    from matis.monitoring.models import Workflow
    from matis.monitoring.services.reports import activity_report_transition
    from matis.monitoring.test_factories import _report

    report = _report("THA", "synthetic-report")
    officer = make_user(role="task_force_officer", country="THA")
    secretariat = make_user(role="secretariat_analyst", country=None)
    activity_report_transition(actor=officer, report=report, target=Workflow.SUBMITTED)
    assert not OutboxItem.objects.exists()  # submitted is not approved
    activity_report_transition(
        actor=secretariat, report=report, target=Workflow.REVIEWED, comment="ok"
    )
    return activity_report_transition(actor=secretariat, report=report, target=Workflow.APPROVED)


@pytest.mark.django_db
def test_report_approval_queues_it_and_the_hub_stores_it(approved_report, local_transports):
    item = OutboxItem.objects.get()
    assert (item.kind, item.object_id) == (ItemKind.MONITORING_REPORT, str(approved_report.pk))
    assert outbox_push(transport_factory=local_transports).sent == 1
    stored = InboxItem.objects.get()
    assert stored.payload["activity"] == approved_report.activity.code
    assert stored.payload["narrative"] == "Narrative synthetic-report"
    assert enqueue_pending(country_id="THA")[ItemKind.MONITORING_REPORT] == 0  # already queued


@pytest.mark.django_db
def test_the_approved_content_is_sent_even_if_the_report_is_edited_before_the_push(
    approved_report, local_transports
):
    from matis.monitoring.models import ActivityReport

    ActivityReport.objects.filter(pk=approved_report.pk).update(narrative="Draft after approval")
    assert outbox_push(transport_factory=local_transports).sent == 1
    assert InboxItem.objects.get().payload["narrative"] == "Narrative synthetic-report"


@pytest.mark.django_db
def test_approval_rolled_back_queues_nothing(make_user):
    from django.db import transaction

    from matis.monitoring.models import Workflow
    from matis.monitoring.services.reports import activity_report_transition
    from matis.monitoring.test_factories import _report

    report = _report("THA", "synthetic-rollback")
    officer = make_user(role="task_force_officer", country="THA")
    secretariat = make_user(role="secretariat_analyst", country=None)
    activity_report_transition(actor=officer, report=report, target=Workflow.SUBMITTED)
    activity_report_transition(
        actor=secretariat, report=report, target=Workflow.REVIEWED, comment="ok"
    )

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        activity_report_transition(actor=secretariat, report=report, target=Workflow.APPROVED)
        assert OutboxItem.objects.count() == 1
        raise Abort
    assert not OutboxItem.objects.exists()


@pytest.mark.django_db
def test_approved_statistics_travel_as_sdmx(local_transports):
    from matis.official_statistics.models import Observation, StatisticalIndicator, Submission
    from matis.official_statistics.services.submissions import (
        submission_approve,
        submission_submit,
        violation_comment,
    )

    submission = Submission.objects.create(country_id="THA", period=2012)
    indicator = StatisticalIndicator.objects.order_by("pk").first()
    Observation.objects.create(
        indicator=indicator, country_id="THA", period=2012, series_key="", value=42,
        submission=submission, source="synthetic",
    )  # fmt: skip
    assert not OutboxItem.objects.exists()
    submission_submit(actor=None, submission=submission)
    assert not OutboxItem.objects.exists()  # submitted is not approved
    for warning in submission.violations.all():  # a lone synthetic figure trips rules
        violation_comment(actor=None, violation=warning, comment="synthetic test figure")
    submission_approve(actor=None, submission=submission)
    item = OutboxItem.objects.get()
    assert item.kind == ItemKind.STATISTICS
    outbox_push(transport_factory=local_transports)
    data = InboxItem.objects.get().payload
    assert data["n_observations"] == 1
    header, row = data["sdmx_csv"].strip().splitlines()
    assert header.startswith("DATAFLOW,INDICATOR,REF_AREA")
    assert f",{indicator.code},THA," in row and ",42," in row
