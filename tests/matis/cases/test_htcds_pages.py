"""The import page (upload, preview errors, confirm), the CSV export and the HTCDS record page."""

from __future__ import annotations

import csv
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse


def _ctdc(n: int, bad_citizenship: str | None = None) -> bytes:
    from matis.cases.interchange import CTDC_COLUMNS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CTDC_COLUMNS)
    for i in range(n):
        row = dict.fromkeys(CTDC_COLUMNS, "-99")
        row.update(
            {
                "yearOfRegistration": "2018",
                "gender": "Female",
                "citizenship": "KH",
                "meansOfControlDebtBondage": "1",
                "CountryOfExploitation": "TH",
                "recruiterRelationFamily": str(i % 2),
            }
        )
        if bad_citizenship and i == 1:
            row["citizenship"] = bad_citizenship
        writer.writerow([row[c] for c in CTDC_COLUMNS])
    return out.getvalue().encode()


def _upload(client, data: bytes):
    return client.post(
        reverse("cases:import_upload"),
        {"format": "ctdc", "file": SimpleUploadedFile("ctdc.csv", data, "text/csv")},
    )


def test_upload_preview_confirm(client, world):
    from matis.cases.models import Case

    client.force_login(world.worker)
    assert client.get(reverse("cases:import_upload")).status_code == 200
    page = _upload(client, _ctdc(3))
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r"data-new>3<", html)
    assert not Case.objects.exists()  # preview writes nothing
    token = re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)
    done = client.post(reverse("cases:import_upload"), {"token": token})
    assert done.status_code == 302
    assert Case.objects.count() == 3
    # the same file again: all skipped
    again = _upload(client, _ctdc(3)).content.decode()
    assert re.search(r"data-new>0<", again) and re.search(r"data-skipped>3<", again)
    # a used token does not import twice
    assert client.post(reverse("cases:import_upload"), {"token": token}).status_code == 302
    assert Case.objects.count() == 3


def test_upload_with_a_bad_row_shows_line_and_column(client, world):
    from matis.cases.models import Case

    client.force_login(world.worker)
    page = _upload(client, _ctdc(3, bad_citizenship="ZZ"))
    assert page.status_code == 400
    html = page.content.decode()
    assert "<td>3</td>" in html and "<code>citizenship</code>" in html
    assert "ZZ" in html
    assert 'name="token"' not in html
    assert not Case.objects.exists()


def test_import_page_needs_the_register_permission(client, world):
    client.force_login(world.justice)
    assert client.get(reverse("cases:import_upload")).status_code == 403


def test_export_csv_and_record_page(client, world, register_case):
    case = register_case(world.worker)
    client.force_login(world.worker)
    url = reverse("cases:record_edit", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "htcds": "1",
            "recruitment_methods": ["ThroughOnlineSocialNetworks"],
            "control_methods": ["DebtBondage", "RestrictsMovement"],
            "transit_countries": ["LAO"],
            "vulnerabilities": ["Poverty"],
            "exploitation_months": "5",
            "exploitation_began_on": "2025-03-01",
            "abducted": "false",
            "mobile_phone": "+66800000001",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.htcds.control_methods == ["DebtBondage", "RestrictsMovement"]
    assert case.htcds.abducted is False
    detail = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Debt bondage" in detail and "+66800000001" in detail
    from django.utils import translation

    from matis.cases.record_forms import record_display

    with translation.override("th"):
        shown = str(record_display(case.htcds))
    assert "2568" in shown and "2025" not in shown  # Buddhist Era for Thai readers
    csv_response = client.get(reverse("cases:export_csv") + "?format=ctdc")
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    assert client.get(reverse("cases:export_csv") + "?format=htcds").status_code == 403
    client.force_login(world.supervisor)
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(reverse("cases:export_csv") + "?format=htcds").content.decode())
        )
    )
    assert [r["vic_MethodsOfControl"] for r in rows] == ["DebtBondage;RestrictsMovement"]
