"""The Excel round trip: a prefilled workbook per country and period, and its import.

The import reads and checks the whole workbook before writing anything. Every
problem names its cell (``Activities!D7: status “done” is not one of ...``);
if there is any, nothing is written. Only what differs from the stored data is
written, so uploading the same workbook twice changes nothing.

Row 1 of each data sheet holds the machine column keys (checked on upload),
row 2 the column titles in the reader's language; data starts on row 3.

The import is an adapter on the common import kit (:mod:`matis.common.importing`):
problems are :class:`~matis.common.importing.ImportProblem`, a refused workbook
raises :class:`~matis.common.importing.ImportRejected`, and the result is the
kit's :class:`~matis.common.importing.ImportResult`.
"""

from matis.monitoring.workbook.importer import ACTIVITIES, INDICATORS, workbook_import
from matis.monitoring.workbook.read import read_workbook
from matis.monitoring.workbook.write import build_workbook

__all__ = [
    "ACTIVITIES",
    "INDICATORS",
    "build_workbook",
    "read_workbook",
    "workbook_import",
]
