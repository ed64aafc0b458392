"""One Excel import/export for every register: round trips, cell-level errors, atomic writes."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from matis.access.models import AuditAction, AuditLog
from matis.common.importing import ImportRejected
from matis.registers import services
from matis.registers.kit.excel import export_workbook, import_workbook
from matis.registers.kit.specs import get_register, registers
from matis.registers.models import (
    Agreement,
    EventParticipants,
    EventTrainer,
    HotlineRecord,
    TrainingEvent,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user("task_force_officer", "THA")


def _export(spec_key, user):
    spec = get_register(spec_key)
    from matis.registers.selectors import visible_rows

    return export_workbook(spec, visible_rows(spec, user), actor=user)


def _load(data: bytes):
    return load_workbook(io.BytesIO(data))


def _save(workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_export_then_import_changes_nothing_and_an_edit_updates_one_row(
    officer, event, accredited_trainer
):
    training = event()
    EventParticipants.objects.create(
        event=training,
        agency_type="NGO",
        sex="female",
        role="practitioner",
        count=11,
        pre_test_mean=50,
    )
    services.trainer_assign(actor=None, event=training, trainer=accredited_trainer())
    data = _export("training-events", officer)
    spec = get_register("training-events")

    result = import_workbook(spec, io.BytesIO(data), actor=officer)
    assert result.total("created") == result.total("updated") == 0
    assert result.counts["training-events"]["unchanged"] == 1
    assert result.counts["participants"]["unchanged"] == 1
    assert result.counts["trainers"]["unchanged"] == 1

    workbook = _load(data)
    sheet = workbook["participants"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("count") + 1, value=15)
    new = ["THA", training.ref, "LawEnforcement", "male", "manager", 4, None, None]
    sheet.append(new)
    result = import_workbook(spec, _save(workbook), actor=officer)
    assert result.counts["participants"] == {"updated": 1, "created": 1}
    assert training.participant_summary()["total"] == 19
    imports = AuditLog.objects.filter(action=AuditAction.IMPORT)
    assert imports.count() == 2
    assert imports.first().detail["counts"]["participants"] == {"updated": 1, "created": 1}


def test_every_bad_cell_is_reported_and_nothing_is_written(officer, curriculum):
    cur = curriculum()
    workbook = Workbook()
    events = workbook.active
    events.title = "training-events"
    events.append(
        [
            "ref",
            "country",
            "title",
            "curriculum",
            "start_date",
            "end_date",
            "place",
            "organiser",
            "notes",
        ]
    )
    events.append(
        [
            "E-1",
            "THA",
            "Good row",
            cur.ref,
            dt.date(2012, 5, 1),
            dt.date(2012, 5, 2),
            "Bangkok",
            None,
            None,
        ]
    )
    events.append(
        [
            "E-2",
            "THA",
            "Bad date",
            cur.ref,
            "14/05/2012",
            dt.date(2012, 5, 2),
            "Bangkok",
            None,
            None,
        ]
    )
    events.append(
        [
            "E-3",
            "XXX",
            "Bad country",
            cur.ref,
            dt.date(2012, 5, 1),
            dt.date(2012, 5, 2),
            "Bangkok",
            None,
            None,
        ]
    )
    events.append(
        [
            "E-4",
            "THA",
            "Ends first",
            cur.ref,
            dt.date(2012, 5, 9),
            dt.date(2012, 5, 2),
            "Bangkok",
            None,
            None,
        ]
    )
    events.append(
        [
            "E-5",
            "THA",
            "No curriculum",
            "NOPE",
            dt.date(2012, 5, 1),
            dt.date(2012, 5, 2),
            "Bangkok",
            None,
            None,
        ]
    )
    participants = workbook.create_sheet("participants")
    participants.append(["country", "event_ref", "agency_type", "sex", "role", "count"])
    participants.append(["THA", "E-1", "NGO", "female", "practitioner", 3])
    participants.append(["THA", "E-1", "NGO", "nobody", "practitioner", 3])
    participants.append(["THA", "E-404", "NGO", "male", "practitioner", 3])

    with pytest.raises(ImportRejected) as caught:
        import_workbook(get_register("training-events"), _save(workbook), actor=officer)
    cells = {(e.sheet, f"{e.column}{e.row}") for e in caught.value.errors}
    assert cells == {
        ("training-events", "E3"),  # 14/05/2012 is not a date
        ("training-events", "B4"),  # unknown country
        ("training-events", "F5"),  # ends before it starts
        ("training-events", "D6"),  # no such curriculum
        ("participants", "D3"),  # "nobody" is not a sex value
        ("participants", "B4"),  # no such event
    }
    messages = {f"{e.sheet}!{e.column}{e.row}": e.message for e in caught.value.errors}
    assert "YYYY-MM-DD" in messages["training-events!E3"]
    assert "female" in messages["participants!D3"]
    assert not TrainingEvent.objects.exists()  # the good row E-1 was not written either
    assert not EventParticipants.objects.exists()
    assert not AuditLog.objects.filter(action=AuditAction.IMPORT).exists()


def test_rows_of_another_country_are_refused(officer):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "hotline"
    sheet.append(["ref", "country", "service", "year", "month", "issue", "outcome", "count"])
    sheet.append([None, "THA", "Hotline", 2012, 1, "trafficking", "information", 5])
    sheet.append([None, "KHM", "Hotline", 2012, 1, "trafficking", "information", 5])
    with pytest.raises(ImportRejected) as caught:
        import_workbook(get_register("hotline"), _save(workbook), actor=officer)
    assert [(e.column, e.row) for e in caught.value.errors] == [("B", 3)]
    assert not HotlineRecord.objects.exists()


def test_rows_matched_by_natural_key_make_repeated_imports_idempotent(officer):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "hotline"
    sheet.append(["ref", "country", "service", "year", "month", "issue", "outcome", "count"])
    sheet.append([None, "THA", "Hotline", 2012, 1, "trafficking", "Information given", 5])
    spec = get_register("hotline")
    assert import_workbook(spec, _save(workbook), actor=officer).total("created") == 1
    assert import_workbook(spec, _save(workbook), actor=officer).total("unchanged") == 1
    assert HotlineRecord.objects.get().outcome == "information"  # the label was accepted


def test_an_expired_trainer_in_the_workbook_is_a_cell_error(officer, event, accredited_trainer):
    training = event()
    expired = accredited_trainer(valid_until=dt.date(2011, 1, 1))
    workbook = _load(_export("training-events", officer))
    workbook["trainers"].append(["THA", training.ref, expired.ref])
    with pytest.raises(ImportRejected) as caught:
        import_workbook(get_register("training-events"), _save(workbook), actor=officer)
    (error,) = caught.value.errors
    assert (error.sheet, error.column, error.row) == ("trainers", "C", 2)
    assert "no accreditation valid" in error.message
    assert not EventTrainer.objects.exists()


def test_text_that_looks_like_a_formula_is_exported_as_text(officer):
    Agreement.objects.create(
        country_id="THA", title='=HYPERLINK("x")', kind="bilateral", form="mou", subject="return"
    )
    sheet = _load(_export("agreements", officer))["agreements"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("title") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=")


def test_every_register_round_trips(officer):
    from matis.testing.factories import make_scoped_object

    for spec in registers():
        make_scoped_object(spec.model, "THA")
        result = import_workbook(spec, io.BytesIO(_export(spec.key, officer)), actor=officer)
        assert result.total("created") == result.total("updated") == 0, spec.key
        assert result.total("unchanged") >= 1, spec.key


def test_import_page_shows_the_errors_or_the_result(user_client):
    client = user_client("task_force_officer", "THA")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "hotline"
    sheet.append(["ref", "country", "service", "year", "month", "issue", "outcome", "count"])
    sheet.append([None, "THA", "Hotline", 2012, 13, "trafficking", "information", 5])
    upload = SimpleUploadedFile("hotline.xlsx", _save(workbook).getvalue())
    response = client.post("/registers/hotline/import/", {"workbook": upload})
    assert response.status_code == 400
    assert 'data-cell="hotline!E2"' in response.content.decode()
    sheet["E2"] = 12
    upload = SimpleUploadedFile("hotline.xlsx", _save(workbook).getvalue())
    response = client.post("/registers/hotline/import/", {"workbook": upload})
    assert response.status_code == 302
    assert HotlineRecord.objects.get().month == 12
    not_excel = SimpleUploadedFile("x.xlsx", b"PK\x03\x04 this is not a workbook")
    response = client.post("/registers/hotline/import/", {"workbook": not_excel})
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()


def test_export_download_is_scoped_and_audited(user_client, curriculum):
    client = user_client("task_force_officer", "THA")
    curriculum("THA", title="Ours")
    curriculum("KHM", title="Theirs")
    response = client.get("/registers/curricula/?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    titles = [
        row[2]
        for row in _load(response.content)["curricula"].iter_rows(min_row=2, values_only=True)
    ]
    assert titles == ["Ours"]
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == 1
