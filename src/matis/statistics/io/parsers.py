"""Parsers: each turns one file format into normalised, checked observation rows.

Every row is checked while it is read (indicator, country, year, dimension
codes, unit, value, duplicates). Problems are collected with their line
number and reason, never dropped: the import writes nothing unless the whole
file is clean. A normalised row is a tuple, see :data:`ROW_FIELDS`.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from matis.statistics.io.lookup import StructureLookup, fold
from matis.statistics.keys import SEPARATOR
from matis.statistics.models.structure import UNIT_SOURCE_LABELS
from matis.statistics.values import ParsedValue, ValueParseError, parse_value

# (line, indicator_id, country_id, period, series_key, value, censored_below,
#  is_missing, is_estimated, is_provisional, source)
ROW_FIELDS = (
    "line",
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
Row = tuple
MAX_REPORTED_ERRORS = 500
MIN_YEAR = 1900
PROGRESS_EVERY = 20_000
GLOTIP_COLUMNS = (
    "Iso3_code",
    "Country",
    "Region",
    "Subregion",
    "Indicator",
    "Dimension",
    "Category",
    "Sex",
    "Age",
    "Year",
    "Unit of measurement",
    "txtVALUE",
    "Source",
)
SOURCE_ITEM = "SOURCE_ITEM"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RowError:
    line: int
    message: str
    column: str = ""
    sheet_row: bool = False  # Excel: "row", text files: "line"

    @property
    def where(self) -> str:
        if self.sheet_row:
            where = _("row %(n)s") % {"n": self.line}
        else:
            where = _("line %(n)s") % {"n": self.line}
        if self.column:
            where = _("%(where)s, column %(column)s") % {"where": where, "column": self.column}
        return where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "column": self.column,
            "where": self.where,
            "message": self.message,
        }


@dataclass
class ImportScope:
    """Which countries' rows a file may hold: ``only_country``; others are errors or skipped."""

    only_country: str | None = None
    skip_other_countries: bool = False


@dataclass
class ParseResult:
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    n_errors: int = 0
    n_lines: int = 0
    n_skipped_other_country: int = 0
    sheet_rows: bool = False

    def error(self, line: int, message: str, column: str = "") -> None:
        self.n_errors += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line, message, column, self.sheet_rows))


class FileFormatError(ValueError):
    """The file as a whole cannot be read (wrong format, no header, bad encoding)."""


def _open_text(source: IO[bytes] | str) -> Iterator[str]:
    """Text lines from a binary file, UTF-8 with or without BOM."""
    if isinstance(source, str):
        yield from io.StringIO(source)
        return
    wrapper = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        yield from wrapper
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            _("the file is not UTF-8 text (%(reason)s)") % {"reason": exc.reason}
        ) from None
    finally:
        with contextlib.suppress(ValueError):  # ValueError: the caller closed it already
            wrapper.detach()  # leave the caller's binary file open


def count_lines(source: IO[bytes]) -> int:
    """Number of lines in a seekable binary file (for the progress bar); rewinds it."""
    source.seek(0)
    n = 0
    last = b""
    while chunk := source.read(1 << 20):
        n += chunk.count(b"\n")
        last = chunk
    source.seek(0)
    return n + (1 if last and not last.endswith(b"\n") else 0)


def _year(text: Any) -> int | None:
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    try:
        year = int(str(text).strip())
    except ValueError:
        return None
    if MIN_YEAR <= year <= dt.date.today().year + 1:
        return year
    return None


class _Checker:
    """Shared per-row checks: country scope, year, unit, duplicates."""

    def __init__(self, lookup: StructureLookup, scope: ImportScope, result: ParseResult):
        self.lookup = lookup
        self.scope = scope
        self.result = result
        self.seen: dict[tuple, int] = {}

    def country(self, line: int, iso3: str, column: str) -> str | None:
        """The country code, or None after recording an error or a skip."""
        iso3 = iso3.strip().upper()
        if iso3 not in self.lookup.countries:
            self.result.error(
                line,
                _("%(code)r is not an ISO 3166-1 alpha-3 country code") % {"code": iso3},
                column,
            )
            return None
        only = self.scope.only_country
        if only and iso3 != only:
            if self.scope.skip_other_countries:
                self.result.n_skipped_other_country += 1
            else:
                self.result.error(
                    line,
                    _("this import takes rows of %(only)s only, not %(code)s")
                    % {"only": only, "code": iso3},
                    column,
                )
            return None
        return iso3

    def year(self, line: int, text: Any, column: str) -> int | None:
        year = _year(text)
        if year is None:
            self.result.error(
                line,
                _("%(value)r is not a year between %(first)s and %(last)s")
                % {"value": text, "first": MIN_YEAR, "last": dt.date.today().year + 1},
                column,
            )
        return year


# --- GLOTIP ------------------------------------------------------------------------


def parse_glotip(
    source: IO[bytes] | str,
    lookup: StructureLookup,
    scope: ImportScope | None = None,
    progress: Progress | None = None,
    total_lines: int = 0,
) -> ParseResult:
    """Read the UNODC GLOTIP data-portal export exactly as downloaded (CSV).

    Columns: Iso3_code, Country, Region, Subregion, Indicator, Dimension,
    Category, Sex, Age, Year, Unit of measurement, txtVALUE, Source. Several
    rows with identical key columns are sub-categories the export does not
    name; they are kept, numbered in file order in the ``SOURCE_ITEM`` dimension.
    """
    result = ParseResult()
    check = _Checker(lookup, scope or ImportScope(), result)
    reader = csv.reader(_open_text(source))
    try:
        header = next(reader)
    except StopIteration:
        raise FileFormatError(_("the file is empty")) from None
    missing = [c for c in GLOTIP_COLUMNS if c not in header]
    if missing:
        raise FileFormatError(
            _("this is not a GLOTIP export: line 1 lacks the column(s) %(columns)s")
            % {"columns": ", ".join(missing)}
        )
    col = {name: header.index(name) for name in GLOTIP_COLUMNS}
    dims = lookup.dimensions
    sex, age = dims.get("SEX"), dims.get("AGE")
    if sex is None or age is None:
        raise FileFormatError(_("the statistics structure has no SEX or AGE dimension"))
    pending: list[tuple[tuple, Row, frozenset[str]]] = []
    raw_groups: dict[tuple, list[int]] = {}
    width = len(header)
    for values in reader:
        line = reader.line_num
        result.n_lines += 1
        if progress and result.n_lines % PROGRESS_EVERY == 0:
            progress("read", result.n_lines, total_lines)
        if len(values) != width:
            if not any(v.strip() for v in values):
                continue  # a blank line
            result.error(
                line,
                _("expected %(n)s cells, found %(found)s") % {"n": width, "found": len(values)},
            )
            continue
        before = result.n_errors
        iso3 = check.country(line, values[col["Iso3_code"]], "Iso3_code")
        indicator_text = values[col["Indicator"]]
        indicator = lookup.indicator(indicator_text)
        if indicator is None:
            result.error(
                line, _("unknown indicator %(value)r") % {"value": indicator_text}, "Indicator"
            )
        year = check.year(line, values[col["Year"]], "Year")
        key_values: dict[str, str] = {}
        dim_text, category = values[col["Dimension"]].strip(), values[col["Category"]].strip()
        if fold(dim_text) == "total":
            if fold(category) != "total":
                result.error(
                    line,
                    _("Dimension is Total but Category is %(value)r") % {"value": category},
                    "Category",
                )
        else:
            dim_code = lookup.dimension_by_label.get(fold(dim_text))
            if dim_code is None:
                result.error(
                    line, _("unknown dimension %(value)r") % {"value": dim_text}, "Dimension"
                )
            else:
                code = dims[dim_code].resolve(category or "(blank)")
                if code is None:
                    result.error(
                        line,
                        _("%(value)r is not in the code list of %(dimension)s")
                        % {"value": category, "dimension": dim_code},
                        "Category",
                    )
                elif code:
                    key_values[dim_code] = code
        for lk, column in ((sex, "Sex"), (age, "Age")):
            text = values[col[column]].strip()
            code = lk.resolve(text)
            if code is None:
                result.error(
                    line,
                    _("%(value)r is not in the code list of %(dimension)s")
                    % {"value": text, "dimension": lk.code},
                    column,
                )
            elif code:
                key_values[lk.code] = code
        if indicator is not None:
            for dim_code in key_values:
                if dim_code not in indicator.dimensions:
                    result.error(
                        line,
                        _("indicator %(indicator)s has no breakdown by %(dimension)s")
                        % {"indicator": indicator.code, "dimension": dim_code},
                    )
            unit_text = values[col["Unit of measurement"]]
            unit = UNIT_SOURCE_LABELS.get(fold(unit_text))
            if unit != indicator.unit:
                result.error(
                    line,
                    _("unit %(value)r does not match the indicator's unit (%(unit)s)")
                    % {"value": unit_text, "unit": indicator.unit},
                    "Unit of measurement",
                )
        try:
            parsed = parse_value(values[col["txtVALUE"]])
        except ValueParseError as exc:
            result.error(line, str(exc), "txtVALUE")
            parsed = None
        source_text = values[col["Source"]].strip()[:100]
        if result.n_errors != before or iso3 is None:
            continue
        raw_key = (
            iso3,
            fold(indicator_text),
            fold(dim_text),
            category,
            values[col["Sex"]].strip(),
            values[col["Age"]].strip(),
            year,
        )
        row = (
            line,
            indicator.id,
            iso3,
            year,
            key_values,
            parsed.value,
            parsed.censored_below,
            parsed.is_missing,
            False,
            False,
            source_text,
        )
        raw_groups.setdefault(raw_key, []).append(len(pending))
        pending.append((raw_key, row, indicator.dimensions))
    # Number repeated rows; then build the canonical keys and check them for clashes.
    for members in raw_groups.values():
        if len(members) < 2:
            continue
        for item, index in enumerate(members, start=1):
            raw_key, row, allowed = pending[index]
            if SOURCE_ITEM not in allowed:
                result.error(
                    row[0],
                    _(
                        "the file repeats this row and the indicator has no "
                        "%(dimension)s dimension to tell the repeats apart"
                    )
                    % {"dimension": SOURCE_ITEM},
                )
                continue
            if str(item) not in dims[SOURCE_ITEM].codes:
                result.error(
                    row[0],
                    _("more repeats of this row than %(dimension)s has codes")
                    % {"dimension": SOURCE_ITEM},
                )
                continue
            row[4][SOURCE_ITEM] = str(item)
    for _raw_key, row, _allowed in pending:
        key = SEPARATOR.join(f"{d}={c}" for d, c in sorted(row[4].items()))
        ident = (row[1], row[2], row[3], key)
        first = check.seen.get(ident)
        if first is not None:
            result.error(
                row[0],
                _("the same observation as line %(line)s (after mapping labels to codes)")
                % {"line": first},
            )
            continue
        check.seen[ident] = row[0]
        result.rows.append((*row[:4], key, *row[5:]))
    return result


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
    result = ParseResult(sheet_rows=sheet_rows)
    check = _Checker(lookup, scope or ImportScope(), result)
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


def _csv_rows(source: IO[bytes] | str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    reader = csv.reader(_open_text(source))
    try:
        header = next(reader)
    except StopIteration:
        raise FileFormatError(_("the file is empty")) from None

    def rows():
        for cells in reader:
            yield reader.line_num, cells

    return header, rows()


def parse_csv(source, lookup, scope=None, progress=None, total_lines=0) -> ParseResult:
    header, rows = _csv_rows(source)
    return parse_table(rows, header, lookup, MATIS_CSV, scope, progress, total_lines)


def parse_sdmx_csv(source, lookup, scope=None, progress=None, total_lines=0) -> ParseResult:
    header, rows = _csv_rows(source)
    if not header or fold(header[0]) not in {"dataflow", "structure"}:
        raise FileFormatError(
            _("this is not SDMX-CSV: line 1 must start with DATAFLOW (SDMX-CSV 1.0)")
        )
    return parse_table(rows, header, lookup, SDMX_CSV, scope, progress, total_lines)


DATA_SHEET = "Data"


def parse_xlsx(source: IO[bytes], lookup, scope=None, progress=None, total_lines=0) -> ParseResult:
    """The MATIS Excel template: a sheet named Data, laid out like the MATIS CSV."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise FileFormatError(
            _("this is not an Excel (.xlsx) workbook: %(reason)s") % {"reason": exc}
        ) from None
    try:
        if DATA_SHEET not in book.sheetnames:
            raise FileFormatError(
                _("the workbook has no sheet named %(name)r") % {"name": DATA_SHEET}
            )
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
            rows(),
            header,
            lookup,
            MATIS_CSV,
            scope,
            progress,
            total or total_lines,
            sheet_rows=True,
        )
    finally:
        book.close()


PARSERS: dict[str, Callable[..., ParseResult]] = {
    "glotip": parse_glotip,
    "sdmx-csv": parse_sdmx_csv,
    "csv": parse_csv,
    "xlsx": parse_xlsx,
}
