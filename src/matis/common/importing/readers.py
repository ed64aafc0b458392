"""Reading uploads: CSV text and Excel workbooks, opened the safe way.

Workbooks are opened ``read_only`` (rows stream; a large file does not fill
memory) and ``data_only`` (a formula's last computed value, never the
formula), and always closed again.
"""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, Any
from xml.etree import ElementTree

from defusedxml.common import DefusedXmlException
from django.utils.translation import gettext as _


class FileFormatError(ValueError):
    """The file as a whole cannot be read (wrong format, no header, bad encoding)."""


def cell_text(value: Any) -> str:
    """A cell as trimmed text: "" for an empty cell, ``12`` (not ``12.0``) for a whole float."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- text files ----------------------------------------------------------------------


def text_lines(source: IO[bytes] | str) -> Iterator[str]:
    """Text lines from a binary file, UTF-8 with or without BOM; the caller's file stays open."""
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
            wrapper.detach()


def csv_rows(source: IO[bytes] | str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header of a CSV file and its rows as (line number, cells)."""
    reader = csv.reader(text_lines(source))
    try:
        header = next(reader)
    except StopIteration:
        raise FileFormatError(_("the file is empty")) from None

    def rows():
        for cells in reader:
            yield reader.line_num, cells

    return header, rows()


def count_lines(source: IO[bytes]) -> int:
    """Number of lines in a seekable binary file (for a progress bar); rewinds it."""
    source.seek(0)
    n = 0
    last = b""
    while chunk := source.read(1 << 20):
        n += chunk.count(b"\n")
        last = chunk
    source.seek(0)
    return n + (1 if last and not last.endswith(b"\n") else 0)


# --- workbooks -----------------------------------------------------------------------


class NotAWorkbook(FileFormatError):
    """The upload is not an .xlsx workbook; ``reason`` says what openpyxl found."""

    def __init__(self, reason: str = ""):
        self.reason = reason
        super().__init__(_("this is not an Excel workbook (.xlsx)"))


# What openpyxl's XML and zip layers raise for a broken or hostile workbook, also
# while rows are read (read-only sheets are parsed lazily). defusedxml (a
# dependency, which openpyxl uses when installed) refuses entity declarations
# with a ValueError subclass instead of expanding a "billion laughs".
WORKBOOK_READ_ERRORS = (
    ElementTree.ParseError,
    DefusedXmlException,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
)


def refuse_document_types(source: IO[bytes]) -> None:
    """Refuse a workbook any of whose XML parts declares a document type.

    Office files never carry a DOCTYPE; one is how entity expansion ("billion
    laughs") and external entities get in. openpyxl parses with defusedxml,
    which refuses them, or with lxml when that is installed, which leaves
    entities unexpanded instead; checking here makes the refusal the same
    whichever parser openpyxl picked.
    """
    position = source.tell()
    try:
        with zipfile.ZipFile(source) as archive:
            for info in archive.infolist():
                if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                with archive.open(info) as part:
                    head = part.read(4096).replace(b"\0", b"")  # UTF-16 parts too
                if b"<!DOCTYPE" in head.upper():
                    raise NotAWorkbook(
                        f"{info.filename}: an XML document type declaration (refused)"
                    )
    except zipfile.BadZipFile as exc:
        raise NotAWorkbook(str(exc)) from None
    finally:
        source.seek(position)


@contextlib.contextmanager
def opened_workbook(source: IO[bytes] | bytes):
    """The workbook in ``source``, read-only with cached values; closed on leaving.

    Raises :class:`NotAWorkbook` for anything openpyxl cannot open, for a zip
    that must not be unpacked (a zip bomb, macros) and for XML or zip errors
    met while the sheets are read.
    """
    from openpyxl import load_workbook

    from matis.common.files import check_zip_safety

    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    try:
        check_zip_safety(source)
        refuse_document_types(source)
        book = load_workbook(source, read_only=True, data_only=True)
    except NotAWorkbook:
        raise
    except Exception as exc:  # openpyxl raises many kinds of error for a bad file
        raise NotAWorkbook(str(exc)) from None
    try:
        yield book
    except WORKBOOK_READ_ERRORS as exc:
        raise NotAWorkbook(f"{type(exc).__name__}: {exc}") from None
    finally:
        book.close()


def column_letter(index: int) -> str:
    """The letter of the 0-based column ``index`` (0 -> A)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def sheet_header(worksheet) -> list[str]:
    """Row 1 as trimmed texts."""
    first = next(worksheet.iter_rows(min_row=1, max_row=1, values_only=True), None) or ()
    return [cell_text(v) for v in first]


def sheet_rows(
    worksheet, *, first_row: int = 2, width: int | None = None
) -> Iterator[tuple[int, tuple]]:
    """(row number, values) from ``first_row`` on; blank rows skipped.

    With ``width``, only the first ``width`` columns are read and short rows are
    padded with None, so every row has ``width`` values.
    """
    for number, values in enumerate(
        worksheet.iter_rows(min_row=first_row, max_col=width, values_only=True), start=first_row
    ):
        if values is None or all(is_blank(v) for v in values):
            continue
        if width is not None and len(values) < width:
            values = (*values, *([None] * (width - len(values))))
        yield number, values
