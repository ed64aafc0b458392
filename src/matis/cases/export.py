"""Exports: the HTCDS-shaped case record and the subject-access export of one person."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from matis.access.audit import audit_record, list_reads_showing
from matis.access.models import AuditAction, AuditLog, User
from matis.cases.choices import FORCED_CRIMINALITY, ConsentPurpose
from matis.cases.models import Case
from matis.cases.services.consent import consent_allows
from matis.common.models import Country

# HTCDS fields that identify a person: left out of a de-identified record.
IDENTIFYING_FIELDS = frozenset(
    {
        "prs_FirstName",
        "prs_SecondName",
        "prs_MiddleName",
        "prs_Birthdate",
        "prs_IdentityNumber",
        "prs_Salutation",
        "prs_Title",
        "prs_Email",
        "prs_HomePhone",
        "prs_MobilePhone",
        "prs_MailingStreet",
        "prs_MailingCity",
        "prs_MailingState",
        "prs_MailingPostalCode",
        "vic_LocationOfRecruitment",
        "vic_LocationOfExploitation",
        "vic_DetailsOfVulnerabilities",
        "cas_ReferringPrimaryCaseWorker",
        "cas_ReferredPrimaryCaseWorker",
        "cas_IncomingReferralDetails",
        "cas_OutgoingReferralDetails",
    }
)
EXTENSION_PREFIX = "commit_"


def _iso2(country_id: str | None) -> str | None:
    if not country_id:
        return None
    return Country.objects.filter(pk=country_id).values_list("iso2", flat=True).first()


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def record_fields(case: Case, outgoing: list) -> dict:
    """The HTCDS core and trafficking fields kept in :class:`HtcdsRecord` (empty when none)."""
    from matis.cases.interchange import htcds_relationship
    from matis.cases.models import HtcdsRecord

    try:
        rec = case.htcds
    except HtcdsRecord.DoesNotExist:
        rec = HtcdsRecord(case=case)
    return {
        "prs_Salutation": rec.salutation or None,
        "prs_Title": rec.title or None,
        "prs_Email": rec.email or None,
        "prs_HomePhone": rec.home_phone or None,
        "prs_MobilePhone": rec.mobile_phone or None,
        "prs_MailingStreet": rec.mailing_street or None,
        "prs_MailingCity": rec.mailing_city or None,
        "prs_MailingState": rec.mailing_state or None,
        "prs_MailingPostalCode": rec.mailing_postal_code or None,
        "prs_MailingCountry": _iso2(rec.mailing_country_id),
        "vic_MethodOfRecruitment": list(rec.recruitment_methods),
        "vic_RelationshipToTrafficker": htcds_relationship(rec.recruiter_relations),
        "vic_LocationOfRecruitment": rec.recruitment_location or None,
        "vic_MethodsOfControl": list(rec.control_methods),
        "vic_TypeOfSexExploitation": list(rec.sex_exploitation_types),
        "vic_LocationOfExploitation": rec.exploitation_location or None,
        "vic_Vulnerabilities": list(rec.vulnerabilities),
        "vic_DetailsOfVulnerabilities": rec.vulnerability_details or None,
        "cas_CaseOwner": case.agency.name if case.agency_id else None,
        "cas_ReferringOrganisation": rec.referring_organisation or None,
        "cas_IncomingReferralDate": _date(rec.incoming_referral_on),
        "cas_ReferringPrimaryCaseWorker": rec.referring_case_worker or None,
        "cas_ReasonForIncomingReferral": rec.incoming_referral_reason or None,
        "cas_IncomingReferralDetails": rec.incoming_referral_details or None,
        "cas_ReferredPrimaryCaseWorker": rec.referred_case_worker or None,
        "cas_OutgoingReferralDetails": (outgoing[-1].details or None) if outgoing else None,
        "commit_RecruiterRelations": list(rec.recruiter_relations),
        "commit_RecruitmentCountry": _iso2(rec.recruitment_country_id),
        "commit_Abducted": rec.abducted,
        "commit_TransitCountries": [c for c in (_iso2(x) for x in rec.transit_countries) if c],
        "commit_TravelDocument": rec.travel_document or None,
        "commit_LabourTypes": list(rec.labour_types),
        "commit_ExploitationBeganOn": _date(rec.exploitation_began_on),
        "commit_ExploitationMonths": rec.exploitation_months,
        "commit_ChildWhenExploited": rec.minor_when_exploited,
        "commit_AgeBand": rec.age_band or None,
        "commit_ChildAtRegistration": rec.minor_at_registration,
        "commit_ImportSource": rec.import_source or None,
    }


def case_to_htcds(case: Case, *, deidentified: bool = False) -> dict:
    """The case as a JSON-ready dict keyed by HTCDS "Field Name including Prefix".

    COMMIT fields beyond HTCDS (forced criminality, placements, screening) are
    under ``commit_`` keys. ``deidentified`` drops names, birth date and
    document numbers and gives the age at registration instead.
    """
    person = case.person
    htcds_exploitation = [t for t in case.exploitation_types if t != FORCED_CRIMINALITY]
    latest_decision = case.decisions.order_by("-decided_on", "-id").first()
    outgoing = list(case.referrals.select_related("provider").order_by("referred_on", "id"))
    citizenships = [person.primary_citizenship_id, *person.other_citizenships]
    languages = list(person.languages or [])
    record = {
        "prs_FirstName": person.given_name,
        "prs_SecondName": person.family_name,
        "prs_Birthdate": _date(person.date_of_birth),
        "prs_Gender": person.gender,
        "prs_Citizenship": [c for c in (_iso2(x) for x in citizenships if x) if c],
        "prs_PrimaryLanguage": languages[0] if languages else None,
        "prs_SecondaryLanguage": languages[1] if len(languages) > 1 else None,
        "prs_IdentityNumber": next((d.number for d in person.documents.all()), None),
        "vic_AgreementToManagePersonalData": consent_allows(case, ConsentPurpose.SERVICES),
        "vic_TraffickingStatus": case.trafficking_status or None,
        "vic_TraffickingStatusDecisionMakingOrg": latest_decision.decision_org
        if latest_decision
        else None,
        "vic_TypeOfExploitation": htcds_exploitation,
        "vic_ForcedLabourIndustry": case.forced_labour_industry or None,
        "cas_Status": case.status,
        "cas_ReasonForCaseClosure": case.closure_reason or None,
        "cas_OutgoingReferralDate": _date(outgoing[-1].referred_on) if outgoing else None,
        "cas_ReasonForOutgoingReferral": outgoing[-1].reason if outgoing else None,
        "cas_ReferredOrganisation": outgoing[-1].provider.name if outgoing else None,
        "con_Consent": any(
            consent_allows(case, p) for p in (ConsentPurpose.SERVICES, ConsentPurpose.STATISTICS)
        ),
        "spl_Type": sorted({s.service_type for s in case.services.all()}),
        "commit_CaseReference": case.reference,
        "commit_Country": _iso2(case.country_id),
        "commit_OpenedOn": _date(case.opened_on),
        "commit_AgeAtRegistration": person.age_at_registration,
        "commit_Stateless": person.stateless,
        "commit_ForcedCriminality": FORCED_CRIMINALITY in case.exploitation_types,
        "commit_ForcedCriminalityActivities": list(case.forced_criminality),
        "commit_CountryOfExploitation": _iso2(case.country_of_exploitation_id),
        "commit_PlaceOfIdentification": case.place_of_identification_id,  # ISO 3166-2
        "commit_Placements": [
            {
                "kind": p.kind,
                "province": p.place_province.code if p.place_province else None,  # ISO 3166-2
                "voluntary": p.voluntary,
                "start": _date(p.start_date),
                "end": _date(p.end_date),
            }
            for p in case.placements.select_related("facility__subdivision", "province").order_by(
                "start_date", "id"
            )
        ],
        **record_fields(case, outgoing),
        "commit_LatestScreening": next(
            (
                {
                    "instrument": s.instrument,
                    "version": s.instrument_version,
                    "score": s.score,
                    "recommendation": s.recommendation,
                }
                for s in case.screenings.order_by("-screened_on", "-id")[:1]
            ),
            None,
        ),
    }
    if deidentified:
        for key in IDENTIFYING_FIELDS:
            record.pop(key, None)
        record.pop("commit_CaseReference")
        # a province narrows a person down far more than a country: not in de-identified data
        record.pop("commit_PlaceOfIdentification")
        for placement in record["commit_Placements"]:
            placement.pop("province")
        record.pop("cas_ReasonForCaseClosure")
    return record


def _dump(obj, fields: list[str]) -> dict:
    out = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        elif hasattr(value, "pk"):
            value = str(value.pk)
        out[name] = value
    return out


def _access_log(case: Case) -> list[dict]:
    """Who read the case: its own rows, and every list, search or API-list page that showed it."""
    own = AuditLog.objects.filter(object_type="cases.case", object_id=str(case.pk)).select_related(
        "actor"
    )
    rows = sorted([*own, *list_reads_showing(case_id=case.pk)], key=lambda a: (a.at, a.id))
    return [
        {
            "at": a.at.isoformat(),
            "action": a.action,
            "actor_role": a.actor.role if a.actor else None,
            "actor_agency": a.actor.agency_id if a.actor else None,
            **({"shown_in": a.detail.get("purpose", "")} if not a.object_id else {}),
        }
        for a in rows
    ]


@transaction.atomic
def subject_access_export(*, actor: User, case: Case) -> dict:
    """Everything held about the case's person, in cases ``actor`` may read, plus who read it.

    The caller has passed the supervision gate; this writes ``SUBJECT_ACCESS_EXPORT``.
    """
    from matis.cases.gates import cases_visible_to

    person = case.person
    cases = cases_visible_to(actor).filter(person=person).order_by("opened_on", "pk")
    payload = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(),
        "person": _dump(
            person,
            [
                "given_name",
                "family_name",
                "romanised_given",
                "romanised_family",
                "aliases",
                "date_of_birth",
                "age_basis",
                "age_at_registration",
                "registered_on",
                "gender",
                "primary_citizenship",
                "other_citizenships",
                "stateless",
                "languages",
                "contact_notes",
            ],
        ),
        "documents": [
            _dump(d, ["doc_type", "number", "issuing_country", "held_by_person"])
            for d in person.documents.all()
        ],
        "cases": [],
    }
    for c in cases:
        payload["cases"].append(
            {
                "htcds": case_to_htcds(c),
                "summary": c.summary,
                "screenings": [
                    _dump(
                        s,
                        [
                            "instrument",
                            "instrument_version",
                            "answers",
                            "score",
                            "recommendation",
                            "screened_on",
                            "language",
                            "interpreter_present",
                            "notes",
                        ],
                    )
                    for s in c.screenings.all()
                ],
                "decisions": [
                    _dump(
                        d,
                        [
                            "decision",
                            "decided_on",
                            "decision_org",
                            "guideline",
                            "language_informed",
                            "interpreter_present",
                            "notes",
                        ],
                    )
                    for d in c.decisions.all()
                ],
                "consents": [
                    _dump(
                        e,
                        [
                            "purpose",
                            "organisation",
                            "recipient_country",
                            "given",
                            "on",
                            "language",
                            "given_by",
                            "witness",
                        ],
                    )
                    for e in c.consents.all()
                ],
                "placements": [
                    _dump(
                        p,
                        [
                            "kind",
                            "facility",
                            "province",
                            "district",
                            "voluntary",
                            "start_date",
                            "end_date",
                            "notes",
                        ],
                    )
                    for p in c.placements.all()
                ],
                "referrals": [
                    _dump(
                        r,
                        [
                            "provider",
                            "reason",
                            "services",
                            "details",
                            "status",
                            "status_reason",
                            "referred_on",
                            "answered_on",
                        ],
                    )
                    for r in c.referrals.all()
                ],
                "services": [
                    _dump(s, ["provider", "service_type", "delivered_on", "notes"])
                    for s in c.services.all()
                ],
                "shared": [
                    _dump(
                        s,
                        [
                            "purpose",
                            "organisation",
                            "recipient_country",
                            "deidentified",
                            "shared_at",
                        ],
                    )
                    for s in c.shares.all()
                ],
                "access_log": _access_log(c),
            }
        )
    audit_record(
        actor=actor,
        action=AuditAction.SUBJECT_ACCESS_EXPORT,
        obj=case,
        cases=[c["htcds"]["commit_CaseReference"] for c in payload["cases"]],
    )
    return payload


# --- bulk CSV: HTCDS and CTDC -----------------------------------------------------------------


def export_cases(actor: User, fmt: str):
    """The cases ``actor`` may export in ``fmt``, and whether the file is de-identified.

    * ``htcds``: the full, identifying record of the routine-visible cases;
      supervisors only (it is the agency's own file, e.g. to move to a new system).
    * ``ctdc``: de-identified research rows, only of cases whose latest
      "statistics and research" consent is given.
    """
    from django.core.exceptions import PermissionDenied

    from matis.access.permissions import has_perm
    from matis.cases.gates import cases_visible_to, routine_filter
    from matis.cases.selectors import cases_with_consent

    visible = cases_visible_to(actor)
    routine = routine_filter(actor)
    if routine is None:
        raise PermissionDenied
    visible = visible.filter(routine)
    if fmt == "htcds":
        if not has_perm(actor, "cases.supervise_cases"):
            raise PermissionDenied
        return visible, False
    if fmt == "ctdc":
        return cases_with_consent(ConsentPurpose.STATISTICS, cases=visible), True
    raise ValueError(fmt)


@transaction.atomic
def cases_csv(*, actor: User, fmt: str) -> bytes:
    """HTCDS or CTDC CSV of the cases ``actor`` may export; formulas neutralised; audited."""
    from matis.cases.interchange import CTDC_COLUMNS, HTCDS_COLUMNS, ctdc_row, htcds_row
    from matis.common.tables import rows_to_csv

    cases, deidentified = export_cases(actor, fmt)
    cases = cases.select_related("person", "agency", "htcds").order_by("opened_on", "pk")
    rows = []
    for case in cases:
        record = case_to_htcds(case, deidentified=deidentified)
        if fmt == "htcds":
            rows.append(htcds_row(record))
        else:
            rows.append(ctdc_row(record, year=case.opened_on.year))
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        country_id=actor.country_id,
        object_type="cases.export",
        format=fmt,
        n_rows=len(rows),
    )
    header = HTCDS_COLUMNS if fmt == "htcds" else CTDC_COLUMNS
    return rows_to_csv(list(header), rows, bom=False)
