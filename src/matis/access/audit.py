"""Writing the audit log. Services call :func:`audit_record` inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from matis.access.models import AuditAction, AuditLog, User
from matis.common.middleware import current_request_id


def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    obj: models.Model | None = None,
    country_id: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    **detail: Any,
) -> AuditLog:
    """Write one audit row; never put personal data into ``detail``."""
    if not isinstance(action, AuditAction):
        action = AuditAction(action)  # raises ValueError on an unknown action
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        if country_id is None:
            country_id = getattr(obj, "country_id", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditLog.objects.create(
        actor=actor,
        action=action,
        country_id=country_id,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        request_id=current_request_id() if current_request_id() != "-" else "",
        detail=detail,
    )
