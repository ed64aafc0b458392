"""Reads for users, agencies and the audit log, always within the reader's country scope."""

from __future__ import annotations

import datetime as dt

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


def audit_list(
    *,
    user: User,
    action: str | None = None,
    actor_id: int | None = None,
    object_type: str | None = None,
    country_id: str | None = None,
    date_from=None,
    date_to=None,
) -> QuerySet[AuditLog]:
    """The audit events ``user`` may read, filtered; dates are local calendar days."""
    if not has_perm(user, "access.view_audit_log"):
        return AuditLog.objects.none()
    qs = scope_queryset(user, AuditLog.objects.select_related("actor", "country"))
    if action:
        qs = qs.filter(action=action)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if country_id:
        qs = qs.filter(country_id=country_id)
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return qs


def _day_start(day):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_filter_choices(user: User) -> dict:
    """What the audit page's filters offer: the actors, object types and countries of the
    events the user may read (object types by their translated names)."""
    from matis.access.audit import object_type_label

    events = audit_list(user=user)
    actor_ids = events.exclude(actor=None).values_list("actor_id", flat=True).distinct()
    actors = User.objects.filter(pk__in=actor_ids).order_by("email")
    types = events.exclude(object_type="").values_list("object_type", flat=True).distinct()
    type_choices = sorted(((t, object_type_label(t)) for t in set(types)), key=lambda c: c[1])
    country_ids = set(events.exclude(country=None).values_list("country_id", flat=True))
    return {
        "actors": [(u.pk, str(u)) for u in actors],
        "object_types": type_choices,
        "countries": sorted(country_ids),
    }
