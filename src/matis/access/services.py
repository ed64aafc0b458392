"""Writes for users and agencies. Each service audits in its own transaction.

Every change of a user's role, country, agency or rights, and of an agency,
goes through these functions (the Django admin included, see ``admin.py``),
so that the audit log holds it with its before/after values.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from matis.access.audit import audit_record, changes_since, snapshot
from matis.access.models import Agency, AuditAction, Role, User

# What user_update may change; the password has its own service (never shown).
USER_FIELDS = frozenset(
    {
        "email",
        "full_name",
        "role",
        "country",
        "agency",
        "preferred_language",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
    }
)
AGENCY_FIELDS = frozenset({"name", "country", "org_type", "city", "is_active"})


def _require_admin_for(actor: User, country_id: str | None) -> None:
    if not actor.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied("Only administrators manage users and agencies.")
    if not actor.can_see_country(country_id):
        raise PermissionDenied("Administrators manage their own country only.")


def _check_fields(changes: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValueError(f"Cannot change {', '.join(unknown)} here.")


def _apply(obj, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        # "country" and "agency" accept an object or its key
        field = obj._meta.get_field(name)
        if field.is_relation and not (value is None or isinstance(value, field.related_model)):
            setattr(obj, field.attname, value)
        else:
            setattr(obj, name, value)


@transaction.atomic
def agency_create(
    *, actor: User | None, name: str, country_id: str | None, org_type: str, city: str = ""
) -> Agency:
    """Create an agency; ``actor`` None is the system itself (loaders)."""
    if actor is not None:
        _require_admin_for(actor, country_id)
    agency = Agency(name=name, country_id=country_id, org_type=org_type, city=city)
    agency.full_clean()
    agency.save()
    audit_record(actor=actor, action=AuditAction.AGENCY_CREATE, obj=agency)
    return agency


@transaction.atomic
def agency_update(*, actor: User | None, agency: Agency, **changes: Any) -> Agency:
    """Change an agency (name, country, type, city, active); audited with before/after."""
    _check_fields(changes, AGENCY_FIELDS)
    # Compare with the stored row: a caller (the admin form) may already have set the values.
    stored = Agency.objects.select_for_update().get(pk=agency.pk)
    before = snapshot(stored)
    _apply(agency, changes)
    if actor is not None:
        _require_admin_for(actor, stored.country_id)
        _require_admin_for(actor, agency.country_id)
    agency.full_clean()
    agency.save()
    diff = changes_since(before, agency)
    if diff:
        audit_record(actor=actor, action=AuditAction.AGENCY_UPDATE, obj=agency, changes=diff)
    return agency


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    email: str,
    password: str | None,
    role: str,
    country_id: str | None,
    agency: Agency | None = None,
    full_name: str = "",
    preferred_language: str = "",
    is_active: bool = True,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user scoped to a country (or region-wide for secretariat roles)."""
    if actor is not None:
        _require_admin_for(actor, country_id)
        if is_superuser and not actor.is_superuser:
            raise PermissionDenied("Only a superuser makes another superuser.")
    user = User.objects.create_user(
        email=email,
        password=password,
        role=role,
        country_id=country_id,
        agency=agency,
        full_name=full_name,
        preferred_language=preferred_language,
        is_active=is_active,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    audit_record(actor=actor, action=AuditAction.USER_CREATE, obj=user, role=role)
    return user


@transaction.atomic
def user_update(*, actor: User | None, user: User, **changes: Any) -> User:
    """Change a user's role, country scope, agency, rights or details; audited before/after.

    Parameters
    ----------
    changes
        Field names of :data:`USER_FIELDS` and their new values (``country`` and
        ``agency`` as objects or keys). The administrator must manage both the
        user's old and new country.
    """
    _check_fields(changes, USER_FIELDS)
    # Compare with the stored row: a caller (the admin form) may already have set the values.
    stored = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(stored)
    _apply(user, changes)
    if actor is not None:
        _require_admin_for(actor, stored.country_id)
        _require_admin_for(actor, user.country_id)
        if user.is_superuser != stored.is_superuser and not actor.is_superuser:
            raise PermissionDenied("Only a superuser grants or removes superuser rights.")
    user.email = User.objects.normalize_email(user.email).lower()
    user.full_clean(exclude=["password"])
    user.save()
    diff = changes_since(before, user)
    if diff:
        audit_record(actor=actor, action=AuditAction.USER_UPDATE, obj=user, changes=diff)
    return user


def user_deactivate(*, actor: User | None, user: User) -> User:
    """Stop a user from logging in; the account and its audit trail stay."""
    return user_update(actor=actor, user=user, is_active=False)


@transaction.atomic
def user_set_password(*, actor: User | None, user: User, password: str | None) -> User:
    """Set (or, with ``None``, disable) a user's password; audited without any value."""
    if actor is not None and actor.pk != user.pk:
        _require_admin_for(actor, user.country_id)
    before = snapshot(user, ["password"])
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action=AuditAction.USER_UPDATE,
        obj=user,
        changes=changes_since(before, user) or {"password": {"redacted": True}},
    )
    return user


@transaction.atomic
def login_lockout_clear(*, actor: User, attempts: QuerySet[AccessAttempt]) -> int:
    """Lift login lockouts (delete django-axes attempts); each one audited as ``UNLOCK``."""
    _require_admin_for(actor, None)  # attempts belong to no country: region-wide only
    cleared = 0
    for attempt in attempts.select_for_update():
        audit_record(
            actor=actor,
            action=AuditAction.UNLOCK,
            obj=attempt,
            account=attempt.username or "",
            address=attempt.ip_address or "",
        )
        attempt.delete()
        cleared += 1
    return cleared
