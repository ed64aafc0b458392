"""Reads for users, agencies and the audit log, always within the reader's country scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from matis.access.models import Agency, AuditLog, User
from matis.access.permissions import has_perm
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


def user_list(*, user: User, query: str = "") -> QuerySet[User]:
    """Users of the reader's scope; ``query`` narrows by email or name."""
    if not has_perm(user, "access.manage_users"):
        return User.objects.none()
    qs = scope_queryset(user, User.objects.select_related("country", "agency"))
    if query:
        qs = qs.filter(Q(email__icontains=query) | Q(full_name__icontains=query))
    return qs


def audit_list(*, user: User, action: str | None = None) -> QuerySet[AuditLog]:
    if not has_perm(user, "access.view_audit_log"):
        return AuditLog.objects.none()
    qs = scope_queryset(user, AuditLog.objects.select_related("actor", "country"))
    if action:
        qs = qs.filter(action=action)
    return qs
