"""Shared parts of the parsers: normalised rows, errors, scope, per-row checks."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from matis.official_statistics.io.lookup import StructureLookup

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


def open_text(source: IO[bytes] | str) -> Iterator[str]:
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


def read_year(text: Any) -> int | None:
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    try:
        year = int(str(text).strip())
    except ValueError:
        return None
    if MIN_YEAR <= year <= dt.date.today().year + 1:
        return year
    return None


class RowChecker:
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
        year = read_year(text)
        if year is None:
            self.result.error(
                line,
                _("%(value)r is not a year between %(first)s and %(last)s")
                % {"value": text, "first": MIN_YEAR, "last": dt.date.today().year + 1},
                column,
            )
        return year
