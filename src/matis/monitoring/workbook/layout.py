"""Column keys and titles of the workbook sheets."""

from __future__ import annotations

from django.utils.translation import gettext as _

from matis.monitoring.models import (
    OutputKind,
)

MAX_NARRATIVE = 20000
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
FIRST_DATA_ROW = 3

OUTPUT_KEYS = [k.value for k in OutputKind]
ACTIVITY_KEYS = [
    "code",
    "title",
    "priority",
    "status",
    "narrative",
    "narrative_language",
    "responsible_agencies",
    *OUTPUT_KEYS,
    "workflow",
]
PARTNER_KEYS = ["activity", "partner_type", "partner", "function"]
BUDGET_KEYS = ["activity", "budget_line", "partner", "partner_type", "currency", "amount"]
INDICATOR_KEYS = ["code", "indicator", "goal", "unit", "source", "baseline", "target", "actual"]


def column_titles() -> dict[str, str]:
    titles = {
        "code": _("Code"),
        "title": _("Activity"),
        "priority": _("Priority"),
        "status": _("Status"),
        "narrative": _("Narrative"),
        "narrative_language": _("Language of the narrative"),
        "responsible_agencies": _("Responsible agencies (separate with ;)"),
        "workflow": _("Workflow state (not imported)"),
        "activity": _("Activity code"),
        "partner_type": _("Partner type"),
        "partner": _("Partner"),
        "function": _("Function (roles matrix code)"),
        "budget_line": _("Budget line"),
        "currency": _("Currency (ISO 4217)"),
        "amount": _("Amount"),
        "indicator": _("Indicator"),
        "goal": _("Goal"),
        "unit": _("Unit"),
        "source": _("Source"),
        "baseline": _("Baseline"),
        "target": _("Target"),
        "actual": _("Actual"),
    }
    titles.update({k.value: str(k.label) for k in OutputKind})
    return titles
