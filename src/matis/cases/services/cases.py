"""Registering persons and cases, screening, identification, status, secure deletion."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from matis.access.audit import audit_record, changes_since, snapshot
from matis.access.models import AuditAction, User
from matis.access.permissions import has_perm
from matis.cases import screening as instruments
from matis.cases.choices import FORCED_CRIMINALITY
from matis.cases.htcds import CaseStatus
from matis.cases.models import (
    Case,
    IdentificationDecision,
    IdentityDocument,
    Person,
    PersonSearchToken,
    Screening,
)
from matis.cases.protection import document_digest, name_digests
from matis.cases.protection.names import clean_name, romanise

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "romanised_given",
    "romanised_family",
    "aliases",
    "date_of_birth",
    "age_at_registration",
    "gender",
    "primary_citizenship",
    "other_citizenships",
    "stateless",
    "languages",
    "contact_notes",
)
CASE_FIELDS = (
    "exploitation_types",
    "forced_labour_industry",
    "country_of_exploitation",
    "place_of_identification",
    "district_of_identification",
    "forced_criminality",
    "summary",
    "restricted",
    "opened_on",
)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def retention_years() -> int:
    """Years a closed case is kept before secure deletion (``MATIS_CASE_RETENTION_YEARS``)."""
    return int(settings.MATIS_CASE_RETENTION_YEARS)


def person_search_digests(person: Person) -> set[str]:
    digests = name_digests(*person.searchable_names())
    for doc in person.documents.all() if person.pk else []:
        d = document_digest(doc.number)
        if d:
            digests.add(d)
    return digests


def reindex_person(person: Person) -> int:
    """Replace the person's blind-index rows; returns how many there are now."""
    digests = person_search_digests(person)
    PersonSearchToken.objects.filter(person=person).exclude(digest__in=digests).delete()
    have = set(PersonSearchToken.objects.filter(person=person).values_list("digest", flat=True))
    PersonSearchToken.objects.bulk_create(
        [PersonSearchToken(person=person, digest=d) for d in sorted(digests - have)]
    )
    return len(digests)


def _clean_person_values(values: dict) -> dict:
    out = dict(values)
    for key in ("given_name", "family_name", "romanised_given", "romanised_family"):
        if key in out and out[key] is not None:
            out[key] = clean_name(out[key])
    if "aliases" in out:
        out["aliases"] = [clean_name(a) for a in out["aliases"] or [] if clean_name(a)]
    if out.get("given_name") and not out.get("romanised_given"):
        out["romanised_given"] = romanise(out["given_name"])
    if out.get("family_name") and not out.get("romanised_family"):
        out["romanised_family"] = romanise(out["family_name"])
    return out


def next_reference(country_id: str, year: int) -> str:
    prefix = f"{country_id}-{year}-"
    # Only plain numbered references count (demo and imported ones carry a letter suffix).
    last = (
        Case.objects.filter(reference__regex=rf"^{re.escape(prefix)}[0-9]+$")
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:06d}"


@transaction.atomic
def case_register(
    *,
    actor: User,
    person: dict,
    case: dict | None = None,
    documents: list[dict] | None = None,
) -> Case:
    """Register a person and open a case for her or him at the actor's agency."""
    if not has_perm(actor, "cases.register_case"):
        raise PermissionDenied
    values = _clean_person_values({k: v for k, v in person.items() if k in PERSON_FIELDS})
    new_person = Person(country_id=actor.country_id, **values)
    new_person.derive_age()
    new_person.full_clean()
    new_person.save()
    for doc in documents or []:
        document = IdentityDocument(person=new_person, **doc)
        document.full_clean(exclude=["person"])
        document.save()
    reindex_person(new_person)
    case_values = {k: v for k, v in (case or {}).items() if k in CASE_FIELDS}
    opened = case_values.get("opened_on") or dt.date.today()
    new_case = Case(
        reference=next_reference(actor.country_id, opened.year),
        country_id=actor.country_id,
        agency_id=actor.agency_id,
        case_worker=actor if actor.role == "case_worker" else None,
        person=new_person,
        **case_values,
    )
    _check_case_values(new_case)
    new_case.full_clean()
    new_case.save()
    audit_record(actor=actor, action=AuditAction.RECORD_CREATE, obj=new_case)
    return new_case


def _check_case_values(case: Case) -> None:
    from matis.cases.htcds import TypeOfExploitation

    allowed = {v for v, _label in TypeOfExploitation.choices} | {FORCED_CRIMINALITY}
    bad = [v for v in case.exploitation_types if v not in allowed]
    if bad:
        raise ValidationError({"exploitation_types": _("Unknown values: %(v)s") % {"v": bad}})
    if case.forced_criminality and FORCED_CRIMINALITY not in case.exploitation_types:
        case.exploitation_types = [*case.exploitation_types, FORCED_CRIMINALITY]


@transaction.atomic
def person_update(
    *, actor: User, case: Case, person: dict, case_values: dict | None = None
) -> Case:
    """Change the person's record (and case details); re-index names.

    The audit row holds before/after values; the encrypted fields (names, birth
    date, contact details, summary) only as ciphertext (``matis.access.audit``).
    """
    target = case.person
    person_before, case_before = snapshot(target), snapshot(case)
    for key, value in _clean_person_values(
        {k: v for k, v in person.items() if k in PERSON_FIELDS}
    ).items():
        setattr(target, key, value)
    target.derive_age()
    target.full_clean()
    target.save()
    for key, value in (case_values or {}).items():
        if key in CASE_FIELDS and key != "opened_on":
            setattr(case, key, value)
    _check_case_values(case)
    case.full_clean()
    case.save()
    reindex_person(target)
    changes = {
        **changes_since(case_before, case),
        **changes_since(person_before, target, prefix="person."),
    }
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_UPDATE,
        obj=case,
        fields=sorted(person),
        changes=changes,
    )
    return case


@transaction.atomic
def document_add(
    *,
    actor: User,
    case: Case,
    doc_type: str,
    number: str,
    issuing_country=None,
    held_by_person: bool = True,
) -> IdentityDocument:
    document = IdentityDocument(
        person=case.person,
        doc_type=doc_type,
        number=number.strip(),
        issuing_country=issuing_country,
        held_by_person=held_by_person,
    )
    document.full_clean()
    document.save()
    reindex_person(case.person)
    audit_record(actor=actor, action=AuditAction.RECORD_UPDATE, obj=case, added="document")
    return document


@transaction.atomic
def screening_record(
    *,
    actor: User,
    case: Case,
    instrument: str,
    answers: dict[str, bool],
    language: str,
    interpreter_present: bool,
    screened_on: dt.date | None = None,
    notes: str = "",
) -> Screening:
    tool = instruments.instrument(instrument)
    score, recommendation = tool.score(answers)
    row = Screening(
        case=case,
        instrument=tool.slug,
        instrument_version=tool.version,
        answers={code: bool(v) for code, v in answers.items()},
        score=score,
        recommendation=recommendation,
        screened_on=screened_on or dt.date.today(),
        screened_by=actor,
        language=language,
        interpreter_present=interpreter_present,
        notes=notes,
    )
    row.full_clean()
    row.save()
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_CREATE,
        obj=case,
        screening=row.pk,
        recommendation=recommendation,
    )
    return row


@transaction.atomic
def identification_decide(
    *,
    actor: User,
    case: Case,
    decision: str,
    decision_org: str,
    guideline: str,
    language_informed: str,
    interpreter_present: bool,
    decided_on: dt.date | None = None,
    notes: str = "",
) -> IdentificationDecision:
    """Record the identification decision; an identified victim in detention raises alerts."""
    from matis.cases.services.placements import raise_placement_alerts

    codes = {g.code for g in instruments.guidelines_for(case.country_id)}
    if guideline not in codes:
        raise ValidationError({"guideline": _("Choose a guideline of this country.")})
    row = IdentificationDecision(
        case=case,
        decision=decision,
        decided_on=decided_on or dt.date.today(),
        decided_by=actor,
        decision_org=decision_org,
        guideline=guideline,
        language_informed=language_informed,
        interpreter_present=interpreter_present,
        notes=notes,
    )
    row.full_clean()
    row.save()
    case.trafficking_status = decision
    case.save(update_fields=["trafficking_status", "updated_at"])
    audit_record(actor=actor, action=AuditAction.STATUS_CHANGE, obj=case, decision=decision)
    for placement in case.placements.all():
        raise_placement_alerts(actor=actor, placement=placement)
    return row


@transaction.atomic
def case_status_change(
    *, actor: User, case: Case, status: str, reason: str = "", on: dt.date | None = None
) -> Case:
    case.check_transition(status)
    old = case.status
    case.status = status
    if status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED):
        case.closed_on = on or dt.date.today()
        case.closure_reason = reason
        case.retention_until = add_years(case.closed_on, retention_years())
    else:
        case.closed_on = None
        case.retention_until = None
    case.save()
    audit_record(actor=actor, action=AuditAction.STATUS_CHANGE, obj=case, old=old, new=status)
    return case


def _overwrite_encrypted(queryset) -> None:
    """Overwrite every encrypted column of these rows with random ciphertext before deletion."""
    from matis.cases.protection.fields import EncryptedMixin

    model = queryset.model
    fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
    if not fields:
        return
    for obj in queryset:
        for f in fields:
            if getattr(obj, f.attname) is not None:
                setattr(obj, f.attname, f.to_python(_noise(f)))
        model.objects.filter(pk=obj.pk).update(
            **{f.attname: getattr(obj, f.attname) for f in fields}
        )


def _noise(field):
    from matis.cases.protection.fields import EncryptedDateField, EncryptedJSONField

    if isinstance(field, EncryptedDateField):
        return dt.date(1900, 1, 1)
    if isinstance(field, EncryptedJSONField):
        return [secrets.token_hex(16)]
    return secrets.token_hex(16)


@transaction.atomic
def case_secure_delete(*, actor: User | None, case: Case, reason: str) -> str:
    """Overwrite, then delete the case and (if no other case has it) the person.

    On SQLite the connection deletes with ``secure_delete`` on, so freed pages
    are zeroed; on PostgreSQL the space is reclaimed by (auto)vacuum. Backups
    keep old pages until they expire (see docs/data-protection.md).
    """
    from matis.cases.models import (
        Alert,
        BreakGlassGrant,
        ConsentEvent,
        HtcdsRecord,
        Placement,
        Referral,
        ServiceDelivery,
        ShareRecord,
    )

    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for deletion.")})
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
    reference, country_id, case_pk, person = case.reference, case.country_id, case.pk, case.person
    # imported here: the exchange reads cases at import time. The hub is told to forget the
    # person's linkage token in the same transaction, while the case still names it.
    from matis.exchange.services import outbox_enqueue_case_deletion

    outbox_enqueue_case_deletion(case=case)
    for model in (
        Screening,
        IdentificationDecision,
        ConsentEvent,
        Placement,
        Alert,
        Referral,
        ServiceDelivery,
        ShareRecord,
        BreakGlassGrant,
        HtcdsRecord,
    ):
        _overwrite_encrypted(model.objects.filter(case=case))
    _overwrite_encrypted(Case.objects.filter(pk=case_pk))
    for model in (
        Alert,
        ServiceDelivery,
        ShareRecord,
        BreakGlassGrant,
        Referral,
        ConsentEvent,
        Placement,
        IdentificationDecision,
        Screening,
        HtcdsRecord,
    ):
        model.objects.filter(case_id=case_pk).delete()
    Case.objects.filter(pk=case_pk).delete()
    person_deleted = not person.cases.exists()
    if person_deleted:
        _overwrite_encrypted(IdentityDocument.objects.filter(person=person))
        _overwrite_encrypted(Person.objects.filter(pk=person.pk))
        PersonSearchToken.objects.filter(person=person).delete()
        IdentityDocument.objects.filter(person=person).delete()
        Person.objects.filter(pk=person.pk).delete()
    audit_record(
        actor=actor,
        action=AuditAction.SECURE_DELETE,
        country_id=country_id,
        object_type="cases.case",
        object_id=case_pk,
        reference=reference,
        person_deleted=person_deleted,
    )
    return reference
