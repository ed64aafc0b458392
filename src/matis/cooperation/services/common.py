"""What the cooperation services share: the error users see, and checks of received data."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError

from matis.access.permissions import has_perm


class CooperationError(ValidationError):
    """A request the rules refuse; the message says why (translated)."""


class BadItem(ValueError):
    """A relayed item this instance cannot apply; the message names the field."""


def require(actor, permission: str, obj=None) -> None:
    if not has_perm(actor, permission, obj):
        raise PermissionDenied(permission)


def field_uuid(data: dict, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(data.get(name)))
    except ValueError:
        raise BadItem(f"{name}: not a UUID") from None


def field_date(data: dict, name: str, *, required: bool = True) -> dt.date | None:
    value = data.get(name)
    if value in (None, "") and not required:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise BadItem(f"{name}: not a date (YYYY-MM-DD): {value!r}") from None


def field_text(data: dict, name: str, *, max_length: int, required: bool = True) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadItem(f"{name}: text expected")
    if required and not value.strip():
        raise BadItem(f"{name}: missing")
    if len(value) > max_length:
        raise BadItem(f"{name}: longer than {max_length} characters")
    return value


def field_choice(data: dict, name: str, choices) -> str:
    value = data.get(name)
    if value not in set(choices):
        raise BadItem(f"{name}: unknown value {value!r}")
    return value
