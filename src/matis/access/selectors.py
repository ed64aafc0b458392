"""Reads for users, agencies and the audit log, always within the reader's country scope."""

from __future__ import annotations

from django.db.models import QuerySet

from matis.access.models import Agency, AuditLog, Role, User
from matis.access.scoping import scope_queryset


def agency_list(
    *, user: User, country: str | None = None, org_type: str | None = None
) -> QuerySet[Agency]:
    qs = scope_queryset(user, Agency.objects.select_related("country"))
    if country:
        qs = qs.filter(country_id=country)
    if org_type:
        qs = qs.filter(org_type=org_type)
    return qs


def user_list(*, user: User) -> QuerySet[User]:
    if not user.has_role(Role.ADMINISTRATOR):
        return User.objects.none()
    return scope_queryset(user, User.objects.select_related("country", "agency"))


def audit_list(*, user: User, action: str | None = None) -> QuerySet[AuditLog]:
    if not user.has_role(Role.AUDITOR, Role.ADMINISTRATOR):
        return AuditLog.objects.none()
    qs = scope_queryset(user, AuditLog.objects.select_related("actor", "country"))
    if action:
        qs = qs.filter(action=action)
    return qs
