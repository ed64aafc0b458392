"""Reading a filled workbook: every cell checked, every problem named by its cell."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from matis.access.models import Agency, User
from matis.access.permissions import has_perm
from matis.common.i18n import local_text
from matis.common.importing import (
    ImportRejected,
    NotAWorkbook,
    Problems,
    cell_text,
    opened_workbook,
    sheet_header,
    sheet_rows,
)
from matis.common.models import COMMIT_COUNTRIES
from matis.monitoring import validation as v
from matis.monitoring.models import (
    BudgetKind,
    ReportingPeriod,
)
from matis.monitoring.selectors import indicator_rows
from matis.monitoring.services.indicators import IndicatorValues
from matis.monitoring.services.reports import (
    ActivityReportContent,
    BudgetLine,
    PartnerLine,
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


class _Reader:
    """The workbook layout on the import kit: rows by column key, problems by cell."""

    def __init__(self, problems: Problems):
        self.problems = problems

    def error(self, sheet: str, column: str, row: int, message: str) -> None:
        self.problems.add(message, sheet=sheet, row=row, column=column)

    def check(self, sheet: str, column: str, row: int, func, value, **kwargs):
        try:
            return func(value, **kwargs)
        except v.FieldError as exc:
            self.error(sheet, column, row, str(exc))
            return None

    def rows(self, workbook, name: str, keys: list[str]):
        if name not in workbook.sheetnames:
            self.error(name, "", 0, _("the sheet is missing"))
            return []
        sheet = workbook[name]
        header = sheet_header(sheet)
        if header[: len(keys)] != keys:
            for index, key in enumerate(keys):
                found = header[index] if index < len(header) else ""
                if found != key:
                    self.error(
                        name,
                        get_column_letter(index + 1),
                        1,
                        _("column key “%(found)s” should be “%(key)s”; do not change rows 1 and 2")
                        % {"found": found, "key": key},
                    )
                    break
            return []
        return [
            (number, dict(zip(keys, cells, strict=True)))
            for number, cells in sheet_rows(sheet, first_row=FIRST_DATA_ROW, width=len(keys))
        ]


def _col(keys: list[str], key: str) -> str:
    return get_column_letter(keys.index(key) + 1)


def read_workbook(
    data: bytes, *, actor: User | None, problems: Problems | None = None
) -> tuple[str, ReportingPeriod, dict, list[IndicatorValues]]:
    """Parse and check a workbook; raise ``ImportRejected`` listing every problem.

    With ``problems``, the cell problems are added there (the import kit's
    pipeline raises); a file that cannot be read at all is refused at once.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportRejected.one(_("the file is larger than 5 MB"))
    own = problems is None
    problems = Problems() if own else problems
    try:
        with opened_workbook(data) as workbook:
            parsed = _read(workbook, actor, _Reader(problems))
    except NotAWorkbook as exc:
        raise ImportRejected.one(str(exc)) from None
    if own:
        problems.raise_if_any()
    return parsed


def _read(workbook, actor: User | None, reader: _Reader):
    if "About" not in workbook.sheetnames:
        raise ImportRejected.one(_("the sheet is missing"), sheet="About")
    about = workbook["About"]
    country_id = cell_text(about["B2"].value).upper()
    if country_id not in COMMIT_COUNTRIES:
        raise ImportRejected.one(
            _("“%(value)s” is not a COMMIT country code") % {"value": country_id},
            sheet="About",
            column="B",
            row=2,
        )
    if actor is not None and not has_perm(actor, "monitoring.edit_report", country_id):
        raise ImportRejected.one(
            _("this workbook is for %(country)s; you do not report for that country")
            % {"country": country_id},
            sheet="About",
            column="B",
            row=2,
        )
    try:
        year = int(cell_text(about["B3"].value))
        period = ReportingPeriod.objects.select_related("plan").get(
            year=year, plan__code=cell_text(about["B4"].value) or "SPA3"
        )
    except (ValueError, ReportingPeriod.DoesNotExist):
        raise ImportRejected.one(
            _("“%(value)s” is not a reporting period") % {"value": about["B3"].value},
            sheet="About",
            column="B",
            row=3,
        ) from None

    activities = {a.code: a for a in Activity.objects.filter(area__plan=period.plan_id)}
    agencies = {a.name: a.pk for a in Agency.objects.filter(country_id=country_id, is_active=True)}
    functions = {f.code: f for f in RoleFunction.objects.all()}
    for f in list(functions.values()):  # the workbook names functions in the reader's language
        for language in v.LANGUAGE_CODES:
            functions.setdefault(str(local_text(f, "function", language)), f)
    contents: dict[str, ActivityReportContent] = {}
    row_of: dict[str, int] = {}
    sheet = "Activities"
    for row, values in reader.rows(workbook, sheet, ACTIVITY_KEYS):
        code = cell_text(values["code"])
        if code not in activities:
            reader.error(
                sheet, "A", row, _("“%(code)s” is not an activity of the plan") % {"code": code}
            )
            continue
        if code in contents:
            reader.error(sheet, "A", row, _("activity %(code)s is listed twice") % {"code": code})
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
            None, (n.strip() for n in cell_text(values["responsible_agencies"]).split(";"))
        ):
            if name not in agencies:
                reader.error(
                    sheet,
                    c("responsible_agencies"),
                    row,
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
        contents[code] = ActivityReportContent(
            progress=progress or "",
            narrative=narrative or "",
            narrative_language=language or "",
            outputs=outputs,
            agency_ids=frozenset(agency_ids),
        )

    partners: dict[str, set[PartnerLine]] = {code: set() for code in contents}
    sheet = "Partners"
    for row, values in reader.rows(workbook, sheet, PARTNER_KEYS):
        code = cell_text(values["activity"])
        if code not in contents:
            reader.error(
                sheet,
                "A",
                row,
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
        function_code = cell_text(values["function"])
        function = None
        if function_code:
            function = functions.get(function_code)
            if function is None:
                reader.error(
                    sheet,
                    "D",
                    row,
                    _("“%(code)s” is not a function of the roles matrix (see Lists!E)")
                    % {"code": function_code},
                )
                continue
            if partner_type and not getattr(function, partner_type):
                reader.error(sheet, "D", row, roles_matrix_message(partner_type, function))
                continue
        if partner_type and name:
            line = PartnerLine(partner_type, name, function.pk if function else None)
            if line in partners[code]:
                reader.error(
                    sheet,
                    "C",
                    row,
                    _("this partner is listed twice for %(code)s") % {"code": code},
                )
            partners[code].add(line)

    budgets: dict[str, dict[tuple[str, str], BudgetLine]] = {code: {} for code in contents}
    sheet = "Budget"
    for row, values in reader.rows(workbook, sheet, BUDGET_KEYS):
        code = cell_text(values["activity"])
        if code not in contents:
            reader.error(
                sheet,
                "A",
                row,
                _("activity “%(code)s” is not on the Activities sheet") % {"code": code},
            )
            continue
        kind = reader.check(sheet, "B", row, v.check_budget_kind, values["budget_line"])
        partner_name = cell_text(values["partner"])
        partner_type = cell_text(values["partner_type"])
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
            reader.error(sheet, "C", row, _("only partner contributions name a partner"))
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
                    "B",
                    row,
                    _("budget line %(kind)s %(partner)s of %(code)s is given twice")
                    % {"kind": kind, "partner": partner_name, "code": code},
                )
            budgets[code][line.key] = line

    indicator_values: list[IndicatorValues] = []
    current = {r.indicator.code: r for r in indicator_rows(country_id=country_id, period=period)}
    sheet = "Indicators"
    for row, values in reader.rows(workbook, sheet, INDICATOR_KEYS):
        code = cell_text(values["code"])
        stored = current.get(code)
        if stored is None:
            reader.error(sheet, "A", row, _("“%(code)s” is not an indicator") % {"code": code})
            continue
        baseline = reader.check(sheet, "F", row, v.check_value, values["baseline"])
        target = reader.check(sheet, "G", row, v.check_value, values["target"])
        actual = reader.check(sheet, "H", row, v.check_value, values["actual"])
        if stored.actual_is_computed:  # a computed indicator with no value takes one by hand
            stored_actual = stored.actual.value
            if actual is not None and actual != stored_actual:
                reader.error(
                    sheet,
                    "H",
                    row,
                    _("%(code)s is computed; leave its actual value as it is") % {"code": code},
                )
            actual = None
        indicator_values.append(IndicatorValues(stored.indicator.pk, baseline, target, actual))

    for code, content in list(contents.items()):
        contents[code] = ActivityReportContent(
            progress=content.progress,
            narrative=content.narrative,
            narrative_language=content.narrative_language,
            outputs=content.outputs,
            agency_ids=content.agency_ids,
            partners=frozenset(partners[code]),
            budget=frozenset(budgets[code].values()),
        )
    return (
        country_id,
        period,
        {activities[c].pk: (c, row_of[c], content) for c, content in contents.items()},
        indicator_values,
    )
