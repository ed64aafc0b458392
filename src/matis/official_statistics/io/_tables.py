"""Tabular formats: MATIS CSV, SDMX-CSV and the Excel template."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

from matis.common.importing import FileFormatError, NotAWorkbook, csv_rows, opened_workbook
from matis.official_statistics.io._base import (
    MIN_YEAR,
    PROGRESS_EVERY,
    ImportScope,
    ParseResult,
    Progress,
    RowChecker,
)
from matis.official_statistics.io.lookup import StructureLookup, fold
from matis.official_statistics.keys import SEPARATOR
from matis.official_statistics.models.structure import UNIT_SOURCE_LABELS
from matis.official_statistics.values import ParsedValue, ValueParseError, parse_value

# --- tables: MATIS CSV, SDMX-CSV, Excel ----------------------------------------------


@dataclass(frozen=True)
class TableDialect:
    """How one tabular format names its columns."""

    name: str
    indicator: tuple[str, ...]
    country: tuple[str, ...]
    period: tuple[str, ...]
    value: tuple[str, ...]
    flags: tuple[str, ...]
    censored: tuple[str, ...]
    source: tuple[str, ...]
    ignored: tuple[str, ...] = ()
    unit: tuple[str, ...] = ()
    labels_allowed: bool = True  # dimension values may be labels, not only codes


MATIS_CSV = TableDialect(
    name="csv",
    indicator=("indicator",),
    country=("country", "ref_area"),
    period=("year",),
    value=("value",),
    flags=("flags",),
    censored=(),
    source=("source",),
    ignored=("comment",),
    unit=("unit",),
)
SDMX_CSV = TableDialect(
    name="sdmx-csv",
    indicator=("indicator",),
    country=("ref_area",),
    period=("time_period",),
    value=("obs_value",),
    flags=("obs_status",),
    censored=("censored_below",),
    source=("source",),
    ignored=("dataflow", "structure", "structure_id", "action"),
    unit=("unit_measure",),
    labels_allowed=False,
)
SDMX_UNITS = {"COUNT": "count", "RATE": "rate", "PERCENT": "percent", "PC": "percent"}
FLAG_LETTERS = frozenset("AEPM")


def parse_table(
    rows: Iterable[tuple[int, list[Any]]],
    header: list[Any],
    lookup: StructureLookup,
    dialect: TableDialect,
    scope: ImportScope | None = None,
    progress: Progress | None = None,
    total_lines: int = 0,
    sheet_rows: bool = False,
) -> ParseResult:
    """Read rows of a table whose first row is ``header``; ``rows`` yields (line, cells)."""
    result = ParseResult.of_sheet() if sheet_rows else ParseResult()
    check = RowChecker(lookup, scope or ImportScope(), result)
    names = [fold(h) if h is not None else "" for h in header]

    def find(options: tuple[str, ...]) -> int | None:
        for i, n in enumerate(names):
            if n in options:
                return i
        return None

    i_ind, i_country, i_period = (
        find(dialect.indicator),
        find(dialect.country),
        find(dialect.period),
    )
    i_value, i_flags, i_cens = find(dialect.value), find(dialect.flags), find(dialect.censored)
    i_source, i_unit = find(dialect.source), find(dialect.unit)
    required = {"indicator": i_ind, "country": i_country, "year": i_period, "value": i_value}
    absent = [dialect_name(dialect, k) for k, v in required.items() if v is None]
    if absent:
        raise FileFormatError(
            _("line 1 lacks the column(s) %(columns)s") % {"columns": ", ".join(absent)}
        )
    known = {
        i
        for i in (i_ind, i_country, i_period, i_value, i_flags, i_cens, i_source, i_unit)
        if i is not None
    }
    dim_cols: list[tuple[int, str]] = []
    bad = []
    for i, n in enumerate(names):
        if i in known or n in dialect.ignored or (not n and i >= len(header)):
            continue
        dim_code = n.upper()
        if dim_code in lookup.dimensions:
            dim_cols.append((i, dim_code))
        elif n:
            bad.append(str(header[i]))
        else:
            bad.append(_("(empty header in column %(n)s)") % {"n": i + 1})
    if bad:
        raise FileFormatError(
            _(
                "line 1: unknown column(s) %(columns)s; dimension columns are named by dimension "
                "code (%(codes)s)"
            )
            % {"columns": ", ".join(bad), "codes": ", ".join(sorted(lookup.dimensions))}
        )
    dim_cols.sort(key=lambda c: c[1])  # canonical key order
    dim_lookups = [(i, code, lookup.dimensions[code]) for i, code in dim_cols]
    labels = dialect.labels_allowed
    indicator_cache: dict[Any, Any] = {}
    value_cache: dict[Any, ParsedValue] = {}
    seen = check.seen
    error = result.error
    only_country = check.scope.only_country
    width = len(header)
    n = 0
    for line, cells in rows:
        n += 1
        if progress and n % PROGRESS_EVERY == 0:
            progress("read", n, total_lines)
        if len(cells) < width:
            if not any(c not in (None, "") and str(c).strip() for c in cells):
                n -= 1
                continue
            cells = list(cells) + [None] * (width - len(cells))
        before = result.n_errors
        if len(cells) > width and any(c not in (None, "") for c in cells[width:]):
            error(
                line,
                _("expected %(n)s cells, found %(found)s") % {"n": width, "found": len(cells)},
            )
        ind_text = cells[i_ind]
        indicator = indicator_cache.get(ind_text)
        if indicator is None:
            text = "" if ind_text is None else str(ind_text).strip()
            indicator = lookup.indicator(text, labels=labels)
            if indicator is None:
                error(line, _("unknown indicator %(value)r") % {"value": text}, str(header[i_ind]))
            else:
                indicator_cache[ind_text] = indicator
        country = cells[i_country]
        if country.__class__ is not str or country not in lookup.countries or only_country:
            country = check.country(
                line, "" if country is None else str(country), str(header[i_country])
            )
        period = cells[i_period]
        if period.__class__ is not int or not MIN_YEAR <= period <= 2100:
            period = check.year(line, period, str(header[i_period]))
        tokens = []
        for i, dim_code, dl in dim_lookups:
            text = cells[i]
            if text is None or text == "":
                continue
            code = dl.resolve(text if text.__class__ is str else str(text), labels=labels)
            if code is None:
                error(
                    line,
                    _("%(value)r is not in the code list of %(dimension)s")
                    % {"value": text, "dimension": dim_code},
                    str(header[i]),
                )
            elif code:
                if dl.country_of is not None and country and dl.country_of.get(code) != country:
                    error(
                        line,
                        _(
                            "province %(code)s is in %(province_country)s, not in the row's "
                            "country %(country)s"
                        )
                        % {
                            "code": code,
                            "province_country": dl.country_of.get(code, "?"),
                            "country": country,
                        },
                        str(header[i]),
                    )
                if indicator is not None and dim_code not in indicator.dimensions:
                    error(
                        line,
                        _("indicator %(indicator)s has no breakdown by %(dimension)s")
                        % {"indicator": indicator.code, "dimension": dim_code},
                        str(header[i]),
                    )
                tokens.append(f"{dim_code}={code}")
        flags = (
            "" if i_flags is None or cells[i_flags] is None else str(cells[i_flags]).strip().upper()
        )
        if flags and not FLAG_LETTERS.issuperset(flags):
            error(
                line,
                _("%(value)r: flags are letters E (estimated), P (provisional), M (missing)")
                % {"value": flags},
                str(header[i_flags]),
            )
        raw_value = cells[i_value]
        parsed = value_cache.get(raw_value)
        if parsed is None:
            try:
                if (raw_value is None or raw_value == "") and (
                    i_cens is not None and cells[i_cens] not in (None, "")
                ):
                    parsed = parse_value(f"<{cells[i_cens]}")
                elif (raw_value is None or raw_value == "") and "M" in flags:
                    parsed = ParsedValue(None, is_missing=True)
                else:
                    parsed = parse_value(raw_value)
                    if len(value_cache) < 100_000 and raw_value.__class__ is str:
                        value_cache[raw_value] = parsed
            except ValueParseError as exc:
                error(line, str(exc), str(header[i_value]))
        if "M" in flags and parsed is not None and parsed.value is not None:
            error(
                line,
                _("flag M (missing) but the value is %(value)r") % {"value": raw_value},
                str(header[i_flags]),
            )
        if i_unit is not None and indicator is not None and cells[i_unit] not in (None, ""):
            unit_text = str(cells[i_unit]).strip()
            unit = (
                SDMX_UNITS.get(unit_text.upper())
                or UNIT_SOURCE_LABELS.get(fold(unit_text))
                or (unit_text.lower())
            )
            if unit != indicator.unit:
                error(
                    line,
                    _("unit %(value)r does not match the indicator's unit (%(unit)s)")
                    % {"value": unit_text, "unit": indicator.unit},
                    str(header[i_unit]),
                )
        if result.n_errors != before or country is None:
            continue
        key = SEPARATOR.join(tokens)
        ident = (indicator.id, country, period, key)
        first = seen.get(ident)
        if first is not None:
            error(line, _("the same observation as line %(line)s") % {"line": first})
            continue
        seen[ident] = line
        # No source column: None, "keep the source the database has" (new rows get "").
        source_text = (
            None
            if i_source is None
            else ("" if cells[i_source] is None else str(cells[i_source]).strip()[:100])
        )
        result.rows.append(
            (
                line,
                indicator.id,
                country,
                period,
                key,
                parsed.value,
                parsed.censored_below,
                parsed.is_missing or "M" in flags,
                "E" in flags,
                "P" in flags,
                source_text,
            )
        )
    result.n_lines = n
    return result


def dialect_name(dialect: TableDialect, role: str) -> str:
    options = {
        "indicator": dialect.indicator,
        "country": dialect.country,
        "year": dialect.period,
        "value": dialect.value,
    }[role]
    return options[0].upper() if dialect.name == "sdmx-csv" else options[0]


def parse_csv(source, lookup, scope=None, progress=None, total_lines=0) -> ParseResult:
    header, rows = csv_rows(source)
    return parse_table(rows, header, lookup, MATIS_CSV, scope, progress, total_lines)


def parse_sdmx_csv(source, lookup, scope=None, progress=None, total_lines=0) -> ParseResult:
    header, rows = csv_rows(source)
    if not header or fold(header[0]) not in {"dataflow", "structure"}:
        raise FileFormatError(
            _("this is not SDMX-CSV: line 1 must start with DATAFLOW (SDMX-CSV 1.0)")
        )
    return parse_table(rows, header, lookup, SDMX_CSV, scope, progress, total_lines)


DATA_SHEET = "Data"


def parse_xlsx(source: IO[bytes], lookup, scope=None, progress=None, total_lines=0) -> ParseResult:
    """The MATIS Excel template: a sheet named Data, laid out like the MATIS CSV."""
    try:
        with opened_workbook(source) as book:
            return _parse_data_sheet(book, lookup, scope, progress, total_lines)
    except NotAWorkbook as exc:
        raise FileFormatError(
            _("this is not an Excel (.xlsx) workbook: %(reason)s") % {"reason": exc.reason}
        ) from None


def _parse_data_sheet(book, lookup, scope, progress, total_lines) -> ParseResult:
    if DATA_SHEET not in book.sheetnames:
        raise FileFormatError(_("the workbook has no sheet named %(name)r") % {"name": DATA_SHEET})
    sheet = book[DATA_SHEET]
    total = sheet.max_row or 0
    it = sheet.iter_rows(values_only=True)
    try:
        header = list(next(it))
    except StopIteration:
        raise FileFormatError(_("the sheet %(name)r is empty") % {"name": DATA_SHEET}) from None
    while header and header[-1] in (None, ""):
        header.pop()

    def rows():
        for number, cells in enumerate(it, start=2):
            while cells and cells[-1] in (None, ""):
                cells = cells[:-1]  # Excel pads rows with empty cells
            cells = [c.strip() if c.__class__ is str else c for c in cells]
            yield number, cells

    return parse_table(
        rows(), header, lookup, MATIS_CSV, scope, progress, total or total_lines, sheet_rows=True
    )
