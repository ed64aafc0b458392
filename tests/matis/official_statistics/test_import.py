"""Imports: every format reads, bad files write nothing and name the line, re-import is a no-op."""

from __future__ import annotations

import io

import pytest
from stats_helpers import GLOTIP, csv_bytes, import_csv

from matis.official_statistics.models import Observation, ObservationRevision, Submission
from matis.official_statistics.services import ImportRejected, observations_import
from matis.official_statistics.values import ParsedValue, ValueParseError, parse_value

HEADER = ("indicator", "country", "year", "sex", "value")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("609", ParsedValue(609.0)),
        ("1,353", ParsedValue(1353.0)),
        ("12,345,678", ParsedValue(12345678.0)),
        ("<5", ParsedValue(None, censored_below=5)),
        ("< 3", ParsedValue(None, censored_below=3)),
        ("..", ParsedValue(None, is_missing=True)),
        ("2.5", ParsedValue(2.5)),
        ("-4", ParsedValue(-4.0)),
        (17, ParsedValue(17.0)),
    ],
)
def test_parse_value(text, expected):
    assert parse_value(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1,35", "1.353,2", "<0", "five", None, "nan"])
def test_parse_value_refuses(text):
    with pytest.raises(ValueParseError):
        parse_value(text)


def _nothing_written():
    return not Observation.objects.exists() and not Submission.objects.exists()


@pytest.mark.django_db
def test_a_bad_csv_row_writes_nothing_and_names_its_line():
    rows = [
        ["VICTIMS_DETECTED", "THA", "2021", "", "120"],
        ["VICTIMS_DETECTED", "THA", "2021", "F", "80"],
        ["VICTIMS_DETECTED", "THA", "2021", "M", "forty"],  # line 4
        ["VICTIMS_DETECTED", "XXX", "2021", "", "3"],  # line 5
        ["NO_SUCH_INDICATOR", "THA", "2021", "", "3"],  # line 6
        ["VICTIMS_DETECTED", "THA", "2021", "Q", "3"],  # line 7
        ["VICTIMS_DETECTED", "THA", "2021", "F", "81"],  # line 8: repeats line 3
        ["OFFENCES", "THA", "2021", "F", "2"],  # line 9: OFFENCES has no SEX breakdown
        ["VICTIMS_DETECTED", "THA", "1850", "", "3"],  # line 10
        ["VICTIMS_DETECTED", "THA", "2021", "M", "3", "extra"],  # line 11: a cell too many
    ]
    with pytest.raises(ImportRejected) as caught:
        import_csv(rows)
    errors = {e.line: e.message for e in caught.value.errors}
    assert set(errors) == {4, 5, 6, 7, 8, 9, 10, 11}
    assert "forty" in errors[4]
    assert "XXX" in errors[5]
    assert "NO_SUCH_INDICATOR" in errors[6]
    assert "code list of SEX" in errors[7]
    assert "line 3" in errors[8]
    assert "no breakdown by SEX" in errors[9]
    assert "1850" in errors[10]
    assert "found 6" in errors[11]
    assert "line 4" in caught.value.summary()
    assert _nothing_written()


@pytest.mark.django_db
def test_a_malformed_glotip_file_writes_nothing_and_names_the_line():
    lines = GLOTIP.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = lines[:]
    broken[700] = (
        broken[700].replace(",Counts,", ",Counts,seven hundred ,", 1).replace(",GLOTIP", "", 1)
    )  # value text that is not a number, source shifted into its cell
    with pytest.raises(ImportRejected) as caught:
        observations_import(actor=None, source=io.BytesIO("".join(broken).encode()), fmt="glotip")
    assert [e.line for e in caught.value.errors] == [701]
    assert "seven hundred" in caught.value.errors[0].message
    assert _nothing_written()


@pytest.mark.django_db
def test_a_file_in_the_wrong_format_is_refused_as_a_whole():
    with pytest.raises(ImportRejected) as caught:
        observations_import(actor=None, source=GLOTIP.open("rb"), fmt="sdmx-csv")
    assert "DATAFLOW" in str(caught.value)
    with pytest.raises(ImportRejected) as caught:
        import_csv(
            [["VICTIMS_DETECTED", "THA", "2021", "3", "x"]],
            header=("indicator", "country", "year", "value", "colour"),
        )
    assert "colour" in str(caught.value)
    assert _nothing_written()


@pytest.mark.django_db
def test_csv_import_keys_flags_and_reimport():
    rows = [
        ["VICTIMS_DETECTED", "THA", "2021", "", "1,200", ""],
        ["VICTIMS_DETECTED", "THA", "2021", "F", "<5", ""],
        ["VICTIMS_DETECTED", "THA", "2021", "Male", "..", "M"],  # labels allowed in MATIS CSV
        ["VICTIMS_DETECTED", "KHM", "2021", "", "77", "EP"],
    ]
    header = (*HEADER, "flags")
    first = import_csv(rows, header=header)
    assert (first.n_created, first.n_updated, first.n_unchanged) == (4, 0, 0)
    assert Submission.objects.filter(status="draft").count() == 2
    values = {
        (o.country_id, o.series_key): (o.value, o.censored_below, o.is_missing, o.flags)
        for o in Observation.objects.all()
    }
    assert values == {
        ("THA", ""): (1200.0, None, False, ""),
        ("THA", "SEX=F"): (None, 5, False, ""),
        ("THA", "SEX=M"): (None, None, True, "M"),
        ("KHM", ""): (77.0, None, False, "EP"),
    }
    again = import_csv(rows, header=header)
    assert (again.n_created, again.n_updated, again.n_unchanged) == (0, 0, 4)
    rows[0][4] = "1,250"
    third = import_csv(rows, header=header)
    assert (third.n_created, third.n_updated, third.n_unchanged) == (0, 1, 3)
    revision = ObservationRevision.objects.get()
    assert (revision.old_value, revision.new_value) == (1200.0, 1250.0)


@pytest.mark.django_db
def test_an_import_never_changes_an_approved_submission(glotip_approved):
    rows = [
        ["PERSONS_PROSECUTED", "THA", "2022", "", "609"],  # unchanged: fine
        ["PERSONS_PROSECUTED", "THA", "2022", "M", "999"],  # line 3: changes an approved value
        [
            "PERSONS_PROSECUTED",
            "THA",
            "2021",
            "OTHER",
            "1",
        ],  # line 4: new value in an approved year
    ]
    with pytest.raises(ImportRejected) as caught:
        import_csv(rows)
    assert [e.line for e in caught.value.errors] == [3, 4]
    assert "308" in caught.value.errors[0].message and "999" in caught.value.errors[0].message
    assert (
        Observation.objects.get(
            indicator__code="PERSONS_PROSECUTED", country_id="THA", period=2022, series_key="SEX=M"
        ).value
        == 308
    )


@pytest.mark.django_db
def test_country_scope_of_an_import(make_user):
    rows = [
        ["VICTIMS_DETECTED", "THA", "2021", "", "5"],
        ["VICTIMS_DETECTED", "KHM", "2021", "", "6"],
    ]
    officer = make_user(role="statistics_officer", country="THA")
    with pytest.raises(ImportRejected) as caught:
        import_csv(rows, actor=officer)
    assert [e.line for e in caught.value.errors] == [3]
    assert _nothing_written()
    skipped = import_csv(rows, country="THA", skip_other_countries=True)
    assert (skipped.n_created, skipped.n_skipped) == (1, 1)


@pytest.mark.django_db
def test_only_national_statistics_roles_import(make_user):
    from django.core.exceptions import PermissionDenied

    rows = [["VICTIMS_DETECTED", "THA", "2021", "", "5"]]
    for role, country in [("case_worker", "THA"), ("secretariat_analyst", None)]:
        with pytest.raises(PermissionDenied):
            import_csv(rows, actor=make_user(role=role, country=country))
    assert _nothing_written()


@pytest.mark.django_db
def test_dry_run_checks_and_compares_but_writes_nothing():
    rows = [["VICTIMS_DETECTED", "THA", "2021", "", "5"]]
    result = import_csv(rows, dry_run=True)
    assert (result.n_created, result.dry_run) == (1, True)
    assert _nothing_written()


@pytest.mark.django_db
def test_exports_read_back_unchanged(glotip):
    """SDMX-CSV, MATIS CSV and Excel exports of all GLOTIP rows re-import with nothing changed."""
    from matis.official_statistics.io import writers
    from matis.official_statistics.views import observations_file_response

    for fmt in ("sdmx-csv", "csv", "xlsx"):
        response = observations_file_response(Observation.objects.all(), fmt, "x")
        body = (
            response.content
            if fmt == "xlsx"
            else b"".join(
                part if isinstance(part, bytes) else part.encode()
                for part in response.streaming_content
            )
        )
        result = observations_import(actor=None, source=io.BytesIO(body), fmt=fmt)
        assert (result.n_rows, result.n_created, result.n_updated) == (1595, 0, 0), fmt
    assert writers.DATAFLOW in body.decode("latin-1") or fmt == "xlsx"


@pytest.mark.django_db
def test_excel_template_fills_in_and_imports():
    from openpyxl import load_workbook

    from matis.official_statistics.io.writers import excel_template

    book = load_workbook(io.BytesIO(excel_template("THA")))
    assert {"Data", "Codes", "Indicators", "Help"} <= set(book.sheetnames)
    sheet = book["Data"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["indicator", "country", "year"] and "sex" in header
    row = dict.fromkeys(header)
    row.update(
        indicator="VICTIMS_ASSISTED",
        country="THA",
        year=2023,
        sex="F",
        value=42,
        assistance="SHELTER",
    )
    sheet.append([row[h] for h in header])
    row.update(value="<5", assistance="LEGAL")
    sheet.append([row[h] for h in header])
    row.update(value="lots", assistance="MEDICAL")
    sheet.append([row[h] for h in header])  # row 4: bad value
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ImportRejected) as caught:
        observations_import(actor=None, source=io.BytesIO(buffer.getvalue()), fmt="xlsx")
    assert [e.line for e in caught.value.errors] == [4]
    assert caught.value.errors[0].where.startswith("row 4")
    sheet.delete_rows(4)
    buffer = io.BytesIO()
    book.save(buffer)
    result = observations_import(actor=None, source=io.BytesIO(buffer.getvalue()), fmt="xlsx")
    assert result.n_created == 2
    assert set(Observation.objects.values_list("series_key", flat=True)) == {
        "ASSISTANCE=SHELTER|SEX=F",
        "ASSISTANCE=LEGAL|SEX=F",
    }


@pytest.mark.django_db
def test_sdmx_csv_import_with_totals_and_codes_only():
    header = [
        "DATAFLOW",
        "INDICATOR",
        "REF_AREA",
        "SEX",
        "AGE",
        "TIME_PERIOD",
        "OBS_VALUE",
        "OBS_STATUS",
        "CENSORED_BELOW",
    ]
    rows = [
        [
            "MATIS:TIP_STATISTICS(1.0)",
            "VICTIMS_DETECTED",
            "VNM",
            "_T",
            "_T",
            "2020",
            "310",
            "A",
            "",
        ],
        ["MATIS:TIP_STATISTICS(1.0)", "VICTIMS_DETECTED", "VNM", "F", "_T", "2020", "", "A", "5"],
        [
            "MATIS:TIP_STATISTICS(1.0)",
            "VICTIMS_DETECTED",
            "VNM",
            "Female",
            "_T",
            "2020",
            "9",
            "A",
            "",
        ],
    ]
    with pytest.raises(ImportRejected) as caught:  # SDMX-CSV takes codes, not labels
        observations_import(actor=None, source=csv_bytes(rows, header), fmt="sdmx-csv")
    assert [e.line for e in caught.value.errors] == [4]
    result = observations_import(actor=None, source=csv_bytes(rows[:2], header), fmt="sdmx-csv")
    assert result.n_created == 2
    assert Observation.objects.get(series_key="SEX=F").display == "<5"


@pytest.mark.django_db
def test_a_missing_flag_with_a_value_is_a_contradiction():
    with pytest.raises(ImportRejected) as caught:
        import_csv([["VICTIMS_DETECTED", "THA", "2021", "", "12", "M"]], header=(*HEADER, "flags"))
    assert caught.value.errors[0].line == 2 and caught.value.errors[0].column == "flags"
    assert _nothing_written()
