"""What an import reports: one problem type, named by sheet, row and column, and one refusal."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

# An import keeps this many problems to show; it counts them all.
MAX_REPORTED_PROBLEMS = 500


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an uploaded file, named so the user can find and fix it.

    Parameters
    ----------
    message
        What is wrong, in the reader's language.
    sheet
        The workbook sheet; "" for a text file, or for a workbook with one data sheet.
    row
        The 1-based row of the sheet, or the line of a text file; 0 for the whole sheet or file.
    column
        Where the column is: its letter in a workbook ("D"), its header in a text file.
    field
        The column's machine key (``status``, ``country``), when it is not already ``column``.
    text_line
        ``row`` is a line of a text file ("line 4"), not a row of a sheet ("row 4").
    """

    message: str
    sheet: str = ""
    row: int = 0
    column: str = ""
    field: str = ""
    text_line: bool = False

    @property
    def cell(self) -> str:
        """The cell address within its sheet (``D7``), or the column alone, or ""."""
        return f"{self.column}{self.row}" if self.column and self.row else self.column

    @property
    def line(self) -> int:
        return self.row

    @property
    def where(self) -> str:
        """``Activities!D7``, ``hotline, row 3``, ``line 4, column flags``, ``row 4`` or ``file``."""
        if self.sheet:
            if self.cell:
                return f"{self.sheet}!{self.cell}"
            if self.row:
                return f"{self.sheet}, {_('row %(n)s') % {'n': self.row}}"
            return self.sheet
        if not self.row:
            return _("file")
        if self.text_line:
            where = _("line %(n)s") % {"n": self.row}
        else:
            where = _("row %(n)s") % {"n": self.row}
        if self.column:
            where = _("%(where)s, column %(column)s") % {"where": where, "column": self.column}
        return where

    def __str__(self) -> str:
        where = f"{self.where} ({self.field})" if self.field else self.where
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        """JSON-ready, for a background job to store and its page to list."""
        return {
            "sheet": self.sheet,
            "row": self.row,
            "line": self.row,
            "column": self.column,
            "field": self.field,
            "where": self.where,
            "message": self.message,
        }


class Problems:
    """Collects the problems of one import: keeps the first ``limit``, counts them all.

    ``text_lines`` is the default for problems added by line number (text files).
    """

    def __init__(self, *, text_lines: bool = False, limit: int = MAX_REPORTED_PROBLEMS):
        self.items: list[ImportProblem] = []
        self.n = 0
        self.text_lines = text_lines
        self.limit = limit

    def add(
        self,
        message: str,
        *,
        sheet: str = "",
        row: int = 0,
        column: str = "",
        field: str = "",
    ) -> None:
        self.n += 1
        if len(self.items) < self.limit:
            self.items.append(
                ImportProblem(str(message), sheet, row, column, field, self.text_lines)
            )

    def append(self, problem: ImportProblem) -> None:
        self.n += 1
        if len(self.items) < self.limit:
            self.items.append(problem)

    def in_sheet(self, sheet: str) -> bool:
        return any(p.sheet == sheet for p in self.items)

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[ImportProblem]:
        return iter(self.items)

    def raise_if_any(self) -> None:
        """Refuse the import if anything was found: :class:`ImportRejected` lists it all."""
        if self.n:
            raise ImportRejected(self.items, self.n)


class ImportRejected(Exception):
    """The file cannot be imported; ``errors`` name each problem's place. Nothing was written."""

    def __init__(self, errors: Iterable[ImportProblem], n_errors: int | None = None):
        self.errors = list(errors)
        self.n_errors = n_errors if n_errors is not None else len(self.errors)
        super().__init__(self.summary())

    @classmethod
    def one(cls, message: str, **where) -> ImportRejected:
        """A refusal of the file as a whole (or of one place in it)."""
        return cls([ImportProblem(str(message), **where)])

    def summary(self, limit: int = 10) -> str:
        head = _("%(n)s problem(s); nothing was imported.") % {"n": self.n_errors}
        lines = [str(e) for e in self.errors[:limit]]
        more = self.n_errors - len(lines)
        if more > 0:
            lines.append(_("... and %(n)s more") % {"n": more})
        return "\n".join([head, *lines])

    def __str__(self) -> str:
        return self.summary()
