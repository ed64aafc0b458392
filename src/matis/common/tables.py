"""Tables and downloads: one ``Table`` model, one CSV writer, one Excel writer.

A page builds ``Table`` objects once; the page shows them and the same objects
are written as CSV or Excel, so a download always matches the page. Every
CSV/Excel download in MATIS goes through this module, so that spreadsheet
formulas are neutralised in one place: a text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is written with a leading ``'`` (and as
a string cell in Excel), so a spreadsheet program shows it and never evaluates
it. Numbers stay numbers.

Cells are plain values (numbers, text, dates) or objects with ``display`` (the
page text), ``export`` (the CSV text), ``excel`` (the Excel value) and
``state`` attributes, such as the official statistics' censored figures.

Workbook templates that are re-imported keep their own layout; they write
their cells with :func:`set_cell` / :func:`append_row` (``prefix=False``), which
store formula-like text as a string without changing it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from matis.common.calendars import display_year
from matis.common.l10n import format_number

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}
NUMERIC_KINDS = frozenset({"int", "pct", "usd", "number"})
BOM = "\ufeff"  # lets Excel read Thai, Khmer, Lao, Burmese and Chinese correctly

# --- neutralising spreadsheet formulas -------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_formula_like(value: Any) -> bool:
    """True for text a spreadsheet program could evaluate (a plain number is not)."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    )


def neutralise(value: Any) -> Any:
    """``value``, or formula-like text with a leading ``'``; numbers are returned unchanged."""
    return "'" + value if is_formula_like(value) else value


# --- the model ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column: ``kind`` says how its cells are shown.

    ``kind`` is one of text, int, pct, usd, number, year (CE stored, BE shown
    to Thai readers), value (a cell object with ``display``/``export``) or
    status (a code shown by its label from ``choices``).
    """

    key: str
    label: str
    kind: str = "text"
    choices: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class DisplayCell:
    """A cell as a template shows it."""

    css: str
    text: Any
    kind: str = "text"
    state: str = ""  # censored, missing, empty or ""


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    note: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    blank: str = "–"  # the page text of an empty cell

    def display_rows(self) -> list[list[DisplayCell]]:
        """Rows as :class:`DisplayCell` lists for templates."""
        return [[self.display_cell(c, row.get(c.key)) for c in self.columns] for row in self.rows]

    def display_cell(self, column: Column, value) -> DisplayCell:
        if hasattr(value, "display"):
            state = getattr(value, "state", "")
            return DisplayCell(css_class(column, value, state), value.display, "value", state)
        if value is None or value == "":
            return DisplayCell(css_class(column, None, "empty"), self.blank, column.kind, "empty")
        return DisplayCell(css_class(column, value), format_cell(value, column), column.kind)

    def as_json(self) -> dict:
        """Plain JSON: cell objects as {value, censored_below, missing, display}."""

        def cell(v):
            if hasattr(v, "as_json"):
                return v.as_json()
            return v

        return {
            "name": self.name,
            "title": self.title,
            "note": self.note,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
            "rows": [{k: cell(v) for k, v in row.items()} for row in self.rows],
        }


def percent(share: float | None, places: int = 1) -> float | None:
    """A share (0 to 1) as a rounded percentage for a table cell; None stays None."""
    return None if share is None else round(100 * share, places)


def css_class(column: Column, value=None, state: str = "") -> str:
    if column.kind == "status":
        return f"status-cell st-{value}" if value else "status-cell"
    if column.kind == "value":
        return f"num {state}" if state else "num"
    return "num" if column.kind in NUMERIC_KINDS else ""


def format_cell(
    value, kind: str | Column = "text", language: str | None = None, *, blank: str = "–"
) -> str:
    """A cell as the reader sees it (years in the Buddhist Era for Thai readers)."""
    column = kind if isinstance(kind, Column) else None
    kind = column.kind if column else kind
    if value is None or value == "":
        return blank
    if hasattr(value, "display"):
        return value.display
    if kind == "status":
        return str(column.choices.get(value, value)) if column and column.choices else str(value)
    if kind == "year":
        return display_year(value, language)
    if kind == "int":
        return format_number(value, 0, language)
    if kind == "pct":
        return f"{format_number(value, 0, language)} %"
    if kind == "usd":
        return format_number(value, 0, language)
    if kind == "number":  # grouped, at most 4 places, no trailing zeros: 57.1, 11,634,984
        return format_number(value, None, language)
    return str(value)


def export_cell(value, column: Column):
    """Machine-readable cell for CSV: numbers stay numbers, years stay CE, codes become labels."""
    if value is None:
        return ""
    if hasattr(value, "export"):
        return value.export
    if column.kind == "status":
        return format_cell(value, column)
    return value


def excel_cell(value, column: Column):
    """The Excel value of a cell: a number where the page shows a number."""
    if value is None:
        return None
    if hasattr(value, "excel"):
        return value.excel
    if column.kind == "status":
        return format_cell(value, column)
    if isinstance(value, Decimal) and column.kind in {"pct", "number"}:
        return float(value)
    return value


# --- CSV ----------------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def csv_lines(
    header: Sequence | None, rows: Iterable[Sequence], *, bom: bool = True
) -> Iterator[str]:
    """CSV text line by line (for streaming); every cell passes through :func:`neutralise`."""
    writer = csv.writer(_Echo())
    first = True
    if header is not None:
        yield (BOM if bom else "") + writer.writerow([neutralise(c) for c in header])
        first = False
    for row in rows:
        line = writer.writerow([neutralise(c) for c in row])
        yield (BOM + line) if first and bom else line
        first = False


def table_csv_lines(table: Table, *, bom: bool = True) -> Iterator[str]:
    """``table`` as CSV lines: the column labels, the rows, then the note."""
    yield from csv_lines(
        [c.label for c in table.columns],
        ([export_cell(row.get(c.key), c) for c in table.columns] for row in table.rows),
        bom=bom,
    )
    if table.note:
        yield from csv_lines(None, [[], [table.note]], bom=False)


def to_csv(table: Table) -> bytes:
    return "".join(table_csv_lines(table)).encode("utf-8")


def rows_to_csv(header: Sequence | None, rows: Iterable[Sequence], *, bom: bool = True) -> bytes:
    """Plain rows (a header and lists of cells) as CSV bytes."""
    return "".join(csv_lines(header, rows, bom=bom)).encode("utf-8")


# --- Excel --------------------------------------------------------------------------------------


def set_cell(sheet, row: int, column: int, value, *, prefix: bool = True):
    """Write one cell so that text is never a formula.

    ``prefix=True`` (downloads) adds the leading ``'``; ``prefix=False``
    (templates that are read back) keeps the text as it is, stored as a string.
    Dates get an ISO number format.
    """
    formula_like = is_formula_like(value)
    cell = sheet.cell(row=row, column=column, value=neutralise(value) if prefix else value)
    if formula_like:
        cell.data_type = "s"  # text, never a formula
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def append_row(sheet, values: Iterable, *, prefix: bool = True) -> int:
    """Append ``values`` as the sheet's next row (text as in :func:`set_cell`); return its number."""
    values = list(values)
    sheet.append([neutralise(v) if prefix else v for v in values])
    row = sheet._current_row  # what openpyxl's append wrote to, even for an empty row
    for index, value in enumerate(values, start=1):
        if is_formula_like(value):
            sheet.cell(row=row, column=index).data_type = "s"
    return row


def bold_row(sheet, row: int) -> None:
    from openpyxl.styles import Font

    for cell in sheet[row]:
        cell.font = Font(bold=True)


def write_table_sheet(sheet, table: Table, *, title_row: bool = False) -> None:
    """``table`` on ``sheet``: optionally its title, the labels (bold), the rows, then the note."""
    if title_row:
        append_row(sheet, [table.title])
    header = append_row(sheet, [c.label for c in table.columns])
    bold_row(sheet, header)
    for row in table.rows:
        number = append_row(sheet, [excel_cell(row.get(c.key), c) for c in table.columns])
        for index, c in enumerate(table.columns, start=1):
            if c.kind == "usd":
                sheet.cell(row=number, column=index).number_format = "#,##0.00"
    if table.note:
        append_row(sheet, [])
        append_row(sheet, [table.note])


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_xlsx(
    table: Table,
    *,
    title_row: bool = False,
    extra_sheets: Sequence[tuple[str, Iterable[Sequence]]] = (),
) -> bytes:
    """``table`` as an Excel workbook; ``extra_sheets`` adds (name, rows) sheets after it."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (table.name or "table")[:31]
    write_table_sheet(sheet, table, title_row=title_row)
    for name, rows in extra_sheets:
        extra = workbook.create_sheet(name[:31])
        for values in rows:
            append_row(extra, values)
    return workbook_bytes(workbook)


# --- downloads ----------------------------------------------------------------------------------


def download_response(content, filename: str, *, content_type: str | None = None):
    """An attachment named ``filename``; its type follows the extension (.csv or .xlsx).

    ``content`` is bytes, or an iterator of text lines that is streamed.
    """
    if content_type is None:
        content_type = CONTENT_TYPES[filename.rsplit(".", 1)[-1]]
    if isinstance(content, bytes | str):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def table_bytes(table: Table, fmt: str, **xlsx_options) -> bytes:
    """``table`` written as ``fmt`` (csv or xlsx; the options are :func:`to_xlsx`'s)."""
    if fmt == "xlsx":
        return to_xlsx(table, **xlsx_options)
    if fmt == "csv":
        return to_csv(table)
    raise ValueError(f"unknown table format {fmt!r}")


def table_download(table: Table, fmt: str, name: str, **options) -> HttpResponse:
    """``table`` as a CSV or Excel attachment named ``name.fmt``."""
    return download_response(table_bytes(table, fmt, **options), f"{name}.{fmt}")
