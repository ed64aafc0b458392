"""The pieces every app's access gates are built from: one refusal, one id parser, one fetch.

An app's gate (``access_case_by_id``, ``access_criminal_case``...) declares
*which* rows a user may read (a queryset from its own scope rules and the
permission table in :mod:`matis.access.permissions`) and lets these helpers do
the rest the same way everywhere:

- :func:`parse_id` turns a URL or form value into a positive integer, or None;
- :func:`deny` writes the refusal to the audit log (``ACCESS_DENIED``, never
  personal data) and returns the exception to raise;
- :func:`get_scoped_or_deny` fetches one row of an allowed queryset, and answers
  the same refusal whether the row is missing or not the user's.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.scoping import scope_queryset


class RecordNotAvailable(PermissionDenied):
    """A gate's refusal; apps subclass it to give their one message (same for missing/not yours)."""


def parse_id(value) -> int | None:
    """``value`` as a positive integer primary key, or None when it is not one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def deny(
    user,
    object_type: str,
    object_id,
    purpose: str,
    *,
    error: type[PermissionDenied] = RecordNotAvailable,
) -> PermissionDenied:
    """Audit a refused read of ``object_type:object_id`` and return ``error()`` to raise."""
    actor = user if getattr(user, "is_authenticated", False) else None
    audit_record(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        country_id=getattr(user, "country_id", None),
        object_type=object_type,
        object_id=str(object_id)[:64],
        purpose=purpose,
    )
    return error()


def get_scoped_or_deny(
    user,
    queryset: QuerySet,
    pk,
    *,
    purpose: str,
    object_type: str | None = None,
    field: str | None = None,
    error: type[PermissionDenied] = RecordNotAvailable,
) -> Model:
    """The row ``pk`` of ``queryset`` (rows ``user`` may read), else an audited refusal.

    Parameters
    ----------
    queryset
        The rows the user may read, as the app's gate declares them.
    field
        When given, also keep only rows whose country (this FK path) the user
        may see (:func:`matis.access.scoping.scope_queryset`).
    object_type
        What the audit log names the refused object; defaults to the model's label.
    """
    kind = object_type or queryset.model._meta.label_lower
    number = parse_id(pk)
    if number is None:
        raise deny(user, kind, pk, purpose, error=error)
    if field is not None:
        queryset = scope_queryset(user, queryset, field=field)
    found = queryset.filter(pk=number).first()
    if found is None:
        raise deny(user, kind, pk, purpose, error=error)
    return found
