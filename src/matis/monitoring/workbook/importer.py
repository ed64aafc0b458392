"""Importing a checked workbook: only what differs is written, all or nothing.

The workbook layout on the common import kit (:mod:`matis.common.importing`):
``read_workbook`` parses and checks, :func:`run_import` refuses on any problem
and stores in one transaction.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.common.importing import UNCHANGED, UPDATED, ImportResult, Problems, run_import
from matis.monitoring.models import (
    ActivityReport,
    PlanIndicator,
    ReportingPeriod,
)
from matis.monitoring.selectors import indicator_rows
from matis.monitoring.services.indicators import IndicatorValues, indicator_values_set
from matis.monitoring.services.periods import period_reports_ensure
from matis.monitoring.services.reports import (
    ActivityReportContent,
    activity_report_update,
    content_of,
)
from matis.monitoring.workbook.read import read_workbook

ACTIVITIES, INDICATORS = "Activities", "Indicators"


def workbook_import(*, actor: User | None, data: bytes) -> ImportResult:
    """Check the whole workbook, then write what changed; raise ``ImportRejected`` on errors.

    The result counts activity reports (sheet ``Activities``) and indicator
    values (``Indicators``) updated or unchanged; ``changed_keys`` lists the
    activity codes whose report changed.
    """
    return run_import(
        parse=lambda problems: read_workbook(data, actor=actor, problems=problems),
        store=lambda parsed, problems: _store(*parsed, problems, actor=actor),
    )


def _store(
    country_id: str,
    period: ReportingPeriod,
    contents: dict,
    indicator_values: list[IndicatorValues],
    problems: Problems,
    *,
    actor: User | None,
) -> ImportResult:
    result = ImportResult(n_rows=len(contents) + len(indicator_values))
    reports = {
        r.activity_id: r
        for r in ActivityReport.objects.filter(country_id=country_id, period=period)
        .select_related("period")
        .prefetch_related("outputs", "responsible_agencies", "partners", "budget")
    }
    accepts = period.accepts_country_edits()
    to_change = []
    for activity_id, (code, row, content) in sorted(contents.items(), key=lambda i: i[1][1]):
        report = reports.get(activity_id)
        stored = content_of(report) if report else ActivityReportContent()
        if stored == content:
            result.add(ACTIVITIES, UNCHANGED)
            continue
        if not accepts:
            problems.add(
                _(
                    "the reporting period %(year)s does not accept changes now, so %(code)s must "
                    "keep its values"
                )
                % {"year": period.year, "code": code},
                sheet=ACTIVITIES,
                column="A",
                row=row,
            )
        elif report is not None and report.workflow != "draft":
            problems.add(
                _(
                    "%(code)s is %(state)s; only draft reports can change, so its rows must keep "
                    "their values"
                )
                % {"code": code, "state": report.get_workflow_display()},
                sheet=ACTIVITIES,
                column="A",
                row=row,
            )
        else:
            to_change.append((activity_id, code, content))
    indicators_changed = _indicators_differ(country_id, period, indicator_values)
    if indicators_changed and not accepts:
        problems.add(
            _(
                "the reporting period %(year)s does not accept changes now, so the indicator values "
                "must stay as they are"
            )
            % {"year": period.year},
            sheet=INDICATORS,
        )
    if problems:
        return result  # the kit refuses the workbook; nothing is written
    if any(activity_id not in reports for activity_id, _code, _content in to_change):
        period_reports_ensure(period=period, countries=[country_id])
        reports = {
            r.activity_id: r
            for r in ActivityReport.objects.filter(country_id=country_id, period=period)
        }
    for activity_id, code, content in to_change:
        changed = activity_report_update(
            actor=actor, report=reports[activity_id], content=content, via="excel"
        )
        if changed:
            result.add(ACTIVITIES, UPDATED)
            result.changed_keys.append(code)
        else:
            result.add(ACTIVITIES, UNCHANGED)
    if indicators_changed:
        n_values = indicator_values_set(
            actor=actor, country_id=country_id, period=period, values=indicator_values, via="excel"
        )
        result.add(INDICATORS, UPDATED, n_values)
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        country_id=country_id,
        object_type="monitoring.workbook",
        object_id=period.year,
        reports_changed=result.count(ACTIVITIES, UPDATED),
        indicator_values_changed=result.count(INDICATORS, UPDATED),
    )
    return result


def _indicators_differ(
    country_id: str, period: ReportingPeriod, values: list[IndicatorValues]
) -> bool:
    current = {r.indicator.pk: r for r in indicator_rows(country_id=country_id, period=period)}
    for row in values:
        stored = current[row.indicator_id]
        pairs = [(row.baseline, stored.baseline), (row.target, stored.target)]
        if stored.indicator.source == PlanIndicator.Source.REPORTED:
            pairs.append((row.actual, stored.actual))
        for new, old in pairs:
            if new != (old.value if old else None):
                return True
    return False
