"""The Excel round trip: whole-workbook checks, errors by cell, nothing written on error."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from matis.common.importing import ImportRejected
from matis.monitoring.models import (
    ActivityReport,
    BudgetEntry,
    IndicatorActual,
    IndicatorTarget,
    ReportPartner,
    Workflow,
)
from matis.monitoring.services import activity_report_transition, indicators_load
from matis.monitoring.workbook import INDICATORS, build_workbook, workbook_import

pytestmark = pytest.mark.django_db
STATUSES = "Not started, Planned, In progress, Completed, Not applicable"


def edit(data: bytes, changes) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    changes(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def snapshot() -> tuple:
    return (
        sorted(ActivityReport.objects.values_list("id", "progress", "narrative", "revision")),
        sorted(BudgetEntry.objects.values_list("report_id", "kind", "currency", "amount")),
        sorted(ReportPartner.objects.values_list("report_id", "partner_type", "name")),
        sorted(IndicatorActual.objects.values_list("indicator_id", "country_id", "value")),
        sorted(IndicatorTarget.objects.values_list("indicator_id", "country_id", "value")),
    )


@pytest.fixture
def thai_workbook(report):
    return build_workbook(country_id="THA", period=report.period)


def test_round_trip_writes_changes_and_a_second_upload_changes_nothing(report, tfo, thai_workbook):
    def fill(wb):
        wb["Activities"]["D3"] = "completed"
        wb["Budget"].append(["P&C1", "allocation", None, None, "THB", 125000.5])
        wb["Budget"].append(["P&C1", "partner", "Partner NGO (test)", "ngo", "USD", 9000])
        wb["Partners"].append(["P&C1", "ngo", "Partner NGO (test)", "funding"])

    filled = edit(thai_workbook, fill)
    result = workbook_import(actor=tfo, data=filled)
    assert result.changed_keys == ["P&C1"]
    report.refresh_from_db()
    assert report.progress == "completed" and report.revision == 1
    assert sorted(report.budget.values_list("kind", "amount")) == [
        ("allocation", Decimal("125000.50")),
        ("partner", Decimal("9000.00")),
    ]
    assert report.partners.get().function.code == "funding"

    before = snapshot()
    again = workbook_import(actor=tfo, data=filled)
    assert not again.changed and snapshot() == before
    fresh = build_workbook(country_id="THA", period=report.period)
    assert not workbook_import(actor=tfo, data=fresh).changed
    assert snapshot() == before


def test_one_bad_cell_writes_nothing_and_names_the_cell(report, tfo, thai_workbook):
    def fill(wb):
        wb["Activities"]["D3"] = "completed"  # valid on its own
        wb["Activities"]["D7"] = "done"
        wb["Budget"].append(["P&C1", "allocation", None, None, "THB", 5000])

    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        workbook_import(actor=tfo, data=edit(thai_workbook, fill))
    assert [str(e) for e in caught.value.errors] == [
        f"Activities!D7: status “done” is not one of {STATUSES}"
    ]
    assert snapshot() == before


def test_upload_page_lists_the_problem_and_saves_nothing(client, report, tfo, thai_workbook):
    client.force_login(tfo)
    bad = edit(thai_workbook, lambda wb: wb["Activities"].__setitem__("D7", "done"))
    before = snapshot()
    upload = io.BytesIO(bad)
    upload.name = "filled.xlsx"
    page = client.post("/monitoring/workbook/upload/", {"file": upload}).content.decode()
    assert "Activities!D7: status “done” is not one of" in page
    assert "nothing was saved" in page
    assert snapshot() == before


def test_every_problem_is_listed_with_its_cell(report, tfo, thai_workbook):
    def fill(wb):
        wb["Activities"]["G3"] = "Ministry that does not exist"
        wb["Activities"]["H3"] = -3
        wb["Budget"].append(["P&C1", "allocation", None, None, "XYZ", 100])
        wb["Budget"].append(["P&C1", "spending", None, None, "THB", "12.345"])
        wb["Partners"].append(["P&C1", "private", "A company", "coordination"])
        wb["Partners"].append(["XX9", "ngo", "Someone", None])

    with pytest.raises(ImportRejected) as caught:
        workbook_import(actor=tfo, data=edit(thai_workbook, fill))
    cells = [f"{e.sheet}!{e.cell}" for e in caught.value.errors]
    assert cells == [
        "Activities!G3",
        "Activities!H3",
        "Partners!D3",
        "Partners!A4",
        "Budget!E3",
        "Budget!F4",
    ]
    messages = " | ".join(str(e) for e in caught.value.errors)
    assert "roles matrix" in messages and "XYZ" in messages and "two decimals" in messages


def test_rows_of_submitted_reports_must_keep_their_values(report, tfo, thai_workbook):
    activity_report_transition(actor=tfo, report=report, target=Workflow.SUBMITTED)
    unchanged = build_workbook(country_id="THA", period=report.period)
    assert not workbook_import(actor=tfo, data=unchanged).changed
    changed = edit(unchanged, lambda wb: wb["Activities"].__setitem__("D3", "completed"))
    with pytest.raises(ImportRejected) as caught:
        workbook_import(actor=tfo, data=changed)
    assert str(caught.value.errors[0]).startswith("Activities!A3: P&C1 is Submitted")


def test_a_workbook_of_another_country_is_refused(report, tfo_khm, thai_workbook):
    with pytest.raises(ImportRejected) as caught:
        workbook_import(actor=tfo_khm, data=thai_workbook)
    assert str(caught.value.errors[0]).startswith("About!B2: this workbook is for THA")


def test_new_reports_are_created_for_filled_rows(period, tfo):
    data = build_workbook(country_id="THA", period=period)
    filled = edit(data, lambda wb: wb["Activities"].__setitem__("D5", "planned"))
    result = workbook_import(actor=tfo, data=filled)
    assert result.changed_keys == ["P&C3"]
    assert ActivityReport.objects.get(country_id="THA", activity__code="P&C3").progress == "planned"
    assert ActivityReport.objects.filter(country_id="THA", period=period).count() == 30


def test_indicator_values_round_trip_and_computed_values_are_protected(
    period, tfo, make_report, secretariat
):
    indicators_load()
    data = build_workbook(country_id="THA", period=period)
    sheet = load_workbook(io.BytesIO(data))["Indicators"]
    rows = {sheet[f"A{r}"].value: r for r in range(3, sheet.max_row + 1)}

    def fill(wb):
        row = rows["victims-returned"]
        wb["Indicators"][f"F{row}"] = 120
        wb["Indicators"][f"G{row}"] = 150
        wb["Indicators"][f"H{row}"] = 131.5

    filled = edit(data, fill)
    result = workbook_import(actor=tfo, data=filled)
    assert result.count(INDICATORS, "updated") == 3
    assert IndicatorActual.objects.get(indicator__code="victims-returned").value == Decimal("131.5")
    assert workbook_import(actor=tfo, data=filled).count(INDICATORS, "updated") == 0

    # victims-returned is computed from approved statistics; with none for THA it was
    # typed in above. practitioners-trained has a computed value: it cannot be typed over.
    make_report(code="P&C2", workflow="approved").outputs.create(kind="officials_trained", count=40)
    from matis.monitoring.services import indicator_actuals_refresh

    indicator_actuals_refresh(actor=secretariat, period=period)
    computed_row = rows["practitioners-trained"]
    bad = edit(filled, lambda wb: wb["Indicators"].__setitem__(f"H{computed_row}", 999))
    with pytest.raises(ImportRejected) as caught:
        workbook_import(actor=tfo, data=bad)
    assert str(caught.value.errors[0]).startswith(
        f"Indicators!H{computed_row}: practitioners-trained is computed"
    )


def test_a_file_that_is_not_a_workbook(tfo):
    with pytest.raises(ImportRejected, match="not an Excel workbook"):
        workbook_import(actor=tfo, data=b"name,status\nP&C1,done\n")


def test_a_thai_workbook_shows_labels_not_codes_and_reads_back(report, tfo):
    from django.utils import translation

    from matis.monitoring.models import ProgressStatus

    with translation.override("th"):
        data = build_workbook(country_id="THA", period=report.period)
        thai_in_progress = str(ProgressStatus.IN_PROGRESS.label)
        thai_completed = str(ProgressStatus.COMPLETED.label)
    assert thai_in_progress != "In progress"
    book = load_workbook(io.BytesIO(data))
    codes = set(ProgressStatus.values) | {"government", "ngo", "allocation", "funding"}
    shown = {
        str(cell.value)
        for name in ("About", "Activities", "Lists", "Partners", "Budget")
        for row in book[name].iter_rows(min_row=2)
        for cell in row
        if cell.value is not None
    }
    assert not shown & codes, shown & codes
    assert thai_in_progress in shown and "ไทย" in shown  # the status, and the country's name
    assert book["About"]["B2"].value == "THA"  # the code the upload reads stays beside it

    def fill(wb):
        wb["Activities"]["D3"] = thai_completed
        wb["Partners"].append(["P&C1", "NGO or international partner", "Partner NGO (test)", None])

    result = workbook_import(actor=tfo, data=edit(data, fill))
    assert result.changed_keys == ["P&C1"]
    report.refresh_from_db()
    assert report.progress == "completed"
    assert report.partners.get().partner_type == "ngo"
