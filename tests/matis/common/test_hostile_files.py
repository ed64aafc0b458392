"""Findings 21 and 22 of issue 13: hostile spreadsheets and evidence files are refused clearly.

Every hostile file is built here, small on disk: a "billion laughs" workbook
(entity expansion), a zip bomb named .xlsx (a part that expands a thousand
times), Office documents with macros and an upload larger than the limit.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from matis.common import files
from matis.common.files import EvidenceRejected, check_evidence
from matis.common.importing import NotAWorkbook, opened_workbook, sheet_rows

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)


def workbook_bytes() -> bytes:
    book = Workbook()
    book.active["A1"] = "name"
    book.active["A2"] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten(data: bytes, change: dict[str, bytes | None], add: dict | None = None) -> bytes:
    """The zip ``data`` with parts replaced (None drops one) and parts added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            body = change.get(name, source.read(name))
            if body is not None:
                target.writestr(name, body)
        for name, body in (add or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def billion_laughs(part: str) -> bytes:
    data = workbook_bytes()
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    xml = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    # the entity is used in the part, so a parser without defusedxml would expand it
    xml = xml.replace(
        b"</sheetData>",
        b'<row r="3"><c r="A3" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData>',
        1,
    )
    return rewritten(data, {part: LAUGHS.encode() + xml})


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (4 * 1024 * 1024))
    return out.getvalue()


def docx_bytes(*, macro: bool = False) -> bytes:
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    if macro:
        main = "application/vnd.ms-word.document.macroEnabled.main+xml"
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'content-types"><Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("word/document.xml", "<w:document/>")
        if macro:
            archive.writestr("word/vbaProject.bin", b"\0VBA")
    return out.getvalue()


# --- finding 22: hostile workbooks -------------------------------------------------


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_22_billion_laughs_workbook_is_not_a_workbook(part):
    hostile = billion_laughs(part)
    assert len(hostile) < 20_000  # small on disk
    with pytest.raises(NotAWorkbook) as caught, opened_workbook(hostile) as book:
        list(sheet_rows(book.active, first_row=1))
    assert caught.value.reason


def test_22_zip_bomb_named_xlsx_is_refused_before_unpacking():
    bomb = zip_bomb()
    assert len(bomb) < 20_000
    with pytest.raises(NotAWorkbook) as caught, opened_workbook(bomb):
        pass
    assert "expands" in caught.value.reason


def test_22_a_workbook_whose_parts_add_up_to_too_much_is_refused(monkeypatch):
    monkeypatch.setattr(files, "ZIP_MAX_UNCOMPRESSED", 1000)
    with pytest.raises(NotAWorkbook) as caught, opened_workbook(workbook_bytes()):
        pass
    assert "expands to" in caught.value.reason


def test_22_errors_inside_the_block_that_are_not_about_the_file_pass_through():
    with pytest.raises(KeyError), opened_workbook(workbook_bytes()):
        raise KeyError("a bug of the caller is not blamed on the file")


@pytest.mark.django_db
def test_22_register_cli_prints_the_refusal_and_exits_non_zero(tmp_path, make_user, capsys):
    from matis.cli import main

    officer = make_user(role="task_force_officer", country="THA")
    for n, hostile in enumerate([billion_laughs("xl/worksheets/sheet1.xml"), zip_bomb()]):
        path = tmp_path / f"hostile{n}.xlsx"
        path.write_bytes(hostile)
        assert main(["registers", "import", "hotline", str(path), "--user", officer.email]) == 1
        err = capsys.readouterr().err
        assert "not an Excel workbook" in err and "nothing was imported" in err


@pytest.mark.django_db
def test_22_statistics_web_job_stores_the_reason(client, make_user):
    from matis.official_statistics.models import ImportJob

    client.force_login(make_user(role="statistics_officer", country="THA"))
    for hostile in [billion_laughs("xl/worksheets/sheet1.xml"), zip_bomb()]:
        upload = SimpleUploadedFile("hostile.xlsx", hostile)
        client.post("/statistics/import/", {"file": upload, "format": "xlsx"})
        job = ImportJob.objects.order_by("-pk").first()
        assert job.status == "rejected"
        assert "Excel" in job.error and "workbook" in job.error


# --- finding 21: evidence content and size -----------------------------------------


def test_21_a_plain_docx_is_accepted():
    checked = check_evidence(SimpleUploadedFile("minutes.docx", docx_bytes()))
    assert checked.content_type.endswith("wordprocessingml.document")


def test_21_a_macro_bearing_docx_is_refused():
    with pytest.raises(EvidenceRejected, match=r"is not a \.docx file"):
        check_evidence(SimpleUploadedFile("minutes.docx", docx_bytes(macro=True)))
    # the macro part alone is enough, whatever the content types say
    sneaky = rewritten(docx_bytes(), {}, add={"word/vbaProject.bin": b"\0VBA"})
    with pytest.raises(EvidenceRejected):
        check_evidence(SimpleUploadedFile("minutes.docx", sneaky))


def test_21_an_ole_document_with_macros_is_refused():
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    assert check_evidence(SimpleUploadedFile("old.doc", head)).content_type == "application/msword"
    with pytest.raises(EvidenceRejected):
        check_evidence(SimpleUploadedFile("old.doc", head + "_VBA_PROJECT".encode("utf-16-le")))


def test_21_a_zip_bomb_named_xlsx_is_refused():
    with pytest.raises(EvidenceRejected, match=r"is not a \.xlsx file"):
        check_evidence(SimpleUploadedFile("figures.xlsx", zip_bomb()))


def test_21_a_spreadsheet_named_docx_is_refused():
    with pytest.raises(EvidenceRejected, match=r"is not a \.docx file"):
        check_evidence(SimpleUploadedFile("minutes.docx", workbook_bytes()))
    assert check_evidence(SimpleUploadedFile("figures.xlsx", workbook_bytes())).size > 0


def test_21_upload_past_the_limit_is_dropped_while_streaming(settings, user_client):
    """Past the limit the handler keeps nothing; the page refuses the file by its size."""
    from matis.common.files import LimitedUploadHandler, RefusedUpload

    settings.MATIS_EVIDENCE_MAX_BYTES = 64 * 1024
    kept = []
    original = LimitedUploadHandler.receive_data_chunk

    def spy(self, raw_data, start):
        passed = original(self, raw_data, start)
        kept.append(len(passed) if passed is not None else 0)
        return passed

    LimitedUploadHandler.receive_data_chunk = spy
    try:
        from django.test import RequestFactory

        request = RequestFactory().post(
            "/nowhere/",
            {"file": SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"x" * (1024 * 1024))},
        )
        uploaded = request.FILES["file"]
    finally:
        LimitedUploadHandler.receive_data_chunk = original
    assert isinstance(uploaded, RefusedUpload) and uploaded.read() == b""
    assert uploaded.size > 1024 * 1024  # the real size, for the message
    assert sum(kept) <= 64 * 1024 + 64 * 1024  # at most the limit (plus one chunk) was kept
    with pytest.raises(EvidenceRejected, match=r"the limit is 0\.1 MB"):
        check_evidence(uploaded)
