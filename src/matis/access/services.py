"""Writes for users and agencies. Each service audits in its own transaction."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from matis.access.audit import audit_record
from matis.access.models import Agency, AuditAction, Role, User


def _require_admin_for(actor: User, country_id: str | None) -> None:
    if not actor.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied("Only administrators manage users and agencies.")
    if not actor.can_see_country(country_id):
        raise PermissionDenied("Administrators manage their own country only.")


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
) -> User:
    """Create a user scoped to a country (or region-wide for secretariat roles)."""
    if actor is not None:
        _require_admin_for(actor, country_id)
    user = User.objects.create_user(
        email=email,
        password=password,
        role=role,
        country_id=country_id,
        agency=agency,
        full_name=full_name,
        preferred_language=preferred_language,
    )
    audit_record(actor=actor, action=AuditAction.USER_CREATE, obj=user, role=role)
    return user
