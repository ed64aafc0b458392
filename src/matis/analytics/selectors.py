"""Reads for analytics, within the reader's country scope."""

from __future__ import annotations

from django.db.models import QuerySet

from matis.access.scoping import scope_queryset
from matis.analytics.models import Analysis, Dataset


def analysis_list(*, user, kind: str | None = None) -> QuerySet[Analysis]:
    qs = scope_queryset(user, Analysis.objects.select_related("created_by", "country")).defer(
        "result", "tables", "chart", "provenance"
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def dataset_list(*, user) -> QuerySet[Dataset]:
    return scope_queryset(user, Dataset.objects.select_related("created_by"))
