"""Offline grants and applying the records a device sends when it is back online.

Every record goes through the same forms (validation) and the same case
services (writes, audit, consent checks) as entry on the web pages; this
module adds only what offline work needs: grants, idempotency receipts and
the duplicate check before a person is registered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.access.permissions import has_perm
from matis.access.sessions import stored_key
from matis.cases import forms as case_forms
from matis.cases import screening as instruments
from matis.cases import services as case_services
from matis.cases.services import ConsentRequired
from matis.offline.models import OfflineGrant, SyncReceipt, SyncStatus
from matis.offline.selectors import possible_duplicates


class GrantRefused(Exception):
    """The grant is missing, revoked, or not the user's: one answer for all three."""


def max_days() -> int:
    """Days unsynced work may stay on a device (``MATIS_OFFLINE_MAX_DAYS``)."""
    return int(settings.MATIS_OFFLINE_MAX_DAYS)


@transaction.atomic
def grant_issue(
    *, actor: User, password: str, device: str = "", session_key: str | None = None
) -> OfflineGrant:
    """Set up a device for offline work; the user confirms the password first."""
    if not has_perm(actor, "cases.register_case"):
        raise PermissionDenied
    if not actor.check_password(password or ""):
        raise ValidationError({"password": _("The password is not correct.")})
    grant = OfflineGrant.objects.create(
        user=actor,
        device=device[:200],
        session_ref=stored_key(session_key) if session_key else "",
    )
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_CREATE,
        country_id=actor.country_id,
        object_type="offline.grant",
        object_id=str(grant.pk),
    )
    return grant


def grant_check(*, user: User, grant_id) -> OfflineGrant:
    """The user's active grant with this id, or :class:`GrantRefused`."""
    try:
        grant = OfflineGrant.objects.get(pk=uuid.UUID(str(grant_id)), user=user)
    except (ValueError, OfflineGrant.DoesNotExist):
        raise GrantRefused from None
    if not grant.is_active or not has_perm(user, "cases.register_case"):
        raise GrantRefused
    return grant


def may_revoke(actor: User, grant: OfflineGrant) -> bool:
    if grant.user_id == actor.pk:
        return True
    return has_perm(actor, "access.manage_users") and actor.can_see_country(grant.country_id)


@transaction.atomic
def grant_revoke(*, actor: User, grant: OfflineGrant) -> OfflineGrant:
    """Revoke a device's grant (a lost or stolen device): bundle and sync refuse it from now on.

    The session the device was set up in is ended too (if it is still open).
    """
    if not may_revoke(actor, grant):
        raise PermissionDenied
    grant = OfflineGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.revoked_by = actor
        grant.save(update_fields=["revoked_at", "revoked_by"])
        if grant.session_ref:
            Session.objects.filter(session_key=grant.session_ref).delete()
        audit_record(
            actor=actor,
            action=AuditAction.STATUS_CHANGE,
            country_id=grant.country_id,
            object_type="offline.grant",
            object_id=str(grant.pk),
            new="revoked",
        )
    return grant


def record_digest(record: dict) -> str:
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class RecordInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("invalid offline record")


def _form_errors(prefix: str, form) -> dict[str, list[str]]:
    return {f"{prefix}.{field}": [str(e) for e in errs] for field, errs in form.errors.items()}


def _validated(form, prefix: str):
    if not form.is_valid():
        raise RecordInvalid(_form_errors(prefix, form))
    return form


def _screening_form(raw: dict):
    try:
        tool = instruments.instrument(str(raw.get("instrument", "")))
    except instruments.InstrumentError:
        raise RecordInvalid(
            {"screening.instrument": [_("Unknown screening instrument.")]}
        ) from None
    answers = raw.get("answers") or {}
    unknown = set(answers) - {i.code for i in tool.indicators}
    if unknown:
        raise RecordInvalid({"screening.answers": [_("Unknown indicators.")]})
    data = {k: raw.get(k) for k in ("language", "interpreter_present", "screened_on", "notes")}
    data.update({f"ind_{code}": bool(value) for code, value in answers.items()})
    return tool, _validated(case_forms.ScreeningForm(data, instrument=tool), "screening")


def _check_age(record: dict) -> None:
    created = record.get("created_at")
    try:
        made = dt.datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        raise RecordInvalid({"created_at": [_("Missing or bad date.")]}) from None
    if made.tzinfo is None:
        made = made.replace(tzinfo=dt.UTC)
    if timezone.now() - made > dt.timedelta(days=max_days()):
        raise RecordInvalid(
            {"created_at": [_("The record is older than offline work may be kept.")]}
        )


def _apply(*, actor: User, record: dict, digest: str, grant: OfflineGrant) -> dict:
    """Validate the whole record, then write it; raises RecordInvalid (nothing written)."""
    _check_age(record)
    register = _validated(case_forms.RegisterForm(record.get("person") or {}), "person")
    screening = record.get("screening")
    tool_form = _screening_form(screening) if screening else None
    consent_forms = [
        _validated(case_forms.ConsentForm(raw, country_id=actor.country_id), f"consents.{n}")
        for n, raw in enumerate(record.get("consents") or [])
    ]
    referral = record.get("referral")
    referral_form = (
        _validated(case_forms.ReferralForm(referral, country_id=actor.country_id), "referral")
        if referral
        else None
    )
    person = register.person_values()
    if not record.get("confirm_new_person"):
        matches = possible_duplicates(actor=actor, person=person)
        if matches:
            return {"status": SyncStatus.DUPLICATE, "matches": matches}
    case = case_services.case_register(
        actor=actor,
        person=person,
        case=register.case_values(),
        documents=register.documents(),
    )
    for form in consent_forms:
        case_services.consent_record(actor=actor, case=case, **form.cleaned_data)
    if tool_form:
        tool, form = tool_form
        case_services.screening_record(
            actor=actor,
            case=case,
            instrument=tool.slug,
            answers=form.answers(),
            language=form.cleaned_data["language"],
            interpreter_present=form.cleaned_data["interpreter_present"],
            screened_on=form.cleaned_data["screened_on"],
            notes=form.cleaned_data["notes"],
        )
    if referral_form:
        case_services.referral_create(actor=actor, case=case, **referral_form.cleaned_data)
    SyncReceipt.objects.create(
        client_uuid=record["uuid"],
        grant=grant,
        user=actor,
        digest=digest,
        case=case,
        reference=case.reference,
    )
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=case,
        source="offline",
        grant=str(grant.pk),
        record=str(record["uuid"]),
    )
    return {"status": SyncStatus.APPLIED, "reference": case.reference, "case": case.pk}


def _replay(*, actor: User, client_uuid: uuid.UUID, digest: str) -> dict | None:
    receipt = SyncReceipt.objects.filter(client_uuid=client_uuid).first()
    if receipt is None:
        return None
    if receipt.user_id == actor.pk and receipt.digest == digest:
        return {"status": SyncStatus.APPLIED, "reference": receipt.reference, "replayed": True}
    return {
        "status": SyncStatus.CONFLICT,
        "errors": {
            "uuid": [_("A different record with this id was already saved; nothing was changed.")]
        },
    }


def record_sync(*, actor: User, grant: OfflineGrant, record: dict) -> dict:
    """Apply one record from a device, atomically; the answer says what happened.

    Statuses: ``applied`` (written now, or earlier: ``replayed``), ``duplicate``
    (a person with the same name and birth date exists: nothing written until
    the user confirms a new person), ``conflict`` (the id was used for other
    content), ``invalid`` (``errors`` by field; nothing written).
    """
    try:
        client_uuid = uuid.UUID(str(record.get("uuid")))
    except ValueError:
        return {"status": SyncStatus.INVALID, "errors": {"uuid": [_("Missing or bad id.")]}}
    record = {**record, "uuid": str(client_uuid)}
    digest = record_digest({k: v for k, v in record.items() if k != "confirm_new_person"})
    answer = _replay(actor=actor, client_uuid=client_uuid, digest=digest)
    if answer is not None:
        return {"uuid": str(client_uuid), **answer}
    try:
        with transaction.atomic():
            answer = _apply(actor=actor, record=record, digest=digest, grant=grant)
            if answer["status"] != SyncStatus.APPLIED:
                transaction.set_rollback(True)
    except RecordInvalid as exc:
        answer = {"status": SyncStatus.INVALID, "errors": exc.errors}
    except ConsentRequired:
        answer = {
            "status": SyncStatus.INVALID,
            "errors": {"referral": [_("The person has not consented to this referral.")]},
        }
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"record": exc.messages}
        answer = {"status": SyncStatus.INVALID, "errors": errors}
    except IntegrityError:
        # the same record arrived twice at once: the other request saved it
        answer = _replay(actor=actor, client_uuid=client_uuid, digest=digest) or {
            "status": SyncStatus.CONFLICT,
            "errors": {"uuid": [_("Try again.")]},
        }
    OfflineGrant.objects.filter(pk=grant.pk).update(last_used_at=timezone.now())
    return {"uuid": str(client_uuid), **answer}
