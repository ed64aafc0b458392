"""The full HTCDS record of a case: editing it, and importing HTCDS or CTDC files."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from matis.access.audit import audit_record, changes_since, snapshot
from matis.access.models import AuditAction, User
from matis.access.permissions import has_perm
from matis.cases.choices import ControlExtension, LabourType, RecruiterRelation
from matis.cases.htcds import (
    CaseStatus,
    MethodOfControl,
    MethodOfRecruitment,
    TypeOfSexExploitation,
    Vulnerability,
)
from matis.cases.interchange import ImportFailed, ImportProblem, ParsedRow, parse_file
from matis.cases.models import Case, HtcdsRecord, Person
from matis.common.models import Country

# Record field -> allowed codes, for the multi-valued coded fields.
CODE_LISTS = {
    "recruitment_methods": set(MethodOfRecruitment.values),
    "recruiter_relations": set(RecruiterRelation.values),
    "control_methods": {*MethodOfControl.values, *ControlExtension.values},
    "labour_types": set(LabourType.values),
    "sex_exploitation_types": set(TypeOfSexExploitation.values),
    "vulnerabilities": set(Vulnerability.values),
}
RECORD_FIELDS = tuple(
    f.attname
    for f in HtcdsRecord._meta.concrete_fields
    if f.name not in ("id", "case", "created_at", "updated_at", "import_key", "import_source")
)
NO_NAME = "(imported without a name)"


def record_of(case: Case) -> HtcdsRecord:
    """The case's HTCDS record (unsaved and empty when it has none yet)."""
    try:
        return case.htcds
    except HtcdsRecord.DoesNotExist:
        return HtcdsRecord(case=case)


def _check_record(rec: HtcdsRecord) -> None:
    errors = {}
    for name, allowed in CODE_LISTS.items():
        bad = [v for v in getattr(rec, name) or [] if v not in allowed]
        if bad:
            errors[name] = _("Unknown values: %(v)s") % {"v": bad}
    known = set(Country.objects.filter(pk__in=rec.transit_countries).values_list("pk", flat=True))
    bad = [c for c in rec.transit_countries if c not in known]
    if bad:
        errors["transit_countries"] = _("Unknown values: %(v)s") % {"v": bad}
    if rec.exploitation_began_on and rec.exploitation_began_on > dt.date.today():
        errors["exploitation_began_on"] = _("The date is in the future.")
    if errors:
        raise ValidationError(errors)
    rec.full_clean(exclude=["case"])


@transaction.atomic
def htcds_record_update(*, actor: User, case: Case, values: dict) -> HtcdsRecord:
    """Set the case's HTCDS fields (recruitment, control, exploitation, referral, contact).

    The caller has passed the edit gate. The audit row lists the changed fields
    (encrypted ones only as ciphertext).
    """
    rec = record_of(case)
    before = snapshot(rec) if rec.pk else {}
    for key, value in values.items():
        if key in RECORD_FIELDS or f"{key}_id" in RECORD_FIELDS:
            setattr(rec, key, value)
    _check_record(rec)
    rec.save()
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_UPDATE,
        obj=case,
        part="htcds",
        changes=changes_since(before, rec, prefix="htcds.") if before else None,
        fields=sorted(k for k in values if k in RECORD_FIELDS or f"{k}_id" in RECORD_FIELDS),
    )
    return rec


# --- import ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    fmt: str
    rows: int = 0
    created: list[str] = field(default_factory=list)
    skipped: int = 0
    dry_run: bool = False


def _next_numbers(country_id: str) -> dict[int, int]:
    numbers: dict[int, int] = {}
    pattern = re.compile(rf"^{re.escape(country_id)}-(\d{{4}})-I(\d+)$")
    for ref in Case.objects.filter(reference__startswith=f"{country_id}-").values_list(
        "reference", flat=True
    ):
        m = pattern.match(ref)
        if m:
            year, n = int(m.group(1)), int(m.group(2))
            numbers[year] = max(numbers.get(year, 0), n)
    return numbers


def _existing_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        found |= set(
            HtcdsRecord.objects.filter(import_key__in=keys[i : i + 500]).values_list(
                "import_key", flat=True
            )
        )
    return found


def _problems(line: int, exc: ValidationError) -> list[ImportProblem]:
    if hasattr(exc, "error_dict"):
        return [
            ImportProblem(line, name, "; ".join(str(m) for e in errs for m in e.messages))
            for name, errs in exc.error_dict.items()
        ]
    return [ImportProblem(line, "", "; ".join(exc.messages))]


def _create(actor: User, row: ParsedRow, reference: str, fmt: str) -> Case:
    from matis.cases.services.cases import _check_case_values, _clean_person_values, reindex_person

    values = dict(row.person)
    named = bool(values.get("given_name"))
    if named:
        values = _clean_person_values(values)
    else:
        values["given_name"] = NO_NAME
    person = Person(country_id=actor.country_id, registered_on=row.case["opened_on"], **values)
    person.derive_age()
    person.full_clean()
    person.save()
    if named:
        reindex_person(person)
    case = Case(
        reference=reference,
        country_id=actor.country_id,
        agency_id=actor.agency_id,
        person=person,
        status=row.status,
        closed_on=dt.date.today()
        if row.status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)
        else None,
        **row.case,
    )
    _check_case_values(case)
    case.full_clean()
    case.save()
    rec = HtcdsRecord(case=case, import_key=row.key, **row.record)
    rec.import_source = rec.import_source or fmt.upper()
    _check_record(rec)
    rec.save()
    audit_record(
        actor=actor, action=AuditAction.RECORD_CREATE, obj=case, imported=fmt, line=row.line
    )
    return case


@transaction.atomic
def cases_import(*, actor: User, text: str, fmt: str, dry_run: bool = False) -> ImportResult:
    """Create one case per new row of an HTCDS or CTDC CSV file, all or nothing.

    Rows whose record key was imported before are skipped (re-import is
    idempotent). Any problem, in the file or in a record, raises
    :class:`ImportFailed` naming line and column, and nothing is written.
    Imported cases carry no consent: they are not shared, referred or used
    for statistics until consent is recorded. ``dry_run`` checks everything
    and rolls back.
    """
    if not has_perm(actor, "cases.register_case") or not actor.agency_id:
        raise PermissionDenied
    rows = parse_file(text, fmt)
    result = ImportResult(fmt=fmt, rows=len(rows), dry_run=dry_run)
    existing = _existing_keys([r.key for r in rows])
    if fmt == "htcds":  # a case exported from this system is here already
        refs = {r.key.split(":", 1)[1]: r.key for r in rows}
        names = list(refs)
        for i in range(0, len(names), 500):
            here = Case.objects.filter(reference__in=names[i : i + 500])
            existing |= {refs[ref] for ref in here.values_list("reference", flat=True)}
    numbers = _next_numbers(actor.country_id)
    problems: list[ImportProblem] = []
    for row in rows:
        if row.key in existing:
            result.skipped += 1
            continue
        year = row.case["opened_on"].year
        numbers[year] = numbers.get(year, 0) + 1
        reference = f"{actor.country_id}-{year}-I{numbers[year]:06d}"
        try:
            with transaction.atomic():
                case = _create(actor, row, reference, fmt)
        except ValidationError as exc:
            problems.extend(_problems(row.line, exc))
            continue
        result.created.append(case.reference)
    if problems:
        raise ImportFailed(problems)
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        country_id=actor.country_id,
        object_type="cases.import",
        format=fmt,
        rows=result.rows,
        created=len(result.created),
        skipped=result.skipped,
        dry_run=dry_run,
    )
    if dry_run:
        transaction.set_rollback(True)
    return result
