"""Reads of the cooperation app, always through the reader's scope (and audited where personal)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.gates import get_scoped_or_deny
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import scope_queryset
from matis.cases.choices import DETENTION_KINDS, PlacementKind
from matis.cases.gates import cases_editable_by, cases_visible_to
from matis.cases.models import Placement
from matis.common.models import Country
from matis.common.tables import Column, Table
from matis.cooperation.models import (
    ActionStatus,
    ActionStatusReport,
    Assessment,
    Decision,
    DetentionNotice,
    Direction,
    ReceivedAction,
    ReceivedAssessment,
    ReceivedDecision,
)
from matis.cooperation.models.decisions import is_overdue
from matis.exchange.models import OutboxStatus, RelayDelivery, RelayOutgoing

# --- detention notices ------------------------------------------------------------------------


def notices_visible(user) -> QuerySet[DetentionNotice]:
    """Notices of the user's country: received ones, and sent ones of cases the user may read.

    A sent notice is part of its case: the case gate's rule (agency, assignment,
    supervision, break-the-glass) decides who sees it.
    """
    if not has_perm(user, "cooperation.view_detention_notices"):
        return DetentionNotice.objects.none()
    notices = scope_queryset(user, DetentionNotice.objects.select_related("other_country"))
    return notices.filter(Q(direction=Direction.IN) | Q(case__in=cases_visible_to(user)))


def notice_for(user, pk, *, purpose: str = "detention_notice") -> DetentionNotice:
    """One notice of the user's country; a personal one's read is audited (it names a person)."""
    notice = get_scoped_or_deny(user, notices_visible(user), pk, purpose=purpose)
    if notice.personal:
        audit_record(
            actor=user,
            action=AuditAction.RECORD_READ,
            obj=notice,
            purpose=purpose,
            case=notice.case_id,
        )
    return notice


def notice_delivery(notice: DetentionNotice) -> dict | None:
    """Where a sent notice is: queued, at the hub, applied, parked (refused) or cancelled.

    Cancelled means the relay stopped it before sending (the person withdrew
    consent): the country of nationality has not been told.
    """
    if notice.direction != Direction.OUT:
        return None
    keys = [f"{notice.country_id}:detention:{notice.notice}"]
    keys.append(keys[0] + ":basic")
    sent = (
        RelayOutgoing.objects.filter(sender_id=notice.country_id, key__in=keys, is_void=False)
        .select_related("outbox_item")
        .order_by("-id")
        .first()
    )
    if sent is None:
        return None
    if sent.outbox_item.status == OutboxStatus.CANCELLED:
        return {"state": "cancelled", "label": _("Not sent: consent withdrawn before sending")}
    labels = dict(RelayDelivery.choices)
    return {
        "state": sent.delivery,
        "label": labels.get(sent.delivery, sent.delivery),
        "error": sent.delivery_error,
    }


def placements_to_notify(user) -> QuerySet[Placement]:
    """Placements of foreign nationals held in detention or a closed shelter, not yet notified.

    Only placements of cases the user may change (the case gate's rule).
    """
    if not has_perm(user, "cooperation.send_detention_notice", user.country_id):
        return Placement.objects.none()
    closed = Placement.objects.filter(kind__in=sorted(DETENTION_KINDS)) | Placement.objects.filter(
        kind=PlacementKind.SHELTER, voluntary=False
    )
    return (
        closed.filter(case__in=cases_editable_by(user))
        .filter(case__person__stateless=False, case__person__primary_citizenship__isnull=False)
        .exclude(case__person__primary_citizenship=user.country_id)
        .exclude(detention_notices__direction=Direction.OUT)
        .select_related("case__person", "facility")
        .order_by("-start_date", "-id")
    )


# --- assessments --------------------------------------------------------------------------------


def assessments_visible(user) -> QuerySet[Assessment]:
    if not has_perm(user, "cooperation.view_assessments"):
        return Assessment.objects.none()
    return scope_queryset(user, Assessment.objects.all())


def received_assessments(user) -> QuerySet[ReceivedAssessment]:
    if not has_perm(user, "cooperation.view_assessments"):
        return ReceivedAssessment.objects.none()
    return scope_queryset(user, ReceivedAssessment.objects.select_related("sender"))


# --- decisions ------------------------------------------------------------------------------------


def decisions_for_country(country_id: str, *, since_id: int = 0) -> list[dict]:
    """The hub's answer to a country's pull: decisions with an action assigned to it."""
    reports = {
        (r.action_id, r.country_id): r.status
        for r in ActionStatusReport.objects.filter(country_id=country_id)
    }
    out = []
    decisions = Decision.objects.filter(pk__gt=since_id).prefetch_related("actions").order_by("pk")
    for decision in decisions:
        actions = [a for a in decision.actions.all() if country_id in a.countries]
        if not actions:
            continue
        out.append(
            {
                "id": decision.pk,
                "decision": str(decision.uid),
                "meeting": decision.meeting,
                "meeting_number": decision.meeting_number,
                "held_on": decision.held_on.isoformat(),
                "text": decision.text,
                "actions": [
                    {
                        "action": str(a.uid),
                        "number": a.number,
                        "text": a.text,
                        "countries": list(a.countries),
                        "due_on": a.due_on.isoformat(),
                        "status": reports.get((a.pk, country_id)),
                    }
                    for a in actions
                ],
            }
        )
    return out


def received_decisions(user) -> QuerySet[ReceivedDecision]:
    if not has_perm(user, "cooperation.view_decisions"):
        return ReceivedDecision.objects.none()
    return scope_queryset(user, ReceivedDecision.objects.prefetch_related("actions"))


def received_action_for(user, pk) -> ReceivedAction:
    allowed = ReceivedAction.objects.select_related("decision").filter(
        decision__in=received_decisions(user)
    )
    return get_scoped_or_deny(user, allowed, pk, purpose="report_action_status")


TRACKING_COLUMNS = (
    "meeting",
    "held_on",
    "action",
    "text",
    "country",
    "due_on",
    "status",
    "reported_at",
    "overdue",
)


def decision_tracking_rows(*, today: dt.date | None = None, decision: Decision | None = None):
    """One row per action and assigned country: its latest reported status; overdue flagged."""
    today = today or dt.date.today()
    decisions = Decision.objects.prefetch_related("actions__reports").order_by("-held_on", "-pk")
    if decision is not None:
        decisions = decisions.filter(pk=decision.pk)
    names = {c.pk: c.display_name for c in Country.objects.commit()}
    rows = []
    for d in decisions:
        for a in d.actions.all():
            reports = {r.country_id: r for r in a.reports.all()}
            for country in a.countries:
                report = reports.get(country)
                status = report.status if report else ActionStatus.NOT_STARTED
                rows.append(
                    {
                        "meeting": f"{d.meeting} {d.meeting_number}",
                        "held_on": d.held_on,
                        "action": a.number,
                        "text": a.text,
                        "country": names.get(country, country),
                        "country_code": country,
                        "due_on": a.due_on,
                        "status": status,
                        "reported": report is not None,
                        "reported_at": report.reported_at if report else None,
                        "overdue": is_overdue(a.due_on, status, today=today),
                        "decision_id": d.pk,
                    }
                )
    return rows


def decision_tracking_table(rows: list[dict]) -> Table:
    """The tracking rows as a common table (for the page and the CSV / Excel download)."""
    yes, no = _("yes"), _("no")
    labels = {
        "meeting": _("Meeting"),
        "held_on": _("Held on"),
        "action": _("Action"),
        "text": _("What is to be done"),
        "country": _("Country"),
        "due_on": _("Due"),
        "status": _("Status"),
        "reported_at": _("Reported"),
        "overdue": _("Overdue"),
    }
    columns = [
        Column(key, labels[key], kind="int" if key == "action" else "text")
        for key in TRACKING_COLUMNS
    ]
    status_labels = dict(ActionStatus.choices)
    shown = [
        {
            **row,
            "status": str(status_labels[row["status"]]) if row["reported"] else _("No report yet"),
            "held_on": row["held_on"].isoformat(),
            "due_on": row["due_on"].isoformat(),
            "reported_at": row["reported_at"].strftime("%Y-%m-%d %H:%M")
            if row["reported_at"]
            else "",
            "overdue": yes if row["overdue"] else no,
        }
        for row in rows
    ]
    return Table("decision_tracking", _("Follow-up of SOM/IMM decisions"), columns, shown)
