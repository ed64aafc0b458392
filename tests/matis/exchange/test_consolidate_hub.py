"""The hub consolidates: approved statistics and reports sent by a country reach its dashboards.

National approval -> outbox push (signed, in-process hub) -> hub receipt ->
consolidated into the hub's tables with provenance -> dashboard and regional
report. The tests run the national instance and the hub in one database (the
demo's arrangement), then rebuild the hub's figures from the received items
alone as a separate regional hub would (``MATIS_ROLE=regional``).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from matis.exchange.consolidate import consolidate_all, consolidate_received, versions_table
from matis.exchange.models import Consolidation, ConsolidationStatus, InboxItem, ItemKind
from matis.exchange.services import outbox_push

YEAR = 2012


def _approve(submission):
    from matis.official_statistics.services.submissions import (
        submission_approve,
        submission_submit,
        violation_comment,
    )

    submission_submit(actor=None, submission=submission)
    for warning in submission.violations.all():  # a lone synthetic figure trips rules
        violation_comment(actor=None, violation=warning, comment="synthetic test figure")
    submission_approve(actor=None, submission=submission)


@pytest.fixture
def indicator(db):
    from matis.official_statistics.models import StatisticalIndicator

    return StatisticalIndicator.objects.order_by("pk").first()


@pytest.fixture
def two_versions(local_transports, indicator):
    """THA approves 42 for 2012 and pushes; then reopens, corrects to 50, approves, pushes."""
    from matis.official_statistics.models import Observation, Submission
    from matis.official_statistics.services.submissions import (
        observation_update,
        submission_reopen,
    )

    submission = Submission.objects.create(country_id="THA", period=YEAR)
    observation = Observation.objects.create(
        indicator=indicator, country_id="THA", period=YEAR, series_key="", value=42,
        submission=submission, source="synthetic",
    )  # fmt: skip
    _approve(submission)
    assert outbox_push(transport_factory=local_transports).sent == 1
    first = Consolidation.objects.get()
    assert first.status == ConsolidationStatus.CURRENT and first.version_number == 1

    submission_reopen(actor=None, submission=submission, reason="corrected count")
    observation_update(
        actor=None, observation=observation, value_text="50", is_estimated=False,
        is_provisional=False, reason="corrected count",
    )  # fmt: skip
    _approve(submission)
    assert outbox_push(transport_factory=local_transports).sent == 1
    return submission


def _provenance_rows(client, indicator) -> list[dict]:
    response = client.get(reverse("statistics:dashboard"), {"indicator": indicator.code})
    assert response.status_code == 200
    return response, response.context["received_table"].rows


@pytest.mark.django_db
def test_approved_statistics_reach_the_hub_dashboard_and_a_revision_replaces_them(
    two_versions, indicator, country_keys, user_client
):
    v1, v2 = Consolidation.objects.order_by("pk")
    assert (v1.status, v2.status) == (ConsolidationStatus.REPLACED, ConsolidationStatus.CURRENT)
    assert v1.replaced_by == v2 and v2.version_number == 2
    assert v2.country_id == "THA" and v2.key_id == country_keys["THA"].key_id
    assert v2.reference == f"statistics/{YEAR}" and v2.submission == two_versions
    assert v2.sender_object == str(two_versions.pk)
    assert v2.inbox_item.kind == ItemKind.STATISTICS and v2.version > v1.version

    client = user_client("secretariat_analyst", None)
    response, rows = _provenance_rows(client, indicator)
    [row] = rows
    assert row["country"] == "Thailand" and row["year"] == YEAR
    assert row["value"].display == "50" and row["version"] == 2
    assert row["key"] == country_keys["THA"].key_id
    html = response.content.decode()
    assert country_keys["THA"].key_id in html
    # the history keeps both versions
    history = versions_table(year=YEAR).rows
    assert [(r["version"], r["status"]) for r in history] == [
        (2, ConsolidationStatus.CURRENT),
        (1, ConsolidationStatus.REPLACED),
    ]
    page = client.get(reverse("exchange:consolidation"), {"year": YEAR})
    assert page.status_code == 200
    assert page.content.decode().count(f"statistics/{YEAR}") == 2


def _as_a_separate_hub(settings):
    """Only the received items remain: THA's own tables and the consolidation are gone."""
    from matis.official_statistics.models import Observation, Submission

    settings.MATIS_ROLE = "regional"
    Consolidation.objects.update(replaced_by=None)
    Consolidation.objects.all().delete()
    Observation.objects.filter(country_id="THA").delete()
    Submission.objects.filter(country_id="THA").delete()


@pytest.mark.django_db
def test_a_separate_hub_builds_the_figures_from_the_received_items_alone(
    two_versions, indicator, settings, user_client
):
    from matis.official_statistics.models import Observation, ObservationRevision

    _as_a_separate_hub(settings)
    first, second = InboxItem.objects.order_by("pk")
    fields = {f: getattr(second, f) for f in ("country_id", "kind", "idempotency_key", "payload",
                                              "payload_digest", "key_id")}  # fmt: skip
    second.delete()  # version 2 has not arrived yet

    assert consolidate_all().counts == {ConsolidationStatus.CURRENT: 1}
    hub_copy = Observation.objects.get(country_id="THA", period=YEAR, indicator=indicator)
    assert (hub_copy.value, hub_copy.approved, hub_copy.submission.is_approved) == (42, True, True)

    second = InboxItem.objects.create(**fields)  # version 2 arrives
    assert consolidate_received(second).status == ConsolidationStatus.CURRENT
    hub_copy.refresh_from_db()
    assert hub_copy.value == 50
    [revision] = ObservationRevision.objects.filter(observation=hub_copy)
    assert (revision.old_value, revision.new_value) == (42, 50)
    assert "version 2" in revision.reason and "THA" in revision.reason
    assert Consolidation.objects.get(inbox_item=first).status == ConsolidationStatus.REPLACED

    client = user_client("secretariat_analyst", None)
    _response, [row] = _provenance_rows(client, indicator)
    assert (row["value"].display, row["version"]) == ("50", 2)

    # idempotent: applying the same items again changes nothing
    n_revisions = ObservationRevision.objects.count()
    assert consolidate_all().counts == {}
    for item in InboxItem.objects.all():
        consolidate_received(item)
    assert ObservationRevision.objects.count() == n_revisions
    assert Consolidation.objects.filter(status=ConsolidationStatus.CURRENT).count() == 1


@pytest.mark.django_db
def test_an_earlier_version_is_kept_but_never_applied_over_a_later_one(two_versions, settings):
    from matis.official_statistics.models import Observation, ObservationRevision

    _as_a_separate_hub(settings)
    # the consolidate command meets both versions: only the later one is applied
    assert consolidate_all().counts == {
        ConsolidationStatus.OUTDATED: 1,
        ConsolidationStatus.CURRENT: 1,
    }
    first, second = InboxItem.objects.order_by("pk")
    outdated = Consolidation.objects.get(inbox_item=first)
    assert outdated.status == ConsolidationStatus.OUTDATED and outdated.version_number == 1
    assert Consolidation.objects.get(inbox_item=second).version_number == 2
    assert f"received item {second.pk}" in outdated.message
    hub_copy = Observation.objects.get(country_id="THA", period=YEAR)
    assert hub_copy.value == 50
    assert not ObservationRevision.objects.filter(observation=hub_copy).exists()  # never 42


@pytest.mark.django_db
def test_an_item_that_cannot_be_imported_is_stored_and_recorded_as_failed(hub, country_keys):
    from matis.official_statistics.models import Observation

    item = InboxItem.objects.create(
        country_id="THA",
        kind=ItemKind.STATISTICS,
        idempotency_key=f"THA:statistics:99:{YEAR}-01-01T00:00:00+00:00",
        payload={
            "year": YEAR,
            "approved_at": f"{YEAR + 1}-01-01T00:00:00+00:00",
            "sdmx_csv": "DATAFLOW,INDICATOR,REF_AREA,TIME_PERIOD,OBS_VALUE\n"
            f"X,no-such-indicator,THA,{YEAR},5\n",
        },
        payload_digest="0" * 64,
        key_id=country_keys["THA"].key_id,
    )
    record = consolidate_received(item)
    assert record.status == ConsolidationStatus.FAILED
    assert "line 2" in record.message and "no-such-indicator" in record.message
    assert not Observation.objects.filter(country_id="THA").exists()
    # a retry (after the hub's structure is fixed) is the consolidate command
    assert consolidate_all().counts == {ConsolidationStatus.FAILED: 1}


@pytest.mark.django_db
def test_the_consolidate_command_imports_items_stored_before(two_versions, settings, capsys):
    import argparse
    import json

    from matis.exchange.cli import add_commands

    Consolidation.objects.update(replaced_by=None)
    Consolidation.objects.all().delete()
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"), lambda: None)
    args = parser.parse_args(["exchange", "consolidate", "--country", "tha"])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out) == {"consolidated": {"outdated": 1, "current": 1}}
    assert Consolidation.objects.get(status=ConsolidationStatus.CURRENT).version_number == 2


@pytest.mark.django_db
def test_a_copy_being_edited_here_holds_the_version_until_the_hub_takes_it_over(
    two_versions, settings
):
    from matis.official_statistics.models import Submission
    from matis.official_statistics.services.submissions import submission_reopen

    # one database: the national instance reopened its submission after sending version 2
    submission_reopen(actor=None, submission=two_versions, reason="another correction")
    v2 = InboxItem.objects.order_by("pk").last()
    v3 = InboxItem.objects.create(
        country_id="THA",
        kind=ItemKind.STATISTICS,
        idempotency_key=f"THA:statistics:{two_versions.pk}:2099-01-01T00:00:00+00:00",
        payload={**v2.payload, "approved_at": "2099-01-01T00:00:00+00:00"},
        payload_digest="0" * 64,
        key_id=v2.key_id,
    )
    held = consolidate_received(v3)
    assert held.status == ConsolidationStatus.HELD and "Draft" in held.message
    assert Submission.objects.get(pk=two_versions.pk).status == Submission.Status.DRAFT
    assert Consolidation.objects.get(inbox_item=v2).status == ConsolidationStatus.CURRENT

    # a regional hub: the government's approved version takes over the hub's copy
    settings.MATIS_ROLE = "regional"
    assert consolidate_all().counts == {ConsolidationStatus.CURRENT: 1}
    assert Submission.objects.get(pk=two_versions.pk).status == Submission.Status.APPROVED
    assert Consolidation.objects.get(inbox_item=v2).status == ConsolidationStatus.REPLACED
    assert Consolidation.objects.get(inbox_item=v3).version_number == 3
