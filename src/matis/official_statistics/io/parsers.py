"""Parsers: each turns one file format into normalised, checked observation rows.

Every row is checked while it is read (indicator, country, year, dimension
codes, unit, value, duplicates). Problems are collected with their line
number and reason, never dropped: the import writes nothing unless the whole
file is clean. A normalised row is a tuple, see :data:`ROW_FIELDS`.

Reading CSV and Excel, and the problem type, are the common import kit's
(:mod:`matis.common.importing`); these parsers are the statistics formats on it.

This module is the public face; the formats live in ``_glotip`` (the UNODC
export) and ``_tables`` (MATIS CSV, SDMX-CSV, Excel), the shared parts in ``_base``.
"""

from __future__ import annotations

from collections.abc import Callable

from matis.common.importing import FileFormatError, ImportProblem, count_lines
from matis.official_statistics.io._base import (
    GLOTIP_COLUMNS,
    MAX_REPORTED_ERRORS,
    ROW_FIELDS,
    ImportScope,
    ParseResult,
)
from matis.official_statistics.io._glotip import parse_glotip
from matis.official_statistics.io._tables import (
    DATA_SHEET,
    MATIS_CSV,
    SDMX_CSV,
    TableDialect,
    parse_csv,
    parse_sdmx_csv,
    parse_table,
    parse_xlsx,
)
from matis.official_statistics.io.adx import parse_adx

PARSERS: dict[str, Callable[..., ParseResult]] = {
    "glotip": parse_glotip,
    "sdmx-csv": parse_sdmx_csv,
    "csv": parse_csv,
    "xlsx": parse_xlsx,
    "adx": parse_adx,
}

__all__ = [
    "DATA_SHEET",
    "GLOTIP_COLUMNS",
    "MATIS_CSV",
    "MAX_REPORTED_ERRORS",
    "PARSERS",
    "ROW_FIELDS",
    "SDMX_CSV",
    "FileFormatError",
    "ImportProblem",
    "ImportScope",
    "ParseResult",
    "TableDialect",
    "count_lines",
    "parse_adx",
    "parse_csv",
    "parse_glotip",
    "parse_sdmx_csv",
    "parse_table",
    "parse_xlsx",
]
