"""Reading a filled workbook: every cell checked, every problem named by its cell."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from matis.access.models import Agency, User
from matis.access.permissions import has_perm
from matis.common.models import COMMIT_COUNTRIES
from matis.monitoring import validation as v
from matis.monitoring.models import (
    BudgetKind,
    Indicator,
    ReportingPeriod,
)
from matis.monitoring.selectors import indicator_rows
from matis.monitoring.services.indicators import IndicatorValues
from matis.monitoring.services.reports import (
    BudgetLine,
    PartnerLine,
    ReportContent,
    roles_matrix_message,
)
from matis.monitoring.workbook.layout import (
    ACTIVITY_KEYS,
    BUDGET_KEYS,
    FIRST_DATA_ROW,
    INDICATOR_KEYS,
    MAX_NARRATIVE,
    MAX_UPLOAD_BYTES,
    OUTPUT_KEYS,
    PARTNER_KEYS,
)
from matis.plans.models import Activity, RoleFunction


@dataclass
class CellError:
    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.sheet}!{self.cell}: {self.message}"
            if self.cell
            else f"{self.sheet}: {self.message}"
        )


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
                    self.error(
                        name,
                        f"{get_column_letter(index + 1)}1",
                        _("column key “%(found)s” should be “%(key)s”; do not change rows 1 and 2")
                        % {"found": found, "key": key},
                    )
                    break
            return []
        out = []
        for number, cells in enumerate(
            sheet.iter_rows(min_row=FIRST_DATA_ROW, max_col=len(keys), values_only=True),
            start=FIRST_DATA_ROW,
        ):
            values = dict(zip(keys, list(cells) + [None] * (len(keys) - len(cells)), strict=True))
            if all(value is None or _text(value) == "" for value in values.values()):
                continue
            out.append((number, values))
        return out


def _col(keys: list[str], key: str) -> str:
    return get_column_letter(keys.index(key) + 1)


def read_workbook(
    data: bytes, *, actor: User | None
) -> tuple[str, ReportingPeriod, dict, list[IndicatorValues]]:
    """Parse and check a workbook; raise ``WorkbookInvalid`` listing every problem."""
    reader = _Reader()
    if len(data) > MAX_UPLOAD_BYTES:
        raise WorkbookInvalid([CellError(_("file"), "", _("the file is larger than 5 MB"))])
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise WorkbookInvalid(
            [CellError(_("file"), "", _("this is not an Excel workbook (.xlsx)"))]
        ) from None
    if "About" not in workbook.sheetnames:
        raise WorkbookInvalid([CellError("About", "", _("the sheet is missing"))])
    about = workbook["About"]
    country_id = _text(about["B2"].value).upper()
    if country_id not in COMMIT_COUNTRIES:
        raise WorkbookInvalid(
            [
                CellError(
                    "About",
                    "B2",
                    _("“%(value)s” is not a COMMIT country code") % {"value": country_id},
                )
            ]
        )
    if actor is not None and not has_perm(actor, "monitoring.edit_report", country_id):
        raise WorkbookInvalid(
            [
                CellError(
                    "About",
                    "B2",
                    _("this workbook is for %(country)s; you do not report for that country")
                    % {"country": country_id},
                )
            ]
        )
    try:
        year = int(_text(about["B3"].value))
        period = ReportingPeriod.objects.select_related("plan").get(
            year=year, plan__code=_text(about["B4"].value) or "SPA3"
        )
    except (ValueError, ReportingPeriod.DoesNotExist):
        raise WorkbookInvalid(
            [
                CellError(
                    "About",
                    "B3",
                    _("“%(value)s” is not a reporting period") % {"value": about["B3"].value},
                )
            ]
        ) from None

    activities = {a.code: a for a in Activity.objects.filter(area__plan=period.plan_id)}
    agencies = {a.name: a.pk for a in Agency.objects.filter(country_id=country_id, is_active=True)}
    functions = {f.code: f for f in RoleFunction.objects.all()}
    contents: dict[str, ReportContent] = {}
    row_of: dict[str, int] = {}
    sheet = "Activities"
    for row, values in reader.rows(workbook, sheet, ACTIVITY_KEYS):
        code = _text(values["code"])
        if code not in activities:
            reader.error(
                sheet, f"A{row}", _("“%(code)s” is not an activity of the plan") % {"code": code}
            )
            continue
        if code in contents:
            reader.error(sheet, f"A{row}", _("activity %(code)s is listed twice") % {"code": code})
            continue
        c = lambda key: _col(ACTIVITY_KEYS, key)  # noqa: E731
        progress = reader.check(sheet, c("status"), row, v.check_progress, values["status"])
        narrative = reader.check(
            sheet, c("narrative"), row, v.check_text, values["narrative"], max_length=MAX_NARRATIVE
        )
        language = reader.check(
            sheet,
            c("narrative_language"),
            row,
            v.check_language,
            values["narrative_language"],
            required=bool(narrative),
        )
        agency_ids = set()
        for name in filter(
            None, (n.strip() for n in _text(values["responsible_agencies"]).split(";"))
        ):
            if name not in agencies:
                reader.error(
                    sheet,
                    f"{c('responsible_agencies')}{row}",
                    _("“%(name)s” is not an agency of %(country)s (see Lists!F)")
                    % {"name": name, "country": country_id},
                )
            else:
                agency_ids.add(agencies[name])
        outputs = {}
        for key in OUTPUT_KEYS:
            count = reader.check(sheet, c(key), row, v.check_count, values[key])
            if count is not None:
                outputs[key] = count
        row_of[code] = row
        contents[code] = ReportContent(
            progress=progress or "",
            narrative=narrative or "",
            narrative_language=language or "",
            outputs=outputs,
            agency_ids=frozenset(agency_ids),
        )

    partners: dict[str, set[PartnerLine]] = {code: set() for code in contents}
    sheet = "Partners"
    for row, values in reader.rows(workbook, sheet, PARTNER_KEYS):
        code = _text(values["activity"])
        if code not in contents:
            reader.error(
                sheet,
                f"A{row}",
                _("activity “%(code)s” is not on the Activities sheet") % {"code": code},
            )
            continue
        partner_type = reader.check(sheet, "B", row, v.check_partner_type, values["partner_type"])
        name = reader.check(
            sheet,
            "C",
            row,
            v.check_text,
            values["partner"],
            max_length=200,
            required=True,
            what=_("the partner"),
        )
        function_code = _text(values["function"])
        function = None
        if function_code:
            function = functions.get(function_code)
            if function is None:
                reader.error(
                    sheet,
                    f"D{row}",
                    _("“%(code)s” is not a function of the roles matrix (see Lists!E)")
                    % {"code": function_code},
                )
                continue
            if partner_type and not getattr(function, partner_type):
                reader.error(sheet, f"D{row}", roles_matrix_message(partner_type, function))
                continue
        if partner_type and name:
            line = PartnerLine(partner_type, name, function.pk if function else None)
            if line in partners[code]:
                reader.error(
                    sheet,
                    f"C{row}",
                    _("this partner is listed twice for %(code)s") % {"code": code},
                )
            partners[code].add(line)

    budgets: dict[str, dict[tuple[str, str], BudgetLine]] = {code: {} for code in contents}
    sheet = "Budget"
    for row, values in reader.rows(workbook, sheet, BUDGET_KEYS):
        code = _text(values["activity"])
        if code not in contents:
            reader.error(
                sheet,
                f"A{row}",
                _("activity “%(code)s” is not on the Activities sheet") % {"code": code},
            )
            continue
        kind = reader.check(sheet, "B", row, v.check_budget_kind, values["budget_line"])
        partner_name = _text(values["partner"])
        partner_type = _text(values["partner_type"])
        if kind == BudgetKind.PARTNER:
            partner_name = reader.check(
                sheet,
                "C",
                row,
                v.check_text,
                partner_name,
                max_length=200,
                required=True,
                what=_("the partner"),
            )
            partner_type = reader.check(sheet, "D", row, v.check_partner_type, partner_type)
        elif kind and (partner_name or partner_type):
            reader.error(sheet, f"C{row}", _("only partner contributions name a partner"))
            continue
        currency = reader.check(sheet, "E", row, v.check_currency, values["currency"])
        amount = reader.check(sheet, "F", row, v.check_amount, values["amount"])
        if (
            kind
            and currency
            and amount is not None
            and partner_name is not None
            and partner_type is not None
        ):
            line = BudgetLine(kind, currency, amount, partner_name, partner_type)
            if line.key in budgets[code]:
                reader.error(
                    sheet,
                    f"B{row}",
                    _("budget line %(kind)s %(partner)s of %(code)s is given twice")
                    % {"kind": kind, "partner": partner_name, "code": code},
                )
            budgets[code][line.key] = line

    indicator_values: list[IndicatorValues] = []
    current = {r.indicator.code: r for r in indicator_rows(country_id=country_id, period=period)}
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
                reader.error(
                    sheet,
                    f"H{row}",
                    _("%(code)s is computed; leave its actual value as it is") % {"code": code},
                )
            actual = None
        indicator_values.append(IndicatorValues(stored.indicator.pk, baseline, target, actual))

    for code, content in list(contents.items()):
        contents[code] = ReportContent(
            progress=content.progress,
            narrative=content.narrative,
            narrative_language=content.narrative_language,
            outputs=content.outputs,
            agency_ids=content.agency_ids,
            partners=frozenset(partners[code]),
            budget=frozenset(budgets[code].values()),
        )
    if reader.errors:
        raise WorkbookInvalid(reader.errors)
    return (
        country_id,
        period,
        {activities[c].pk: (c, row_of[c], content) for c, content in contents.items()},
        indicator_values,
    )
