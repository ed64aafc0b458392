"""Country scope: which rows a user may see. The same answer for "missing" and "not yours"."""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from matis.common.models import Country


def visible_countries(user) -> QuerySet[Country]:
    """Countries whose data ``user`` may see."""
    if not user.is_authenticated or not user.is_active:
        return Country.objects.none()
    if user.is_region_wide:
        return Country.objects.all()
    return Country.objects.filter(pk=user.country_id)


def scope_queryset(
    user, queryset: QuerySet, *, field: str = "country", regional: bool = False
) -> QuerySet:
    """Filter ``queryset`` to rows whose ``field`` (a country FK path) the user may see.

    ``regional``: rows with no country (regional records, such as a regional
    agreement) are everybody's to read, as well as the user's own country's.
    """
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_region_wide:
        return queryset
    mine = Q(**{f"{field}_id" if "__" not in field else field: user.country_id})
    if regional:
        mine |= Q(**{f"{field}__isnull": True})
    return queryset.filter(mine)


def get_scoped_or_404(user, queryset: QuerySet, *, field: str = "country", **lookup) -> Model:
    """Fetch one row the user may see, or raise the same 404 whether it is missing or not theirs."""
    try:
        return scope_queryset(user, queryset, field=field).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def scoped(kind: str, *, model=None, lookup: str | None = None, field: str | None = "country"):
    """Declare a view's data scope; the authorisation tests enumerate URLs and check it.

    ``kind`` is ``"global"`` (reference data every user may read) or
    ``"country"`` (rows of one country; users of other countries get 404).
    ``model`` and ``lookup`` name the object a detail URL's keyword argument
    selects; ``field`` is the path from that model to its country (None when
    the object is a country itself). Works on functions and DRF viewsets.
    """
    if kind not in {"global", "country"}:
        raise ValueError(f"unknown scope kind {kind!r}")

    def decorate(view):
        view.matis_scope = {"kind": kind, "model": model, "lookup": lookup, "field": field}
        return view

    return decorate
