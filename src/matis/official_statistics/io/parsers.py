"""Parsers: each turns one file format into normalised, checked observation rows.

Every row is checked while it is read (indicator, country, year, dimension
codes, unit, value, duplicates). Problems are collected with their line
number and reason, never dropped: the import writes nothing unless the whole
file is clean. A normalised row is a tuple, see :data:`ROW_FIELDS`.

This module is the public face; the formats live in ``_glotip`` (the UNODC
export) and ``_tables`` (MATIS CSV, SDMX-CSV, Excel), the shared parts in ``_base``.
"""

from __future__ import annotations

from collections.abc import Callable

from matis.official_statistics.io._base import (
    GLOTIP_COLUMNS,
    MAX_REPORTED_ERRORS,
    ROW_FIELDS,
    FileFormatError,
    ImportScope,
    ParseResult,
    RowError,
    count_lines,
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

PARSERS: dict[str, Callable[..., ParseResult]] = {
    "glotip": parse_glotip,
    "sdmx-csv": parse_sdmx_csv,
    "csv": parse_csv,
    "xlsx": parse_xlsx,
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
    "ImportScope",
    "ParseResult",
    "RowError",
    "TableDialect",
    "count_lines",
    "parse_csv",
    "parse_glotip",
    "parse_sdmx_csv",
    "parse_table",
    "parse_xlsx",
]
