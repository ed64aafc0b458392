"""SOM/IMM decisions (MOU art. 30): recorded on the hub, pulled by countries, status reported.

The hub answers each country the decisions with an action assigned to it
(:func:`matis.cooperation.selectors.decisions_for_country`, served by
:mod:`matis.exchange.decisions`); a country's status on an action travels back
through its outbox as a ``decision_status`` item, exactly once and in order,
and the hub keeps the latest report per action and country.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.common.models import COMMIT_COUNTRIES
from matis.cooperation.models import (
    ActionStatus,
    ActionStatusReport,
    Decision,
    DecisionAction,
    Meeting,
    ReceivedAction,
    ReceivedDecision,
)
from matis.cooperation.services.common import CooperationError, require
from matis.exchange import conf
from matis.exchange.models import ItemKind
from matis.exchange.services import outbox_enqueue, transport_for
from matis.exchange.transport import HubUnreachable

COMMENT_MAX = 500


class ActionReportRefused(ValueError):
    """The hub cannot apply a status report; ``code`` is a stable word for the sender."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


# --- the hub: recording a decision ----------------------------------------------------------


def _clean_actions(actions: Iterable[dict]) -> list[dict]:
    cleaned = []
    for n, action in enumerate(actions, start=1):
        text = str(action.get("text", "")).strip()
        countries = sorted({str(c).strip().upper() for c in action.get("countries") or [] if c})
        due = action.get("due_on")
        if not text:
            raise CooperationError(_("Action %(n)s: write what is to be done.") % {"n": n})
        if not countries:
            raise CooperationError(_("Action %(n)s: assign at least one country.") % {"n": n})
        unknown = [c for c in countries if c not in COMMIT_COUNTRIES]
        if unknown:
            raise CooperationError(
                _("Action %(n)s: not a COMMIT country: %(codes)s")
                % {"n": n, "codes": ", ".join(unknown)}
            )
        if not isinstance(due, dt.date):
            raise CooperationError(_("Action %(n)s: give the due date.") % {"n": n})
        cleaned.append({"number": n, "text": text, "countries": countries, "due_on": due})
    if not cleaned:
        raise CooperationError(_("A decision has at least one follow-up action."))
    return cleaned


@transaction.atomic
def decision_record(
    *, actor: User | None, meeting: str, meeting_number: int, held_on: dt.date, text: str,
    actions: Iterable[dict],
) -> Decision:  # fmt: skip
    """The secretariat records a decision and its actions (each: text, countries, due_on)."""
    if actor is not None:
        require(actor, "cooperation.record_decision")
    if not conf.is_hub():
        raise CooperationError(_("Decisions are recorded on the regional hub."))
    if meeting not in Meeting.values:
        raise CooperationError(_("Choose SOM or IMM."))
    if not text.strip():
        raise CooperationError(_("Write the decision."))
    cleaned = _clean_actions(actions)
    for row in cleaned:
        if row["due_on"] < held_on:
            raise CooperationError(
                _("Action %(n)s: due before the meeting was held.") % {"n": row["number"]}
            )
    decision = Decision.objects.create(
        meeting=meeting,
        meeting_number=meeting_number,
        held_on=held_on,
        text=text.strip(),
        created_by=actor,
    )
    DecisionAction.objects.bulk_create(DecisionAction(decision=decision, **row) for row in cleaned)
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_CREATE,
        obj=decision,
        actions=len(cleaned),
        countries=sorted({c for row in cleaned for c in row["countries"]}),
    )
    return decision


# --- the hub: a country's report arrives --------------------------------------------------


def action_status_receive(*, country_id: str, data: dict) -> ActionStatusReport:
    """Apply one ``decision_status`` item (hub side); an older report never replaces a newer."""
    try:
        uid = uuid.UUID(str(data.get("action")))
    except ValueError:
        raise ActionReportRefused("unknown_action", "action is not a UUID") from None
    action = DecisionAction.objects.filter(uid=uid).first()
    if action is None:
        raise ActionReportRefused("unknown_action", "no such follow-up action")
    if country_id not in action.countries:
        raise ActionReportRefused("not_assigned", "the action is not assigned to this country")
    status = data.get("status")
    if status not in ActionStatus.values:
        raise ActionReportRefused("bad_status", f"unknown status {status!r}")
    comment = data.get("comment") or ""
    if not isinstance(comment, str) or len(comment) > COMMENT_MAX:
        raise ActionReportRefused("bad_comment", "the comment is not text or too long")
    try:
        reported_at = dt.datetime.fromisoformat(str(data.get("reported_at")))
    except ValueError:
        raise ActionReportRefused("bad_time", "reported_at is not a date and time") from None
    report = ActionStatusReport.objects.filter(action=action, country_id=country_id).first()
    if report is not None and report.reported_at >= reported_at:
        return report  # an older report arriving late changes nothing
    report = report or ActionStatusReport(action=action, country_id=country_id)
    report.status, report.comment, report.reported_at = status, comment, reported_at
    report.save()
    audit_record(
        actor=None,
        action=AuditAction.STATUS_CHANGE,
        obj=report,
        country_id=country_id,
        status=status,
    )
    return report


# --- national: pull and report -------------------------------------------------------------


@transaction.atomic
def decisions_pull(*, country_id: str, transport=None) -> int:
    """Fetch the decisions addressed to ``country_id`` from the hub; returns how many are new."""
    from matis.exchange.decisions import fetch_decisions

    transport = transport or transport_for(country_id)
    since = (
        ReceivedDecision.objects.filter(country_id=country_id)
        .order_by("-hub_id")
        .values_list("hub_id", flat=True)
        .first()
    ) or 0
    response = fetch_decisions(transport, since=since)
    if not response.ok:
        raise HubUnreachable(f"hub answered {response.status}: {response.body.get('error', '')}")
    created = 0
    for row in response.body.get("decisions", []):
        decision, was_created = ReceivedDecision.objects.update_or_create(
            country_id=country_id,
            uid=row["decision"],
            defaults={
                "hub_id": int(row["id"]),
                "meeting": row["meeting"],
                "meeting_number": int(row["meeting_number"]),
                "held_on": dt.date.fromisoformat(row["held_on"]),
                "text": row["text"],
            },
        )
        for action in row["actions"]:
            local, _new = ReceivedAction.objects.get_or_create(
                decision=decision,
                uid=action["action"],
                defaults={
                    "number": int(action["number"]),
                    "text": action["text"],
                    "countries": list(action["countries"]),
                    "due_on": dt.date.fromisoformat(action["due_on"]),
                    "assigned": country_id in action["countries"],
                },
            )
            hub_status = action.get("status")
            if local.reported_at is None and hub_status in ActionStatus.values:
                local.status = hub_status  # what the hub holds from an earlier report
                local.save(update_fields=["status"])
        if was_created:
            created += 1
            audit_record(
                actor=None,
                action=AuditAction.IMPORT,
                obj=decision,
                country_id=country_id,
                hub_id=decision.hub_id,
            )
    return created


@transaction.atomic
def action_status_report(
    *, actor: User, action: ReceivedAction, status: str, comment: str = ""
) -> ReceivedAction:
    """A country's status on one of its actions; queued for the hub in the same transaction."""
    action = ReceivedAction.objects.select_for_update().select_related("decision").get(pk=action.pk)
    require(actor, "cooperation.report_action_status", action.decision)
    if not action.assigned:
        raise CooperationError(_("This action is not assigned to your country."))
    if status not in ActionStatus.values:
        raise CooperationError(_("Choose a status."))
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise CooperationError(_("The comment is too long."))
    action.status, action.comment = status, comment
    action.reported_at, action.reported_by = timezone.now(), actor
    action.save(update_fields=["status", "comment", "reported_at", "reported_by"])
    country = action.decision.country_id
    stamp = int(action.reported_at.timestamp() * 1_000_000)
    outbox_enqueue(
        country_id=country,
        kind=ItemKind.DECISION_STATUS,
        object_type="cooperation.receivedaction",
        object_id=action.pk,
        idempotency_key=f"{country}:decision-status:{action.uid}:{stamp}",
        payload={
            "decision": str(action.decision.uid),
            "action": str(action.uid),
            "status": status,
            "comment": comment,
            "reported_at": action.reported_at.isoformat(),
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        obj=action.decision,
        action_uid=str(action.uid),
        status=status,
    )
    return action
