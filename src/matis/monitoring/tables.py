"""Tables behind the dashboards and reports, with CSV and Excel downloads.

A dashboard builds ``Table`` objects once; the page shows them, and the same
objects are written as CSV or Excel, so a download always matches the page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats

from matis.common.calendars import display_year


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | pct | usd | year | number


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    note: str = ""

    def display_rows(self) -> list[list[tuple[str, str]]]:
        """Rows as (css class, formatted text) cells for templates."""
        return [
            [
                (css_class(c, row.get(c.key)), format_cell(row.get(c.key), c.kind))
                for c in self.columns
            ]
            for row in self.rows
        ]


def css_class(column: Column, value=None) -> str:
    if column.kind == "status":
        return f"status-cell st-{value}" if value else "status-cell"
    return "num" if column.kind in {"int", "pct", "usd", "number"} else ""


def format_cell(value, kind: str, language: str | None = None) -> str:
    """A cell as the reader sees it (years in the Buddhist Era for Thai readers)."""
    if value is None or value == "":
        return "–"
    if kind == "status":
        from matis.monitoring.models import ProgressStatus

        return str(ProgressStatus(value).label)
    if kind == "year":
        return display_year(value, language)
    if kind == "int":
        return formats.number_format(value, 0, force_grouping=True)
    if kind == "pct":
        return f"{formats.number_format(value, 0)} %"
    if kind == "usd":
        return formats.number_format(Decimal(value).quantize(Decimal(1)), 0, force_grouping=True)
    if kind == "number":
        number = Decimal(value).normalize()
        places = max(0, -number.as_tuple().exponent)
        return formats.number_format(number, min(places, 4), force_grouping=True)
    return str(value)


def _raw(value, kind: str = "text"):
    """Machine-readable cell for downloads: numbers stay numbers, years stay CE."""
    if value is None:
        return ""
    if kind == "status":
        return format_cell(value, kind)
    return value


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.label for c in table.columns])
    for row in table.rows:
        writer.writerow([_raw(row.get(c.key), c.kind) for c in table.columns])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets Excel read Thai correctly


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.name[:31]
    sheet.append([c.label for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        values = []
        for c in table.columns:
            value = _raw(row.get(c.key), c.kind)
            if isinstance(value, Decimal):
                value = float(value) if c.kind in {"pct", "number"} else value
            values.append(value)
        sheet.append(values)
    for c in table.columns:
        if c.kind == "usd":
            index = table.columns.index(c) + 1
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "#,##0.00"
    if table.note:
        sheet.append([])
        sheet.append([table.note])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
