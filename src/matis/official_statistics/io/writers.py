"""Writing official statistics: dashboard tables and observations as CSV, Excel and SDMX-CSV,
and the Excel template for data entry.

The files written here read back through the parsers unchanged, so an export
re-imported changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from matis.common import tables
from matis.common.models import Country
from matis.common.tables import Table
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


# --- dashboard tables --------------------------------------------------------------------


def table_csv_lines(table: Table) -> Iterator[str]:
    return tables.table_csv_lines(table)


def table_xlsx(table: Table) -> bytes:
    return tables.to_xlsx(table, title_row=True)


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


def matis_header(dimensions: Iterable[str]) -> list[str]:
    """The columns of the MATIS CSV and of the Excel template's Data sheet."""
    return [
        "indicator",
        "country",
        "year",
        *[d.lower() for d in dimensions],
        "value",
        "flags",
        "source",
    ]


def _matis_row(codes: _Codes, row: tuple, value) -> list:
    ind, country, year, key, _value, _cens, missing, est, prov, source = row
    values = parse_key(key)
    return [
        codes.indicators[ind],
        country,
        year,
        *[values.get(d, "") for d in codes.dimensions],
        value,
        flags_text(est, prov, missing),
        source,
    ]


def observations_csv_lines(rows: Iterable[tuple]) -> Iterator[str]:
    """MATIS CSV (see docs/statistics.md); ``rows`` are tuples of ``OBSERVATION_FIELDS``."""
    codes = _Codes()
    lines = (_matis_row(codes, r, export_value(r[4], r[5], r[6])) for r in rows)
    return tables.csv_lines(matis_header(codes.dimensions), lines, bom=False)


def observations_sdmx_lines(rows: Iterable[tuple]) -> Iterator[str]:
    """SDMX-CSV 1.0 for the MATIS data structure: totals are _T, dimensions that do not apply _Z.

    The format is the standard's; only the cells pass through the common
    formula neutraliser (a source text starting with ``=`` gets a leading ``'``).
    """
    codes = _Codes()
    dims = codes.dimensions
    header = [
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

    def lines():
        for ind, country, year, key, value, cens, missing, est, prov, source in rows:
            values = parse_key(key)
            allowed = codes.allowed.get(ind, set())
            dim_values = [values.get(d, "_T" if d in allowed else "_Z") for d in dims]
            status = flags_text(est, prov, missing) or "A"
            obs_value = "" if value is None else export_value(value, None)
            yield [
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

    return tables.csv_lines(header, lines(), bom=False)


def observations_xlsx(rows: Iterable[tuple]) -> bytes:
    """The observations in the layout of the Excel template's Data sheet."""
    from openpyxl import Workbook

    codes = _Codes()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(DATA_SHEET)
    sheet.append(matis_header(codes.dimensions))
    for n, row in enumerate(rows, 1):
        if n > EXCEL_MAX_ROWS:
            raise ValueError(
                _("More rows than an Excel sheet holds; narrow the filter or use CSV.")
            )
        _ind, _country, _year, _key, value, cens, missing, *_rest = row
        cell = value if value is not None and cens is None else export_value(value, cens, missing)
        sheet.append([tables.neutralise(v) for v in _matis_row(codes, row, cell)])
    return tables.workbook_bytes(book)


# --- the Excel template ------------------------------------------------------------------


def excel_template(country: str | None = None) -> bytes:
    """A workbook for data entry: Data (to fill in), Indicators, Codes (drop-down lists), Help."""
    from openpyxl import Workbook
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
    header = matis_header(d.code for d in dims)
    tables.append_row(data, header)
    tables.bold_row(data, 1)
    data.freeze_panes = "A2"

    lists = book.create_sheet("Codes")
    tables.append_row(lists, [_("Column"), _("Code"), _("Meaning")])
    columns = [
        ("indicator", [(i.code, i.name_en) for i in indicators]),
        ("country", [(c.iso3, c.name) for c in Country.objects.filter(is_commit_member=True)]),
    ]
    province_country = {}
    if country:  # a country's template lists its own provinces only
        from matis.common.models import Subdivision

        province_country = dict(Subdivision.objects.values_list("code", "country_id"))

    def listed(code: Code) -> bool:
        return province_country.get(code.code, country) == country

    columns += [
        (
            d.code.lower(),
            [(c.code, c.name_en) for c in codes_by_list.get(d.code_list_id, []) if listed(c)],
        )
        for d in dims
    ]
    columns += [("flags", [("E", _("estimated")), ("P", _("provisional")), ("M", _("missing"))])]
    ranges = {}
    row = 2
    for name, entries in columns:
        first = row
        for code, meaning in entries:
            tables.append_row(lists, [name, code, meaning], prefix=False)
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
    tables.append_row(
        ind_sheet, [_("Indicator"), _("Name"), _("Unit"), _("Breakdowns (dimension columns)")]
    )
    for ind in indicators:
        tables.append_row(
            ind_sheet,
            [
                ind.code,
                ind.name_en,
                ind.get_unit_display(),
                ", ".join(d.dimension.code.lower() for d in ind.indicator_dimensions.all()),
            ],
            prefix=False,
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
    return tables.workbook_bytes(book)
