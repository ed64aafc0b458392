"""HTCDS / CTDC CSV import and export: atomic, idempotent, -99 is missing, round trip."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

import pytest

DICTIONARY = Path(
    "/work/shared/data/ext/CTDC Global Dataset DATA DICTIONARY version 15082018 (Main sheet).csv"
)


def _dictionary_columns() -> list[str]:
    from matis.cases.interchange import CTDC_COLUMNS

    if DICTIONARY.exists():
        with DICTIONARY.open(encoding="utf-8") as fh:
            return [r["Variable name "].strip() for r in csv.DictReader(fh)]
    return list(CTDC_COLUMNS)


def ctdc_csv(n: int, *, seed: int = 7, bad: dict | None = None) -> str:
    """``n`` synthetic CTDC rows with the data dictionary's columns (flags at random)."""
    rng = random.Random(seed)
    columns = _dictionary_columns()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for i in range(n):
        row = {}
        for col in columns:
            if col.startswith(("meansOfControl", "is", "typeOf", "recruiterRelation")):
                row[col] = rng.choice(["0", "1", "-99"])
            else:
                row[col] = "-99"
        row.update(
            {
                "yearOfRegistration": str(2015 + i % 5),
                "Datasource": "Case Management",
                "gender": rng.choice(["Female", "Male", "-99"]),
                "ageBroad": rng.choice(["9--17", "18--20", "30--38", "-99"]),
                "majorityStatus": rng.choice(["Adult", "Minor", "-99"]),
                "majorityStatusAtExploit": "-99",
                "citizenship": rng.choice(["KH", "MM", "LA", "-99"]),
                "CountryOfExploitation": rng.choice(["TH", "MY", "-99"]),
            }
        )
        for concatenated in [c for c in columns if c.endswith("Concatenated")]:
            row[concatenated] = "-99"
        row["RecruiterRelationship"] = "-99"
        if bad and i == bad["row"]:
            row[bad["column"]] = bad["value"]
        writer.writerow([row.get(c, "-99") for c in columns])
    return out.getvalue()


def test_the_dictionary_columns_are_the_ones_we_write():
    from matis.cases.interchange import CTDC_COLUMNS

    assert list(CTDC_COLUMNS) == _dictionary_columns()


def test_ctdc_file_creates_cases_with_missing_values_understood(world):
    from matis.access.models import AuditAction, AuditLog
    from matis.cases.models import Case
    from matis.cases.services import cases_import

    result = cases_import(actor=world.worker, text=ctdc_csv(12), fmt="ctdc")
    assert len(result.created) == 12
    cases = Case.objects.filter(reference__in=result.created).select_related("htcds", "person")
    assert cases.count() == 12
    for case in cases:
        assert case.agency == world.shelter
        assert case.reference.startswith("THA-")
        assert case.htcds.import_key.startswith("ctdc:")
    # -99 is missing: a row of all -99 flags has no means of control, no citizenship.
    text = ctdc_csv(1, bad={"row": 0, "column": "citizenship", "value": "-99"})
    lines = list(csv.reader(io.StringIO(text)))
    header = lines[0]
    lines[1] = [("-99" if h.startswith(("meansOfControl", "is", "typeOf")) else v)
                for h, v in zip(header, lines[1], strict=True)]  # fmt: skip
    lines[1][header.index("yearOfRegistration")] = "2019"
    lines[1][header.index("Datasource")] = "Hotline"
    missing = io.StringIO()
    csv.writer(missing).writerows(lines)
    one = cases_import(actor=world.worker, text=missing.getvalue(), fmt="ctdc").created[0]
    case = Case.objects.select_related("htcds", "person").get(reference=one)
    assert case.person.primary_citizenship_id is None
    assert case.htcds.control_methods == []
    assert case.exploitation_types == []
    assert case.htcds.abducted is None
    assert case.opened_on == dt.date(2019, 1, 1)
    assert case.htcds.import_source == "Hotline"
    audits = AuditLog.objects.filter(action=AuditAction.RECORD_CREATE, object_id=str(case.pk))
    assert audits.get().detail["imported"] == "ctdc"
    assert AuditLog.objects.filter(action=AuditAction.IMPORT).count() == 2


def test_flags_map_to_codes(world):
    from matis.cases.models import Case
    from matis.cases.services import cases_import

    text = ctdc_csv(1)
    lines = list(csv.reader(io.StringIO(text)))
    header = lines[0]
    values = dict(zip(header, lines[1], strict=True))
    values.update({h: "0" for h in header if h.startswith(("meansOfControl", "is", "typeOf"))})
    values.update(
        {
            "meansOfControlDebtBondage": "1",
            "meansOfControlRestrictsMovement": "1",
            "isForcedLabour": "1",
            "typeOfLabourAquafarming": "1",
            "typeOfLabourIllicitActivities": "1",
            "recruiterRelationFriend": "1",
            "citizenship": "MM",
            "CountryOfExploitation": "TH",
        }
    )
    out = io.StringIO()
    csv.writer(out).writerows([header, [values[h] for h in header]])
    ref = cases_import(actor=world.worker, text=out.getvalue(), fmt="ctdc").created[0]
    case = Case.objects.select_related("htcds", "person").get(reference=ref)
    assert case.htcds.control_methods == ["DebtBondage", "RestrictsMovement"]
    assert set(case.exploitation_types) == {"ForcedLabour", "ForcedCriminality"}
    assert case.forced_labour_industry == "A_AgricultureForestryAndFishing"
    assert case.htcds.labour_types == ["Aquafarming", "IllicitActivities"]
    assert case.htcds.recruiter_relations == ["Friend"]
    assert case.person.primary_citizenship_id == "MMR"
    assert case.country_of_exploitation_id == "THA"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("meansOfControlDebtBondage", "2", "is not 1, 0 or -99"),
        ("citizenship", "XX", "not an ISO 3166 country code"),
        ("yearOfRegistration", "20x9", "not a whole number"),
    ],
)
def test_a_bad_row_is_named_by_line_and_column_and_nothing_is_written(
    world, column, value, message
):
    from matis.access.models import AuditLog
    from matis.cases.interchange import ImportFailed
    from matis.cases.models import Case, HtcdsRecord, Person
    from matis.cases.services import cases_import

    text = ctdc_csv(6, bad={"row": 3, "column": column, "value": value})
    before = (Case.objects.count(), Person.objects.count(), AuditLog.objects.count())
    with pytest.raises(ImportFailed) as exc:
        cases_import(actor=world.worker, text=text, fmt="ctdc")
    problem = exc.value.problems[0]
    assert (problem.line, problem.column) == (5, column)  # header is line 1, row 3 is line 5
    assert message in problem.message
    assert f"line 5, column {column}" in str(exc.value)
    assert (Case.objects.count(), Person.objects.count(), AuditLog.objects.count()) == before
    assert not HtcdsRecord.objects.exists()


def test_reimport_is_idempotent(world):
    from matis.cases.models import Case
    from matis.cases.services import cases_import

    text = ctdc_csv(8)
    first = cases_import(actor=world.worker, text=text, fmt="ctdc")
    again = cases_import(actor=world.worker, text=text, fmt="ctdc")
    assert len(first.created) == 8
    assert (len(again.created), again.skipped) == (0, 8)
    assert Case.objects.count() == 8


def test_duplicate_rows_are_separate_records_but_still_idempotent(world):
    from matis.cases.services import cases_import

    text = ctdc_csv(1)
    header, row = text.splitlines()[:2]
    doubled = "\n".join([header, row, row]) + "\n"
    assert len(cases_import(actor=world.worker, text=doubled, fmt="ctdc").created) == 2
    assert cases_import(actor=world.worker, text=doubled, fmt="ctdc").skipped == 2


def test_dry_run_writes_nothing(world):
    from matis.cases.models import Case
    from matis.cases.services import cases_import

    result = cases_import(actor=world.worker, text=ctdc_csv(3), fmt="ctdc", dry_run=True)
    assert len(result.created) == 3
    assert not Case.objects.exists()


def test_imported_cases_have_no_consent_and_are_not_shared(world):
    from matis.cases.choices import ConsentPurpose
    from matis.cases.models import Case
    from matis.cases.services import cases_import, consent_allows

    ref = cases_import(actor=world.worker, text=ctdc_csv(1), fmt="ctdc").created[0]
    case = Case.objects.get(reference=ref)
    assert not consent_allows(case, ConsentPurpose.CROSS_BORDER, country="KHM")
    assert not consent_allows(case, ConsentPurpose.STATISTICS)


def _full_record(world, register_case):
    from matis.cases.services import htcds_record_update

    case = register_case(
        world.worker,
        case={"exploitation_types": ["ForcedLabour"], "forced_criminality": ["RomanceScam"]},
    )
    htcds_record_update(
        actor=world.worker,
        case=case,
        values={
            "salutation": "Ms",
            "email": "=cmd|' /C calc'!A0",
            "mobile_phone": "+66800000000",
            "mailing_city": "Mae Sot",
            "recruitment_methods": ["ThroughOnlineSocialNetworks"],
            "recruiter_relations": ["Friend"],
            "recruitment_country_id": "LAO",
            "transit_countries": ["THA", "MMR"],
            "control_methods": ["DebtBondage", "WithholdsDocuments", "RestrictsMovement"],
            "vulnerabilities": ["Poverty", "Migration"],
            "vulnerability_details": "lost work (synthetic)",
            "exploitation_months": 7,
            "travel_document": "OtherPersons",
            "incoming_referral_reason": "Other",
            "referring_organisation": "Hotline (synthetic)",
        },
    )
    return case


def test_round_trip_htcds_export_then_import(world, register_case):
    from matis.cases.export import case_to_htcds, cases_csv
    from matis.cases.models import Case
    from matis.cases.services import cases_import

    original = _full_record(world, register_case)
    data = cases_csv(actor=world.supervisor, fmt="htcds").decode("utf-8")
    assert cases_import(actor=world.other_worker, text=data, fmt="htcds").skipped == 1
    rows = list(csv.DictReader(io.StringIO(data)))
    assert len(rows) == 1
    assert rows[0]["prs_Email"].startswith("'=")  # formula neutralised
    assert rows[0]["vic_MethodsOfControl"] == "DebtBondage;WithholdsDocuments;RestrictsMovement"
    Case.objects.filter(pk=original.pk).update(reference="OLD-1")  # another system's export
    result = cases_import(actor=world.other_worker, text=data, fmt="htcds")
    copy = Case.objects.get(reference=result.created[0])
    assert copy.htcds.import_key == f"htcds:{rows[0]['commit_CaseReference']}"
    a, b = case_to_htcds(Case.objects.get(reference="OLD-1")), case_to_htcds(copy)
    different = {k for k in a if a[k] != b[k]}
    assert different <= {
        "commit_CaseReference", "cas_CaseOwner", "commit_ImportSource", "commit_LatestScreening",
    }  # fmt: skip
    assert b["prs_Email"] == "=cmd|' /C calc'!A0"
    assert b["commit_TransitCountries"] == ["TH", "MM"]
    assert cases_import(actor=world.other_worker, text=data, fmt="htcds").skipped == 1


def test_ctdc_export_needs_statistics_consent(world, register_case):
    from matis.cases.choices import ConsentGivenBy, ConsentPurpose
    from matis.cases.export import cases_csv
    from matis.cases.services import consent_record

    case = _full_record(world, register_case)
    empty = cases_csv(actor=world.worker, fmt="ctdc").decode("utf-8").splitlines()
    assert len(empty) == 1
    consent_record(
        actor=world.worker,
        case=case,
        purpose=ConsentPurpose.STATISTICS,
        given=True,
        on=dt.date.today(),
        language="th",
        given_by=ConsentGivenBy.PERSON,
    )
    rows = list(csv.DictReader(io.StringIO(cases_csv(actor=world.worker, fmt="ctdc").decode())))
    assert len(rows) == 1
    row = rows[0]
    assert row["meansOfControlDebtBondage"] == "1"
    assert row["meansOfControlSexualAbuse"] == "0"
    assert row["typeOfSexProstitution"] == "-99"
    assert row["recruiterRelationFriend"] == "1"
    assert row["typeOfLabourIllicitActivities"] == "1"
    assert row["ageBroad"] == "24--26"
    assert "Ms" not in ",".join(row.values())


def test_the_identified_htcds_csv_is_for_supervisors(world):
    from django.core.exceptions import PermissionDenied

    from matis.cases.export import cases_csv

    with pytest.raises(PermissionDenied):
        cases_csv(actor=world.worker, fmt="htcds")


def test_cli_import_and_export(world, tmp_path, capsys):
    from matis.cases.models import Case
    from matis.cli import main

    good = tmp_path / "ctdc.csv"
    good.write_text(ctdc_csv(4), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        ctdc_csv(4, bad={"row": 2, "column": "isForcedLabour", "value": "yes please"}),
        encoding="utf-8",
    )
    args = ["cases", "import", "--format", "ctdc", "--user", world.worker.email]
    assert main([*args, str(bad)]) == 1
    err = capsys.readouterr().err
    assert "line 4, column isForcedLabour" in err and "nothing imported" in err
    assert not Case.objects.exists()
    assert main([*args, "--dry-run", str(good)]) == 0
    assert not Case.objects.exists()
    assert main([*args, str(good)]) == 0
    assert "created 4 cases" in capsys.readouterr().out
    assert main([*args, str(good)]) == 0
    assert "4 already imported" in capsys.readouterr().out
    out = tmp_path / "export.csv"
    export = ["cases", "export", "--format", "ctdc", "--user", world.worker.email]
    assert main([*export, "--out", str(out)]) == 0
    assert out.read_text().startswith("yearOfRegistration,Datasource,gender")
