"""Writing the audit log. Services call :func:`audit_record` inside their transaction.

An update records what changed, before and after::

    before = snapshot(user)             # before the change is applied
    ...                                 # change and save
    audit_record(actor=actor, action=AuditAction.USER_UPDATE, obj=user,
                 changes=changes_since(before, user))

``changes`` lands in ``AuditLog.changes`` as ``{"role": ["case_worker",
"case_supervisor"], "country": ["THA", "KHM"]}`` (foreign keys by their key).
Personal fields are never written in the clear: a field that declares
``audit_sealed = True`` (the encrypted case fields of
``matis.cases.protection.fields``) is stored as ``{"sealed": [before, after]}``,
each value encrypted by the field itself with the case-data cipher, bound to
its column. Secrets (a password hash) are stored as ``{"redacted": true}``:
only the fact that they changed. See ``docs/data-protection.md``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext

from matis.access.models import AuditAction, AuditLog, User
from matis.common.middleware import current_request_id

# Fields whose values (even hashed) never go into the audit log.
REDACTED_FIELDS = frozenset({"password"})
# Bookkeeping that changes on every save and says nothing about the change.
IGNORED_FIELDS = frozenset({"updated_at", "created_at", "last_login"})


def audit_row(
    *,
    actor: User | None,
    action: AuditAction,
    obj: models.Model | None = None,
    country_id: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    changes: Mapping[str, Any] | None = None,
    **detail: Any,
) -> AuditLog:
    """The audit row, not yet saved: :func:`audit_record` saves one, bulk writers many."""
    if not isinstance(action, AuditAction):
        action = AuditAction(action)  # raises ValueError on an unknown action
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        if country_id is None:
            country_id = getattr(obj, "country_id", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditLog(
        actor=actor,
        action=action,
        country_id=country_id,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        request_id=current_request_id() if current_request_id() != "-" else "",
        detail=detail,
        changes=dict(changes or {}),
    )


def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    obj: models.Model | None = None,
    country_id: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    changes: Mapping[str, Any] | None = None,
    **detail: Any,
) -> AuditLog:
    """Write one audit row; never put personal data into ``detail``.

    Parameters
    ----------
    changes
        Before/after values from :func:`changes_since` (or built with
        :func:`change_pair`); personal fields already sealed there.
    """
    row = audit_row(
        actor=actor,
        action=action,
        obj=obj,
        country_id=country_id,
        object_type=object_type,
        object_id=object_id,
        changes=changes,
        **detail,
    )
    row.save(force_insert=True)
    return row


# -- list reads ------------------------------------------------------------------------

# At most this many case ids go into one list-read row (an API page holds at most 1,000);
# a longer list is recorded by its first ids (the row says how many were shown).
LIST_READ_MAX_IDS = 1000


def audit_list_read(
    *,
    actor: User | None,
    object_type: str,
    case_ids: Iterable[int],
    purpose: str,
    search: bool = False,
    country_id: str | None = None,
) -> AuditLog | None:
    """One audit row for a list, search or API-list page that displayed people.

    ``case_ids`` are the cases whose person the page showed (by name or case
    number); they let a subject-access export find the read (issue 13, finding 13).
    Nothing is written for an empty list unless it was a search: the search
    itself is recorded, never its text. ``purpose`` names the page
    (``"list"``, ``"api_list"``, ``"returns_list"``...).
    """
    shown = list(dict.fromkeys(int(pk) for pk in case_ids))
    if not shown and not search:
        return None
    if country_id is None and actor is not None:
        country_id = getattr(actor, "country_id", None)
    more = {"shown": len(shown)} if len(shown) > LIST_READ_MAX_IDS else {}
    return audit_record(
        actor=actor,
        action=AuditAction.SEARCH if search else AuditAction.RECORD_READ,
        country_id=country_id,
        object_type=object_type,
        object_id="",
        purpose=purpose,
        case_ids=shown[:LIST_READ_MAX_IDS],
        **more,
    )


def list_reads_showing(*, case_id: int) -> list[AuditLog]:
    """The list-read rows (:func:`audit_list_read`) whose shown cases include ``case_id``.

    In every country: a return's home country lists the sending country's case.
    PostgreSQL narrows by JSON containment; SQLite cannot, so it narrows by the
    id's digits in the row's text and the exact check below runs on both.
    """
    rows = AuditLog.objects.filter(object_id="", detail__has_key="case_ids")
    if connection.vendor == "postgresql":
        rows = rows.filter(detail__case_ids__contains=[case_id])
    else:
        rows = rows.annotate(detail_text=Cast("detail", TextField())).filter(
            detail_text__contains=str(case_id)
        )
    rows = rows.select_related("actor").order_by("at", "id")
    return [row for row in rows if case_id in (row.detail.get("case_ids") or ())]


# -- before/after ------------------------------------------------------------------


def _audited_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields if not f.primary_key and f.name not in IGNORED_FIELDS
    ]


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The values of ``obj``'s fields (all concrete fields, or ``fields``), to diff later.

    Held in memory only; foreign keys by their key (``country`` -> ``"THA"``).
    """
    wanted = None if fields is None else set(fields)
    return {
        f.name: f.value_from_object(obj)
        for f in _audited_fields(obj._meta.model)  # also through a lazy request.user
        if wanted is None or f.name in wanted
    }


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _seal(field: models.Field, value: Any) -> str | None:
    # The encrypted field encrypts as it would for its own column (same cipher, same
    # key ring, bound to the column), so access needs no import of the cases app.
    if value is None:
        return None
    return field.get_db_prep_value(value, connection=None)


def change_pair(field: models.Field, before: Any, after: Any) -> list | dict:
    """The audit form of one changed field: ``[before, after]``, sealed or redacted."""
    if field.name in REDACTED_FIELDS:
        return {"redacted": True}
    if getattr(field, "audit_sealed", False):
        return {"sealed": [_seal(field, before), _seal(field, after)]}
    return [_plain(before), _plain(after)]


def changes_since(
    before: Mapping[str, Any], obj: models.Model, *, prefix: str = ""
) -> dict[str, list | dict]:
    """Fields of ``obj`` whose value differs from the ``before`` snapshot, before/after.

    ``prefix`` names a related object (``"person."``) when one audit row of the
    parent records changes of both.
    """
    after = snapshot(obj, before.keys())
    changes: dict[str, list | dict] = {}
    for name, old in before.items():
        new = after[name]
        if old == new:
            continue
        changes[prefix + name] = change_pair(obj._meta.get_field(name), old, new)
    return changes


# -- showing changes ---------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    """One changed field as the audit page shows it."""

    label: str
    before: Any
    after: Any
    hidden: str = ""  # "sealed" or "redacted": the page says so instead of a value


def _field_at(model: type[models.Model] | None, path: str) -> models.Field | None:
    field = None
    for part in path.split("."):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field


def _shown(field: models.Field | None, value: Any) -> Any:
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if field is not None and field.choices and not isinstance(value, (list, dict)):
        return dict(field.flatchoices).get(value, value)
    return value


def describe_changes(event: AuditLog) -> list[ChangeRow]:
    """The ``changes`` of an audit row with translated field labels and choice labels."""
    try:
        model = apps.get_model(event.object_type) if event.object_type else None
    except (LookupError, ValueError):
        model = None
    rows = []
    for name, pair in sorted((event.changes or {}).items()):
        field = _field_at(model, name)
        label = str(field.verbose_name) if field is not None else name
        if isinstance(pair, dict):
            hidden = "sealed" if "sealed" in pair else "redacted"
            rows.append(ChangeRow(label=label, before=None, after=None, hidden=hidden))
        else:
            before, after = pair
            rows.append(ChangeRow(label, _shown(field, before), _shown(field, after)))
    return rows


# Fields that identify a record without naming anyone: case and file numbers, codes.
IDENTIFIER_FIELDS = ("reference", "case_number", "number", "code", "key_id")


def _audit_model(object_type: str):
    try:
        return apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    """'reports.annualreport' -> 'Annual monitoring report' (the model's verbose name, in the
    reader's language); an unknown type is shown as it is stored."""
    model = _audit_model(object_type)
    return str(model._meta.verbose_name).capitalize() if model is not None else object_type


def _identifier(obj) -> str:
    label = getattr(obj, "audit_label", None)
    if callable(label):
        return str(label())
    fields = {f.name for f in obj._meta.concrete_fields}
    for name in IDENTIFIER_FIELDS:
        if name not in fields:
            continue
        value = getattr(obj, name, "")
        if value not in (None, ""):
            return str(value)
    return ""


def object_descriptions(events) -> dict[tuple[str, str], str]:
    """A readable description of the object of each audit event, by (type, id).

    The model's translated verbose name and an identifier that names no one (a case
    number, a code, or what the model's ``audit_label()`` gives), else the row number:
    "Annual monitoring report 2013 · Region · th", "Case THA-2019-D00012", "User #12".
    One query per object type on the page, whatever the number of events.
    """
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.object_type and event.object_id:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    described = {}
    for object_type, ids in wanted.items():
        model = _audit_model(object_type)
        if model is None:
            for object_id in ids:
                described[(object_type, object_id)] = f"{object_type} {object_id}"
            continue
        found = {}
        try:
            found = {str(pk): obj for pk, obj in model._default_manager.in_bulk(list(ids)).items()}
        except (ValueError, TypeError):  # ids that are not the model's primary keys
            found = {}
        name = object_type_label(object_type)
        for object_id in ids:
            obj = found.get(object_id)
            ident = _identifier(obj) if obj is not None else ""
            described[(object_type, object_id)] = (
                f"{name} {ident}" if ident else f"{name} #{object_id}"
            )
    return described
