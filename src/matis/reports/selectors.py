"""Who reads which annual reports.

Region-wide users read all. Users of a country read their country's reports
and the regional reports the secretariat has published.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from matis.reports.models import AnnualReport


def visible_annual_reports(user) -> QuerySet[AnnualReport]:
    queryset = AnnualReport.objects.select_related("country", "requested_by")
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_region_wide:
        return queryset
    return queryset.filter(
        Q(country_id=user.country_id) | Q(country__isnull=True, published_at__isnull=False)
    )


def annual_report_for(user, pk: int) -> AnnualReport:
    try:
        return visible_annual_reports(user).get(pk=pk)
    except AnnualReport.DoesNotExist:
        raise Http404 from None
