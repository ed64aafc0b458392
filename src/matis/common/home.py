"""What a user's home page leads with: the work awaiting the user, what is overdue, the
user's recent activity, and the pages of the user's role to start from.

Nothing here imports a domain app: the work comes from the inbox sources (each through
its own gate, :mod:`matis.common.inbox`), the shortcuts from the menu (which offers only
what the user may open, :mod:`matis.common.navigation`) and the activity from the audit
log rows the user wrote. No personal data is shown: an inbox item carries none, and an
activity row shows its time, its action, the kind of record and, for a case, the case
number only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils import timezone

from matis.common.inbox import InboxItem, InboxSection, inbox_sections

# Items shown per inbox section on the home page, and how many rows of each source
# are looked through for overdue ones (the inbox page lists them all).
SECTION_ITEMS = 5
OVERDUE_SCAN = 200
OVERDUE_SHOWN = 10
ACTIVITY_SHOWN = 8

# The menu pages each role starts its work from, first to last (those the user may open).
ROLE_SHORTCUTS: dict[str, tuple[str, ...]] = {
    "case_worker": ("cases:case_list", "intake:tip_list", "cases:referral_list", "returns:list"),
    "case_supervisor": (
        "cases:alert_list",
        "cases:case_list",
        "cases:referral_list",
        "cases:detention_register",
        "returns:list",
    ),
    "statistics_officer": (
        "statistics:submission_list",
        "statistics:dashboard",
        "reports:report_list",
    ),
    "justice_officer": ("justice:list", "cases:referral_list"),
    "task_force_officer": (
        "monitoring:report_list",
        "monitoring:dashboard",
        "plans:overview",
        "cooperation:detention_list",
        "registers:index",
    ),
    "secretariat_analyst": (
        "monitoring:dashboard",
        "analytics:analysis_list",
        "statistics:dashboard",
        "reports:report_list",
        "publishing:releases",
    ),
    "auditor": ("access:audit_list", "access:user_list"),
    "administrator": ("access:user_list", "access:agency_list", "access:audit_list"),
}


@dataclass(frozen=True)
class ActivityRow:
    """One audit row of the user's own, without personal data."""

    at: dt.datetime
    action: Any
    kind: Any
    reference: str = ""


def split_overdue(sections: list[InboxSection], *, shown: int = OVERDUE_SHOWN):
    """The overdue items of ``sections`` (oldest date first), and the sections cut to
    :data:`SECTION_ITEMS` items each for the home page."""
    overdue: list[tuple[Any, InboxItem]] = []
    for section in sections:
        overdue.extend((section.label, item) for item in section.items if item.overdue)
    overdue.sort(key=lambda pair: (pair[1].on is None, pair[1].on or dt.date.min))
    for section in sections:
        section.items = section.items[:SECTION_ITEMS]
    return overdue[:shown], len(overdue)


def recent_activity(user, *, limit: int = ACTIVITY_SHOWN) -> list[ActivityRow]:
    """The last ``limit`` audit rows the user wrote: time, action, record kind, case number."""
    from matis.access.models import AuditLog

    rows = list(
        AuditLog.objects.filter(actor=user).only("at", "action", "object_type", "object_id")[:limit]
    )
    case_ids = [r.object_id for r in rows if r.object_type == "cases.case" and r.object_id]
    numbers: dict[str, str] = {}
    if case_ids:
        case_model = apps.get_model("cases", "Case")
        numbers = {
            str(pk): reference
            for pk, reference in case_model.objects.filter(
                pk__in=[i for i in case_ids if i.isdigit()]
            ).values_list("pk", "reference")
        }
    return [
        ActivityRow(
            at=timezone.localtime(row.at),
            action=row.get_action_display(),
            kind=_kind(row.object_type),
            reference=numbers.get(row.object_id, "") if row.object_type == "cases.case" else "",
        )
        for row in rows
    ]


def _kind(object_type: str):
    """The verbose name of the record kind ``app_label.model`` (empty when unknown)."""
    if "." not in object_type:
        return ""
    try:
        return apps.get_model(object_type)._meta.verbose_name
    except (LookupError, ValueError):
        return ""


def shortcuts(user, nav_items: list[dict]) -> list[dict]:
    """The menu items ``user``'s role starts from, in the role's order."""
    by_name = {item.get("url_name"): item for item in nav_items}
    wanted = ROLE_SHORTCUTS.get(getattr(user, "role", ""), ())
    return [by_name[name] for name in wanted if name in by_name]


def home_context(user, *, nav_items: list[dict], today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    sections = inbox_sections(user, today=today, limit=OVERDUE_SCAN)
    overdue, overdue_count = split_overdue(sections)
    return {
        "inbox_sections": sections,
        "overdue_items": overdue,
        "overdue_count": overdue_count,
        "activity": recent_activity(user),
        "shortcuts": shortcuts(user, nav_items),
    }
