"""The hub consolidates: approved reports and statistics received from countries go into its tables.

The hub keeps the region's figures in the same tables as every instance
(``official_statistics`` submissions and observations, ``monitoring`` activity
reports), so the regional dashboards, the API, the downloads and the regional
annual report read received figures as they read any approved data. What is
the hub's own here is the provenance: one :class:`~matis.exchange.models.Consolidation`
per received item (country, key, the sender's record, version, what became of it).

- :func:`consolidate_received` is called by :func:`matis.exchange.hub._apply`
  for every stored item, in the transaction that stores it. The import runs in
  a savepoint: a received item whose content cannot be imported (an indicator
  or activity unknown here, a bad row) is still stored and acknowledged, and
  its consolidation is recorded as failed with the reason; nothing of it is
  written. Applying the same item again changes nothing.
- A later version (later approval at the sender) of the same submission or
  report replaces the one in use; the replaced one stays, marked replaced,
  with its received payload. An earlier version arriving late is recorded as
  outdated and never applied.
- :func:`consolidate_all` (``matis exchange consolidate``) consolidates every
  stored item not consolidated yet, and retries held and failed ones.
- :func:`reporting_status` says, per reporting year, which countries' data are
  missing or late (after the closing date of the year's reporting period).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.common.models import COMMIT_COUNTRIES
from matis.exchange import conf
from matis.exchange.models import Consolidation, ConsolidationStatus, InboxItem, ItemKind

logger = logging.getLogger(__name__)

CONSOLIDATED_KINDS = (ItemKind.STATISTICS, ItemKind.MONITORING_REPORT)
APPLIED = (ConsolidationStatus.CURRENT, ConsolidationStatus.REPLACED)
RECEIVED = (*APPLIED, ConsolidationStatus.OUTDATED, ConsolidationStatus.HELD)
RETRIED = (ConsolidationStatus.HELD, ConsolidationStatus.FAILED)


class ReceivedItemInvalid(ValueError):
    """The item does not say which submission or report it is (message names the field)."""


# --- which submission or report, which version -------------------------------------------


def _year(data: dict) -> int:
    try:
        year = int(data["year"])
    except (KeyError, TypeError, ValueError):
        raise ReceivedItemInvalid(_("year: the item names no year")) from None
    if not 1900 <= year <= 2999:
        raise ReceivedItemInvalid(_("year: %(year)s is not a year") % {"year": year})
    return year


def item_reference(item: InboxItem) -> tuple[str, int]:
    """``(reference, year)``: the sender's submission or report, whatever its version."""
    data = item.payload
    year = _year(data)
    if item.kind == ItemKind.STATISTICS:
        return f"statistics/{year}", year
    activity = data.get("activity")
    if not isinstance(activity, str) or not activity.strip():
        raise ReceivedItemInvalid(_("activity: the report names no activity"))
    return f"monitoring_report/{activity.strip()}/{year}", year


def item_version(item: InboxItem) -> dt.datetime:
    """When the sender approved this version (its receipt time if it does not say)."""
    stamp = item.payload.get("approved_at")
    parsed = parse_datetime(stamp) if isinstance(stamp, str) else None
    if parsed is None:
        return item.received_at
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)


def sender_object(item: InboxItem) -> str:
    """The sender's record id, from the idempotency key ``<country>:<kind>:<id>:<approved at>``."""
    parts = item.idempotency_key.split(":", 3)
    return parts[2][:64] if len(parts) >= 3 else ""


def _order(version: dt.datetime, item: InboxItem) -> tuple:
    return (version, item.received_at, item.pk)


def _other_versions(item: InboxItem, version: dt.datetime) -> tuple[int, InboxItem | None]:
    """How many stored versions of the same submission or report are earlier; the latest later one.

    Only the latest version received is ever applied: an earlier one that
    arrives late, or is consolidated after a later one was stored (the
    consolidate command), never overwrites it, even for a moment.
    """
    same = InboxItem.objects.filter(
        country_id=item.country_id, kind=item.kind, payload__year=item.payload.get("year")
    ).exclude(pk=item.pk)
    same = same.exclude(consolidation__status=ConsolidationStatus.FAILED)  # never usable
    if item.kind == ItemKind.MONITORING_REPORT:
        same = same.filter(payload__activity=item.payload.get("activity"))
    mine = _order(version, item)
    orders = [(_order(item_version(other), other), other) for other in same]
    later = [(order, other) for order, other in orders if order > mine]
    latest = max(later, key=lambda pair: pair[0])[1] if later else None
    return len(orders) - len(later), latest


# --- importing ------------------------------------------------------------------------------


def _import(item: InboxItem, *, reason: str):
    """Write the item into the hub's tables (caller's savepoint); returns (target, summary)."""
    data = item.payload
    take_over = not conf.is_national()  # a regional hub: the country's approved data win
    if item.kind == ItemKind.STATISTICS:
        from matis.official_statistics.services.consolidation import submission_replace_received

        sdmx = data.get("sdmx_csv")
        if not isinstance(sdmx, str):
            raise ReceivedItemInvalid(_("sdmx_csv: the item carries no SDMX-CSV"))
        year = _year(data)
        rows = _received_rows(sdmx_csv=sdmx, country_id=item.country_id, year=year)
        result = submission_replace_received(
            country_id=item.country_id,
            year=year,
            rows=rows,
            approved_at=item_version(item),
            reason=reason,
            take_over=take_over,
        )
        return {"submission": result.submission}, result.as_dict()
    from matis.monitoring.services.consolidation import activity_report_replace_received

    result = activity_report_replace_received(
        country_id=item.country_id,
        data=data,
        approved_at=item_version(item),
        reason=reason,
        take_over=take_over,
    )
    return {"report": result.report}, result.as_dict()


def _received_rows(*, sdmx_csv: str, country_id: str, year: int) -> list[tuple]:
    """The checked rows of a received SDMX-CSV; :class:`ImportRejected` names every bad line.

    The statistics import's own parser checks them (indicator, dimension codes,
    values); rows of another country or year than the item's are errors.
    """
    import io

    from matis.common.importing import ImportProblem, ImportRejected
    from matis.official_statistics.io.parsers import ImportScope
    from matis.official_statistics.services.imports import parse_file

    parsed = parse_file(
        source=io.BytesIO(sdmx_csv.encode("utf-8")),
        fmt="sdmx-csv",
        scope=ImportScope(only_country=country_id),
    )
    wrong_year = [
        ImportProblem(
            _("the item is for %(year)s but this row is for %(row)s") % {"year": year, "row": r[3]},
            row=r[0],
            text_line=True,
        )
        for r in parsed.rows
        if r[3] != year
    ]
    if wrong_year:
        raise ImportRejected(wrong_year)
    return parsed.rows


def _held_message(exc: Exception) -> str:
    submission = getattr(exc, "submission", None)
    if submission is None:
        return str(exc)
    return _("%(country)s %(year)s is %(status)s here") % {
        "country": submission.country_id,
        "year": submission.period,
        "status": submission.get_status_display(),
    }


def _not_applied_errors():
    from matis.common.importing import ImportRejected
    from matis.monitoring.services.consolidation import ReceivedReportInvalid

    return (ImportRejected, ReceivedReportInvalid, ReceivedItemInvalid)


def _held_errors():
    from matis.monitoring.services.consolidation import ReportNotReplaceable
    from matis.official_statistics.services.consolidation import SubmissionNotReplaceable

    return (SubmissionNotReplaceable, ReportNotReplaceable)


def consolidate_received(item: InboxItem) -> Consolidation | None:
    """Import one received report or statistics item into the hub's tables; see the module doc.

    Returns its :class:`Consolidation` (None for other kinds of item). Runs in
    the caller's transaction (the receipt's); an item already consolidated
    (in use, replaced or outdated) is left as it is.
    """
    if item.kind not in CONSOLIDATED_KINDS:
        return None
    with transaction.atomic():
        record = Consolidation.objects.select_for_update().filter(inbox_item=item).first()
        if record is not None and record.status not in RETRIED:
            return record
        record = record or Consolidation(
            inbox_item=item, country_id=item.country_id, key_id=item.key_id, kind=item.kind
        )
        record.sender_object = sender_object(item)
        record.consolidated_at = timezone.now()
        try:
            record.reference, record.year = item_reference(item)
        except ReceivedItemInvalid as exc:
            record.reference, record.year = f"{item.kind}/?", 0
            return _finish(record, ConsolidationStatus.FAILED, str(exc))
        version = item_version(item)
        record.version = version.isoformat()
        current = (
            Consolidation.objects.select_for_update()
            .select_related("inbox_item")
            .filter(
                country_id=item.country_id,
                reference=record.reference,
                status=ConsolidationStatus.CURRENT,
            )
            .first()
        )
        n_earlier, later = _other_versions(item, version)
        record.version_number = n_earlier + 1
        if later is not None:
            return _finish(
                record,
                ConsolidationStatus.OUTDATED,
                _(
                    "a later version (received item %(item)s) was received; this one is kept, not applied"
                )
                % {"item": later.pk},
            )
        number = record.version_number
        reason = _("version %(n)s of %(reference)s from %(country)s (received item %(item)s)") % {
            "n": number,
            "reference": record.reference,
            "country": item.country_id,
            "item": item.pk,
        }
        try:
            with transaction.atomic():  # a failure writes nothing of the item
                target, summary = _import(item, reason=reason)
        except _held_errors() as exc:
            return _finish(record, ConsolidationStatus.HELD, _held_message(exc))
        except _not_applied_errors() as exc:
            return _finish(record, ConsolidationStatus.FAILED, str(exc))
        except Exception as exc:  # our error: the item stays received, the retry is a command
            logger.exception("consolidating received item %s failed", item.pk)
            return _finish(
                record, ConsolidationStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
            )
        if current is not None:
            current.status = ConsolidationStatus.REPLACED
            current.save(update_fields=["status"])
        record.submission = target.get("submission")
        record.report = target.get("report")
        record.summary = summary
        _finish(record, ConsolidationStatus.CURRENT, "")
        if current is not None:
            current.replaced_by = record
            current.save(update_fields=["replaced_by"])
        return record


def _finish(record: Consolidation, status: str, message: str) -> Consolidation:
    record.status = status
    record.message = message[:4000]
    record.save()
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        obj=record,
        country_id=record.country_id,
        reference=record.reference,
        version=record.version,
        status=status,
        item=record.inbox_item_id,
    )
    return record


@dataclass
class ConsolidateAllResult:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1


def consolidate_all(*, country_id: str | None = None) -> ConsolidateAllResult:
    """Consolidate every stored report and statistics item not consolidated yet, oldest first.

    Held and failed items are tried again. Each item is its own transaction.
    """
    items = InboxItem.objects.filter(kind__in=CONSOLIDATED_KINDS).exclude(
        consolidation__status__in=[s for s in ConsolidationStatus.values if s not in RETRIED]
    )
    if country_id:
        items = items.filter(country_id=country_id)
    result = ConsolidateAllResult()
    for pk in items.order_by("received_at", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            item = InboxItem.objects.select_for_update().get(pk=pk)
            record = consolidate_received(item)
        result.add(record.status)
    return result


# --- reading: provenance, history, missing and late ------------------------------------


def current_provenance(
    *, kind: str, years: Iterable[int] | None = None
) -> dict[tuple, Consolidation]:
    """The versions in use: ``{(country, reference): Consolidation}``."""
    qs = Consolidation.objects.filter(kind=kind, status=ConsolidationStatus.CURRENT).select_related(
        "inbox_item"
    )
    if years is not None:
        qs = qs.filter(year__in=list(years))
    return {(c.country_id, c.reference): c for c in qs}


def statistics_provenance(country_id: str, year: int) -> Consolidation | None:
    """The received version the hub's statistics of a country and year come from, if any."""
    return (
        Consolidation.objects.filter(
            kind=ItemKind.STATISTICS,
            country_id=country_id,
            reference=f"statistics/{year}",
            status=ConsolidationStatus.CURRENT,
        )
        .select_related("inbox_item")
        .first()
    )


def consolidation_history(country_id: str, reference: str) -> list[Consolidation]:
    """Every version received of one submission or report, newest first."""
    return list(
        Consolidation.objects.filter(country_id=country_id, reference=reference)
        .select_related("inbox_item")
        .order_by("-version", "-id")
    )


class ReportingState:
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    NOT_DUE = "not_due"


def reporting_state_labels() -> dict[str, str]:
    return {
        ReportingState.ON_TIME: _("Received on time"),
        ReportingState.LATE: _("Received late"),
        ReportingState.MISSING: _("Missing"),
        ReportingState.NOT_DUE: _("Not yet received (not due)"),
    }


@dataclass
class CountryReporting:
    """One country's data for one year and kind, as the hub received them."""

    country_id: str
    kind: str
    year: int
    deadline: dt.date | None
    state: str
    first_received: dt.datetime | None = None
    received: int = 0  # statistics: 1 or 0; reports: activities reported
    late: int = 0  # how many of them arrived after the deadline
    expected: int = 1
    version_number: int | None = None
    key_id: str = ""

    @property
    def state_label(self) -> str:
        return reporting_state_labels()[self.state]


def reporting_deadline(year: int, plan=None) -> dt.date | None:
    """The deadline of ``year``: the closing date of the plan's reporting period for it.

    Reporting periods (``monitoring.ReportingPeriod``, set by the secretariat
    on the periods page) are where deadlines live; the same date applies to
    the year's activity reports and official statistics.
    """
    from matis.monitoring.models import ReportingPeriod

    periods = ReportingPeriod.objects.filter(year=year)
    if plan is not None:
        periods = periods.filter(plan=plan)
    return periods.order_by("-plan__order").values_list("closes_on", flat=True).first()


def _state(received: int, late: int, deadline: dt.date | None, today: dt.date) -> str:
    if received:
        return ReportingState.LATE if late else ReportingState.ON_TIME
    if deadline is not None and today <= deadline:
        return ReportingState.NOT_DUE
    return ReportingState.MISSING


def reporting_status(
    *, year: int, plan=None, today: dt.date | None = None, countries: Iterable[str] | None = None
) -> list[CountryReporting]:
    """For each COMMIT country: its statistics and its activity reports of ``year``.

    Expected: one statistics submission and a report on every activity of the
    plan, per country and year. Received means a version was received and
    applied at the hub; late means its first version arrived after the
    deadline (:func:`reporting_deadline`, compared with the hub's local date).
    """
    from matis.plans.models import Activity, Plan

    today = today or timezone.localdate()
    plan = plan or Plan.objects.filter(code="SPA3").first()
    deadline = reporting_deadline(year, plan)
    countries = list(countries or COMMIT_COUNTRIES)
    n_activities = Activity.objects.filter(area__plan=plan).count() if plan else 0
    first = {
        (r["country_id"], r["reference"], r["kind"]): r["first"]
        for r in Consolidation.objects.filter(year=year, status__in=RECEIVED)
        .values("country_id", "reference", "kind")
        .annotate(first=Min("inbox_item__received_at"))
    }
    current = {
        (c.country_id, c.reference): c
        for c in Consolidation.objects.filter(
            year=year, status=ConsolidationStatus.CURRENT
        ).select_related("inbox_item")
    }
    out = []
    for country in countries:
        for kind in CONSOLIDATED_KINDS:
            refs = [
                (ref, when)
                for (c, ref, k), when in first.items()
                if c == country and k == kind and (c, ref) in current
            ]
            late = sum(
                1
                for _ref, when in refs
                if deadline is not None and timezone.localdate(when) > deadline
            )
            row = CountryReporting(
                country_id=country,
                kind=kind,
                year=year,
                deadline=deadline,
                state=_state(len(refs), late, deadline, today),
                first_received=min((w for _r, w in refs), default=None),
                received=len(refs),
                late=late,
                expected=1 if kind == ItemKind.STATISTICS else n_activities,
            )
            if kind == ItemKind.STATISTICS and refs:
                record = current[(country, refs[0][0])]
                row.version_number, row.key_id = record.version_number, record.key_id
            out.append(row)
    return out


# --- tables for the regional dashboards and the regional annual report ----------------------


def _when(value) -> str:
    from matis.common.calendars import display_date

    return display_date(value, "SHORT_DATE_FORMAT") if value else ""


def reporting_status_table(*, year: int, plan=None, today: dt.date | None = None):
    """Which countries' statistics and activity reports of ``year`` are missing or late."""
    from matis.common.models import Country
    from matis.common.tables import Column, Table

    rows = reporting_status(year=year, plan=plan, today=today)
    names = {c.iso3: c.display_name for c in Country.objects.filter(iso3__in=COMMIT_COUNTRIES)}
    by_country: dict[str, dict] = {}
    deadline = None
    for r in rows:
        deadline = r.deadline
        row = by_country.setdefault(
            r.country_id, {"country": names.get(r.country_id, r.country_id)}
        )
        if r.kind == ItemKind.STATISTICS:
            row["statistics"] = r.state_label
            row["statistics_received"] = _when(r.first_received)
            row["statistics_version"] = r.version_number
        else:
            row["reports"] = r.state_label
            row["reports_received"] = _("%(n)s of %(total)s activities") % {
                "n": r.received,
                "total": r.expected,
            }
            row["reports_late"] = r.late
        row.setdefault("state", []).append(r.state)
    columns = [
        Column("country", _("Country")),
        Column("statistics", _("Official statistics")),
        Column("statistics_received", _("Statistics first received")),
        Column("statistics_version", _("Version in use"), "int"),
        Column("reports", _("Activity reports")),
        Column("reports_received", _("Reports received")),
        Column("reports_late", _("Reports received late"), "int"),
    ]
    note = (
        _(
            "Deadline: %(date)s (the closing date of the %(year)s reporting period). Late: first "
            "received at the hub after the deadline."
        )
        % {"date": _when(deadline), "year": year}
        if deadline
        else _("No reporting period is set for %(year)s, so no deadline.") % {"year": year}
    )
    table = Table(
        "received",
        _("Data received from the governments, %(year)s") % {"year": year},
        columns,
        [by_country[c] for c in COMMIT_COUNTRIES if c in by_country],
        note=note,
        params={"year": year, "deadline": deadline},
    )
    return table


def missing_or_late(*, year: int, plan=None, today: dt.date | None = None) -> dict[str, list[str]]:
    """``{"missing": [...], "late": [...]}``: countries (alpha-3) with data missing or late."""
    out: dict[str, list[str]] = {"missing": [], "late": []}
    for r in reporting_status(year=year, plan=plan, today=today):
        if r.state == ReportingState.MISSING and r.country_id not in out["missing"]:
            out["missing"].append(r.country_id)
        if r.state == ReportingState.LATE and r.country_id not in out["late"]:
            out["late"].append(r.country_id)
    return out


def received_statistics_table(*, indicator, years: Iterable[int] | None = None):
    """Where the hub's figures of ``indicator`` come from: country, year, figure, version, key."""
    from matis.common.models import Country
    from matis.common.tables import Column, Table
    from matis.official_statistics.models import Observation

    provenance = current_provenance(kind=ItemKind.STATISTICS, years=years)
    totals = {
        (o.country_id, o.period): o
        for o in Observation.objects.filter(
            indicator=indicator,
            series_key="",
            approved=True,
            submission_id__in=[c.submission_id for c in provenance.values() if c.submission_id],
        )
    }
    names = {c.iso3: c.display_name for c in Country.objects.filter(iso3__in=COMMIT_COUNTRIES)}
    rows = []
    for (country, _ref), record in sorted(
        provenance.items(), key=lambda kv: (kv[0][0], -kv[1].year)
    ):
        rows.append(
            {
                "country": names.get(country, country),
                "year": record.year,
                "value": totals.get((country, record.year)),
                "version": record.version_number,
                "approved": _when(item_version(record.inbox_item)),
                "received": _when(record.inbox_item.received_at),
                "key": record.key_id,
            }
        )
    columns = [
        Column("country", _("Sent by")),
        Column("year", _("Year"), "year"),
        Column("value", _("Total"), "value"),
        Column("version", _("Version"), "int"),
        Column("approved", _("Approved by the country")),
        Column("received", _("Received")),
        Column("key", _("Signed with key")),
    ]
    return Table(
        "provenance",
        _("Figures received from the governments"),
        columns,
        rows,
        note=_(
            "Each country's approved statistics as last received at the hub; a revision "
            "replaces the earlier version."
        ),
    )


def reporting_years() -> list[int]:
    """Years with a reporting period or received data, newest first."""
    from matis.monitoring.models import ReportingPeriod

    years = set(ReportingPeriod.objects.values_list("year", flat=True))
    years |= set(Consolidation.objects.exclude(year=0).values_list("year", flat=True))
    return sorted(years, reverse=True)


def chosen_year(request, years: list[int]) -> int | None:
    """The ``year`` asked for when it is a reporting year; else the latest one already open."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year in years:
        return year
    today = timezone.localdate()
    return next((y for y in years if y <= today.year), years[-1] if years else None)


def hub_panels(request, indicator) -> dict:
    """Context for the hub's panels on a dashboard: provenance of figures, missing and late."""
    years = reporting_years()
    year = chosen_year(request, years)
    return {
        "received_table": received_statistics_table(indicator=indicator),
        "status_table": reporting_status_table(year=year) if year else None,
        "reporting_years": years,
        "reporting_year": year,
    }


def versions_table(*, year: int):
    """Every version received for ``year``: in use, replaced, outdated, held or failed."""
    from matis.common.tables import Column, Table

    records = (
        Consolidation.objects.filter(year=year)
        .select_related("inbox_item")
        .order_by("country_id", "reference", "-version", "-id")
    )
    rows = [
        {
            "country": r.country_id,
            "reference": r.reference,
            "version": r.version_number,
            "status": r.status,
            "approved": _when(item_version(r.inbox_item)),
            "received": _when(r.inbox_item.received_at),
            "key": r.key_id,
            "item": r.inbox_item_id,
            "changes": ", ".join(f"{k} {v}" for k, v in sorted(r.summary.items()) if v)
            if isinstance(r.summary, dict)
            else "",
            "message": r.message,
        }
        for r in records
    ]
    columns = [
        Column("country", _("Sent by")),
        Column("reference", _("Submission or report")),
        Column("version", _("Version"), "int"),
        Column("status", _("Status"), "status", choices=dict(ConsolidationStatus.choices)),
        Column("approved", _("Approved by the country")),
        Column("received", _("Received")),
        Column("key", _("Signed with key")),
        Column("item", _("Received item"), "int"),
        Column("changes", _("Changes")),
        Column("message", _("Message")),
    ]
    return Table("versions", _("Every version received, %(year)s") % {"year": year}, columns, rows)
