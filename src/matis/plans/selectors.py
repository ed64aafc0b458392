"""Reads of the plan registry, shaped so that page queries do not grow with the plan."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from matis.plans.models import Activity, Area, EvolutionRow, Goal, Plan


def current_plan() -> Plan | None:
    return Plan.objects.filter(code="SPA3").first()


def area_list_with_activities() -> QuerySet[Area]:
    return (
        Area.objects.select_related("plan", "mou_section")
        .annotate(
            n_goals=Count("goals", distinct=True),
            n_activities=Count("activities", distinct=True),
            n_priority=Count("activities", filter=Q(activities__priority=True), distinct=True),
        )
        .prefetch_related(
            Prefetch("activities", queryset=Activity.objects.prefetch_related("goals")),
        )
    )


def area_detail(number: int) -> Area:
    return (
        Area.objects.select_related("plan", "mou_section")
        .prefetch_related(
            "mou_objectives",
            Prefetch("goals", queryset=Goal.objects.prefetch_related("activities")),
            Prefetch("activities", queryset=Activity.objects.prefetch_related("goals")),
        )
        .get(number=number, plan__code="SPA3")
    )


def activity_detail(slug: str) -> Activity:
    return (
        Activity.objects.select_related("area", "area__mou_section", "area__plan")
        .prefetch_related("goals", "area__mou_objectives")
        .get(slug=slug)
    )


def evolution_rows() -> QuerySet[EvolutionRow]:
    return EvolutionRow.objects.select_related("spa1", "spa1r", "spa2", "spa3", "mou_section")
