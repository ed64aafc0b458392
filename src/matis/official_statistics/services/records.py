"""Figures from records: national statistics computed from case, return and justice records.

:func:`records_proposal_compute` counts, for one country and one year, the
figures the statistics officer would otherwise type in (victims identified by
sex, age group, form of exploitation and citizenship; victims repatriated and
the median days to return; victims detained; referrals; investigations,
persons in formal contact, prosecuted and convicted; victims compensated).
Each figure carries its counting rule (:data:`RULES`): what counts, which date
decides the year, how duplicates and several forms of exploitation are counted.

The proposal shows the true counts to the officer (an aggregate read of case
data by a statistics officer of the country: one audit row per computation,
naming the counts). :func:`records_proposal_apply` writes it into the
country-year submission as a **draft**, through the import kit's store step
(:func:`~matis.official_statistics.services.imports.store_rows`), after the
disclosure rule: counts from 1 to ``MATIS_DISCLOSURE["min_cell"] - 1`` are
stored as ``<min_cell``, with enough other cells of the same breakdown hidden
(``x``) that neither the total nor a parent form reveals them (the
suppression of every other release, :func:`_protect`), and a median based on
fewer returns than that is stored as missing. What is stored is what is
approved (four eyes, :mod:`~matis.official_statistics.services.submissions`),
published, downloaded and pushed to the hub; the true small counts stay on
the proposal page. Nothing is approved here.

Only one-way breakdowns are proposed (each dimension against the total), the
shape the validation rules check.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.official_statistics.io.lookup import StructureLookup
from matis.official_statistics.keys import make_key
from matis.official_statistics.linked import (
    FORM_PARENT,
    adds_up,
    is_hidden,
    protect_linked,
    split_levels,
)
from matis.official_statistics.models import Observation, Submission
from matis.official_statistics.models.structure import Unit

# The ``source`` of every observation written from records (files say GLOTIP, NSO, ...).
RECORDS_SOURCE = "MATIS records"
RECORDS_FORMAT = "records"
CHILD_AGE = 18  # as matis.cases.models.people.CHILD_AGE


@dataclass(frozen=True)
class CountingRule:
    """The counting rule of one statistical indicator computed from records."""

    indicator: str
    counts: object  # what counts (lazily translated)
    year: object  # which date decides the year
    duplicates: object  # how one person / several forms are counted
    dimensions: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "counts": str(self.counts),
            "year": str(self.year),
            "duplicates": str(self.duplicates),
            "dimensions": list(self.dimensions),
        }


RULES: dict[str, CountingRule] = {
    r.indicator: r
    for r in (
        CountingRule(
            "VICTIMS_DETECTED",
            gettext_lazy(
                "Persons whose case in this country is identified as a possible or actual "
                "victim of trafficking today. A case whose identification was later decided "
                "'not a victim', or that was deleted, is not counted."
            ),
            gettext_lazy(
                "The date of the person's first identification decision in this country (for "
                "a case identified without a recorded decision, the date it was opened). A "
                "person first identified in an earlier year is not counted again."
            ),
            format_lazy(
                "{} {}",
                gettext_lazy(
                    "Each person once, even with several cases. A person exploited in several "
                    "forms is counted once under each form, so the forms can add up to more than "
                    "the total; a case with no form recorded counts under Unknown. Sex from the "
                    "recorded gender (transgender and non-conforming under Other), age group "
                    "from the age at registration, citizenship from the primary citizenship "
                    "(stateless or not recorded under Unknown)."
                ),
                gettext_lazy(
                    "Province from the province of identification of the person's first case "
                    "(when it is in this country); persons without one count in the total only."
                ),
            ),
            ("SEX", "AGE", "FORM", "CITIZENSHIP", "PROVINCE"),
        ),
        CountingRule(
            "VICTIMS_REPATRIATED",
            gettext_lazy(
                "Persons returned from this country to their home country: returns sent from "
                "this country, handed over at the border, not cancelled. A return marked "
                "completed without a handover date is not counted (it is listed below)."
            ),
            gettext_lazy("The date of the handover (returned on)."),
            gettext_lazy(
                "Each person once, even if returned twice in the year; broken down by the "
                "country returned to, sex, age group and citizenship."
            ),
            ("SEX", "AGE", "CITIZENSHIP", "REPATRIATION"),
        ),
        CountingRule(
            "DAYS_TO_RETURN",
            gettext_lazy(
                "The median number of days from identification to the handover at the "
                "border, over the returns counted in victims repatriated (as on the returns "
                "pages)."
            ),
            gettext_lazy("The date of the handover (returned on)."),
            gettext_lazy(
                "Each person's first return in the year once. Published only when based on "
                "at least the disclosure threshold of returns; otherwise missing."
            ),
            (),
        ),
        CountingRule(
            "VICTIMS_DETAINED",
            gettext_lazy(
                "Persons identified as victims (today) who were held in immigration detention "
                "or police custody in this country at any time in the year, whether before or "
                "after identification."
            ),
            gettext_lazy(
                "Any day of the year: a placement that started on or before 31 December and "
                "had not ended before 1 January."
            ),
            gettext_lazy("Each person once, however many placements."),
            ("SEX", "AGE", "CITIZENSHIP"),
        ),
        CountingRule(
            "REFERRALS",
            gettext_lazy(
                "Referrals of this country's cases to a service provider, whatever the answer, "
                "except referrals revoked."
            ),
            gettext_lazy("The date of the referral."),
            gettext_lazy(
                "Each referral once: a person referred to two providers counts twice. Sex and "
                "age group are those of the person referred."
            ),
            ("SEX", "AGE"),
        ),
        CountingRule(
            "INVESTIGATIONS_OPENED",
            gettext_lazy("Criminal cases (investigations) of this country recorded in MATIS."),
            gettext_lazy("The date the investigation was opened."),
            gettext_lazy("Each criminal case once, whatever the number of suspects."),
            (),
        ),
        CountingRule(
            "PERSONS_FORMAL_CONTACT",
            gettext_lazy("Suspects and defendants of the investigations opened in the year."),
            gettext_lazy("The date the investigation was opened."),
            gettext_lazy(
                "Each suspect of each criminal case once (the same person in two cases is "
                "recorded, and counted, twice: suspects are not linked across cases)."
            ),
            ("SEX", "CITIZENSHIP"),
        ),
        CountingRule(
            "PERSONS_PROSECUTED",
            gettext_lazy("Defendants charged under the trafficking in persons law."),
            gettext_lazy("The date of the defendant's first trafficking charge."),
            gettext_lazy(
                "Each defendant once, however many charges; charges under other laws alone "
                "do not count."
            ),
            ("SEX", "CITIZENSHIP"),
        ),
        CountingRule(
            "PERSONS_CONVICTED",
            gettext_lazy(
                "Defendants convicted at first instance on a trafficking in persons charge. "
                "Acquittals and dismissals do not count."
            ),
            gettext_lazy("The date of the defendant's first such conviction."),
            gettext_lazy("Each defendant once, however many charges or verdicts."),
            ("SEX", "CITIZENSHIP"),
        ),
        CountingRule(
            "VICTIMS_COMPENSATED",
            gettext_lazy(
                "Victims (witnesses or civil parties in a criminal case of this country) "
                "awarded compensation: a claim decided with an amount above zero."
            ),
            gettext_lazy("The date the claim was decided."),
            gettext_lazy("Each person once, however many claims or currencies."),
            ("SEX", "AGE"),
        ),
    )
}

# HTCDS gender -> CL_SEX.
SEX_CODES = {
    "Feminine": "F",
    "Masculine": "M",
    "TransgenderFeminine": "OTHER",
    "TransgenderMasculine": "OTHER",
    "NonConforming": "OTHER",
    "NonSpecifiedUnknown": "UNKNOWN",
}
# HTCDS form of exploitation (and the MATIS extension) -> CL_FORM.
FORM_CODES = {
    "SexualExploitation": "SEXUAL",
    "ForcedLabour": "FORCED_LABOUR",
    "ChildLabour": "FORCED_LABOUR",
    "Servitude": "FORCED_LABOUR",
    "ForcedCriminality": "FORCED_CRIMINALITY",
    "ForcedMarriage": "FORCED_MARRIAGE",
    "ForcedBegging": "BEGGING",
    "OrganRemoval": "ORGAN_REMOVAL",
    "ForcedAdoption": "ILLEGAL_ADOPTION",
}
# Sub-forms also count under their parent, once per person.


class ProposalError(ValueError):
    """The proposal cannot be written (the message says why and what to do)."""


@dataclass
class Figure:
    """One proposed figure: the true count, and what would be stored after disclosure control."""

    indicator: str
    series_key: str
    value: float | None  # None: no value (a median of no returns)
    stored_value: float | None = None
    censored_below: int | None = None
    is_missing: bool = False
    # Hidden only so that a small count cannot be worked out (a complementary
    # suppression): not small itself, so shown as "x", never as "<11".
    suppressed: bool = False

    @property
    def stored_display(self) -> str:
        from matis.official_statistics.values import display_value
        from tipstats.disclosure import COMPLEMENTARY_LABEL

        if self.suppressed:
            return COMPLEMENTARY_LABEL
        return display_value(self.stored_value, self.censored_below, self.is_missing)


@dataclass
class RecordsProposal:
    country_id: str
    year: int
    figures: list[Figure] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)  # records not counted, by reason
    problems: list[str] = field(default_factory=list)

    def value(self, indicator: str, series_key: str = "") -> float | None:
        for f in self.figures:
            if f.indicator == indicator and f.series_key == series_key:
                return f.value
        return None

    def by_indicator(self) -> dict[str, list[Figure]]:
        out: dict[str, list[Figure]] = defaultdict(list)
        for f in self.figures:
            out[f.indicator].append(f)
        return dict(out)

    def totals(self) -> dict[str, float | None]:
        return {f.indicator: f.value for f in self.figures if f.series_key == ""}


def min_cell() -> int:
    """The disclosure threshold for counts of people (``MATIS_DISCLOSURE["min_cell"]``)."""
    return int(settings.MATIS_DISCLOSURE["min_cell"])


def excluded_labels() -> dict[str, str]:
    return {
        "identified_earlier": _("Identified in the year but first identified in an earlier year"),
        "withdrawn": _("Identification decided in the year, later withdrawn (not a victim)"),
        "returned_without_date": _("Returns marked completed without a handover date"),
        "referrals_revoked": _("Referrals revoked"),
        "acquittals": _("First-instance acquittals or dismissals in the year"),
    }


# -- counting -----------------------------------------------------------------------------


class _Tally:
    """Counts of distinct units (persons, referrals...) for one indicator, by one-way breakdowns."""

    def __init__(self, dimensions: Iterable[str]):
        self.dimensions = tuple(dimensions)
        self.cells: dict[str, set] = defaultdict(set)

    def add(self, unit, values: dict[str, Iterable[str] | str]) -> None:
        self.cells[""].add(unit)
        for dim in self.dimensions:
            codes = values.get(dim)
            if codes is None:
                continue
            for code in [codes] if isinstance(codes, str) else codes:
                self.cells[make_key({dim: code})].add(unit)

    def counts(self) -> dict[str, int]:
        out = {key: len(units) for key, units in self.cells.items()}
        out.setdefault("", 0)
        return out


def _sex(gender: str) -> str:
    return SEX_CODES.get(gender or "", "UNKNOWN")


def _age(age: int | None) -> str:
    if age is None:
        return "UNKNOWN"
    return "Y0T17" if age < CHILD_AGE else "Y_GE18"


def _forms(types: Iterable[str]) -> set[str]:
    forms = set()
    for t in types or ():
        code = FORM_CODES.get(t, "OTHER")
        forms.add(code)
        if code in FORM_PARENT:
            forms.add(FORM_PARENT[code])
    return forms or {"UNKNOWN"}


def _people(person_ids: Iterable[int]) -> dict[int, dict]:
    from matis.cases.models import Person

    out = {}
    for row in Person.objects.filter(pk__in=set(person_ids)).values(
        "pk", "gender", "age_at_registration", "primary_citizenship_id"
    ):
        out[row["pk"]] = {
            "SEX": _sex(row["gender"]),
            "AGE": _age(row["age_at_registration"]),
            "CITIZENSHIP": row["primary_citizenship_id"] or "UNKNOWN",
        }
    return out


def _victims_identified(country_id: str, year: int, excluded: dict) -> dict[str, int]:
    from matis.cases.models import IDENTIFIED, Case, IdentificationDecision
    from matis.common.models import Subdivision

    identified = sorted(IDENTIFIED)
    cases = {
        row["pk"]: row
        for row in Case.objects.filter(
            country_id=country_id, trafficking_status__in=identified
        ).values("pk", "person_id", "opened_on", "exploitation_types", "place_of_identification_id")
    }
    provinces = set(
        Subdivision.objects.filter(country_id=country_id).values_list("code", flat=True)
    )
    first_decision: dict[int, object] = {}
    decided_in_year: set[int] = set()  # persons with an identification decision in the year
    for case_id, on in (
        IdentificationDecision.objects.filter(case_id__in=cases, decision__in=identified)
        .order_by("decided_on")
        .values_list("case_id", "decided_on")
    ):
        first_decision.setdefault(case_id, on)
        if on.year == year:
            decided_in_year.add(cases[case_id]["person_id"])
    first_of_person: dict[int, object] = {}
    province_of_person: dict[int, str | None] = {}
    forms_of_person: dict[int, set] = defaultdict(set)
    for case_id, row in cases.items():
        on = first_decision.get(case_id, row["opened_on"])
        person = row["person_id"]
        if person not in first_of_person or on < first_of_person[person]:
            first_of_person[person] = on
            place = row["place_of_identification_id"]
            province_of_person[person] = place if place in provinces else None
        forms_of_person[person] |= set(row["exploitation_types"] or ())
    counted = [p for p, on in first_of_person.items() if on.year == year]
    excluded["identified_earlier"] = len(decided_in_year - set(counted))
    excluded["withdrawn"] = (
        IdentificationDecision.objects.filter(
            case__country_id=country_id, decision__in=identified, decided_on__year=year
        )
        .exclude(case__trafficking_status__in=identified)
        .values("case__person_id")
        .distinct()
        .count()
    )
    people = _people(counted)
    tally = _Tally(RULES["VICTIMS_DETECTED"].dimensions)
    for person in counted:
        values = {**people[person], "FORM": _forms(forms_of_person[person])}
        if province_of_person.get(person):
            values["PROVINCE"] = province_of_person[person]
        tally.add(person, values)
    return tally.counts()


def _repatriated(country_id: str, year: int, excluded: dict) -> tuple[dict[str, int], list]:
    from matis.returns.choices import RepatriationStatus
    from matis.returns.models import Repatriation

    reps = list(
        Repatriation.objects.filter(sending_country_id=country_id, returned_on__year=year)
        .exclude(status=RepatriationStatus.CANCELLED)
        .order_by("returned_on", "pk")
        .values("case__person_id", "receiving_country_id", "returned_on", "identified_on")
    )
    excluded["returned_without_date"] = Repatriation.objects.filter(
        sending_country_id=country_id,
        status=RepatriationStatus.COMPLETED,
        returned_on__isnull=True,
        requested_on__year__lte=year,
    ).count()
    people = _people(r["case__person_id"] for r in reps)
    tally = _Tally(RULES["VICTIMS_REPATRIATED"].dimensions)
    days, seen = [], set()
    for r in reps:
        person = r["case__person_id"]
        tally.add(person, {**people[person], "REPATRIATION": r["receiving_country_id"]})
        if person not in seen:  # the first return in the year
            seen.add(person)
            days.append((r["returned_on"] - r["identified_on"]).days)
    return tally.counts(), days


def _detained(country_id: str, year: int) -> dict[str, int]:
    import datetime as dt

    from matis.cases.choices import DETENTION_KINDS
    from matis.cases.models import IDENTIFIED, Placement

    persons = set(
        Placement.objects.filter(
            case__country_id=country_id,
            case__trafficking_status__in=sorted(IDENTIFIED),
            kind__in=sorted(DETENTION_KINDS),
            start_date__lte=dt.date(year, 12, 31),
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=dt.date(year, 1, 1)))
        .values_list("case__person_id", flat=True)
    )
    people = _people(persons)
    tally = _Tally(RULES["VICTIMS_DETAINED"].dimensions)
    for person in persons:
        tally.add(person, people[person])
    return tally.counts()


def _referrals(country_id: str, year: int, excluded: dict) -> dict[str, int]:
    from matis.cases.choices import ReferralStatus
    from matis.cases.models import Referral

    rows = Referral.objects.filter(case__country_id=country_id, referred_on__year=year)
    excluded["referrals_revoked"] = rows.filter(status=ReferralStatus.REVOKED).count()
    kept = list(rows.exclude(status=ReferralStatus.REVOKED).values_list("pk", "case__person_id"))
    people = _people(p for _pk, p in kept)
    tally = _Tally(RULES["REFERRALS"].dimensions)
    for pk, person in kept:
        tally.add(pk, {k: v for k, v in people[person].items() if k in ("SEX", "AGE")})
    return tally.counts()


def _justice(country_id: str, year: int, excluded: dict) -> dict[str, dict[str, int]]:
    from matis.justice.choices import Instance, Law, VerdictOutcome
    from matis.justice.models import Charge, CriminalCase, Defendant, Verdict

    def dims(gender, nationality) -> dict:
        return {"SEX": _sex(gender), "CITIZENSHIP": nationality or "UNKNOWN"}

    out: dict[str, dict[str, int]] = {}
    opened = CriminalCase.objects.filter(country_id=country_id, opened_on__year=year)
    out["INVESTIGATIONS_OPENED"] = {"": opened.count()}
    contact = _Tally(RULES["PERSONS_FORMAL_CONTACT"].dimensions)
    for pk, gender, nationality in Defendant.objects.filter(criminal_case__in=opened).values_list(
        "pk", "gender", "nationality_id"
    ):
        contact.add(pk, dims(gender, nationality))
    out["PERSONS_FORMAL_CONTACT"] = contact.counts()

    defendants = {
        pk: dims(g, n)
        for pk, g, n in Defendant.objects.filter(criminal_case__country_id=country_id).values_list(
            "pk", "gender", "nationality_id"
        )
    }
    first_charge: dict[int, object] = {}
    for defendant, on in (
        Charge.objects.filter(defendant_id__in=defendants, law=Law.TRAFFICKING)
        .order_by("charged_on")
        .values_list("defendant_id", "charged_on")
    ):
        first_charge.setdefault(defendant, on)
    prosecuted = _Tally(RULES["PERSONS_PROSECUTED"].dimensions)
    for defendant, on in first_charge.items():
        if on.year == year:
            prosecuted.add(defendant, defendants[defendant])
    out["PERSONS_PROSECUTED"] = prosecuted.counts()

    first_verdicts = Verdict.objects.filter(
        charge__defendant_id__in=defendants,
        charge__law=Law.TRAFFICKING,
        instance=Instance.FIRST,
    )
    first_conviction: dict[int, object] = {}
    for defendant, on in (
        first_verdicts.filter(outcome=VerdictOutcome.CONVICTED)
        .order_by("decided_on")
        .values_list("charge__defendant_id", "decided_on")
    ):
        first_conviction.setdefault(defendant, on)
    convicted = _Tally(RULES["PERSONS_CONVICTED"].dimensions)
    for defendant, on in first_conviction.items():
        if on.year == year:
            convicted.add(defendant, defendants[defendant])
    out["PERSONS_CONVICTED"] = convicted.counts()
    excluded["acquittals"] = (
        first_verdicts.filter(decided_on__year=year)
        .exclude(outcome=VerdictOutcome.CONVICTED)
        .count()
    )
    return out


def _compensated(country_id: str, year: int) -> dict[str, int]:
    from matis.justice.models import CompensationClaim

    persons = set(
        CompensationClaim.objects.filter(
            witness__criminal_case__country_id=country_id,
            decided_on__year=year,
            awarded__gt=0,
        ).values_list("witness__case__person_id", flat=True)
    )
    people = _people(persons)
    tally = _Tally(RULES["VICTIMS_COMPENSATED"].dimensions)
    for person in persons:
        tally.add(person, {k: v for k, v in people[person].items() if k in ("SEX", "AGE")})
    return tally.counts()


def records_count(country_id: str, year: int) -> RecordsProposal:
    """Every figure of one country and year, true counts (no access check, no audit: internal)."""
    proposal = RecordsProposal(country_id=country_id, year=year)
    excluded: dict[str, int] = {}
    counts: dict[str, dict[str, int]] = {}
    counts["VICTIMS_DETECTED"] = _victims_identified(country_id, year, excluded)
    counts["VICTIMS_REPATRIATED"], days = _repatriated(country_id, year, excluded)
    counts["VICTIMS_DETAINED"] = _detained(country_id, year)
    counts["REFERRALS"] = _referrals(country_id, year, excluded)
    counts.update(_justice(country_id, year, excluded))
    counts["VICTIMS_COMPENSATED"] = _compensated(country_id, year)
    proposal.excluded = excluded
    lookup = StructureLookup.load()
    for indicator in RULES:
        if indicator == "DAYS_TO_RETURN":
            median = float(statistics.median(days)) if days else None
            proposal.figures.append(Figure(indicator, "", median))
            _check_structure(proposal, lookup, indicator, {""}, Unit.DAYS)
            continue
        cells = counts[indicator]
        _check_structure(proposal, lookup, indicator, cells, Unit.COUNT)
        for key in sorted(cells):
            proposal.figures.append(Figure(indicator, key, float(cells[key])))
    _protect(proposal)
    return proposal


def _check_structure(proposal, lookup: StructureLookup, indicator: str, keys, unit) -> None:
    """Every indicator, dimension and code the figures use must exist (a clear problem if not)."""
    from matis.official_statistics.keys import parse_key

    found = lookup.indicator(indicator, labels=False)
    if found is None:
        proposal.problems.append(
            _("The indicator %(code)s is missing or inactive: load the statistics structure.")
            % {"code": indicator}
        )
        return
    if found.unit != unit:
        proposal.problems.append(
            _("The indicator %(code)s has the unit %(unit)s, not %(expected)s.")
            % {"code": indicator, "unit": found.unit, "expected": unit}
        )
    for key in keys:
        for dim, code in parse_key(key).items():
            if dim not in found.dimensions:
                proposal.problems.append(
                    _("The indicator %(code)s is not broken down by %(dim)s.")
                    % {"code": indicator, "dim": dim}
                )
            elif code not in lookup.dimensions[dim].codes:
                proposal.problems.append(
                    _(
                        "%(dim)s has no code %(value)s (used by %(code)s): an administrator "
                        "adds it to the code list in the admin site."
                    )
                    % {"dim": dim, "value": code, "code": indicator}
                )
    proposal.problems[:] = list(dict.fromkeys(proposal.problems))


def _hide_complement(f: Figure) -> None:
    f.suppressed, f.stored_value = True, None


def _suppress_group(cells: list[Figure], margin: Figure | None, threshold: int, width: int) -> None:
    """Hide within one group of cells whose margin (their total) is ``margin``.

    :func:`tipstats.disclosure.suppress_small_cells`: the small cells, and enough
    others (complements, ``x``) that every hidden count's feasible range, given the
    margin and everything shown, is at least ``width`` wide (checked by linear
    programming); where that needs the margin hidden, ``margin`` is hidden too.
    When no pattern gives that width, every non-zero cell is hidden.
    """
    import pandas as pd

    from tipstats.disclosure import suppress_small_cells

    counts = pd.Series([int(f.value or 0) for f in cells], index=[f.series_key for f in cells])
    if not counts.any():
        return
    try:
        status = suppress_small_cells(counts, threshold=threshold, protection=width).status
    except ValueError:
        for f in cells:
            if f.value and not is_hidden(f):
                _hide_complement(f)
        return
    for f in cells:
        if status[f.series_key] == "complementary" and not f.censored_below:
            _hide_complement(f)
    if status.iloc[-1] != "published" and margin is not None and not is_hidden(margin):
        _hide_complement(margin)


def _protect_breakdown_by_count(cells: list[Figure]) -> None:
    """The rule for thresholds under 3 (where ``<2`` already says the count is 1): one
    hidden cell takes the next smallest with it, a hidden sub-form its parent."""
    by_key = {f.series_key: f for f in cells}
    for f in list(cells):
        dim, _eq, code = f.series_key.partition("=")
        parent = by_key.get(f"{dim}={FORM_PARENT[code]}") if code in FORM_PARENT else None
        if f.censored_below and parent is not None and not is_hidden(parent):
            _hide_complement(parent)
    if sum(is_hidden(f) for f in cells) == 1:
        shown = sorted(
            (f for f in cells if not is_hidden(f) and f.value > 0),
            key=lambda f: (f.value, f.series_key),
        )
        if shown:
            _hide_complement(shown[0])


def _protect_breakdown(
    cells: list[Figure], total: Figure | None, threshold: int, width: int
) -> None:
    """One breakdown: its top-level cells add up to the total, sub-forms to their parent.

    Where they do add up, the sub-forms take their parent's place and the whole
    breakdown is one table with the total as margin; the parent is then shown
    only when none of its sub-forms is hidden or they are the only hidden cells
    (it is the total less what is shown either way). Where they do not (a person
    counted under several forms), each group is protected with its own margin.
    Finally a hidden parent whose sub-forms are all shown would be their sum, so
    they are hidden too.
    """
    by_key = {f.series_key: f for f in cells}
    top, children = split_levels(cells, FORM_PARENT)
    flattened = {
        key
        for key, group in children.items()
        if adds_up(top, total) and adds_up(group, by_key[key])
    }
    for key, group in children.items():
        if key not in flattened:
            _suppress_group(group, by_key[key], threshold, width)
    if flattened:
        flat = [
            g for f in top for g in (children[f.series_key] if f.series_key in flattened else [f])
        ]
        _suppress_group(flat, total, threshold, width)
        hidden = {f.series_key for f in flat if is_hidden(f)}
        for key in flattened:
            own = {f.series_key for f in children[key] if is_hidden(f)}
            if own and own != hidden and not is_hidden(by_key[key]):
                _hide_complement(by_key[key])
    else:
        _suppress_group(top, total, threshold, width)
    for key, group in children.items():
        if is_hidden(by_key[key]) and not any(is_hidden(f) for f in group):
            for f in group:
                if f.value:
                    _hide_complement(f)


def _protect(proposal: RecordsProposal) -> None:
    """Set what would be stored: small counts as ``<min_cell``, thin medians as missing.

    Each one-way breakdown is protected as a table with its total (and the
    sub-forms of "Other forms" with their parent) by
    :func:`tipstats.disclosure.suppress_small_cells`, the rule of every other
    release: complementary cells hidden so that no small count can be worked
    out, each hidden count's range at least ``MATIS_DISCLOSURE["protection"]``
    wide. Complementary cells are not small, so they carry the labels of
    :func:`tipstats.disclosure.protect_counts`: ``x`` (hidden), not
    ``<min_cell``; they are stored without a value, as withheld (missing), like a
    thin median.
    """
    threshold = min_cell()
    width = min(int(settings.MATIS_DISCLOSURE.get("protection") or 1), threshold - 2)
    n_returns = proposal.value("VICTIMS_REPATRIATED") or 0
    by_breakdown: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for f in proposal.figures:
        if f.indicator == "DAYS_TO_RETURN":
            if f.value is None or n_returns < threshold:
                f.is_missing = True
            else:
                f.stored_value = f.value
            continue
        if 1 <= f.value < threshold:
            f.censored_below = threshold
        else:
            f.stored_value = f.value
        dim = f.series_key.partition("=")[0]
        if dim:
            by_breakdown[(f.indicator, dim)].append(f)
    totals = {f.indicator: f for f in proposal.figures if f.series_key == ""}
    by_indicator: dict[str, list[Figure]] = defaultdict(list)
    for (indicator, _dim), cells in by_breakdown.items():
        by_indicator[indicator] += cells
        if width < 1:
            _protect_breakdown_by_count(cells)
        else:
            _protect_breakdown(cells, totals.get(indicator), threshold, width)
    if width >= 1:
        for indicator, cells in by_indicator.items():
            protect_linked(totals.get(indicator), cells, threshold, width, parent_of=FORM_PARENT)


# -- services -----------------------------------------------------------------------------


def _require_officer(actor, country_id: str) -> None:
    if actor is not None and not (
        has_perm(actor, "statistics.edit_submission", country_id)
        and getattr(actor, "country_id", None) == country_id
    ):
        raise PermissionDenied(
            _("Only the country's statistics officers compute its figures from records.")
        )


def records_proposal_compute(*, actor, country_id: str, year: int) -> RecordsProposal:
    """The proposed figures of ``country_id`` for ``year``, true counts; audited as one read."""
    _require_officer(actor, country_id)
    proposal = records_count(country_id, year)
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_READ,
        country_id=country_id,
        object_type="statistics.records_proposal",
        object_id=year,
        purpose="statistics_from_records",
        year=year,
        totals=proposal.totals(),
        excluded=proposal.excluded,
    )
    return proposal


def records_proposal_apply(*, actor, country_id: str, year: int):
    """Write the proposal into the country-year submission (a draft); returns the ImportResult.

    Refused (:class:`ProposalError`, nothing written) when the structure lacks
    a code the figures need, or the submission is submitted or approved.
    Cells written from records earlier and now empty are set to 0.
    """
    from matis.official_statistics.services.imports import ImportRejected, store_rows

    proposal = records_proposal_compute(actor=actor, country_id=country_id, year=year)
    if proposal.problems:
        raise ProposalError(" ".join(proposal.problems))
    submission = Submission.objects.filter(country_id=country_id, period=year).first()
    if submission is not None and not submission.is_editable:
        raise ProposalError(
            _(
                "The submission %(country)s %(year)s is %(status)s: figures from records go into "
                "a draft. Return or reopen it first."
            )
            % {"country": country_id, "year": year, "status": submission.get_status_display()}
        )
    lookup = StructureLookup.load()
    rows, wanted = [], set()
    for n, f in enumerate(proposal.figures, start=1):
        ind = lookup.indicators[f.indicator]
        wanted.add((ind.id, f.series_key))
        rows.append(
            (
                n,
                ind.id,
                country_id,
                year,
                f.series_key,
                f.stored_value,
                f.censored_below,
                f.is_missing or f.suppressed,
                False,
                False,
                RECORDS_SOURCE,
            )
        )
    if submission is not None:
        stale = Observation.objects.filter(submission=submission, source=RECORDS_SOURCE)
        for ind_id, key in stale.values_list("indicator_id", "series_key"):
            if (ind_id, key) not in wanted:
                median = ind_id == lookup.indicators["DAYS_TO_RETURN"].id
                rows.append(
                    (
                        len(rows) + 1,
                        ind_id,
                        country_id,
                        year,
                        key,
                        None if median else 0.0,
                        None,
                        median,
                        False,
                        False,
                        RECORDS_SOURCE,
                    )
                )
    try:
        return store_rows(
            rows, actor=actor, filename=RECORDS_SOURCE, fmt=RECORDS_FORMAT, country=country_id
        )
    except ImportRejected as exc:
        raise ProposalError(str(exc)) from None


def rule_texts() -> dict[str, dict]:
    """The counting rules in the active language, by indicator code."""
    return {code: rule.as_dict() for code, rule in RULES.items()}


__all__ = [
    "RECORDS_SOURCE",
    "RULES",
    "CountingRule",
    "Figure",
    "ProposalError",
    "RecordsProposal",
    "min_cell",
    "records_count",
    "records_proposal_apply",
    "records_proposal_compute",
    "rule_texts",
]
