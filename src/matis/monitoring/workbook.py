"""The Excel round trip: a prefilled workbook per country and period, and its import.

The import reads and checks the whole workbook before writing anything. Every
problem names its cell (``Activities!D7: status “done” is not one of ...``);
if there is any, nothing is written. Only what differs from the stored data is
written, so uploading the same workbook twice changes nothing.

Row 1 of each data sheet holds the machine column keys (checked on upload),
row 2 the column titles in the reader's language; data starts on row 3.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from matis.access.audit import audit_record
from matis.access.models import Agency, AuditAction, User
from matis.common.i18n import local_text
from matis.common.models import COMMIT_COUNTRIES
from matis.monitoring import validation as v
from matis.monitoring.models import (
    ActivityReport,
    BudgetKind,
    Indicator,
    OutputKind,
    PartnerType,
    ProgressStatus,
    ReportingPeriod,
)
from matis.monitoring.permissions import reports_for_country
from matis.monitoring.selectors import indicator_rows
from matis.monitoring.services.indicators import IndicatorValues, indicator_values_set
from matis.monitoring.services.periods import period_reports_ensure
from matis.monitoring.services.reports import (
    BudgetLine,
    PartnerLine,
    ReportContent,
    activity_report_update,
    content_of,
    roles_matrix_message,
)
from matis.plans.models import Activity, RoleFunction

MAX_NARRATIVE = 20000
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
FIRST_DATA_ROW = 3

OUTPUT_KEYS = [k.value for k in OutputKind]
ACTIVITY_KEYS = ["code", "title", "priority", "status", "narrative", "narrative_language",
                 "responsible_agencies", *OUTPUT_KEYS, "workflow"]
PARTNER_KEYS = ["activity", "partner_type", "partner", "function"]
BUDGET_KEYS = ["activity", "budget_line", "partner", "partner_type", "currency", "amount"]
INDICATOR_KEYS = ["code", "indicator", "goal", "unit", "source", "baseline", "target", "actual"]


def _titles() -> dict[str, str]:
    titles = {
        "code": _("Code"), "title": _("Activity"), "priority": _("Priority"),
        "status": _("Status"), "narrative": _("Narrative"),
        "narrative_language": _("Language of the narrative"),
        "responsible_agencies": _("Responsible agencies (separate with ;)"),
        "workflow": _("Workflow state (not imported)"), "activity": _("Activity code"),
        "partner_type": _("Partner type"), "partner": _("Partner"),
        "function": _("Function (roles matrix code)"), "budget_line": _("Budget line"),
        "currency": _("Currency (ISO 4217)"), "amount": _("Amount"),
        "indicator": _("Indicator"), "goal": _("Goal"), "unit": _("Unit"),
        "source": _("Source"), "baseline": _("Baseline"), "target": _("Target"),
        "actual": _("Actual"),
    }
    titles.update({k.value: str(k.label) for k in OutputKind})
    return titles


# --- writing -------------------------------------------------------------------------

KEY_FONT = Font(color="808080", size=8)
HEAD_FONT = Font(bold=True)
LOCKED_FILL = PatternFill("solid", fgColor="EEEEEE")


def _sheet(workbook: Workbook, name: str, keys: list[str], widths: dict[str, int]):
    sheet = workbook.create_sheet(name)
    titles = _titles()
    sheet.append(keys)
    sheet.append([titles[k] for k in keys])
    for cell in sheet[1]:
        cell.font = KEY_FONT
    for cell in sheet[2]:
        cell.font = HEAD_FONT
    for index, key in enumerate(keys, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(key, 14)
    sheet.freeze_panes = "A3"
    return sheet


def _list_validation(sheet, column: str, list_range: str, rows: int) -> None:
    check = DataValidation(type="list", formula1=list_range, allow_blank=True)
    check.error = _("Pick a value from the list.")
    sheet.add_data_validation(check)
    check.add(f"{column}{FIRST_DATA_ROW}:{column}{FIRST_DATA_ROW + rows}")


def build_workbook(*, country_id: str, period: ReportingPeriod) -> bytes:
    """The prefilled workbook of ``country_id`` for ``period`` (the caller checked access)."""
    reports = {
        r.activity_id: r for r in ActivityReport.objects.filter(
            country_id=country_id, period=period).prefetch_related(
                "outputs", "responsible_agencies", "partners__function", "budget")
    }
    activities = list(Activity.objects.filter(area__plan=period.plan_id).select_related("area")
                      .order_by("area__number", "number"))
    workbook = Workbook()
    about = workbook.active
    about.title = "About"
    rows = [
        (_("MATIS activity report workbook"), ""),
        (_("Country"), country_id),
        (_("Year"), period.year),
        (_("Plan"), period.plan.code),
        (_("Prepared"), timezone.now().strftime("%Y-%m-%d %H:%M %Z")),
        ("", ""),
        (_("How to fill it in"), ""),
        ("1.", _("Fill in the Activities, Partners, Budget and Indicators sheets. Do not change "
                 "rows 1 and 2, the codes in column A of Activities, or cells B2 and B3 here.")),
        ("2.", _("Use the codes listed on the Lists sheet for status, language, partner type, "
                 "budget line and function.")),
        ("3.", _("Upload the whole workbook. If any cell is wrong, nothing is saved and every "
                 "problem is listed with its cell.")),
        ("4.", _("Only draft reports can change. Reports already submitted or approved must "
                 "keep their values.")),
    ]
    for row in rows:
        about.append(list(row))
    about["A1"].font = Font(bold=True, size=14)
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 100

    lists = workbook.create_sheet("Lists")
    list_columns = {
        "A": ("status", ProgressStatus.values),
        "B": ("narrative_language", v.LANGUAGE_CODES),
        "C": ("partner_type", PartnerType.values),
        "D": ("budget_line", BudgetKind.values),
        "E": ("function", list(RoleFunction.objects.order_by("order")
                               .values_list("code", flat=True))),
        "F": ("agency", list(Agency.objects.filter(country_id=country_id, is_active=True)
                             .order_by("name").values_list("name", flat=True))),
    }
    for column, (key, values) in list_columns.items():
        lists[f"{column}1"] = key
        lists[f"{column}1"].font = HEAD_FONT
        for index, value in enumerate(values, start=2):
            lists[f"{column}{index}"] = value
        lists.column_dimensions[column].width = 30

    def list_range(column: str) -> str:
        return f"Lists!${column}$2:${column}${max(2, len(list_columns[column][1]) + 1)}"

    sheet = _sheet(workbook, "Activities", ACTIVITY_KEYS,
                   {"title": 50, "narrative": 60, "responsible_agencies": 40, "code": 8})
    for activity in activities:
        report = reports.get(activity.pk)
        content = content_of(report) if report else ReportContent()
        agency_names = sorted(a.name for a in report.responsible_agencies.all()) if report else []
        sheet.append([
            activity.code, str(local_text(activity, "title")), "★" if activity.priority else "",
            content.progress, content.narrative or None, content.narrative_language or None,
            "; ".join(agency_names) or None,
            *[content.outputs.get(k) for k in OUTPUT_KEYS],
            str(report.get_workflow_display()) if report else "",
        ])
        row = sheet.max_row
        for col in ("A", "B", "C", get_column_letter(len(ACTIVITY_KEYS))):
            sheet[f"{col}{row}"].fill = LOCKED_FILL
    _list_validation(sheet, "D", list_range("A"), len(activities))
    _list_validation(sheet, "F", list_range("B"), len(activities))

    partners = _sheet(workbook, "Partners", PARTNER_KEYS, {"partner": 40, "function": 30})
    budget = _sheet(workbook, "Budget", BUDGET_KEYS, {"partner": 40, "budget_line": 16})
    functions = {f.pk: f.code for f in RoleFunction.objects.all()}
    for activity in activities:
        report = reports.get(activity.pk)
        if report is None:
            continue
        for p in sorted(report.partners.all(), key=lambda p: (p.partner_type, p.name)):
            partners.append([activity.code, p.partner_type, p.name,
                             functions.get(p.function_id)])
        for b in sorted(report.budget.all(), key=lambda b: (b.kind, b.partner_name)):
            budget.append([activity.code, b.kind, b.partner_name or None,
                           b.partner_type or None, b.currency, b.amount])
            budget.cell(row=budget.max_row, column=6).number_format = "#,##0.00"
    _list_validation(partners, "B", list_range("C"), 200)
    _list_validation(partners, "D", list_range("E"), 200)
    _list_validation(budget, "B", list_range("D"), 300)
    _list_validation(budget, "D", list_range("C"), 300)

    indicators = _sheet(workbook, "Indicators", INDICATOR_KEYS, {"indicator": 60})
    for row in indicator_rows(country_id=country_id, period=period):
        indicator = row.indicator
        indicators.append([
            indicator.code, str(local_text(indicator, "name")), indicator.goal.code,
            str(indicator.get_unit_display()), str(indicator.get_source_display()),
            _number(row.baseline.value) if row.baseline else None,
            _number(row.target.value) if row.target else None,
            _number(row.actual.value) if row.actual else None,
        ])
        for col in "ABCDE":
            indicators[f"{col}{indicators.max_row}"].fill = LOCKED_FILL
        if indicator.source == Indicator.Source.COMPUTED:
            indicators[f"H{indicators.max_row}"].fill = LOCKED_FILL
    workbook.move_sheet("Lists", offset=len(workbook.sheetnames))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number(value: Decimal):
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else normal


# --- reading ---------------------------------------------------------------------------

@dataclass
class CellError:
    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}: {self.message}" if self.cell else \
            f"{self.sheet}: {self.message}"


class WorkbookInvalid(ValueError):
    """The workbook has errors; nothing was written. ``errors`` lists them by cell."""

    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:5]))


@dataclass
class ImportResult:
    country_id: str
    year: int
    reports_changed: int = 0
    indicator_values_changed: int = 0
    changed_activities: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.reports_changed or self.indicator_values_changed)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Reader:
    def __init__(self):
        self.errors: list[CellError] = []

    def error(self, sheet: str, cell: str, message: str) -> None:
        self.errors.append(CellError(sheet, cell, message))

    def check(self, sheet: str, column: str, row: int, func, value, **kwargs):
        try:
            return func(value, **kwargs)
        except v.FieldError as exc:
            self.error(sheet, f"{column}{row}", str(exc))
            return None

    def rows(self, workbook, name: str, keys: list[str]):
        if name not in workbook.sheetnames:
            self.error(name, "", _("the sheet is missing"))
            return []
        sheet = workbook[name]
        header = [_text(c.value) for c in next(sheet.iter_rows(min_row=1, max_row=1), [])]
        if header[: len(keys)] != keys:
            for index, key in enumerate(keys):
                found = header[index] if index < len(header) else ""
                if found != key:
                    self.error(name, f"{get_column_letter(index + 1)}1",
                               _("column key “%(found)s” should be “%(key)s”; do not change "
                                 "rows 1 and 2") % {"found": found, "key": key})
                    break
            return []
        out = []
        for number, cells in enumerate(sheet.iter_rows(min_row=FIRST_DATA_ROW,
                                                        max_col=len(keys), values_only=True),
                                       start=FIRST_DATA_ROW):
            values = dict(zip(keys, list(cells) + [None] * (len(keys) - len(cells)),
                              strict=True))
            if all(value is None or _text(value) == "" for value in values.values()):
                continue
            out.append((number, values))
        return out


def _col(keys: list[str], key: str) -> str:
    return get_column_letter(keys.index(key) + 1)


def read_workbook(data: bytes, *, actor: User | None) -> tuple[str, ReportingPeriod, dict,
                                                                list[IndicatorValues]]:
    """Parse and check a workbook; raise ``WorkbookInvalid`` listing every problem."""
    reader = _Reader()
    if len(data) > MAX_UPLOAD_BYTES:
        raise WorkbookInvalid([CellError(_("file"), "", _("the file is larger than 5 MB"))])
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise WorkbookInvalid([CellError(_("file"), "",
                                         _("this is not an Excel workbook (.xlsx)"))]) from None
    if "About" not in workbook.sheetnames:
        raise WorkbookInvalid([CellError("About", "", _("the sheet is missing"))])
    about = workbook["About"]
    country_id = _text(about["B2"].value).upper()
    if country_id not in COMMIT_COUNTRIES:
        raise WorkbookInvalid([CellError("About", "B2", _("“%(value)s” is not a COMMIT country "
                                                          "code") % {"value": country_id})])
    if actor is not None and not reports_for_country(actor, country_id):
        raise WorkbookInvalid([CellError("About", "B2", _(
            "this workbook is for %(country)s; you do not report for that country")
            % {"country": country_id})])
    try:
        year = int(_text(about["B3"].value))
        period = ReportingPeriod.objects.select_related("plan").get(
            year=year, plan__code=_text(about["B4"].value) or "SPA3")
    except (ValueError, ReportingPeriod.DoesNotExist):
        raise WorkbookInvalid([CellError("About", "B3", _("“%(value)s” is not a reporting "
                                                          "period") % {"value": about["B3"].value})
                               ]) from None

    activities = {a.code: a for a in Activity.objects.filter(area__plan=period.plan_id)}
    agencies = {a.name: a.pk for a in Agency.objects.filter(country_id=country_id,
                                                             is_active=True)}
    functions = {f.code: f for f in RoleFunction.objects.all()}
    contents: dict[str, ReportContent] = {}
    row_of: dict[str, int] = {}
    sheet = "Activities"
    for row, values in reader.rows(workbook, sheet, ACTIVITY_KEYS):
        code = _text(values["code"])
        if code not in activities:
            reader.error(sheet, f"A{row}", _("“%(code)s” is not an activity of the plan")
                         % {"code": code})
            continue
        if code in contents:
            reader.error(sheet, f"A{row}", _("activity %(code)s is listed twice")
                         % {"code": code})
            continue
        c = lambda key: _col(ACTIVITY_KEYS, key)  # noqa: E731
        progress = reader.check(sheet, c("status"), row, v.check_progress, values["status"])
        narrative = reader.check(sheet, c("narrative"), row, v.check_text,
                                 values["narrative"], max_length=MAX_NARRATIVE)
        language = reader.check(sheet, c("narrative_language"), row, v.check_language,
                                values["narrative_language"], required=bool(narrative))
        agency_ids = set()
        for name in filter(None, (n.strip() for n in _text(values["responsible_agencies"])
                                  .split(";"))):
            if name not in agencies:
                reader.error(sheet, f"{c('responsible_agencies')}{row}",
                             _("“%(name)s” is not an agency of %(country)s (see Lists!F)")
                             % {"name": name, "country": country_id})
            else:
                agency_ids.add(agencies[name])
        outputs = {}
        for key in OUTPUT_KEYS:
            count = reader.check(sheet, c(key), row, v.check_count, values[key])
            if count is not None:
                outputs[key] = count
        row_of[code] = row
        contents[code] = ReportContent(
            progress=progress or "", narrative=narrative or "",
            narrative_language=language or "", outputs=outputs,
            agency_ids=frozenset(agency_ids))

    partners: dict[str, set[PartnerLine]] = {code: set() for code in contents}
    sheet = "Partners"
    for row, values in reader.rows(workbook, sheet, PARTNER_KEYS):
        code = _text(values["activity"])
        if code not in contents:
            reader.error(sheet, f"A{row}", _("activity “%(code)s” is not on the Activities "
                                             "sheet") % {"code": code})
            continue
        partner_type = reader.check(sheet, "B", row, v.check_partner_type,
                                    values["partner_type"])
        name = reader.check(sheet, "C", row, v.check_text, values["partner"], max_length=200,
                            required=True, what=_("the partner"))
        function_code = _text(values["function"])
        function = None
        if function_code:
            function = functions.get(function_code)
            if function is None:
                reader.error(sheet, f"D{row}", _("“%(code)s” is not a function of the roles "
                                                 "matrix (see Lists!E)") % {"code": function_code})
                continue
            if partner_type and not getattr(function, partner_type):
                reader.error(sheet, f"D{row}", roles_matrix_message(partner_type, function))
                continue
        if partner_type and name:
            line = PartnerLine(partner_type, name, function.pk if function else None)
            if line in partners[code]:
                reader.error(sheet, f"C{row}", _("this partner is listed twice for %(code)s")
                             % {"code": code})
            partners[code].add(line)

    budgets: dict[str, dict[tuple[str, str], BudgetLine]] = {code: {} for code in contents}
    sheet = "Budget"
    for row, values in reader.rows(workbook, sheet, BUDGET_KEYS):
        code = _text(values["activity"])
        if code not in contents:
            reader.error(sheet, f"A{row}", _("activity “%(code)s” is not on the Activities "
                                             "sheet") % {"code": code})
            continue
        kind = reader.check(sheet, "B", row, v.check_budget_kind, values["budget_line"])
        partner_name = _text(values["partner"])
        partner_type = _text(values["partner_type"])
        if kind == BudgetKind.PARTNER:
            partner_name = reader.check(sheet, "C", row, v.check_text, partner_name,
                                        max_length=200, required=True, what=_("the partner"))
            partner_type = reader.check(sheet, "D", row, v.check_partner_type, partner_type)
        elif kind and (partner_name or partner_type):
            reader.error(sheet, f"C{row}", _("only partner contributions name a partner"))
            continue
        currency = reader.check(sheet, "E", row, v.check_currency, values["currency"])
        amount = reader.check(sheet, "F", row, v.check_amount, values["amount"])
        if kind and currency and amount is not None and partner_name is not None and \
                partner_type is not None:
            line = BudgetLine(kind, currency, amount, partner_name, partner_type)
            if line.key in budgets[code]:
                reader.error(sheet, f"B{row}", _("budget line %(kind)s %(partner)s of %(code)s "
                                                 "is given twice")
                             % {"kind": kind, "partner": partner_name, "code": code})
            budgets[code][line.key] = line

    indicator_values: list[IndicatorValues] = []
    current = {r.indicator.code: r for r in indicator_rows(country_id=country_id,
                                                           period=period)}
    sheet = "Indicators"
    for row, values in reader.rows(workbook, sheet, INDICATOR_KEYS):
        code = _text(values["code"])
        stored = current.get(code)
        if stored is None:
            reader.error(sheet, f"A{row}", _("“%(code)s” is not an indicator") % {"code": code})
            continue
        baseline = reader.check(sheet, "F", row, v.check_value, values["baseline"])
        target = reader.check(sheet, "G", row, v.check_value, values["target"])
        actual = reader.check(sheet, "H", row, v.check_value, values["actual"])
        if stored.indicator.source == Indicator.Source.COMPUTED:
            stored_actual = stored.actual.value if stored.actual else None
            if actual is not None and actual != stored_actual:
                reader.error(sheet, f"H{row}", _("%(code)s is computed; leave its actual value "
                                                 "as it is") % {"code": code})
            actual = None
        indicator_values.append(IndicatorValues(stored.indicator.pk, baseline, target, actual))

    for code, content in list(contents.items()):
        contents[code] = ReportContent(
            progress=content.progress, narrative=content.narrative,
            narrative_language=content.narrative_language, outputs=content.outputs,
            agency_ids=content.agency_ids, partners=frozenset(partners[code]),
            budget=frozenset(budgets[code].values()))
    if reader.errors:
        raise WorkbookInvalid(reader.errors)
    return country_id, period, {activities[c].pk: (c, row_of[c], content)
                                for c, content in contents.items()}, indicator_values


@transaction.atomic
def workbook_import(*, actor: User | None, data: bytes) -> ImportResult:
    """Check the whole workbook, then write what changed; raise ``WorkbookInvalid`` on errors."""
    country_id, period, contents, indicator_values = read_workbook(data, actor=actor)
    reports = {r.activity_id: r for r in ActivityReport.objects.filter(
        country_id=country_id, period=period).select_related("period").prefetch_related(
            "outputs", "responsible_agencies", "partners", "budget")}
    accepts = period.accepts_country_edits()
    errors = []
    to_change = []
    for activity_id, (code, row, content) in sorted(contents.items(), key=lambda i: i[1][1]):
        report = reports.get(activity_id)
        stored = content_of(report) if report else ReportContent()
        if stored == content:
            continue
        if not accepts:
            errors.append(CellError("Activities", f"A{row}", _(
                "the reporting period %(year)s does not accept changes now, so %(code)s must "
                "keep its values") % {"year": period.year, "code": code}))
        elif report is not None and report.workflow != "draft":
            errors.append(CellError("Activities", f"A{row}", _(
                "%(code)s is %(state)s; only draft reports can change, so its rows must keep "
                "their values") % {"code": code, "state": report.get_workflow_display()}))
        else:
            to_change.append((activity_id, code, content))
    indicators_changed = _indicators_differ(country_id, period, indicator_values)
    if indicators_changed and not accepts:
        errors.append(CellError("Indicators", "", _(
            "the reporting period %(year)s does not accept changes now, so the indicator values "
            "must stay as they are") % {"year": period.year}))
    if errors:
        raise WorkbookInvalid(errors)
    result = ImportResult(country_id=country_id, year=period.year)
    if any(activity_id not in reports for activity_id, _code, _content in to_change):
        period_reports_ensure(period=period, countries=[country_id])
        reports = {r.activity_id: r for r in ActivityReport.objects.filter(
            country_id=country_id, period=period)}
    for activity_id, code, content in to_change:
        changed = activity_report_update(actor=actor, report=reports[activity_id],
                                         content=content, via="excel")
        if changed:
            result.reports_changed += 1
            result.changed_activities.append(code)
    if indicators_changed:
        result.indicator_values_changed = indicator_values_set(
            actor=actor, country_id=country_id, period=period, values=indicator_values,
            via="excel")
    audit_record(actor=actor, action=AuditAction.IMPORT, country_id=country_id,
                 object_type="monitoring.workbook", object_id=period.year,
                 reports_changed=result.reports_changed,
                 indicator_values_changed=result.indicator_values_changed)
    return result


def _indicators_differ(country_id: str, period: ReportingPeriod,
                       values: list[IndicatorValues]) -> bool:
    current = {r.indicator.pk: r for r in indicator_rows(country_id=country_id, period=period)}
    for row in values:
        stored = current[row.indicator_id]
        pairs = [(row.baseline, stored.baseline), (row.target, stored.target)]
        if stored.indicator.source == Indicator.Source.REPORTED:
            pairs.append((row.actual, stored.actual))
        for new, old in pairs:
            if new != (old.value if old else None):
                return True
    return False
