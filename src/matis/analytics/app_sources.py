"""Data sources built from MATIS's own records: official statistics series and case records.

Case-derived sources respect consent and the national boundary: they read only
cases of the analyst's own country whose latest "statistics and research"
consent is given, keep no identifying field, and write one audit row per
extract (not one per case: nothing personal leaves the database).
"""

from __future__ import annotations

import itertools

import pandas as pd
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _

from matis.analytics.models import AnalysisKind
from matis.analytics.sources import DataSource, SourceError, register_source

# Indicators offered as yearly series for effectiveness analyses.
SERIES_INDICATORS = (
    "VICTIMS_DETECTED",
    "PERSONS_PROSECUTED",
    "PERSONS_CONVICTED",
    "PERSONS_FORMAL_CONTACT",
)


def statistics_series_frame(user, indicator: str, country: str) -> pd.DataFrame:
    """Approved yearly totals of one indicator for one country: columns ``year``, ``value``."""
    from matis.official_statistics.selectors import filter_observations, observations_visible

    rows = (
        filter_observations(
            observations_visible(user), indicator=indicator, country=country, series_key=""
        )
        .filter(value__isnull=False)
        .order_by("period")
        .values_list("period", "value")
    )
    frame = pd.DataFrame(list(rows), columns=["year", "value"])
    if frame.empty:
        raise SourceError(f"no approved totals of {indicator} for {country}")
    return frame


def _consenting_cases(user):
    """Cases of the user's own country whose latest statistics-and-research consent is given."""
    from matis.cases.choices import ConsentPurpose
    from matis.cases.models import Case
    from matis.cases.selectors import cases_with_consent

    if user.country_id is None:
        raise SourceError(
            "case records stay in their national instance: choose a national data set"
        )
    return cases_with_consent(
        ConsentPurpose.STATISTICS, cases=Case.objects.filter(country_id=user.country_id)
    )


def _audit_extract(user, source: str, n_rows: int) -> None:
    from matis.access.audit import audit_record
    from matis.access.models import AuditAction

    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        country_id=user.country_id,
        object_type="analytics.extract",
        object_id=source,
        n_rows=n_rows,
    )


def case_routes_frame(user) -> pd.DataFrame:
    """Citizenship (origin), first transit country and country of exploitation of consenting cases.

    ``transit`` is empty for a case with no recorded transit (a direct route);
    ``province`` is the ISO 3166-2 code of the province of identification, or empty.
    """
    rows = _consenting_cases(user).values_list(
        "person__primary_citizenship_id",
        "htcds__transit_countries",
        "country_of_exploitation_id",
        "place_of_identification_id",
    )
    frame = pd.DataFrame(
        [(o, (t or [None])[0], d, p) for o, t, d, p in rows],
        columns=["origin", "transit", "destination", "province"],
    ).dropna(subset=["origin", "destination"])
    _audit_extract(user, "cases:routes", len(frame))
    return frame


def _codes(values, prefix: str, codes) -> dict[str, int]:
    have = set(values or [])
    return {f"{prefix}{code}": int(code in have) for code in codes}


def case_risk_factors_frame(user) -> pd.DataFrame:
    """One row per consenting case: groups to compare and 0/1 risk factors from the HTCDS record.

    Group columns: ``exploitation`` (ForcedLabour, SexualExploitation,
    ForcedCriminality, Other or Unknown: the first recorded, forced criminality
    first) and ``identification``. Factor columns: ``child``, ``female``,
    ``vul_*`` (vulnerabilities), ``rec_*`` (method of recruitment), ``rel_*``
    (relationship to the recruiter), ``ctl_*`` (means of control), ``abducted``,
    ``no_documents``; plus ``exploitation_months`` and ``province`` (ISO 3166-2
    code of the province of identification, or empty). No identifying field.
    """
    from matis.cases.choices import (
        FORCED_CRIMINALITY,
        ControlExtension,
        RecruiterRelation,
        TravelDocument,
    )
    from matis.cases.htcds import MethodOfControl, MethodOfRecruitment, Vulnerability

    cases = _consenting_cases(user).select_related("person", "htcds")
    records = []
    for case in cases:
        try:
            rec = case.htcds
        except ObjectDoesNotExist:
            rec = None
        types = case.exploitation_types or []
        exploitation = next(
            (t for t in (FORCED_CRIMINALITY, "ForcedLabour", "SexualExploitation") if t in types),
            "Other" if types else "Unknown",
        )
        age = case.person.current_age(case.opened_on)
        child = rec.minor_at_registration if rec and age is None else None
        row = {
            "exploitation": exploitation,
            "identification": case.trafficking_status or "Undecided",
            "province": case.place_of_identification_id,
            "child": int(age < 18) if age is not None else (int(child) if child is not None else 0),
            "female": int(case.person.gender == "Feminine"),
            **_codes(rec and rec.vulnerabilities, "vul_", Vulnerability.values),
            **_codes(rec and rec.recruitment_methods, "rec_", MethodOfRecruitment.values),
            **_codes(rec and rec.recruiter_relations, "rel_", RecruiterRelation.values),
            **_codes(
                rec and rec.control_methods,
                "ctl_",
                [*MethodOfControl.values, *ControlExtension.values],
            ),
            "abducted": int(bool(rec and rec.abducted)),
            "no_documents": int(bool(rec and rec.travel_document == TravelDocument.NONE)),
            "exploitation_months": rec.exploitation_months if rec else None,
        }
        records.append(row)
    if not records:
        raise SourceError("no consenting cases")
    frame = pd.DataFrame(records)
    _audit_extract(user, "cases:risk-factors", len(frame))
    return frame


def case_route_network_frame(user) -> pd.DataFrame:
    """Links between places on the routes of consenting cases, for the network analysis.

    Each case's route (recruitment country or citizenship → transit countries →
    country of exploitation) gives one link per step, reported by the case
    record (evidence ``victim``). Columns ``source``, ``target``, ``evidence``.
    """
    rows = _consenting_cases(user).values_list(
        "person__primary_citizenship_id",
        "htcds__recruitment_country_id",
        "htcds__transit_countries",
        "country_of_exploitation_id",
    )
    links = []
    for citizenship, recruited, transit, exploited in rows:
        route = [recruited or citizenship, *(transit or []), exploited]
        route = [p for p in route if p]
        links += [(a, b, "victim") for a, b in itertools.pairwise(route) if a != b]
    if not links:
        raise SourceError("no consenting case with a recorded route")
    frame = pd.DataFrame(links, columns=["source", "target", "evidence"])
    _audit_extract(user, "cases:route-network", len(frame))
    return frame


def case_capture_histories_frame(user) -> pd.DataFrame:
    """Which kinds of agency know each consenting person: one list per agency type.

    A person is on a list when any of his or her cases is held by, or was
    referred to, an agency of that type. Patterns are counted, so the frame
    holds no person-level row.
    """
    from matis.cases.models import Referral

    cases = _consenting_cases(user)
    known: dict[int, set[str]] = {}
    for person_id, org_type in cases.values_list("person_id", "agency__org_type"):
        known.setdefault(person_id, set()).add(org_type)
    referred = Referral.objects.filter(case__in=cases).values_list(
        "case__person_id", "provider__agency__org_type"
    )
    for person_id, org_type in referred:
        if org_type:
            known.setdefault(person_id, set()).add(org_type)
    lists = sorted({t for types in known.values() for t in types})
    if len(lists) < 2:
        raise SourceError(
            "fewer than two kinds of agency hold consenting cases: no capture histories"
        )
    patterns = pd.DataFrame(
        [[int(t in types) for t in lists] for types in known.values()], columns=lists
    )
    frame = patterns.value_counts().rename("count").reset_index()
    _audit_extract(user, "cases:capture-histories", int(frame["count"].sum()))
    return frame


def register_app_sources() -> None:
    from matis.common.countries import COMMIT_COUNTRY_NAMES

    its = frozenset({AnalysisKind.ITS})
    for indicator in SERIES_INDICATORS:
        for iso3, country_name in COMMIT_COUNTRY_NAMES.items():
            register_source(
                DataSource(
                    key=f"statistics:{indicator}:{iso3}",
                    label=_("Official statistics: %(indicator)s, %(country)s")
                    % {"indicator": indicator.replace("_", " ").lower(), "country": country_name},
                    kinds=its,
                    loader=lambda user, i=indicator, c=iso3: statistics_series_frame(user, i, c),
                    citation="UNODC GLOTIP and national submissions approved in MATIS",
                    defaults={"time": "year", "outcome": "value"},
                )
            )
    register_source(
        DataSource(
            key="cases:routes",
            label=_("Case records: citizenship → country of exploitation"),
            kinds=frozenset({AnalysisKind.FLOWS}),
            loader=case_routes_frame,
            description=_("Consenting cases of your country only."),
            defaults={"origin": "origin", "destination": "destination", "transit": "transit"},
        )
    )
    register_source(
        DataSource(
            key="cases:capture-histories",
            label=_("Case records: people known to each kind of agency"),
            kinds=frozenset({AnalysisKind.MSE}),
            loader=case_capture_histories_frame,
            description=_("Consenting cases of your country only; one list per kind of agency."),
        )
    )
    register_source(
        DataSource(
            key="cases:risk-factors",
            label=_("Case records: risk factors by form of exploitation"),
            kinds=frozenset({AnalysisKind.RISK}),
            loader=case_risk_factors_frame,
            description=_(
                "Consenting cases of your country only: vulnerabilities, recruitment, "
                "means of control, age and gender as 0/1 factors."
            ),
            defaults={"group": "exploitation", "reference": "ForcedLabour"},
        )
    )
    register_source(
        DataSource(
            key="cases:route-network",
            label=_("Case records: network of recruitment, transit and exploitation countries"),
            kinds=frozenset({AnalysisKind.NETWORK}),
            loader=case_route_network_frame,
            description=_("Consenting cases of your country only; one link per step of a route."),
            defaults={"source_col": "source", "target_col": "target", "evidence_col": "evidence"},
        )
    )
