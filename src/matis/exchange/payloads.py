"""What a national instance sends: the data part of each kind of item.

Every builder returns plain JSON-ready data with no personal data in it
(:func:`matis.exchange.privacy.check_payload` is run on it before it is
queued or sent, and again at the hub).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd

from matis.cases.choices import ConsentPurpose
from matis.cases.export import case_to_htcds
from matis.cases.htcds import Gender
from matis.cases.models import Case
from matis.cases.selectors import cases_with_consent
from matis.cases.selectors import consent_countries as _consent_countries
from matis.common.models import COMMIT_COUNTRIES, Country
from matis.exchange import conf
from matis.exchange.privacy import (
    BENIGN_VALUES,
    SENSITIVE_FIELDS,
    check_release,
)
from matis.exchange.signing import canonical_json
from tipstats import disclosure, linkage

# --- approved monitoring reports and official statistics -----------------------


def monitoring_report_data(report) -> dict:
    """An approved activity report: progress, narrative, outputs, partners, budget."""
    report = (
        type(report)
        .objects.select_related("activity", "period")
        .prefetch_related("outputs", "partners", "budget")
        .get(pk=report.pk)
    )
    return {
        "activity": report.activity.code,
        "year": report.period.year,
        "progress": report.progress,
        "narrative": report.narrative,
        "narrative_language": report.narrative_language,
        "outputs": {o.kind: o.count for o in report.outputs.all()},
        "partners": sorted(
            ({"type": p.partner_type, "partner": p.name} for p in report.partners.all()),
            key=lambda p: (p["type"], p["partner"]),
        ),
        "budget": sorted(
            (
                {
                    "line": b.kind,
                    "currency": b.currency,
                    "amount": str(b.amount),
                    "partner": b.partner_name,
                    "partner_type": b.partner_type,
                }
                for b in report.budget.all()
            ),
            key=lambda b: (b["line"], b["partner"], b["currency"]),
        ),
        "approved_at": report.approved_at.isoformat() if report.approved_at else None,
        "synthetic": report.synthetic,
    }


def statistics_data(submission) -> dict:
    """An approved submission as SDMX-CSV (the format the hub imports)."""
    from matis.official_statistics.io.writers import observations_sdmx_lines
    from matis.official_statistics.models import Observation
    from matis.official_statistics.models.observations import OBSERVATION_FIELDS

    rows = (
        Observation.objects.filter(submission=submission)
        .order_by("indicator_id", "series_key")
        .values_list(*OBSERVATION_FIELDS)
    )
    return {
        "year": submission.period,
        "n_observations": len(rows),
        "sdmx_csv": "".join(observations_sdmx_lines(rows)),
        "approved_at": submission.approved_at.isoformat() if submission.approved_at else None,
    }


# --- de-identified case records ---------------------------------------------------

# Age bands that nest into the broad bands of trafficking statistics (0-17, 18-29, 30-49, 50+).
AGE_BANDS = (
    (0, 12, "0-11"),
    (12, 15, "12-14"),
    (15, 18, "15-17"),
    (18, 25, "18-24"),
    (25, 30, "25-29"),
    (30, 40, "30-39"),
    (40, 50, "40-49"),
    (50, 60, "50-59"),
    (60, 200, "60+"),
)
BROAD_AGE = {
    "0-11": "0-17",
    "12-14": "0-17",
    "15-17": "0-17",
    "18-24": "18-29",
    "25-29": "18-29",
    "30-39": "30-49",
    "40-49": "30-49",
    "50-59": "50+",
    "60+": "50+",
}
# Every released field is a quasi-identifier: k counts over all of them together, so no
# record is unique on any combination of released fields (docs/exchange.md).
QUASI_IDENTIFIERS = (
    "prs_Gender",
    "commit_AgeBand",
    "commit_Citizenship",
    "commit_YearOpened",
    "commit_CountryOfExploitation",
    "vic_TypeOfExploitation",
    "vic_TraffickingStatus",
    "commit_ForcedCriminality",
)
STATELESS = "stateless"
OUTSIDE = "outside COMMIT"
UNKNOWN = "unknown"
MAIN_GENDERS = (Gender.FEMININE, Gender.MASCULINE)
OTHER_GENDER = "other or unknown"
# forms of exploitation -> broad form (forms of different broad forms: "several")
BROAD_EXPLOITATION = {
    "ForcedLabour": "labour",
    "ChildLabour": "labour",
    "ForcedBegging": "labour",
    "DomesticServitude": "labour",
    "SexualExploitation": "sexual",
    "ForcedMarriage": "sexual",
}
NONE_RECORDED = "none recorded"
LIST_SEPARATOR = "|"


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    return next(label for lo, hi, label in AGE_BANDS if lo <= age < hi)


def _commit_iso2() -> set[str]:
    return set(Country.objects.filter(pk__in=COMMIT_COUNTRIES).values_list("iso2", flat=True))


def _broad_exploitation(joined: str) -> str:
    forms = [f for f in joined.split(LIST_SEPARATOR) if f]
    if not forms:
        return NONE_RECORDED
    broad = {BROAD_EXPLOITATION.get(f, "other") for f in forms}
    return broad.pop() if len(broad) == 1 else "several"


def _quasi_identifier_hierarchies(frame: pd.DataFrame) -> dict[str, disclosure.Hierarchy]:
    """Each released field's generalisation (the last level of each is suppression, ``*``)."""
    commit = _commit_iso2()

    def region(code):
        if code in (STATELESS, UNKNOWN):
            return code
        return "COMMIT" if code in commit else OUTSIDE

    def values(column):
        return frame[column].dropna().unique()

    def mapping(column, function, name):
        return disclosure.MappingHierarchy(
            maps=({v: function(v) for v in values(column)},), names=(name,)
        )

    def five_years(year):
        return year if year == UNKNOWN else f"{int(year) // 5 * 5}-{int(year) // 5 * 5 + 4}"

    return {
        "prs_Gender": mapping(
            "prs_Gender", lambda g: g if g in MAIN_GENDERS else OTHER_GENDER, "main genders"
        ),
        "commit_AgeBand": disclosure.MappingHierarchy(
            maps=({**BROAD_AGE, UNKNOWN: UNKNOWN},), names=("broad band",)
        ),
        "commit_Citizenship": mapping("commit_Citizenship", region, "region"),
        "commit_YearOpened": mapping("commit_YearOpened", five_years, "five-year period"),
        "commit_CountryOfExploitation": mapping("commit_CountryOfExploitation", region, "region"),
        "vic_TypeOfExploitation": mapping(
            "vic_TypeOfExploitation", _broad_exploitation, "broad form"
        ),
        "vic_TraffickingStatus": None,  # value or suppressed
        "commit_ForcedCriminality": None,
    }


def _deidentified_row(case: Case) -> dict:
    """The released fields of the HTCDS export of ``case``, before k-anonymisation.

    Deciding organisation, forced-labour industry, case status, services and
    forced-criminality activities are not released: on the demo data, each
    one added to the quasi-identifiers ended fully suppressed at k = 11
    (docs/exchange.md).
    """
    htcds = case_to_htcds(case, deidentified=True)
    citizenship = htcds.get("prs_Citizenship") or []
    if htcds.get("commit_Stateless"):
        citizen = STATELESS
    else:
        citizen = citizenship[0] if citizenship else None
    opened = htcds.get("commit_OpenedOn")
    return {
        "prs_Gender": htcds.get("prs_Gender"),
        "commit_AgeBand": age_band(htcds.get("commit_AgeAtRegistration")),
        "commit_Citizenship": citizen,
        "commit_YearOpened": opened[:4] if opened else None,
        "commit_CountryOfExploitation": htcds.get("commit_CountryOfExploitation"),
        "vic_TraffickingStatus": htcds.get("vic_TraffickingStatus"),
        "vic_TypeOfExploitation": sorted(htcds.get("vic_TypeOfExploitation") or []),
        "commit_ForcedCriminality": bool(htcds.get("commit_ForcedCriminality")),
    }


def cases_consenting_to_statistics(country_id: str, *, at: dt.date | None = None) -> list[Case]:
    """The country's cases whose latest consent for statistics and research is "given"."""
    return list(
        cases_with_consent(
            ConsentPurpose.STATISTICS, at=at, cases=Case.objects.filter(country_id=country_id)
        )
        .select_related("person")
        .order_by("pk")
    )


def deidentified_release(country_id: str, *, k: int | None = None) -> tuple[dict, list[int]]:
    """The k-anonymised HTCDS-shaped records of the consenting cases, and those cases' ids.

    Returns ``(data, case_ids)``; ``data["records"]`` has only the fields of
    :data:`matis.exchange.privacy.DEIDENTIFIED_FIELDS`, all of them
    quasi-identifiers: every combination of released values occurs at least
    ``k`` times (records in smaller groups after generalisation are
    suppressed), checked by :func:`matis.exchange.privacy.check_release`.
    """
    k = k or conf.k_anonymity()
    cases = cases_consenting_to_statistics(country_id)
    rows = [_deidentified_row(c) for c in cases]
    frame = pd.DataFrame(rows, columns=list(QUASI_IDENTIFIERS))
    frame["vic_TypeOfExploitation"] = frame["vic_TypeOfExploitation"].map(LIST_SEPARATOR.join)
    frame["commit_ForcedCriminality"] = frame["commit_ForcedCriminality"].astype(object)
    # missing values are a value of their own for grouping, never a hole
    for column in QUASI_IDENTIFIERS:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), UNKNOWN)
    l_value = conf.l_diversity()
    result = disclosure.k_anonymise(
        frame,
        _quasi_identifier_hierarchies(frame),
        k=k,
        max_suppression=conf.max_suppression(),
        l_diversity=l_value,
        sensitive=SENSITIVE_FIELDS,
        benign=BENIGN_VALUES,
    )
    report = result.report
    records = [
        {key: _plain(value) for key, value in row.items()}
        for row in result.released.to_dict(orient="records")
    ]
    if report.level_numbers["vic_TypeOfExploitation"] == 0:  # as recorded: a list again
        for record in records:
            joined = record["vic_TypeOfExploitation"]
            record["vic_TypeOfExploitation"] = [f for f in joined.split(LIST_SEPARATOR) if f]
    records.sort(key=lambda r: canonical_json(r))
    # the hub runs the same check on what it receives (privacy.check_release)
    check_release({"records": records}, k=k, l=l_value)
    data = {
        "k": k,
        "l": l_value,
        "sensitive": list(SENSITIVE_FIELDS),
        "quasi_identifiers": list(QUASI_IDENTIFIERS),
        "generalisation": report.levels,
        "n_consenting": report.n_input,
        "n_released": report.n_released,
        "n_suppressed": report.n_suppressed_records,
        "n_withheld_for_diversity": report.n_withheld_for_diversity,
        "records": records,
    }
    return data, [c.pk for c in cases]


def _plain(value):
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


# --- linkage tokens ---------------------------------------------------------------------


def consent_countries(case: Case) -> list[str]:
    """COMMIT countries the person consented to share with across the border (alpha-3)."""
    covered = set(_consent_countries(case, among=COMMIT_COUNTRIES))
    return [c for c in COMMIT_COUNTRIES if c in covered]


def linkage_frame(cases: list[Case]) -> pd.DataFrame:
    """Name as written (or romanised) and date of birth, for the encoder only.

    Sex is not encoded (the hub could read it from the filters; see
    docs/methods/linkage.md). This frame holds personal data; it never
    leaves this process.
    """
    rows = []
    for case in cases:
        person = case.person
        name = " ".join(p for p in (person.given_name, person.family_name) if p)
        if not name.strip():
            name = person.display_romanised
        rows.append(
            {
                "id": case.pk,
                "name": name,
                "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
            }
        )
    return pd.DataFrame(rows, columns=["id", "name", "date_of_birth"])


def encoder() -> linkage.BloomEncoder:
    return linkage.BloomEncoder(linkage.MATIS_SCHEMA, conf.linkage_secret())


def linkage_token_data(case: Case, subject_ref: str, countries: list[str]) -> dict:
    """The Bloom-filter encoding of one person; no plain value, no blocking tokens.

    ``clk`` is the person's filter; ``spellings`` the filters of whole-name
    spellings when the name has several romanisations (at most
    ``MATIS_SPELLINGS``, none for a name in Latin script).
    """
    encodings = encoder().encode(
        linkage_frame([case]), id_column="id", spellings=linkage.MATIS_SPELLINGS
    )
    blocks = {name: [f"{t:016x}" for t in rows[0]] for name, rows in encodings.block_tokens.items()}
    clk, *spellings = encodings.to_base64()
    return {
        "subject_ref": subject_ref,
        "clk": clk,
        "spellings": spellings,
        "block_tokens": blocks,
        "schema": encodings.schema_fingerprint,
        "consent_countries": countries,
    }


def digest(data) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()
