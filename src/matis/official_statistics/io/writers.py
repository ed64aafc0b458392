"""Writing official statistics: dashboard tables and observations as CSV, Excel and SDMX-CSV,
and the Excel template for data entry.

The files written here read back through the parsers unchanged, so an export
re-imported changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from matis.common.models import Country
from matis.official_statistics.dashboards import Table, ValueCell
from matis.official_statistics.io.parsers import DATA_SHEET
from matis.official_statistics.keys import parse_key
from matis.official_statistics.models import (
    Code,
    Dimension,
    IndicatorDimension,
    StatisticalIndicator,
    Unit,
)
from matis.official_statistics.models.observations import flags_text
from matis.official_statistics.values import export_value

DATAFLOW = "MATIS:TIP_STATISTICS(1.0)"
SDMX_UNITS = {Unit.COUNT: "COUNT", Unit.RATE: "RATE", Unit.PERCENT: "PERCENT"}
EXCEL_MAX_ROWS = 1_048_575
OBSERVATION_FIELDS = (
    "indicator_id",
    "country_id",
    "period",
    "series_key",
    "value",
    "censored_below",
    "is_missing",
    "is_estimated",
    "is_provisional",
    "source",
)


class _Echo:
    def write(self, value):
        return value


def _cell_text(value) -> str:
    if isinstance(value, ValueCell):
        return value.export
    if value is None:
        return ""
    return str(value)


# --- dashboard tables --------------------------------------------------------------------


def table_csv_lines(table: Table) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([c.label for c in table.columns])
    for row in table.rows:
        yield writer.writerow([_cell_text(row.get(c.key)) for c in table.columns])
    if table.note:
        yield writer.writerow([])
        yield writer.writerow([table.note])


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.name[:31])
    sheet.append([table.title])
    sheet.append([c.label for c in table.columns])
    for row in table.rows:
        out = []
        for c in table.columns:
            v = row.get(c.key)
            if isinstance(v, ValueCell):
                # Exact figures as numbers; <5 and .. as text, never as a number.
                out.append(v.value if v.value is not None and not v.is_censored else v.export)
            else:
                out.append(v)
        sheet.append(out)
    if table.note:
        sheet.append([])
        sheet.append([table.note])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- observations ------------------------------------------------------------------------


class _Codes:
    """Indicator codes, dimension order and which dimensions each indicator takes."""

    def __init__(self):
        self.indicators = dict(StatisticalIndicator.objects.values_list("pk", "code"))
        self.units = dict(StatisticalIndicator.objects.values_list("pk", "unit"))
        self.dimensions = list(
            Dimension.objects.order_by("order", "code").values_list("code", flat=True)
        )
        self.allowed: dict[int, set[str]] = {}
        for ind, dim in IndicatorDimension.objects.values_list("indicator_id", "dimension__code"):
            self.allowed.setdefault(ind, set()).add(dim)


def observations_csv_lines(rows: Iterable[tuple]) -> Iterator[str]:
    """MATIS CSV (see docs/statistics.md); ``rows`` are tuples of ``OBSERVATION_FIELDS``."""
    codes = _Codes()
    writer = csv.writer(_Echo())
    dims = codes.dimensions
    yield writer.writerow(
        ["indicator", "country", "year", *[d.lower() for d in dims], "value", "flags", "source"]
    )
    for ind, country, year, key, value, cens, missing, est, prov, source in rows:
        values = parse_key(key)
        yield writer.writerow(
            [
                codes.indicators[ind],
                country,
                year,
                *[values.get(d, "") for d in dims],
                export_value(value, cens, missing),
                flags_text(est, prov, missing),
                source,
            ]
        )


def observations_sdmx_lines(rows: Iterable[tuple]) -> Iterator[str]:
    """SDMX-CSV 1.0 for the MATIS data structure: totals are _T, dimensions that do not apply _Z."""
    codes = _Codes()
    writer = csv.writer(_Echo())
    dims = codes.dimensions
    yield writer.writerow(
        [
            "DATAFLOW",
            "INDICATOR",
            "REF_AREA",
            *dims,
            "TIME_PERIOD",
            "OBS_VALUE",
            "UNIT_MEASURE",
            "OBS_STATUS",
            "CENSORED_BELOW",
            "SOURCE",
        ]
    )
    for ind, country, year, key, value, cens, missing, est, prov, source in rows:
        values = parse_key(key)
        allowed = codes.allowed.get(ind, set())
        dim_values = [values.get(d, "_T" if d in allowed else "_Z") for d in dims]
        status = flags_text(est, prov, missing) or "A"
        obs_value = "" if value is None else export_value(value, None)
        yield writer.writerow(
            [
                DATAFLOW,
                codes.indicators[ind],
                country,
                *dim_values,
                year,
                obs_value,
                SDMX_UNITS.get(codes.units.get(ind), ""),
                status,
                "" if cens is None else cens,
                source,
            ]
        )


def observations_xlsx(rows: Iterable[tuple]) -> bytes:
    """The observations in the layout of the Excel template's Data sheet."""
    from openpyxl import Workbook

    codes = _Codes()
    dims = codes.dimensions
    book = Workbook(write_only=True)
    sheet = book.create_sheet(DATA_SHEET)
    sheet.append(
        ["indicator", "country", "year", *[d.lower() for d in dims], "value", "flags", "source"]
    )
    for n, (ind, country, year, key, value, cens, missing, est, prov, source) in enumerate(rows, 1):
        if n > EXCEL_MAX_ROWS:
            raise ValueError(
                _("More rows than an Excel sheet holds; narrow the filter or use CSV.")
            )
        values = parse_key(key)
        cell = value if value is not None and cens is None else export_value(value, cens, missing)
        sheet.append(
            [
                codes.indicators[ind],
                country,
                year,
                *[values.get(d, "") for d in dims],
                cell,
                flags_text(est, prov, missing),
                source,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the Excel template ------------------------------------------------------------------


def excel_template(country: str | None = None) -> bytes:
    """A workbook for data entry: Data (to fill in), Indicators, Codes (drop-down lists), Help."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    indicators = list(
        StatisticalIndicator.objects.filter(is_active=True).prefetch_related(
            "indicator_dimensions__dimension"
        )
    )
    dims = list(Dimension.objects.select_related("code_list").order_by("order", "code"))
    codes_by_list: dict[int, list[Code]] = {}
    for code in Code.objects.filter(is_active=True).order_by("order", "code"):
        codes_by_list.setdefault(code.code_list_id, []).append(code)

    book = Workbook()
    data = book.active
    data.title = DATA_SHEET
    header = [
        "indicator",
        "country",
        "year",
        *[d.code.lower() for d in dims],
        "value",
        "flags",
        "source",
    ]
    data.append(header)
    for cell in data[1]:
        cell.font = Font(bold=True)
    data.freeze_panes = "A2"

    lists = book.create_sheet("Codes")
    lists.append([_("Column"), _("Code"), _("Meaning")])
    columns = [
        ("indicator", [(i.code, i.name_en) for i in indicators]),
        ("country", [(c.iso3, c.name) for c in Country.objects.filter(is_commit_member=True)]),
    ]
    columns += [
        (d.code.lower(), [(c.code, c.name_en) for c in codes_by_list.get(d.code_list_id, [])])
        for d in dims
    ]
    columns += [("flags", [("E", _("estimated")), ("P", _("provisional")), ("M", _("missing"))])]
    ranges = {}
    row = 2
    for name, entries in columns:
        first = row
        for code, meaning in entries:
            lists.append([name, code, meaning])
            row += 1
        if entries:
            ranges[name] = f"Codes!$B${first}:$B${row - 1}"
    for index, name in enumerate(header, start=1):
        if name in ranges:
            letter = get_column_letter(index)
            rule = DataValidation(type="list", formula1=ranges[name], allow_blank=True)
            rule.error = _("Choose a code from the sheet Codes.")
            rule.showErrorMessage = name not in ("country",)
            data.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}5000")

    ind_sheet = book.create_sheet("Indicators")
    ind_sheet.append([_("Indicator"), _("Name"), _("Unit"), _("Breakdowns (dimension columns)")])
    for ind in indicators:
        ind_sheet.append(
            [
                ind.code,
                ind.name_en,
                ind.get_unit_display(),
                ", ".join(d.dimension.code.lower() for d in ind.indicator_dimensions.all()),
            ]
        )

    help_sheet = book.create_sheet("Help")
    for line in [
        _(
            "One row per figure. indicator, country (ISO 3166-1 alpha-3), year and value are required."
        ),
        _("Leave a breakdown column empty for the total over that breakdown."),
        _("value: a number; <5 for a figure published only as below 5; .. for a missing figure."),
        _("flags: E estimated, P provisional, M missing (letters may be combined, e.g. EP)."),
        _("Upload the file under Statistics > Import, format: MATIS Excel template."),
        _("Nothing is imported while any row has an error; every error names its row."),
    ]:
        help_sheet.append([line])
    if country:
        help_sheet.append([_("Prepared for country %(country)s.") % {"country": country}])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
