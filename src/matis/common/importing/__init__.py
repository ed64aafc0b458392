"""One file-import kit: parse -> check -> report problems by sheet/row/column -> store atomically.

Every upload in MATIS (monitoring workbooks, official statistics files,
register workbooks) goes the same way:

1. **parse** with the readers here: :func:`csv_rows` (UTF-8, with or without
   BOM), :func:`opened_workbook` (read-only, cached values, always closed),
   :func:`sheet_header` / :func:`sheet_rows`;
2. **check** every row and cell, adding each finding to a :class:`Problems`
   collector as an :class:`ImportProblem` (sheet, row, column, field, message);
3. **report**: any problem refuses the file with :class:`ImportRejected`,
   which lists them all; nothing has been written;
4. **store** in one transaction (:func:`store_atomically`); a problem found
   while writing undoes everything. Stores compare with what is there, so
   importing the same file twice changes nothing, and say what they did in
   one :class:`ImportResult` (created / updated / unchanged / skipped, per sheet).

:func:`run_import` strings the steps together. Format-specific parsing (the
GLOTIP columns, SDMX-CSV, the monitoring workbook layout, register sheets)
stays in its app as a small adapter that calls this kit.
"""

from matis.common.importing.problems import (
    MAX_REPORTED_PROBLEMS,
    ImportProblem,
    ImportRejected,
    Problems,
)
from matis.common.importing.readers import (
    FileFormatError,
    NotAWorkbook,
    cell_text,
    column_letter,
    count_lines,
    csv_rows,
    is_blank,
    opened_workbook,
    sheet_header,
    sheet_rows,
    text_lines,
)
from matis.common.importing.result import CREATED, SKIPPED, UNCHANGED, UPDATED, ImportResult
from matis.common.importing.store import run_import, store_atomically

__all__ = [
    "CREATED",
    "MAX_REPORTED_PROBLEMS",
    "SKIPPED",
    "UNCHANGED",
    "UPDATED",
    "FileFormatError",
    "ImportProblem",
    "ImportRejected",
    "ImportResult",
    "NotAWorkbook",
    "Problems",
    "cell_text",
    "column_letter",
    "count_lines",
    "csv_rows",
    "is_blank",
    "opened_workbook",
    "run_import",
    "sheet_header",
    "sheet_rows",
    "store_atomically",
    "text_lines",
]
