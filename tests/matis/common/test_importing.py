"""The file-import kit: problems named by sheet/row/column, nothing partly written, re-import a no-op.

A tiny adapter on the kit (a "countries" sheet: iso3, iso2, name) stands in
for the real formats, which have their own tests in their apps.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.db import IntegrityError
from django.utils import translation
from openpyxl import Workbook

from matis.common import importing
from matis.common.importing import (
    CREATED,
    UNCHANGED,
    UPDATED,
    FileFormatError,
    ImportProblem,
    ImportRejected,
    ImportResult,
    NotAWorkbook,
    Problems,
    cell_text,
    column_letter,
    count_lines,
    csv_rows,
    opened_workbook,
    run_import,
    sheet_header,
    sheet_rows,
    store_atomically,
)
from matis.common.models import Country

SHEET = "countries"
KEYS = ["iso3", "iso2", "name"]


@pytest.fixture(autouse=True)
def english():
    """The messages below are checked in English, whatever language an earlier test left on."""
    with translation.override("en"):
        yield


def workbook_bytes(*rows, title=SHEET) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(KEYS)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parse(data: bytes):
    """The adapter's parse step: read, check every cell, collect every problem."""

    def read(problems: Problems) -> list[tuple[int, dict]]:
        with opened_workbook(data) as book:
            sheet = book[SHEET]
            assert sheet_header(sheet) == KEYS
            rows = []
            for number, values in sheet_rows(sheet, width=len(KEYS)):
                record = dict(zip(KEYS, (cell_text(v) for v in values), strict=True))
                if len(record["iso2"]) != 2 or not record["iso2"].isalpha():
                    problems.add(
                        "two letters, please",
                        sheet=SHEET,
                        row=number,
                        column=column_letter(KEYS.index("iso2")),
                        field="iso2",
                    )
                rows.append((number, record))
            return rows

    return read


def store(rows: list[tuple[int, dict]], problems: Problems) -> ImportResult:
    """The adapter's store step: compare with what is there; write only what differs."""
    result = ImportResult(n_rows=len(rows))
    for number, record in rows:
        if record["name"] == "clash":  # a problem only the database can find
            problems.add("clashes with a stored row", sheet=SHEET, row=number)
            continue
        current = Country.objects.filter(iso3=record["iso3"]).first()
        if current is None:
            Country.objects.create(**record)
            result.add(SHEET, CREATED)
            result.changed_keys.append(record["iso3"])
        elif (current.iso2, current.name) == (record["iso2"], record["name"]):
            result.add(SHEET, UNCHANGED)
        else:
            current.iso2, current.name = record["iso2"], record["name"]
            current.save()
            result.add(SHEET, UPDATED)
            result.changed_keys.append(record["iso3"])
    return result


def import_countries(data: bytes, **kwargs) -> ImportResult:
    return run_import(parse=parse(data), store=store, **kwargs)


def ours() -> list[tuple]:
    return sorted(Country.objects.filter(iso3__startswith="QQ").values_list("iso3", "iso2", "name"))


@pytest.mark.django_db
def test_a_bad_cell_is_named_by_sheet_row_and_column_and_nothing_is_written():
    data = workbook_bytes(("QQA", "QM", "Good row"), ("QQB", "Q1", "Bad code"))
    with pytest.raises(ImportRejected) as caught:
        import_countries(data)
    (problem,) = caught.value.errors
    assert (problem.sheet, problem.row, problem.column, problem.field) == (SHEET, 3, "B", "iso2")
    assert problem.cell == "B3" and problem.where == "countries!B3"
    assert str(problem) == "countries!B3 (iso2): two letters, please"
    assert "1 problem(s); nothing was imported." in str(caught.value)
    assert ours() == []  # the good row was not written either


@pytest.mark.django_db
def test_a_problem_found_while_storing_undoes_the_rows_already_written():
    data = workbook_bytes(("QQA", "QM", "Written first"), ("QQB", "QN", "clash"))
    with pytest.raises(ImportRejected) as caught:
        import_countries(data)
    assert [p.where for p in caught.value.errors] == ["countries, row 3"]
    assert ours() == []


@pytest.mark.django_db
def test_a_second_import_of_the_same_file_changes_nothing():
    data = workbook_bytes(("QQA", "QM", "Alpha"), ("QQB", "QN", "Beta"))
    first = import_countries(data)
    assert (first.n_rows, first.n_created, first.n_updated, first.n_unchanged) == (2, 2, 0, 0)
    assert first.changed and first.changed_keys == ["QQA", "QQB"]
    stored = ours()
    again = import_countries(data)
    assert (again.n_created, again.n_updated, again.n_unchanged) == (0, 0, 2)
    assert not again.changed and again.changed_keys == []
    assert ours() == stored
    assert str(again) == "2 rows: 0 created, 0 updated, 2 unchanged"
    edited = import_countries(workbook_bytes(("QQA", "QM", "Alpha"), ("QQB", "QN", "Beta 2")))
    assert edited.as_dict() == {SHEET: {"unchanged": 1, "updated": 1}}
    assert edited.count(SHEET, UPDATED) == 1 and edited.count("other", UPDATED) == 0


@pytest.mark.django_db
def test_a_dry_run_compares_and_writes_nothing():
    result = import_countries(workbook_bytes(("QQA", "QM", "Alpha")), dry_run=True)
    assert (result.n_created, result.dry_run) == (1, True)
    assert str(result).endswith("(check only: nothing was written)")
    assert ours() == []


@pytest.mark.django_db
def test_a_collision_with_a_concurrent_import_retries_the_whole_write(monkeypatch):
    # The test itself runs inside a transaction, where a retry is not allowed; pretend it does not.
    monkeypatch.setattr(importing.store, "connection", SimpleNamespace(in_atomic_block=False))
    monkeypatch.setattr(importing.store.time, "sleep", lambda seconds: None)
    calls = []

    def write(problems):
        calls.append(1)
        Country.objects.create(iso3="QQA", iso2="QM", name="attempt")
        if len(calls) == 1:
            raise IntegrityError("UNIQUE constraint failed")  # another import got there first
        return ImportResult(n_rows=1)

    result = store_atomically(write, attempts=3)
    assert (len(calls), result.attempts) == (2, 2)
    assert ours() == [("QQA", "QM", "attempt")]  # the first attempt's row was undone
    with pytest.raises(IntegrityError):
        store_atomically(lambda problems: (_ for _ in ()).throw(IntegrityError("x")), attempts=1)


def test_a_file_that_is_not_a_workbook():
    with pytest.raises(NotAWorkbook) as caught, opened_workbook(b"iso3,iso2\nQQA,QM\n"):
        pass
    assert "not an Excel workbook" in str(caught.value)
    assert isinstance(caught.value, FileFormatError)


def test_workbooks_open_read_only_with_values_not_formulas():
    book = Workbook()
    book.active.title = SHEET
    book.active.append(KEYS)
    book.active.append(["QQA", "=LEFT(A2,2)", "  padded  "])
    book.active.append([None, "", None])  # blank row: skipped
    book.active.append(["QQC"])  # short row: padded to the width
    out = io.BytesIO()
    book.save(out)
    with opened_workbook(out.getvalue()) as opened:
        sheet = opened[SHEET]
        assert type(sheet).__name__ == "ReadOnlyWorksheet"
        rows = list(sheet_rows(sheet, width=3))
    # data_only: a formula is never read as its text (openpyxl stores no cached value, so None)
    assert rows == [(2, ("QQA", None, "  padded  ")), (4, ("QQC", None, None))]
    assert (
        cell_text(rows[0][1][2]) == "padded" and cell_text(12.0) == "12" and cell_text(None) == ""
    )


def test_csv_rows_are_numbered_by_line_and_text_must_be_utf8():
    header, rows = csv_rows(io.BytesIO("\ufeffiso3,name\nQQA,Ā\n\nQQB,B\n".encode()))
    assert header == ["iso3", "name"]
    assert list(rows) == [(2, ["QQA", "Ā"]), (3, []), (4, ["QQB", "B"])]
    assert count_lines(io.BytesIO(b"a\nb\nc")) == 3
    with pytest.raises(FileFormatError, match="empty"):
        csv_rows(io.BytesIO(b""))
    with pytest.raises(FileFormatError, match="UTF-8"):
        csv_rows(io.BytesIO(b"iso3,name\nQQA,\xff\xfe\n"))[1].__next__()


def test_where_a_problem_is_in_each_kind_of_file():
    assert ImportProblem("m", sheet="Activities", row=7, column="D").where == "Activities!D7"
    assert ImportProblem("m", sheet="Indicators").where == "Indicators"
    assert ImportProblem("m", row=4, column="flags", text_line=True).where == "line 4, column flags"
    assert ImportProblem("m", row=4).where == "row 4"
    assert str(ImportProblem("not an Excel workbook")) == "file: not an Excel workbook"
    problem = ImportProblem("bad", sheet="s", row=2, column="C", field="iso2")
    assert problem.as_dict() == {
        "sheet": "s",
        "row": 2,
        "line": 2,
        "column": "C",
        "field": "iso2",
        "where": "s!C2",
        "message": "bad",
    }


def test_problems_keep_the_first_ones_and_count_them_all():
    problems = Problems(text_lines=True, limit=3)
    for line in range(2, 12):
        problems.add(f"bad value on {line}", row=line)
    assert (len(problems), len(problems.items)) == (10, 3)
    assert [p.where for p in problems] == ["line 2", "line 3", "line 4"]
    with pytest.raises(ImportRejected) as caught:
        problems.raise_if_any()
    assert caught.value.n_errors == 10
    summary = caught.value.summary(limit=2).splitlines()
    assert summary == [
        "10 problem(s); nothing was imported.",
        "line 2: bad value on 2",
        "line 3: bad value on 3",
        "... and 8 more",
    ]
    Problems().raise_if_any()  # nothing found: nothing raised
