"""Writing the prefilled workbook of a country and period."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from matis.access.models import Agency
from matis.common.calendars import display_date, display_year
from matis.common.countries import country_name
from matis.common.i18n import local_text
from matis.common.tables import append_row, workbook_bytes
from matis.monitoring import validation as v
from matis.monitoring.models import (
    ActivityReport,
    BudgetKind,
    PartnerType,
    ProgressStatus,
    ReportingPeriod,
)
from matis.monitoring.selectors import indicator_rows
from matis.monitoring.services.reports import (
    ActivityReportContent,
    content_of,
)
from matis.monitoring.workbook.layout import (
    ACTIVITY_KEYS,
    BUDGET_KEYS,
    FIRST_DATA_ROW,
    INDICATOR_KEYS,
    OUTPUT_KEYS,
    PARTNER_KEYS,
    column_titles,
)
from matis.plans.models import Activity, RoleFunction

KEY_FONT = Font(color="808080", size=8)
HEAD_FONT = Font(bold=True)
LOCKED_FILL = PatternFill("solid", fgColor="EEEEEE")


def _sheet(workbook: Workbook, name: str, keys: list[str], widths: dict[str, int]):
    sheet = workbook.create_sheet(name)
    titles = column_titles()
    append_row(sheet, keys, prefix=False)
    append_row(sheet, [titles[k] for k in keys], prefix=False)
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
        r.activity_id: r
        for r in ActivityReport.objects.filter(
            country_id=country_id, period=period
        ).prefetch_related("outputs", "responsible_agencies", "partners__function", "budget")
    }
    activities = list(
        Activity.objects.filter(area__plan=period.plan_id)
        .select_related("area")
        .order_by("area__number", "number")
    )
    workbook = Workbook()
    about = workbook.active
    about.title = "About"
    rows = [
        (_("MATIS activity report workbook"), ""),
        (_("Country"), country_id, country_name(country_id, default=country_id)),
        (_("Year"), period.year, display_year(period.year)),
        (_("Plan"), period.plan.code, str(local_text(period.plan, "name"))),
        (_("Prepared"), display_date(timezone.now(), "SHORT_DATETIME_FORMAT")),
        ("", ""),
        (_("How to fill it in"), ""),
        (
            "1.",
            _(
                "Fill in the Activities, Partners, Budget and Indicators sheets. Do not change "
                "rows 1 and 2, the codes in column A of Activities, or cells B2 and B3 here."
            ),
        ),
        (
            "2.",
            _(
                "Pick the status, partner type, budget line and function from the lists "
                "(the Lists sheet); write the narrative language as its code: en, th, km, "
                "lo, my, zh-hans or vi."
            ),
        ),
        (
            "3.",
            _(
                "Upload the whole workbook. If any cell is wrong, nothing is saved and every "
                "problem is listed with its cell."
            ),
        ),
        (
            "4.",
            _(
                "Only draft reports can change. Reports already submitted or approved must "
                "keep their values."
            ),
        ),
    ]
    for row in rows:
        append_row(about, row, prefix=False)
    about["A1"].font = Font(bold=True, size=14)
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 100
    about.column_dimensions["C"].width = 40  # B2:B4 are codes the upload reads; C, their names

    lists = workbook.create_sheet("Lists")
    list_columns = {
        "A": ("status", [str(label) for label in ProgressStatus.labels]),
        "B": ("narrative_language", v.LANGUAGE_CODES),
        "C": ("partner_type", [str(label) for label in PartnerType.labels]),
        "D": ("budget_line", [str(label) for label in BudgetKind.labels]),
        "E": (
            "function",
            [str(local_text(f, "function")) for f in RoleFunction.objects.order_by("order")],
        ),
        "F": (
            "agency",
            list(
                Agency.objects.filter(country_id=country_id, is_active=True)
                .order_by("name")
                .values_list("name", flat=True)
            ),
        ),
    }
    for column, (key, values) in list_columns.items():
        lists[f"{column}1"] = key
        lists[f"{column}1"].font = HEAD_FONT
        for index, value in enumerate(values, start=2):
            lists[f"{column}{index}"] = value
        lists.column_dimensions[column].width = 30

    def list_range(column: str) -> str:
        return f"Lists!${column}$2:${column}${max(2, len(list_columns[column][1]) + 1)}"

    sheet = _sheet(
        workbook,
        "Activities",
        ACTIVITY_KEYS,
        {"title": 50, "narrative": 60, "responsible_agencies": 40, "code": 8},
    )
    for activity in activities:
        report = reports.get(activity.pk)
        content = content_of(report) if report else ActivityReportContent()
        agency_names = sorted(a.name for a in report.responsible_agencies.all()) if report else []
        append_row(
            sheet,
            [
                activity.code,
                str(local_text(activity, "title")),
                "★" if activity.priority else "",
                _label(ProgressStatus, content.progress),
                content.narrative or None,
                content.narrative_language or None,
                "; ".join(agency_names) or None,
                *[content.outputs.get(k) for k in OUTPUT_KEYS],
                str(report.get_workflow_display()) if report else "",
            ],
            prefix=False,
        )
        row = sheet.max_row
        for col in ("A", "B", "C", get_column_letter(len(ACTIVITY_KEYS))):
            sheet[f"{col}{row}"].fill = LOCKED_FILL
    _list_validation(sheet, "D", list_range("A"), len(activities))
    _list_validation(sheet, "F", list_range("B"), len(activities))

    partners = _sheet(workbook, "Partners", PARTNER_KEYS, {"partner": 40, "function": 30})
    budget = _sheet(workbook, "Budget", BUDGET_KEYS, {"partner": 40, "budget_line": 16})
    functions = {f.pk: str(local_text(f, "function")) for f in RoleFunction.objects.all()}
    for activity in activities:
        report = reports.get(activity.pk)
        if report is None:
            continue
        for p in sorted(report.partners.all(), key=lambda p: (p.partner_type, p.name)):
            append_row(
                partners,
                [
                    activity.code,
                    _label(PartnerType, p.partner_type),
                    p.name,
                    functions.get(p.function_id),
                ],
                prefix=False,
            )
        for b in sorted(report.budget.all(), key=lambda b: (b.kind, b.partner_name)):
            append_row(
                budget,
                [
                    activity.code,
                    _label(BudgetKind, b.kind),
                    b.partner_name or None,
                    _label(PartnerType, b.partner_type),
                    b.currency,
                    b.amount,
                ],
                prefix=False,
            )
            budget.cell(row=budget.max_row, column=6).number_format = "#,##0.00"
    _list_validation(partners, "B", list_range("C"), 200)
    _list_validation(partners, "D", list_range("E"), 200)
    _list_validation(budget, "B", list_range("D"), 300)
    _list_validation(budget, "D", list_range("C"), 300)

    indicators = _sheet(workbook, "Indicators", INDICATOR_KEYS, {"indicator": 60})
    for row in indicator_rows(country_id=country_id, period=period):
        indicator = row.indicator
        append_row(
            indicators,
            [
                indicator.code,
                str(local_text(indicator, "name")),
                indicator.goal.code,
                str(indicator.get_unit_display()),
                str(indicator.get_source_display()),
                _number(row.baseline.value) if row.baseline else None,
                _number(row.target.value) if row.target else None,
                _number(row.actual.value) if row.actual else None,
            ],
            prefix=False,
        )
        for col in "ABCDE":
            indicators[f"{col}{indicators.max_row}"].fill = LOCKED_FILL
        if row.actual_is_computed:
            indicators[f"H{indicators.max_row}"].fill = LOCKED_FILL
    workbook.move_sheet("Lists", offset=len(workbook.sheetnames))
    return workbook_bytes(workbook)


def _label(choices, code: str | None):
    """The label of a code in the reader's language (the workbook never shows codes)."""
    if not code:
        return None
    return str(dict(choices.choices).get(code, code))


def _number(value: Decimal):
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else normal
