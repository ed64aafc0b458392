"""Excel import and export, the same for every register.

A register's workbook has one sheet for its rows and one per kind of child
row (participants, reviews, ...). Row 1 holds the column codes (field names,
language-independent), so a workbook exported in Thai imports in Vietnamese.
The ``README`` sheet explains each column in the reader's language.

Imports are all-or-nothing: every cell is checked, every error is reported
with its sheet, row and column, and if there is any error nothing is written.
Rows are matched by their natural key (the reference, or the child's key
within its parent), so importing the same workbook twice changes nothing.
Rows missing from the workbook are left alone: imports never delete.

The import is an adapter on the common import kit (:mod:`matis.common.importing`):
errors are :class:`~matis.common.importing.ImportProblem` (sheet, row, column
letter, column code as ``field``), a refused workbook raises
:class:`~matis.common.importing.ImportRejected`, and the result is the kit's
:class:`~matis.common.importing.ImportResult`, counted per sheet.
"""

from matis.registers.kit.excel.cells import (
    XLSX_CONTENT_TYPE,
    child_columns,
    main_columns,
)
from matis.registers.kit.excel.export import export_workbook
from matis.registers.kit.excel.importer import import_workbook

__all__ = [
    "XLSX_CONTENT_TYPE",
    "child_columns",
    "export_workbook",
    "import_workbook",
    "main_columns",
]
