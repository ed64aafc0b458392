"""Shared parts of the parsers: normalised rows, scope, per-row checks.

Reading files and collecting problems is the common import kit's
(:mod:`matis.common.importing`); this module adds what every statistics format shares.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from matis.common.importing import (
    MAX_REPORTED_PROBLEMS,
    ImportProblem,
    Problems,
)
from matis.official_statistics.io.lookup import DimensionLookup, StructureLookup
from matis.official_statistics.models.observations import OBSERVATION_FIELDS

# (line, indicator_id, country_id, period, series_key, value, censored_below,
#  is_missing, is_estimated, is_provisional, source)
ROW_FIELDS = ("line", *OBSERVATION_FIELDS)
Row = tuple
MAX_REPORTED_ERRORS = MAX_REPORTED_PROBLEMS
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


@dataclass
class ImportScope:
    """Which countries' rows a file may hold: ``only_country``; others are errors or skipped."""

    only_country: str | None = None
    skip_other_countries: bool = False


@dataclass
class ParseResult:
    """The checked rows of one file, and the problems found (kept in a shared collector)."""

    rows: list[Row] = field(default_factory=list)
    problems: Problems = field(default_factory=lambda: Problems(text_lines=True))
    n_lines: int = 0
    n_skipped_other_country: int = 0

    @classmethod
    def of_sheet(cls) -> ParseResult:
        """A result whose problems say "row" (Excel), not "line"."""
        return cls(problems=Problems(text_lines=False))

    @property
    def errors(self) -> list[ImportProblem]:
        return self.problems.items

    @property
    def n_errors(self) -> int:
        return self.problems.n

    def error(self, line: int, message: str, column: str = "") -> None:
        self.problems.add(message, row=line, column=column)


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
        self._named: dict[str, str | None] = {}

    def country_named(self, line: int, text: str, column: str) -> str | None:
        """The alpha-3 code of a country named in any known form, or None after an error.

        The error names the nearest known names, so a typo or a form the alias
        table lacks is easy to fix (or to add in the admin site).
        """
        if text in self._named:
            iso3 = self._named[text]
        else:
            iso3 = self._named[text] = self.lookup.names.resolve(text)
        if iso3 is None:
            nearest = self.lookup.names.nearest(text)
            if nearest:
                message = _(
                    "unknown country or citizenship %(value)r; nearest known names: %(names)s"
                ) % {"value": text, "names": "; ".join(nearest)}
            else:
                message = _(
                    "unknown country or citizenship %(value)r (an administrator can add it "
                    "as a country name alias)"
                ) % {"value": text}
            self.result.error(line, message, column)
        return iso3

    def geo_code(self, line: int, dimension: DimensionLookup, text: str, column: str) -> str | None:
        """The code of a country named in any known form in a geographic dimension, or None."""
        iso3 = self.country_named(line, text, column)
        if iso3 is not None and iso3 not in dimension.codes:
            self.result.error(
                line,
                _(
                    "%(value)r is %(code)s, which is not in the code list of %(dimension)s "
                    "(an administrator can add the code)"
                )
                % {"value": text, "code": iso3, "dimension": dimension.code},
                column,
            )
            return None
        return iso3

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
