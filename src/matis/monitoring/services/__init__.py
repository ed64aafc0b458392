"""Writes of the monitoring app. Each service checks the actor, validates, writes and audits.

Services raise ``PermissionDenied`` when the actor may not act, ``ValidationError``
for bad input, ``TransitionNotAllowed`` for a workflow step the table does not
allow and ``ReportLocked`` for changes to locked reports.
"""

from matis.monitoring.services.exports import table_export
from matis.monitoring.services.indicators import (
    IndicatorValues,
    indicator_actuals_refresh,
    indicator_values_set,
    indicators_load,
)
from matis.monitoring.services.npa import national_plan_save
from matis.monitoring.services.periods import (
    exchange_rate_set,
    period_close,
    period_create,
    period_reopen,
    period_reports_ensure,
    period_set_dates,
)
from matis.monitoring.services.reports import (
    ActivityReportContent,
    ReportLocked,
    activity_report_transition,
    activity_report_update,
    content_of,
    evidence_add,
    evidence_delete,
    evidence_open,
)

__all__ = [
    "ActivityReportContent",
    "IndicatorValues",
    "ReportLocked",
    "activity_report_transition",
    "activity_report_update",
    "content_of",
    "evidence_add",
    "evidence_delete",
    "evidence_open",
    "exchange_rate_set",
    "indicator_actuals_refresh",
    "indicator_values_set",
    "indicators_load",
    "national_plan_save",
    "period_close",
    "period_create",
    "period_reopen",
    "period_reports_ensure",
    "period_set_dates",
    "table_export",
]
