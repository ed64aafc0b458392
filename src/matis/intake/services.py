"""Writes: record and triage tips, convert them into cases, register a rescued group.

Every service is keyword-only, atomic and audited. Cases, consent and screening
go through :mod:`matis.cases.services`; the hotline register's monthly rows are
recounted from the tips in the same transaction as each tip change.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matis.access.audit import audit_record
from matis.access.models import Agency, AuditAction, OrganisationType, User
from matis.access.permissions import has_perm
from matis.cases.choices import ConsentPurpose, Language
from matis.cases.htcds import Gender
from matis.cases.models import Case, ServiceProvider
from matis.cases.services import case_register, consent_record
from matis.common.dateinput import parse_input_date
from matis.common.models import Country, District, Subdivision
from matis.intake.choices import HOTLINE_CHANNELS, TipStatus
from matis.intake.models import GroupMember, GroupRegistration, Tip, TipCase
from matis.intake.selectors import HOTLINE_SERVICE, hotline_monthly_counts
from matis.registers.models import HotlineRecord

TIP_FIELDS = (
    "channel",
    "received_at",
    "place_country",
    "province",
    "district",
    "place",
    "issue",
    "report",
    "reporter_contact",
    "urgency",
)
MAX_AGE = 120


def _next_number(model, prefix: str, width: int) -> str:
    last = (
        model.objects.filter(reference__regex=rf"^{re.escape(prefix)}[0-9]+$")
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:0{width}d}"


# --- hotline counts ----------------------------------------------------------------------------


def hotline_counts_refresh(*, actor: User | None, country: str, year: int, month: int) -> int:
    """Recount the computed hotline rows of one country and month from the tips.

    Rows keep their reference across refreshes (matched by service, issue and
    outcome); a cell that drops to zero is deleted. Returns the month's total.
    """
    counts = hotline_monthly_counts(country=country, year=year, month=month)
    existing = {
        (r.service, r.issue, r.outcome): r
        for r in HotlineRecord.objects.select_for_update().filter(
            country_id=country, year=year, month=month, computed=True
        )
    }
    wanted = {(HOTLINE_SERVICE[ch], issue, out): n for (ch, issue, out), n in counts.items()}
    for key, row in existing.items():
        if key not in wanted:
            row.delete()
        elif row.count != wanted[key]:
            row.count = wanted[key]
            row.save(update_fields=["count", "updated_at"])
    for (service, issue, outcome), n in wanted.items():
        if (service, issue, outcome) not in existing:
            HotlineRecord(
                country_id=country,
                service=service,
                year=year,
                month=month,
                issue=issue,
                outcome=outcome,
                count=n,
                computed=True,
            ).save()
    total = sum(counts.values())
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_UPDATE,
        country_id=country,
        object_type="registers.hotlinerecord",
        computed_from="intake.tip",
        year=year,
        month=month,
        total=total,
    )
    return total


def _refresh_for(tip: Tip, actor: User | None) -> None:
    if tip.channel in HOTLINE_CHANNELS:
        local = timezone.localtime(tip.received_at)
        hotline_counts_refresh(
            actor=actor, country=tip.country_id, year=local.year, month=local.month
        )


# --- tips --------------------------------------------------------------------------------------


@transaction.atomic
def tip_record(*, actor: User, values: dict) -> Tip:
    """Record a tip received by the actor's agency; it starts as "new"."""
    if not has_perm(actor, "intake.record_tip"):
        raise PermissionDenied
    data = {k: v for k, v in values.items() if k in TIP_FIELDS}
    received = data.get("received_at") or timezone.now()
    if received > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"received_at": _("The time is in the future.")})
    data["received_at"] = received
    year = timezone.localtime(received).year
    tip = Tip(
        reference=_next_number(Tip, f"TIP-{actor.country_id}-{year}-", 6),
        country_id=actor.country_id,
        agency_id=actor.agency_id,
        recorded_by=actor,
        **data,
    )
    tip.full_clean()
    tip.save()
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_CREATE,
        obj=tip,
        channel=tip.channel,
        urgency=tip.urgency,
    )
    _refresh_for(tip, actor)
    return tip


@transaction.atomic
def tip_triage(
    *,
    actor: User,
    tip: Tip,
    status: str,
    urgency: str | None = None,
    issue: str | None = None,
    notes: str = "",
    referred_to: Agency | None = None,
    on: dt.date | None = None,
) -> Tip:
    """Move a tip along its workflow: triaged, referred to law enforcement or closed.

    ``on`` is the day of the step (today unless given): the referral date and the
    date stamped on the notes. Conversion into cases is :func:`tip_convert`.
    """
    if not has_perm(actor, "intake.triage_tips"):
        raise PermissionDenied
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    if status == TipStatus.CONVERTED:
        raise ValidationError({"status": _("Convert a tip into cases on the conversion page.")})
    tip.check_transition(status)
    old = tip.status
    if status == TipStatus.REFERRED:
        if referred_to is None:
            raise ValidationError({"referred_to": _("Name the law-enforcement agency.")})
        if referred_to.country_id != tip.country_id or referred_to.org_type != (
            OrganisationType.LAW_ENFORCEMENT
        ):
            raise ValidationError(
                {"referred_to": _("Choose a law-enforcement agency of this country.")}
            )
        tip.referred_to = referred_to
        tip.referred_on = on or timezone.localdate()
    if status == TipStatus.CLOSED and not notes.strip():
        raise ValidationError({"notes": _("Say why the tip is closed.")})
    tip.status = status
    if urgency:
        tip.urgency = urgency
    if issue:
        tip.issue = issue
    if notes.strip():
        stamp = (on or timezone.localdate()).isoformat()
        tip.triage_notes = "\n".join(
            p for p in (tip.triage_notes, f"{stamp}: {notes.strip()}") if p
        )
    tip.full_clean()
    tip.save()
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        obj=tip,
        old=old,
        new=status,
        referred_to=tip.referred_to_id if status == TipStatus.REFERRED else None,
    )
    _refresh_for(tip, actor)
    return tip


@transaction.atomic
def tip_convert(
    *, actor: User, tip: Tip, rows: list[dict], opened_on: dt.date | None = None
) -> list[Case]:
    """Open one case per person the tip concerns; each case keeps the link to the tip.

    ``rows`` are person rows as :func:`group_register` takes them. A bad row
    raises :class:`RowError` naming it, and nothing is written.
    """
    if not has_perm(actor, "intake.triage_tips"):
        raise PermissionDenied
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    tip.check_transition(TipStatus.CONVERTED)
    rows = _filled(rows)
    if not rows:
        raise ValidationError(_("Give at least one person."))
    opened = opened_on or timezone.localdate()
    people = [_parse_row(i, row, on=opened) for i, row in enumerate(rows, start=1)]
    cases = [_register_person(actor, person, opened_on=opened) for person in people]
    TipCase.objects.bulk_create([TipCase(tip=tip, case=case) for case in cases])
    old = tip.status
    tip.status = TipStatus.CONVERTED
    tip.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        obj=tip,
        old=old,
        new=TipStatus.CONVERTED,
        cases=[c.pk for c in cases],
    )
    _refresh_for(tip, actor)
    return cases


# --- person rows (tip conversion and group registration) ---------------------------------------


class RowError(ValidationError):
    """A bad person row: names the row (from 1) and the field; nothing was written."""

    def __init__(self, row: int, field: str, message):
        self.row, self.field = row, field
        text = _("Row %(row)s, %(field)s: %(message)s") % {
            "row": row,
            "field": ROW_FIELD_LABELS.get(field, field),
            "message": message,
        }
        super().__init__(text, code="row")


ROW_FIELD_LABELS = {
    "name": _("name as written"),
    "sex": _("sex"),
    "age": _("age"),
    "date_of_birth": _("date of birth"),
    "nationality": _("nationality"),
    "language": _("language"),
    "consent": _("consent to share"),
}
SEX = {
    "f": Gender.FEMININE,
    "m": Gender.MASCULINE,
    "": Gender.NON_SPECIFIED_UNKNOWN,
    **{v.lower(): v for v in Gender.values},
}
YES = {"1", "y", "yes", "true", "on"}


@dataclass
class PersonRow:
    row: int
    name: str
    gender: str
    age: int | None
    date_of_birth: dt.date | None
    nationality: str | None
    language: str
    consent: bool


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _filled(rows: list[dict]) -> list[dict]:
    """The rows with anything typed in them (blank rows of the page are left out)."""
    return [r for r in rows if any(_text(v) for k, v in r.items() if k != "consent")]


def _parse_row(i: int, row: dict, *, on: dt.date) -> PersonRow:
    name = _text(row.get("name"))
    if not name:
        raise RowError(i, "name", _("This field is required."))
    sex = SEX.get(_text(row.get("sex")).lower())
    if sex is None:
        raise RowError(i, "sex", _("Use F, M or leave it empty."))
    age = None
    if _text(row.get("age")):
        try:
            age = int(_text(row.get("age")))
        except ValueError:
            raise RowError(i, "age", _("Enter a whole number.")) from None
        if not 0 <= age <= MAX_AGE:
            raise RowError(i, "age", _("Enter an age between 0 and 120."))
    born = row.get("date_of_birth") or None
    if isinstance(born, str):
        try:
            born = parse_input_date(born) if born.strip() else None
        except ValidationError as error:
            raise RowError(i, "date_of_birth", " ".join(error.messages)) from None
    if born is not None and born > on:
        raise RowError(i, "date_of_birth", _("The date of birth is in the future."))
    nationality = _text(row.get("nationality")).upper() or None
    if nationality and not Country.objects.filter(pk=nationality).exists():
        raise RowError(i, "nationality", _("Unknown country code."))
    language = _text(row.get("language")).lower()
    if language not in Language.values:
        raise RowError(i, "language", _("Choose a language from the list."))
    consent = row.get("consent")
    consent = consent if isinstance(consent, bool) else _text(consent).lower() in YES
    return PersonRow(i, name, sex, age, born, nationality, language, consent)


def _register_person(actor: User, person: PersonRow, *, opened_on: dt.date) -> Case:
    values = {
        "given_name": person.name,
        "gender": person.gender,
        "age_at_registration": person.age,
        "date_of_birth": person.date_of_birth,
        "primary_citizenship": Country.objects.get(pk=person.nationality)
        if person.nationality
        else None,
        "languages": [person.language],
    }
    try:
        return case_register(actor=actor, person=values, case={"opened_on": opened_on})
    except ValidationError as exc:
        field, message = _first_error(exc)
        raise RowError(person.row, _PERSON_TO_ROW.get(field, field), message) from exc


_PERSON_TO_ROW = {
    "given_name": "name",
    "gender": "sex",
    "age_at_registration": "age",
    "primary_citizenship": "nationality",
    "languages": "language",
    "given_by": "consent",
}


def _first_error(exc: ValidationError) -> tuple[str, str]:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        return field, "; ".join(str(m) for e in errors for m in e.messages)
    return "name", "; ".join(exc.messages)


def _record_consent(actor: User, case: Case, person: PersonRow, *, on: dt.date) -> None:
    """The person's own consent record: to services, and to her or his embassy if given."""
    try:
        consent_record(
            actor=actor,
            case=case,
            purpose=ConsentPurpose.SERVICES,
            given=person.consent,
            on=on,
            language=person.language,
        )
        if person.consent and person.nationality and person.nationality != case.country_id:
            consent_record(
                actor=actor,
                case=case,
                purpose=ConsentPurpose.CROSS_BORDER,
                given=True,
                on=on,
                language=person.language,
                recipient_country=Country.objects.get(pk=person.nationality),
            )
    except ValidationError as exc:
        field, message = _first_error(exc)
        raise RowError(person.row, _PERSON_TO_ROW.get(field, "consent"), message) from exc


# --- group registration ------------------------------------------------------------------------


@transaction.atomic
def group_register(
    *,
    actor: User,
    rescued_on: dt.date,
    place: str,
    rescuing_agency: str,
    rows: list[dict],
    operation: str = "",
    place_country: Country | None = None,
    province: Subdivision | None = None,
    district: District | None = None,
    shelter: ServiceProvider | None = None,
    tip: Tip | None = None,
) -> GroupRegistration:
    """Register people rescued together: one case, one consent record each, screening queued.

    The incident (date, place, operation, rescuing agency) is given once. Each
    row is ``{"name", "sex", "age", "date_of_birth", "nationality",
    "language", "consent"}``. A bad row raises :class:`RowError` naming the row
    and the field, and nothing at all is written.
    """
    if not has_perm(actor, "intake.register_group"):
        raise PermissionDenied
    if rescued_on > timezone.localdate():
        raise ValidationError({"rescued_on": _("The date is in the future.")})
    if not place.strip():
        raise ValidationError({"place": _("This field is required.")})
    if not rescuing_agency.strip():
        raise ValidationError({"rescuing_agency": _("This field is required.")})
    rows = _filled(rows)
    if not rows:
        raise ValidationError(_("Give at least one person."))
    if shelter is not None and shelter.country_id != actor.country_id:
        raise ValidationError({"shelter": _("Choose a shelter of this country.")})
    people = [_parse_row(i, row, on=rescued_on) for i, row in enumerate(rows, start=1)]
    group = GroupRegistration(
        reference=_next_number(GroupRegistration, f"GRP-{actor.country_id}-{rescued_on.year}-", 4),
        country_id=actor.country_id,
        agency_id=actor.agency_id,
        recorded_by=actor,
        rescued_on=rescued_on,
        place_country=place_country,
        province=province,
        district=district,
        place=place.strip(),
        operation=operation.strip(),
        rescuing_agency=rescuing_agency.strip(),
        shelter=shelter,
        tip=tip,
    )
    group.full_clean()
    group.save()
    members = []
    for person in people:
        case = _register_person(actor, person, opened_on=rescued_on)
        _record_consent(actor, case, person, on=rescued_on)
        members.append(GroupMember(group=group, row=person.row, case=case))
    GroupMember.objects.bulk_create(members)
    if tip is not None:
        TipCase.objects.bulk_create([TipCase(tip=tip, case=m.case) for m in members])
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_CREATE,
        obj=group,
        people=len(members),
        cases=[m.case_id for m in members],
    )
    return group
