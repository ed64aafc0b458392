"""HTCDS 2.0 and CTDC files: case records to CSV rows, and CSV rows back to case values.

* HTCDS CSV: one row per case, columns named by the HTCDS "Field Name including
  Prefix" (the 40 core fields, the trafficking fields, then ``commit_``
  extensions); lists are joined with ``;``.
* CTDC CSV: the columns of the CTDC global dataset data dictionary (version
  15082018): coded 0 / 1 flags, ``-99`` for missing, ISO alpha-2 countries.

Parsing never writes: :func:`parse_file` returns the values of each row, or
:class:`ImportProblem` s naming the line and column. Writing is
:func:`matis.cases.services.record.cases_import`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from matis.cases.choices import (
    FORCED_CRIMINALITY,
    ControlExtension,
    ForcedCriminalityActivity,
    LabourType,
    RecruiterRelation,
    TravelDocument,
)
from matis.cases.htcds import (
    CaseStatus,
    ForcedLabourIndustry,
    Gender,
    MethodOfControl,
    MethodOfRecruitment,
    ReferralReason,
    TraffickingStatus,
    TypeOfExploitation,
    TypeOfSexExploitation,
    Vulnerability,
)

MISSING = "-99"
FORMATS = ("htcds", "ctdc")

# --- HTCDS ----------------------------------------------------------------------------------

HTCDS_CORE = (
    "prs_Salutation",
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "prs_Title",
    "prs_Email",
    "prs_HomePhone",
    "prs_MobilePhone",
    "prs_MailingCity",
    "prs_MailingCountry",
    "prs_MailingState",
    "prs_MailingStreet",
    "prs_MailingPostalCode",
    "vic_TraffickingStatus",
    "vic_TraffickingStatusDecisionMakingOrg",
    "vic_MethodOfRecruitment",
    "vic_LocationOfRecruitment",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "vic_TypeOfSexExploitation",
    "vic_LocationOfExploitation",
    "vic_Vulnerabilities",
    "vic_DetailsOfVulnerabilities",
    "cas_Status",
    "cas_ReasonForCaseClosure",
    "cas_CaseOwner",
    "cas_ReferringOrganisation",
    "cas_IncomingReferralDate",
    "cas_ReferringPrimaryCaseWorker",
    "cas_ReasonForIncomingReferral",
    "cas_IncomingReferralDetails",
    "cas_ReferredOrganisation",
    "cas_ReferredPrimaryCaseWorker",
    "cas_ReasonForOutgoingReferral",
    "cas_OutgoingReferralDate",
    "cas_OutgoingReferralDetails",
    "con_Consent",
)
HTCDS_OPTIONAL = (
    "prs_PrimaryLanguage",
    "prs_SecondaryLanguage",
    "vic_RelationshipToTrafficker",
)
COMMIT_COLUMNS = (
    "commit_CaseReference",
    "commit_OpenedOn",
    "commit_AgeAtRegistration",
    "commit_AgeBand",
    "commit_ChildAtRegistration",
    "commit_Stateless",
    "commit_CountryOfExploitation",
    "commit_RecruitmentCountry",
    "commit_RecruiterRelations",
    "commit_Abducted",
    "commit_TransitCountries",
    "commit_TravelDocument",
    "commit_LabourTypes",
    "commit_ExploitationBeganOn",
    "commit_ExploitationMonths",
    "commit_ChildWhenExploited",
    "commit_ForcedCriminality",
    "commit_ForcedCriminalityActivities",
    "commit_ImportSource",
)
HTCDS_COLUMNS = HTCDS_CORE + HTCDS_OPTIONAL + COMMIT_COLUMNS

RELATION_TO_HTCDS = {
    RecruiterRelation.FAMILY: "Familial",
    RecruiterRelation.INTIMATE_PARTNER: "Acquainted",
    RecruiterRelation.FRIEND: "Acquainted",
    RecruiterRelation.ACQUAINTANCE: "Acquainted",
    RecruiterRelation.STRANGER: "Unaquainted",
}


def htcds_relationship(relations: list[str]) -> str | None:
    """HTCDS's single ``vic_RelationshipToTrafficker`` from the finer recruiter relations."""
    for rel in (RecruiterRelation.FAMILY, RecruiterRelation.INTIMATE_PARTNER,
                RecruiterRelation.FRIEND, RecruiterRelation.ACQUAINTANCE,
                RecruiterRelation.STRANGER):  # fmt: skip
        if rel in relations:
            return RELATION_TO_HTCDS[rel]
    return None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def htcds_row(record: dict) -> list[str]:
    return [_cell(record.get(c)) for c in HTCDS_COLUMNS]


# --- CTDC -----------------------------------------------------------------------------------

# Data dictionary name -> our code, per group.
CTDC_CONTROL = {
    "meansOfControlDebtBondage": MethodOfControl.DEBT_BONDAGE,
    "meansOfControlTakesEarnings": MethodOfControl.TAKES_EARNINGS,
    "meansOfControlRestrictsFinancialAccess": MethodOfControl.RESTRICTS_FINANCIAL_ACCESS,
    "meansOfControlThreats": MethodOfControl.PHYSICAL_THREATS,
    "meansOfControlPsychologicalAbuse": MethodOfControl.PSYCHOLOGICAL_ABUSE,
    "meansOfControlPhysicalAbuse": MethodOfControl.PHYSICAL_ABUSE,
    "meansOfControlSexualAbuse": MethodOfControl.SEXUAL_ABUSE,
    "meansOfControlFalsePromises": MethodOfControl.FALSE_PROMISES,
    "meansOfControlPsychoactiveSubstances": MethodOfControl.PSYCHOACTIVE_SUBSTANCE,
    "meansOfControlRestrictsMovement": ControlExtension.RESTRICTS_MOVEMENT,
    "meansOfControlRestrictsMedicalCare": MethodOfControl.RESTRICTS_MEDICAL_CARE,
    "meansOfControlExcessiveWorkingHours": MethodOfControl.EXCESSIVE_WORKING_HOURS,
    "meansOfControlUsesChildren": ControlExtension.USES_CHILDREN,
    "meansOfControlThreatOfLawEnforcement": MethodOfControl.THREATS_LAW_ENFORCEMENT,
    "meansOfControlWithholdsNecessities": MethodOfControl.WITHHOLDS_NECESSITIES,
    "meansOfControlWithholdsDocuments": MethodOfControl.WITHHOLDS_DOCUMENTS,
    "meansOfControlOther": MethodOfControl.OTHER,
}
CTDC_EXPLOIT = {
    "isForcedLabour": TypeOfExploitation.FORCED_LABOUR,
    "isSexualExploit": TypeOfExploitation.SEXUAL_EXPLOITATION,
    "isOtherExploit": TypeOfExploitation.OTHER,
    "isForcedMarriage": TypeOfExploitation.FORCED_MARRIAGE,
    "isForcedMilitary": TypeOfExploitation.FORCED_MILITARY_BY_NON_STATE_ACTORS,
    "isOrganRemoval": TypeOfExploitation.ORGAN_REMOVAL,
}
CTDC_LABOUR = {f"typeOfLabour{t.value}": t for t in LabourType}
CTDC_SEX = {
    "typeOfSexProstitution": TypeOfSexExploitation.PROSTITUTION,
    "typeOfSexPornography": TypeOfSexExploitation.PORNOGRAPHY,
    "typeOfSexRemoteInteractiveServices": TypeOfSexExploitation.REMOTE_INTERACTIVE_SERVICES,
    "typeOfSexPrivateSexualServices": TypeOfSexExploitation.PRIVATE_SEXUAL_SERVICES,
}
CTDC_RELATION = {
    "recruiterRelationIntimatePartner": RecruiterRelation.INTIMATE_PARTNER,
    "recruiterRelationFriend": RecruiterRelation.FRIEND,
    "recruiterRelationFamily": RecruiterRelation.FAMILY,
    "recruiterRelationOther": RecruiterRelation.OTHER,
}
# Industry (HTCDS, ISIC section) implied by a CTDC labour type, and back.
LABOUR_INDUSTRY = {
    LabourType.AGRICULTURE: ForcedLabourIndustry.A_AGRICULTURE_FORESTRY_AND_FISHING,
    LabourType.AQUAFARMING: ForcedLabourIndustry.A_AGRICULTURE_FORESTRY_AND_FISHING,
    LabourType.CONSTRUCTION: ForcedLabourIndustry.F_CONSTRUCTION,
    LabourType.DOMESTIC_WORK: ForcedLabourIndustry.T_ACTIVITIES_OF_HOUSEHOLDS_AS_EMPLOYERS,
    LabourType.HOSPITALITY: ForcedLabourIndustry.I_ACCOMMODATION_AND_FOOD_SERVICE_ACTIVITIES,
    LabourType.MANUFACTURING: ForcedLabourIndustry.C_MANUFACTURING,
    LabourType.MINING_OR_DRILLING: ForcedLabourIndustry.B_MINING_AND_QUARRYING,
    LabourType.PEDDLING: (
        ForcedLabourIndustry.G_WHOLESALE_AND_RETAIL_TRADE_REPAIR_OF_MOTOR_VEHICLES
    ),
    LabourType.TRANSPORTATION: ForcedLabourIndustry.H_TRANSPORTATION_AND_STORAGE,
}
INDUSTRY_LABOUR = {v: k for k, v in LABOUR_INDUSTRY.items() if k != LabourType.AQUAFARMING}
CTDC_AGE_BANDS = (
    (0, 8, "0--8"),
    (9, 17, "9--17"),
    (18, 20, "18--20"),
    (21, 23, "21--23"),
    (24, 26, "24--26"),
    (27, 29, "27--29"),
    (30, 38, "30--38"),
    (39, 47, "39--47"),
    (48, 200, "48+"),
)
CTDC_COLUMNS = (
    "yearOfRegistration",
    "Datasource",
    "gender",
    "ageBroad",
    "majorityStatus",
    "majorityStatusAtExploit",
    "MajorityEntry",
    "citizenship",
    *CTDC_CONTROL,
    "meansOfControlNotSpecified",
    "meansOfControlConcatenated",
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "isSexAndLabour",
    "isForcedMarriage",
    "isForcedMilitary",
    "isOrganRemoval",
    "typeOfExploitConcatenated",
    *CTDC_LABOUR,
    "typeOfLabourNotSpecified",
    "typeOfLabourConcatenated",
    *CTDC_SEX,
    "typeOfSexConcatenated",
    "isAbduction",
    "RecruiterRelationship",
    "CountryOfExploitation",
    *CTDC_RELATION,
    "recruiterRelationUnknown",
)
CTDC_LABELS = {
    **{k: k.removeprefix("meansOfControl") for k in CTDC_CONTROL},
    **{k: k.removeprefix("typeOfLabour") for k in CTDC_LABOUR},
    **{k: k.removeprefix("typeOfSex") for k in CTDC_SEX},
    "isForcedLabour": "Forced labour",
    "isSexualExploit": "Sexual exploitation",
    "isOtherExploit": "Other",
    "isForcedMarriage": "Forced marriage",
    "isForcedMilitary": "Forced military",
    "isOrganRemoval": "Organ removal",
}
DEFAULT_DATASOURCE = "Case Management"


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    return next(label for low, high, label in CTDC_AGE_BANDS if low <= age <= high)


def _flags(codes: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """1 / 0 per column, or -99 throughout when nothing of the group is recorded."""
    if not codes:
        return {col: MISSING for col in mapping}
    return {col: "1" if code in codes else "0" for col, code in mapping.items()}


def _concat(flags: dict[str, str]) -> str:
    names = sorted(CTDC_LABELS[c] for c, v in flags.items() if v == "1")
    return ";".join(names) if names else MISSING


def _bool(value: bool | None) -> str:
    return MISSING if value is None else ("1" if value else "0")


def ctdc_row(record: dict, *, year: int) -> list[str]:
    """One CTDC row from a case's HTCDS record (see :func:`matis.cases.export.case_to_htcds`)."""
    gender = {Gender.FEMININE: "Female", Gender.MASCULINE: "Male"}.get(record.get("prs_Gender"))
    age = record.get("commit_AgeAtRegistration")
    band = age_band(age) or record.get("commit_AgeBand") or MISSING
    child = record.get("commit_ChildAtRegistration")
    if age is not None:
        child = age < 18
    exploitation = list(record.get("vic_TypeOfExploitation") or [])
    if record.get("commit_ForcedCriminality"):
        exploitation.append(FORCED_CRIMINALITY)
    labour = list(record.get("commit_LabourTypes") or [])
    if not labour:
        industry = record.get("vic_ForcedLabourIndustry")
        if industry:
            labour.append(INDUSTRY_LABOUR.get(industry, LabourType.OTHER))
        if TypeOfExploitation.FORCED_BEGGING in exploitation:
            labour.append(LabourType.BEGGING)
        if FORCED_CRIMINALITY in exploitation:
            labour.append(LabourType.ILLICIT_ACTIVITIES)
    control = _flags(list(record.get("vic_MethodsOfControl") or []), CTDC_CONTROL)
    exploit = _flags(exploitation, CTDC_EXPLOIT)
    if exploitation and exploit["isOtherExploit"] == "0":
        known = set(CTDC_EXPLOIT.values())
        if any(e not in known for e in exploitation):
            exploit["isOtherExploit"] = "1"
    sex_and_labour = MISSING
    if exploitation:
        sex_and_labour = (
            "1" if exploit["isForcedLabour"] == exploit["isSexualExploit"] == "1" else "0"
        )
    labour_flags = _flags(labour, CTDC_LABOUR)
    sex = _flags(list(record.get("vic_TypeOfSexExploitation") or []), CTDC_SEX)
    relations = list(record.get("commit_RecruiterRelations") or [])
    relation_flags = _flags(
        [RecruiterRelation.OTHER if r in (RecruiterRelation.ACQUAINTANCE,
                                          RecruiterRelation.STRANGER) else r
         for r in relations],
        CTDC_RELATION,
    )  # fmt: skip
    citizenship = (record.get("prs_Citizenship") or [None])[0]
    values = {
        "yearOfRegistration": str(year),
        "Datasource": record.get("commit_ImportSource") or DEFAULT_DATASOURCE,
        "gender": gender or MISSING,
        "ageBroad": band,
        "majorityStatus": MISSING if child is None else ("Minor" if child else "Adult"),
        "majorityStatusAtExploit": MISSING
        if record.get("commit_ChildWhenExploited") is None
        else ("Minor" if record["commit_ChildWhenExploited"] else "Adult"),
        "MajorityEntry": MISSING,
        "citizenship": citizenship or MISSING,
        **control,
        "meansOfControlNotSpecified": "1" if control["meansOfControlOther"] == MISSING else "0",
        "meansOfControlConcatenated": _concat(control),
        **exploit,
        "isSexAndLabour": sex_and_labour,
        "typeOfExploitConcatenated": _concat(exploit),
        **labour_flags,
        "typeOfLabourNotSpecified": "1"
        if labour_flags["typeOfLabourOther"] == MISSING and exploit["isForcedLabour"] == "1"
        else ("0" if labour else MISSING),
        "typeOfLabourConcatenated": _concat(labour_flags),
        **sex,
        "typeOfSexConcatenated": _concat(sex),
        "isAbduction": _bool(record.get("commit_Abducted")),
        "RecruiterRelationship": MISSING,
        "CountryOfExploitation": record.get("commit_CountryOfExploitation") or MISSING,
        **relation_flags,
        "recruiterRelationUnknown": "0" if relations else "1",
    }
    return [values[c] for c in CTDC_COLUMNS]


# --- parsing --------------------------------------------------------------------------------


@dataclass
class ImportProblem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ParsedRow:
    line: int
    key: str
    person: dict = field(default_factory=dict)
    case: dict = field(default_factory=dict)
    record: dict = field(default_factory=dict)
    status: str = CaseStatus.ACTIVE


class ImportFailed(ValueError):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:20]))


def _read(text: str) -> tuple[list[str], list[tuple[int, dict]]]:
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFailed([ImportProblem(1, "", _("the file is empty"))]) from None
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        line = reader.line_num
        if len(values) > len(header):
            raise ImportFailed(
                [ImportProblem(line, "", _("more cells than columns in the header"))]
            )
        rows.append((line, dict(zip(header, [v.strip() for v in values], strict=False))))
    return header, rows


class _Row:
    """Cell access that records problems by line and column."""

    def __init__(self, line: int, cells: dict, problems: list[ImportProblem], countries):
        self.line, self.cells, self.problems, self.countries = line, cells, problems, countries

    def bad(self, column: str, message: str) -> None:
        self.problems.append(ImportProblem(self.line, column, message))

    def raw(self, column: str) -> str | None:
        value = self.cells.get(column, "")
        if value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
            value = value[1:]  # undo the export's formula neutralising
        return None if value in ("", MISSING) else value

    def flag(self, column: str) -> bool | None:
        value = self.raw(column)
        if value is None:
            return None
        if value.lower() in ("1", "true", "yes"):
            return True
        if value.lower() in ("0", "false", "no"):
            return False
        self.bad(column, _("%(value)s is not 1, 0 or -99") % {"value": repr(value)})
        return None

    def choice(self, column: str, choices) -> str:
        value = self.raw(column)
        if value is None:
            return ""
        if value not in choices.values:
            self.bad(column, _("%(value)s is not a value of the list") % {"value": repr(value)})
            return ""
        return value

    def choices(self, column: str, allowed) -> list[str]:
        value = self.raw(column)
        out = []
        for part in (p.strip() for p in (value or "").split(";")):
            if not part:
                continue
            if part not in allowed:
                self.bad(column, _("%(value)s is not a value of the list") % {"value": repr(part)})
            elif part not in out:
                out.append(part)
        return out

    def country(self, column: str, value: str | None = None) -> str | None:
        value = self.raw(column) if value is None else value
        if value is None:
            return None
        iso3 = self.countries.get(value.upper())
        if iso3 is None:
            self.bad(
                column, _("%(value)s is not an ISO 3166 country code") % {"value": repr(value)}
            )
        return iso3

    def country_list(self, column: str) -> list[str]:
        value = self.raw(column)
        found = [self.country(column, p.strip()) for p in (value or "").split(";") if p.strip()]
        return [c for c in found if c]

    def date(self, column: str) -> dt.date | None:
        value = self.raw(column)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.bad(column, _("%(value)s is not a date (YYYY-MM-DD)") % {"value": repr(value)})
            return None

    def integer(self, column: str, *, low: int = 0, high: int = 10_000) -> int | None:
        value = self.raw(column)
        if value is None:
            return None
        try:
            number = int(value)
        except ValueError:
            self.bad(column, _("%(value)s is not a whole number") % {"value": repr(value)})
            return None
        if not low <= number <= high:
            self.bad(
                column,
                _("%(value)s is outside %(low)s–%(high)s")
                % {"value": number, "low": low, "high": high},
            )
            return None
        return number

    def text(self, column: str, limit: int = 10_000) -> str:
        value = self.raw(column) or ""
        if len(value) > limit:
            self.bad(column, _("longer than %(limit)s characters") % {"limit": limit})
        return value


def _content_keys(prefix: str, rows: list[tuple[int, dict]], header: list[str]) -> list[str]:
    """Stable keys for rows without an identifier: digest of the cells and occurrence number."""
    seen: dict[str, int] = {}
    keys = []
    for _line, cells in rows:
        digest = hashlib.sha256(
            "\x1f".join(cells.get(h, "") for h in header).encode("utf-8")
        ).hexdigest()[:24]
        seen[digest] = seen.get(digest, 0) + 1
        keys.append(f"{prefix}:{digest}#{seen[digest]}")
    return keys


ALL_EXPLOITATION = {v for v, _l in TypeOfExploitation.choices} | {FORCED_CRIMINALITY}
ALL_CONTROL = {*MethodOfControl.values, *ControlExtension.values}


def _parse_ctdc(row: _Row, key: str, today: dt.date) -> ParsedRow:
    year = row.integer("yearOfRegistration", low=1990, high=today.year)
    if year is None and row.raw("yearOfRegistration") is None:
        row.bad("yearOfRegistration", _("required"))
    gender = {"female": Gender.FEMININE, "male": Gender.MASCULINE}.get(
        (row.raw("gender") or "").lower(), Gender.NON_SPECIFIED_UNKNOWN
    )
    citizenship = row.country("citizenship")
    band = row.raw("ageBroad") or ""
    if band and band not in {b for _l, _h, b in CTDC_AGE_BANDS}:
        row.bad("ageBroad", _("%(value)s is not a CTDC age range") % {"value": repr(band)})
    majority = row.raw("majorityStatus")
    if majority not in (None, "Adult", "Minor"):
        row.bad(
            "majorityStatus", _("%(value)s is not Adult, Minor or -99") % {"value": repr(majority)}
        )
    at_exploit = row.raw("majorityStatusAtExploit")
    if at_exploit not in (None, "Adult", "Minor"):
        row.bad(
            "majorityStatusAtExploit",
            _("%(value)s is not Adult, Minor or -99") % {"value": repr(at_exploit)},
        )

    def picked(mapping):
        return [code for col, code in mapping.items() if row.flag(col)]

    control = picked(CTDC_CONTROL)
    exploitation = picked(CTDC_EXPLOIT)
    if row.flag("isSexAndLabour"):
        for code in (TypeOfExploitation.FORCED_LABOUR, TypeOfExploitation.SEXUAL_EXPLOITATION):
            if code not in exploitation:
                exploitation.append(code)
    labour = picked(CTDC_LABOUR)
    if LabourType.BEGGING in labour and TypeOfExploitation.FORCED_BEGGING not in exploitation:
        exploitation.append(TypeOfExploitation.FORCED_BEGGING)
    forced_criminality = []
    if LabourType.ILLICIT_ACTIVITIES in labour:
        exploitation.append(FORCED_CRIMINALITY)
        forced_criminality = [ForcedCriminalityActivity.OTHER]
    industry = next((LABOUR_INDUSTRY[t] for t in labour if t in LABOUR_INDUSTRY), "")
    sex = picked(CTDC_SEX)
    relations = picked(CTDC_RELATION)
    exploited_in = row.country("CountryOfExploitation")
    return ParsedRow(
        line=row.line,
        key=key,
        person={
            "given_name": "",
            "gender": gender,
            "primary_citizenship_id": citizenship,
        },
        case={
            "opened_on": dt.date(year or today.year, 1, 1),
            "exploitation_types": exploitation,
            "forced_labour_industry": industry,
            "forced_criminality": forced_criminality,
            "country_of_exploitation_id": exploited_in,
        },
        record={
            "control_methods": control,
            "labour_types": labour,
            "sex_exploitation_types": sex,
            "recruiter_relations": relations,
            "abducted": row.flag("isAbduction"),
            "age_band": band,
            "minor_at_registration": None if majority is None else majority == "Minor",
            "minor_when_exploited": None if at_exploit is None else at_exploit == "Minor",
            "import_source": (row.raw("Datasource") or "CTDC")[:60],
        },
    )


def _parse_htcds(row: _Row, key: str, today: dt.date) -> ParsedRow:
    citizenships = row.country_list("prs_Citizenship")
    born = row.date("prs_Birthdate")
    if born and born > today:
        row.bad("prs_Birthdate", _("in the future"))
    opened = row.date("commit_OpenedOn") or today
    if opened > today:
        row.bad("commit_OpenedOn", _("in the future"))
    exploitation = row.choices("vic_TypeOfExploitation", ALL_EXPLOITATION)
    fc_activities = row.choices(
        "commit_ForcedCriminalityActivities", set(ForcedCriminalityActivity.values)
    )
    if (row.flag("commit_ForcedCriminality") or fc_activities) and (
        FORCED_CRIMINALITY not in exploitation
    ):
        exploitation.append(FORCED_CRIMINALITY)
    languages = [x for x in (row.raw("prs_PrimaryLanguage"), row.raw("prs_SecondaryLanguage")) if x]
    relations = row.choices("commit_RecruiterRelations", set(RecruiterRelation.values))
    if not relations:
        relation = row.raw("vic_RelationshipToTrafficker")
        reverse = {"Familial": RecruiterRelation.FAMILY,
                   "Acquainted": RecruiterRelation.ACQUAINTANCE,
                   "Unaquainted": RecruiterRelation.STRANGER}  # fmt: skip
        if relation and relation not in reverse:
            row.bad(
                "vic_RelationshipToTrafficker",
                _("%(value)s is not a value of the list") % {"value": repr(relation)},
            )
        elif relation:
            relations = [reverse[relation]]
    status = row.choice("cas_Status", CaseStatus) or CaseStatus.ACTIVE
    return ParsedRow(
        line=row.line,
        key=key,
        status=status,
        person={
            "given_name": row.text("prs_FirstName", 200),
            "family_name": row.text("prs_SecondName", 200),
            "date_of_birth": born,
            "age_at_registration": None
            if born
            else row.integer("commit_AgeAtRegistration", high=130),
            "gender": row.choice("prs_Gender", Gender) or Gender.NON_SPECIFIED_UNKNOWN,
            "primary_citizenship_id": citizenships[0] if citizenships else None,
            "other_citizenships": citizenships[1:],
            "stateless": bool(row.flag("commit_Stateless")),
            "languages": languages,
        },
        case={
            "opened_on": opened,
            "trafficking_status": row.choice("vic_TraffickingStatus", TraffickingStatus),
            "exploitation_types": exploitation,
            "forced_labour_industry": row.choice("vic_ForcedLabourIndustry", ForcedLabourIndustry),
            "forced_criminality": fc_activities,
            "country_of_exploitation_id": row.country("commit_CountryOfExploitation"),
            "closure_reason": row.text("cas_ReasonForCaseClosure"),
        },
        record={
            "salutation": row.text("prs_Salutation", 40),
            "title": row.text("prs_Title", 80),
            "email": row.text("prs_Email", 200),
            "home_phone": row.text("prs_HomePhone", 40),
            "mobile_phone": row.text("prs_MobilePhone", 40),
            "mailing_street": row.text("prs_MailingStreet", 200),
            "mailing_city": row.text("prs_MailingCity", 100),
            "mailing_state": row.text("prs_MailingState", 100),
            "mailing_postal_code": row.text("prs_MailingPostalCode", 20),
            "mailing_country_id": row.country("prs_MailingCountry"),
            "recruitment_methods": row.choices(
                "vic_MethodOfRecruitment", set(MethodOfRecruitment.values)
            ),
            "recruiter_relations": relations,
            "recruitment_location": row.text("vic_LocationOfRecruitment"),
            "recruitment_country_id": row.country("commit_RecruitmentCountry"),
            "abducted": row.flag("commit_Abducted"),
            "transit_countries": row.country_list("commit_TransitCountries"),
            "travel_document": row.choice("commit_TravelDocument", TravelDocument),
            "exploitation_location": row.text("vic_LocationOfExploitation"),
            "control_methods": row.choices("vic_MethodsOfControl", ALL_CONTROL),
            "labour_types": row.choices("commit_LabourTypes", set(LabourType.values)),
            "sex_exploitation_types": row.choices(
                "vic_TypeOfSexExploitation", set(TypeOfSexExploitation.values)
            ),
            "exploitation_began_on": row.date("commit_ExploitationBeganOn"),
            "exploitation_months": row.integer("commit_ExploitationMonths", high=1200),
            "minor_when_exploited": row.flag("commit_ChildWhenExploited"),
            "vulnerabilities": row.choices("vic_Vulnerabilities", set(Vulnerability.values)),
            "vulnerability_details": row.text("vic_DetailsOfVulnerabilities"),
            "referring_organisation": row.text("cas_ReferringOrganisation", 200),
            "referring_case_worker": row.text("cas_ReferringPrimaryCaseWorker", 200),
            "incoming_referral_on": row.date("cas_IncomingReferralDate"),
            "incoming_referral_reason": row.choice("cas_ReasonForIncomingReferral", ReferralReason),
            "incoming_referral_details": row.text("cas_IncomingReferralDetails"),
            "referred_case_worker": row.text("cas_ReferredPrimaryCaseWorker", 200),
            "age_band": row.text("commit_AgeBand", 12),
            "minor_at_registration": row.flag("commit_ChildAtRegistration"),
            "import_source": (row.raw("commit_ImportSource") or "HTCDS")[:60],
        },
    )


REQUIRED = {
    "ctdc": ("yearOfRegistration", "gender", "citizenship"),
    "htcds": ("prs_FirstName", "prs_Gender"),
}
KEY_COLUMNS = {"ctdc": ("commit_ImportKey", "id"), "htcds": ("commit_CaseReference",)}


def parse_file(text: str, fmt: str, *, today: dt.date | None = None) -> list[ParsedRow]:
    """Every row's values, or :class:`ImportFailed` listing each problem by line and column."""
    from matis.common.models import Country

    if fmt not in FORMATS:
        raise ImportFailed(
            [ImportProblem(1, "", _("unknown format %(value)s") % {"value": repr(fmt)})]
        )
    today = today or dt.date.today()
    header, rows = _read(text)
    missing = [c for c in REQUIRED[fmt] if c not in header]
    if missing:
        raise ImportFailed(
            [
                ImportProblem(
                    1, c, _("missing column (is this a %(format)s file?)") % {"format": fmt.upper()}
                )
                for c in missing
            ]
        )
    countries = {}
    for iso3, iso2 in Country.objects.values_list("iso3", "iso2"):
        countries[iso3.upper()] = iso3
        countries[iso2.upper()] = iso3
    key_column = next((c for c in KEY_COLUMNS[fmt] if c in header), None)
    keys = _content_keys(fmt, rows, header)
    problems: list[ImportProblem] = []
    parsed = []
    seen: dict[str, int] = {}
    parse = _parse_ctdc if fmt == "ctdc" else _parse_htcds
    for (line, cells), content_key in zip(rows, keys, strict=True):
        row = _Row(line, cells, problems, countries)
        key = content_key
        if key_column:
            own = row.raw(key_column)
            if not own:
                row.bad(key_column, _("empty: each row needs its record key"))
            key = f"{fmt}:{own}"
        if key in seen:
            row.bad(key_column or "", _("same record as line %(line)s") % {"line": seen[key]})
        seen[key] = line
        parsed.append(parse(row, key[:120], today))
    if problems:
        raise ImportFailed(sorted(problems, key=lambda p: p.line))
    return parsed
