"""The regional hub's copy of a country's approved activity report: replace it with a received version.

Called by :mod:`matis.exchange.consolidate` when an approved report arrives at
the hub. The hub keeps received reports in the same table as every instance
(:class:`ActivityReport`, approved), so the regional dashboards and the regional
annual report count them like any other approved report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from matis.access.audit import audit_record, changes_since, snapshot
from matis.access.models import AuditAction
from matis.monitoring.models import ActivityReport, ReportingPeriod, Workflow
from matis.monitoring.services.reports import (
    ActivityReportContent,
    BudgetLine,
    PartnerLine,
    _apply,
    content_of,
    validate_content,
)
from matis.plans.models import Activity


class ReceivedReportInvalid(ValueError):
    """The received report cannot be imported; the message says which field and why."""


class ReportNotReplaceable(Exception):
    """The hub's copy is in the workflow here (not approved): the received version waits."""


@dataclass(frozen=True)
class ReportReplaceResult:
    report: ActivityReport
    created: bool
    changed: list[str]

    def as_dict(self) -> dict:
        return {"created": int(self.created), "changed": self.changed}


def received_slot(*, activity_code: str, year: int) -> tuple[Activity, ReportingPeriod]:
    """The activity and the reporting period a received report is for, or ReceivedReportInvalid."""
    activities = list(Activity.objects.filter(code=activity_code).select_related("area__plan"))
    if not activities:
        raise ReceivedReportInvalid(
            _("activity: %(code)r is not an activity of any plan here") % {"code": activity_code}
        )
    periods = {
        p.plan_id: p
        for p in ReportingPeriod.objects.filter(
            plan__in={a.area.plan_id for a in activities}, year=year
        )
    }
    matching = [a for a in activities if a.area.plan_id in periods]
    if len(matching) != 1:
        raise ReceivedReportInvalid(
            _("year: there is no reporting period %(year)s here for the activity %(code)s")
            % {"year": year, "code": activity_code}
            if not matching
            else _("activity: %(code)s is in several plans reporting for %(year)s")
            % {"year": year, "code": activity_code}
        )
    return matching[0], periods[matching[0].area.plan_id]


def received_content(data: dict, current: ActivityReportContent | None) -> ActivityReportContent:
    """The report content carried by a received item; checked like a form.

    Responsible agencies are national (the hub has none) and are left as they
    are here; a partner keeps the roles-matrix function it has here.
    """
    try:
        functions = {
            (p.partner_type, p.name): p.function_id for p in (current.partners if current else ())
        }
        content = ActivityReportContent(
            progress=str(data.get("progress") or ""),
            narrative=str(data.get("narrative") or ""),
            narrative_language=str(data.get("narrative_language") or ""),
            outputs={str(k): int(v) for k, v in (data.get("outputs") or {}).items()},
            agency_ids=current.agency_ids if current else frozenset(),
            partners=frozenset(
                PartnerLine(
                    str(p["type"]),
                    str(p["partner"]),
                    functions.get((str(p["type"]), str(p["partner"]))),
                )
                for p in data.get("partners") or []
            ),
            budget=frozenset(
                BudgetLine(
                    str(b["line"]),
                    str(b["currency"]),
                    Decimal(str(b["amount"])),
                    str(b.get("partner") or ""),
                    str(b.get("partner_type") or ""),
                )
                for b in data.get("budget") or []
            ),
        )
    except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation) as exc:
        raise ReceivedReportInvalid(
            _("the report is not in the expected form: %(error)s") % {"error": exc}
        ) from None
    return content


def activity_report_replace_received(
    *,
    country_id: str,
    data: dict,
    approved_at: dt.datetime | None,
    reason: str,
    take_over: bool,
) -> ReportReplaceResult:
    """Make the hub's approved report of the country, activity and year hold ``data``.

    Runs in the caller's transaction; writes only the differences (applying the
    same version twice changes nothing) and audits them. A report in the
    workflow here (not approved) is replaced only with ``take_over`` (a
    regional hub); otherwise :class:`ReportNotReplaceable`.
    """
    try:
        year = int(data["year"])
        activity_code = str(data["activity"])
    except (KeyError, TypeError, ValueError):
        raise ReceivedReportInvalid(_("the report names no activity or year")) from None
    activity, period = received_slot(activity_code=activity_code, year=year)
    report = (
        ActivityReport.objects.select_for_update()
        .filter(country_id=country_id, activity=activity, period=period)
        .first()
    )
    created = report is None
    if report is not None and report.workflow != Workflow.APPROVED and not take_over:
        raise ReportNotReplaceable(
            _("%(country)s %(code)s %(year)s is %(state)s here")
            % {
                "country": country_id,
                "code": activity_code,
                "year": year,
                "state": report.get_workflow_display(),
            }
        )
    if report is None:
        report = ActivityReport.objects.create(
            country_id=country_id,
            activity=activity,
            period=period,
            workflow=Workflow.APPROVED,
            approved_at=approved_at,
            synthetic=bool(data.get("synthetic")),
        )
    current = content_of(report)
    content = received_content(data, current)
    errors = validate_content(content, country_id=country_id, agencies=set(content.agency_ids))
    if errors:
        raise ReceivedReportInvalid(
            "; ".join(f"{name}: {', '.join(messages)}" for name, messages in errors.items())
        )
    before = snapshot(report, ["progress", "narrative", "workflow", "approved_at", "revision"])
    changed = _apply(report, content)
    if report.workflow != Workflow.APPROVED or report.approved_at != approved_at:
        changed.append("workflow")
    if changed or created:
        report.workflow = Workflow.APPROVED
        report.approved_at = approved_at
        report.synthetic = bool(data.get("synthetic"))
        if not created:
            report.revision += 1
        report.save()
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            obj=report,
            reason=reason[:200],
            parts=changed,
            changes=changes_since(before, report),
        )
    return ReportReplaceResult(report, created, changed)
