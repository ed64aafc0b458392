"""DHIS2 ADX: export an approved submission, import it back as a draft, reject bad files."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from matis.access.models import AuditAction, AuditLog
from matis.common.importing import ImportRejected
from matis.official_statistics.io.adx import ADX_NS, observations_adx
from matis.official_statistics.models import AdxCode, Observation, Submission
from matis.official_statistics.models.observations import OBSERVATION_FIELDS
from matis.official_statistics.services import observations_import

NS = {"adx": ADX_NS}


def _adx(body: str) -> io.BytesIO:
    return io.BytesIO(
        (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<adx xmlns="{ADX_NS}">\n{body}\n</adx>\n'
        ).encode()
    )


def _import(source, **kwargs):
    return observations_import(actor=None, source=source, fmt="adx", **kwargs)


def _figures(country: str, year: int) -> set[tuple]:
    return set(
        Observation.objects.filter(country_id=country, period=year)
        .exclude(value=None)
        .values_list("indicator__code", "series_key", "value")
    )


def _rows(submission):
    return (
        Observation.objects.filter(submission=submission)
        .order_by("indicator_id", "series_key")
        .values_list(*OBSERVATION_FIELDS)
    )


GOOD = """  <group orgUnit="THA" period="2021-01-01/P1Y" dataSet="MATIS_TIP">
    <dataValue dataElement="TIP_VICTIMS_DETECTED" value="120"/>
    <dataValue dataElement="TIP_VICTIMS_DETECTED" SEX="FMLE" value="80"/>
    <dataValue dataElement="TIP_VICTIMS_DETECTED" SEX="MLE" AGE="AGE0-17" value="15"><annotation/></dataValue>
    <dataValue dataElement="TIP_VICTIMS_DETECTED" CITIZENSHIP="MMR" value="70"/>
    <dataValue dataElement="TIP_PERSONS_PROSECUTED" value="44.5"/>
  </group>"""


@pytest.mark.django_db
def test_a_dhis2_file_is_imported_as_a_draft_with_mapped_codes():
    result = _import(_adx(GOOD))
    assert result.n_created == 5
    assert _figures("THA", 2021) == {
        ("VICTIMS_DETECTED", "", 120),
        ("VICTIMS_DETECTED", "SEX=F", 80),
        ("VICTIMS_DETECTED", "AGE=Y0T17|SEX=M", 15),
        ("VICTIMS_DETECTED", "CITIZENSHIP=MMR", 70),
        ("PERSONS_PROSECUTED", "", 44.5),
    }
    submission = Submission.objects.get(country_id="THA", period=2021)
    # Never auto-approved: the normal four-eyes workflow takes it from here.
    assert submission.status == Submission.Status.DRAFT
    assert not Observation.objects.filter(approved=True).exists()


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing():
    _import(_adx(GOOD))
    before = list(Observation.objects.order_by("pk").values_list())
    again = _import(_adx(GOOD))
    assert (again.n_created, again.n_updated, again.n_unchanged) == (0, 0, 5)
    assert list(Observation.objects.order_by("pk").values_list()) == before


@pytest.mark.django_db
def test_round_trip_of_an_approved_submission(glotip_approved):
    submission = Submission.objects.get(country_id="THA", period=2022)
    published = _figures("THA", 2022)
    n_censored = Observation.objects.filter(submission=submission, censored_below__isnull=False)
    n_censored = n_censored.count()
    export = observations_adx(_rows(submission))

    root = ET.fromstring(export.text)  # noqa: S314
    values = root.findall("adx:group/adx:dataValue", NS)
    assert len(values) == export.n_values == len(published)
    assert export.n_withheld == n_censored
    assert {g.get("orgUnit") for g in root.findall("adx:group", NS)} == {"THA"}
    assert {g.get("period") for g in root.findall("adx:group", NS)} == {"2022-01-01/P1Y"}
    assert "<5" not in export.text  # a censored figure is never written as a number

    Observation.objects.filter(country_id="THA", period=2022).delete()
    submission.delete()
    result = _import(io.BytesIO(export.text.encode()))
    assert result.n_created == len(published)
    assert _figures("THA", 2022) == published
    assert Submission.objects.get(country_id="THA", period=2022).status == "draft"


@pytest.mark.django_db
def test_an_unmapped_code_names_the_element_and_line_and_nothing_is_written():
    body = GOOD.replace('SEX="MLE"', 'SEX="MALE"').replace(
        "TIP_PERSONS_PROSECUTED", "TIP_PERSONS_PROSECUTE"
    )
    with pytest.raises(ImportRejected) as caught:
        _import(_adx(body))
    problems = {(p.line, p.column): p.message for p in caught.value.errors}
    assert set(problems) == {(6, "dataValue@SEX"), (8, "dataValue@dataElement")}
    assert "'MALE'" in problems[(6, "dataValue@SEX")]
    assert "MLE" in problems[(6, "dataValue@SEX")]  # the nearest mapped option
    assert "TIP_PERSONS_PROSECUTE'" in problems[(8, "dataValue@dataElement")]
    assert "TIP_PERSONS_PROSECUTED" in problems[(8, "dataValue@dataElement")]
    assert not Observation.objects.exists() and not Submission.objects.exists()


@pytest.mark.django_db
def test_unmapped_org_unit_bad_period_and_value_are_reported():
    body = (
        '  <group orgUnit="TH_MOH" period="2021-01-01/P1M">\n'
        '    <dataValue dataElement="TIP_VICTIMS_DETECTED" value="ten"/>\n'
        "  </group>"
    )
    with pytest.raises(ImportRejected) as caught:
        _import(_adx(body))
    where = {p.column for p in caught.value.errors}
    assert where == {"group@orgUnit", "group@period", "dataValue@value"}


@pytest.mark.django_db
def test_a_mapping_edited_by_an_administrator_is_used():
    AdxCode.objects.filter(kind="org_unit", dhis2_code="THA").update(dhis2_code="OU_TH_NATIONAL")
    with pytest.raises(ImportRejected):
        _import(_adx(GOOD))
    _import(_adx(GOOD.replace('orgUnit="THA"', 'orgUnit="OU_TH_NATIONAL"')))
    assert Observation.objects.filter(country_id="THA").count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (_adx(GOOD).getvalue()[:-30], "not well formed"),
        (b'<?xml version="1.0"?><data><x/></data>', "not ADX"),
        (
            b'<?xml version="1.0"?><!DOCTYPE adx [<!ENTITY a "aaaa">]>'
            b'<adx xmlns="urn:ihe:qrph:adx:2015">&a;</adx>',
            "refused",
        ),
        (_adx("").getvalue(), "no dataValue"),
    ],
)
def test_malformed_or_hostile_xml_is_refused(content, expected):
    with pytest.raises(ImportRejected) as caught:
        _import(io.BytesIO(content))
    (problem,) = caught.value.errors
    assert expected in problem.message
    assert not Observation.objects.exists()


@pytest.mark.django_db
def test_adx_download_only_for_an_approved_submission_and_audited(client, make_user):
    officer = make_user(role="statistics_officer", country="THA")
    client.force_login(officer)
    _import(_adx(GOOD))
    submission = Submission.objects.get()
    url = f"/statistics/submissions/{submission.pk}/download/?fmt=adx"
    assert client.get(url).status_code == 400  # a draft is not exported to DHIS2
    Submission.objects.update(status=Submission.Status.APPROVED)
    Observation.objects.update(approved=True)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/adx+xml"
    assert b'dataElement="TIP_PERSONS_PROSECUTED"' in response.content
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, object_id=str(submission.pk)).exists()


@pytest.mark.django_db
def test_api_export_adx(client, make_user, glotip_approved):
    client.force_login(make_user(role="secretariat_analyst", country=None))
    response = client.get(
        "/api/v1/statistics/observations/export-adx/?country=CHN&indicator=PERSONS_CONVICTED"
    )
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314
    assert {v.get("dataElement") for v in root.iter(f"{{{ADX_NS}}}dataValue")} == {
        "TIP_PERSONS_CONVICTED"
    }
    assert any(
        v.get("value") == "2400"
        for g in root.findall("adx:group", NS)
        if g.get("period") == "2018-01-01/P1Y"
        for v in g
    )


@pytest.mark.django_db
def test_export_names_a_code_the_mapping_lacks(glotip_approved):
    from matis.official_statistics.io.adx import AdxExportError

    AdxCode.objects.filter(kind="data_element", matis_code="PERSONS_CONVICTED").delete()
    submission = Submission.objects.get(country_id="CHN", period=2018)
    with pytest.raises(AdxExportError, match="PERSONS_CONVICTED"):
        observations_adx(_rows(submission))


@pytest.mark.django_db
def test_cli_export_then_import_and_mapping_loads(tmp_path, capsys, glotip_approved):
    from matis.cli import main

    out = tmp_path / "khm-2019.xml"
    assert (
        main(["statistics", "export-adx", "--country", "KHM", "--year", "2019", "-o", str(out)])
        == 0
    )
    assert "values written" in capsys.readouterr().err
    published = _figures("KHM", 2019)
    assert published
    Observation.objects.filter(country_id="KHM", period=2019).delete()
    Submission.objects.filter(country_id="KHM", period=2019).delete()
    assert main(["statistics", "import", str(out), "--format", "adx"]) == 0
    assert _figures("KHM", 2019) == published
    # Not approved any more: the CLI refuses to export a draft.
    assert main(["statistics", "export-adx", "--country", "KHM", "--year", "2019"]) == 1
    assert main(["statistics", "load-adx-mapping"]) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert main(["statistics", "load-aliases"]) == 0
    assert "0 created, 0 updated" in capsys.readouterr().out


@pytest.mark.django_db
def test_upload_page_takes_adx(client, make_user):
    from matis.official_statistics.models import ImportJob

    client.force_login(make_user(role="statistics_officer", country="THA"))
    upload = _adx(GOOD)
    upload.name = "dhis2.xml"
    response = client.post("/statistics/import/", {"file": upload, "format": "adx"})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "done" and job.n_created == 5
    assert Submission.objects.get().status == Submission.Status.DRAFT


@pytest.mark.django_db
def test_groups_of_other_countries_are_refused_or_skipped_per_value():
    other = (
        '  <group orgUnit="KHM" period="2021">\n'
        '    <dataValue dataElement="TIP_VICTIMS_DETECTED" value="3"/>\n'
        '    <dataValue dataElement="TIP_VICTIMS_DETECTED" SEX="FMLE" value="2"/>\n'
        "  </group>"
    )
    with pytest.raises(ImportRejected) as caught:
        _import(_adx(GOOD + "\n" + other), country="THA")
    assert [(p.line, p.column) for p in caught.value.errors] == [(10, "group@orgUnit")]
    result = _import(_adx(GOOD + "\n" + other), country="THA", skip_other_countries=True)
    assert result.n_created == 5
    assert "2 rows of other countries skipped" in str(result)
    assert not Observation.objects.filter(country_id="KHM").exists()
