"""The tables and downloads kit: one Table, one CSV writer, one Excel writer, formulas neutralised."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from matis.common.tables import (
    Column,
    Table,
    append_row,
    csv_lines,
    download_response,
    is_formula_like,
    neutralise,
    rows_to_csv,
    set_cell,
    table_download,
    to_csv,
    to_xlsx,
)

DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://x")']


class Censored:
    """A cell object like the statistics' ValueCell."""

    display = "<5"
    export = "<5"
    excel = "<5"
    state = "censored"


def _table(**kw) -> Table:
    return Table(
        "people",
        "People by place",
        [
            Column("place", "Place"),
            Column("n", "Persons", "int"),
            Column("share", "Share", "pct"),
            Column("money", "Amount", "usd"),
            Column("year", "Year", "year"),
        ],
        [
            {
                "place": "มาลัย ខ្មែរ ລາວ မြန်မာ 中文 Việt",
                "n": 3,
                "share": Decimal("12.5"),
                "money": Decimal("1234.50"),
                "year": 2025,
            },
            *[
                {"place": text, "n": -4, "share": None, "money": None, "year": None}
                for text in DANGEROUS
            ],
        ],
        **kw,
    )


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_is_neutralised(text):
    assert is_formula_like(text)
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "value", [5, -5, 2.5, Decimal("-1.25"), "-3", "+4.5", "1e5", "plain", "", None]
)
def test_numbers_and_plain_text_are_left_alone(value):
    assert neutralise(value) == value
    assert not is_formula_like(value)


def test_csv_round_trip_keeps_unicode_numbers_and_neutralises_formulas():
    table = _table(note="=note")
    data = to_csv(table)
    assert data.startswith("\ufeff".encode())  # Excel reads the scripts correctly
    rows = _csv_rows(data)
    assert rows[0] == ["Place", "Persons", "Share", "Amount", "Year"]
    assert rows[1] == ["มาลัย ខ្មែរ ລາວ မြန်မာ 中文 Việt", "3", "12.5", "1234.50", "2025"]
    assert [r[0] for r in rows[2 : 2 + len(DANGEROUS)]] == ["'" + t for t in DANGEROUS]
    assert all(r[1] == "-4" for r in rows[2 : 2 + len(DANGEROUS)])  # a number, unprefixed
    assert rows[-2:] == [[], ["'=note"]]


def test_xlsx_round_trip_keeps_numbers_as_numbers_and_formulas_as_text():
    book = load_workbook(io.BytesIO(to_xlsx(_table())))
    sheet = book.active
    assert sheet.title == "people"
    assert [c.value for c in sheet[1]] == ["Place", "Persons", "Share", "Amount", "Year"]
    assert sheet["A1"].font.bold
    assert [c.value for c in sheet[2]] == ["มาลัย ខ្មែរ ລາວ မြန်မာ 中文 Việt", 3, 12.5, 1234.5, 2025]
    assert sheet["D2"].number_format == "#,##0.00"
    for row, text in enumerate(DANGEROUS, start=3):
        cell = sheet.cell(row=row, column=1)
        # a carriage return comes back as written (lxml installed) or as a line feed
        assert cell.data_type == "s" and cell.value in {"'" + text, "'" + text.replace("\r", "\n")}
        assert sheet.cell(row=row, column=2).value == -4
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)


def test_xlsx_title_row_note_and_extra_sheets():
    book = load_workbook(
        io.BytesIO(
            to_xlsx(_table(note="A note"), title_row=True, extra_sheets=[("meta", [["k", "=v"]])])
        )
    )
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "People by place" and sheet["A2"].value == "Place"
    assert sheet.cell(row=sheet.max_row, column=1).value == "A note"
    assert sheet.cell(row=sheet.max_row - 1, column=1).value is None
    assert [c.value for c in book["meta"][1]] == ["k", "'=v"]


def test_column_headers_are_in_the_readers_language():
    with translation.override("th"):
        table = Table("t", "t", [Column("country", _("Country"))], [{"country": "THA"}])
        label = _("Country")
    assert label != "Country"  # the catalogue has it
    assert _csv_rows(to_csv(table))[0] == [label]
    assert load_workbook(io.BytesIO(to_xlsx(table))).active["A1"].value == label


def test_cell_objects_and_display_rows():
    with translation.override("en"):
        _cell_objects_and_display_rows()


def _cell_objects_and_display_rows():
    table = Table(
        "t",
        "t",
        [
            Column("v", "Value", "value"),
            Column("s", "Status", "status", {"done": "Completed"}),
            Column("n", "N", "int"),
        ],
        [{"v": Censored(), "s": "done", "n": 1234}, {"v": None, "s": None, "n": None}],
        blank="",
    )
    first, second = table.display_rows()
    assert (first[0].css, first[0].text, first[0].state) == ("num censored", "<5", "censored")
    assert (first[1].css, first[1].text) == ("status-cell st-done", "Completed")
    assert (first[2].css, first[2].text) == ("num", "1,234")
    assert [c.text for c in second] == ["", "", ""]
    assert second[0].css == "num empty" and second[1].css == "status-cell"
    assert _csv_rows(to_csv(table))[1] == ["<5", "Completed", "1234"]
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert [c.value for c in sheet[2]] == ["<5", "Completed", 1234]
    assert table.as_json()["columns"][0] == {"key": "v", "label": "Value", "kind": "value"}


def test_plain_rows_csv_and_streaming_lines():
    assert rows_to_csv(["a", "b"], [[1, "=x"]], bom=False) == b"a,b\r\n1,'=x\r\n"
    lines = list(csv_lines(None, [["x"], ["y"]]))
    assert lines == ["\ufeffx\r\n", "y\r\n"]


def test_template_cells_keep_their_text_but_never_become_formulas():
    book = Workbook()
    sheet = book.active
    append_row(sheet, ["code", "=narrative", "-dash"], prefix=False)
    set_cell(sheet, 2, 1, dt.date(2025, 1, 2), prefix=False)
    set_cell(sheet, 2, 2, "=A1", prefix=False)
    again = load_workbook(io.BytesIO(_save(book))).active
    assert [c.value for c in again[1]] == ["code", "=narrative", "-dash"]
    assert again["B1"].data_type == "s" and again["B2"].data_type == "s"
    assert again["A2"].number_format == "yyyy-mm-dd"


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_download_responses_name_the_file_and_type():
    response = table_download(_table(), "xlsx", "people-2025")
    assert response["Content-Disposition"] == 'attachment; filename="people-2025.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    response = table_download(_table(), "csv", "people")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    streamed = download_response(iter(["a\r\n"]), "x.csv")
    assert streamed.streaming and b"".join(streamed.streaming_content) == b"a\r\n"
    assert "filename*=utf-8''" in download_response(b"", "ทะเบียน.csv")["Content-Disposition"]
    with pytest.raises(ValueError):
        table_download(_table(), "pdf", "x")


def test_percent_rounds_a_share_and_keeps_none():
    from matis.common.tables import percent

    assert percent(0.12345) == 12.3 and percent(1) == 100 and percent(None) is None
    assert percent(0.5, 0) == 50
