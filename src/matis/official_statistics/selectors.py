"""Reads of official statistics, always through the reader's scope.

Approved observations are published official statistics: every logged-in
user (and the regional hub, through the API) reads those of all countries.
Drafts and submitted data are national: only users of that country see them;
region-wide users (secretariat) see approved data only.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from matis.access.scoping import scope_queryset
from matis.official_statistics.keys import key_token_q
from matis.official_statistics.models import (
    ImportJob,
    Observation,
    ObservationRevision,
    RuleViolation,
    StatisticalIndicator,
    Submission,
)


def observations_visible(user) -> QuerySet[Observation]:
    qs = Observation.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_region_wide:
        return qs.filter(approved=True)
    return qs.filter(Q(approved=True) | Q(country_id=user.country_id))


def observations_published() -> QuerySet[Observation]:
    """Approved observations: what dashboards, exports and the hub show."""
    return Observation.objects.filter(approved=True)


def filter_observations(
    qs: QuerySet[Observation],
    *,
    indicator: str | None = None,
    country: str | None = None,
    year: int | None = None,
    year_min: int | None = None,
    year_max: int | None = None,
    series_key: str | None = None,
    dimensions: list[tuple[str, str]] = (),
    approved: bool | None = None,
) -> QuerySet[Observation]:
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    if country:
        qs = qs.filter(country_id=country)
    if year is not None:
        qs = qs.filter(period=year)
    if year_min is not None:
        qs = qs.filter(period__gte=year_min)
    if year_max is not None:
        qs = qs.filter(period__lte=year_max)
    if series_key is not None:
        qs = qs.filter(series_key=series_key)
    for dim, code in dimensions:
        qs = qs.filter(key_token_q(dim, code))
    if approved is not None:
        qs = qs.filter(approved=approved)
    return qs


def submissions_visible(user) -> QuerySet[Submission]:
    return scope_queryset(user, Submission.objects.select_related("country"))


def submission_list(
    user, *, country: str | None = None, status: str | None = None, year: int | None = None
) -> QuerySet[Submission]:
    qs = submissions_visible(user).annotate(n_observations=Count("observations"))
    if country:
        qs = qs.filter(country_id=country)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(period=year)
    return qs.order_by("country_id", "-period")


def submission_violations(submission: Submission) -> QuerySet[RuleViolation]:
    return submission.violations.select_related("rule", "indicator", "commented_by")


def submission_observations(user, submission: Submission) -> QuerySet[Observation]:
    return (
        observations_visible(user)
        .filter(submission=submission)
        .select_related("indicator")
        .order_by("indicator__order", "series_key")
    )


def observation_revisions(observation: Observation) -> QuerySet[ObservationRevision]:
    return observation.revisions.select_related("changed_by")


def series_labels() -> dict[str, str]:
    """``"DIM=CODE"`` -> ``"Dimension: code name"`` in the reader's language (one query)."""
    from matis.common.i18n import local_text
    from matis.official_statistics.models import Code, Dimension

    dims = list(Dimension.objects.all())
    codes = Code.objects.order_by()
    by_list: dict[int, list] = {}
    for code in codes:
        by_list.setdefault(code.code_list_id, []).append(code)
    labels = {}
    for dim in dims:
        dim_name = local_text(dim, "name").text
        for code in by_list.get(dim.code_list_id, []):
            labels[f"{dim.code}={code.code}"] = f"{dim_name}: {local_text(code, 'name').text}"
    return labels


def label_series(key: str, labels: dict[str, str]) -> str:
    from django.utils.translation import gettext

    if not key:
        return gettext("Total")
    return " · ".join(labels.get(token, token) for token in key.split("|"))


def import_jobs_visible(user) -> QuerySet[ImportJob]:
    return scope_queryset(user, ImportJob.objects.select_related("created_by"))


def active_indicators() -> QuerySet[StatisticalIndicator]:
    return StatisticalIndicator.objects.filter(is_active=True).prefetch_related(
        "indicator_dimensions__dimension"
    )


# --- provinces: the national figure from figures by province ------------------------

PROVINCE_DIMENSION = "PROVINCE"


def national_cells(
    qs: QuerySet[Observation],
) -> list[tuple[str, int, float | None, int | None, bool, bool]]:
    """The national figure of each (country, year) of ``qs`` (one indicator).

    Rows: (country, year, value, censored_below, is_missing, rolled_up). Where
    the country reported a national figure (the grand total, key ``""``), that
    is it: figures by province beside it are a breakdown, never added to it
    (no double count). Where it reported figures by province only, the national
    figure is their sum (``rolled_up``), and only when every one of them is an
    exact number: a censored ``<5`` or missing province leaves the sum unknown.
    """
    rows = qs.filter(
        Q(series_key="")
        | (Q(series_key__startswith=f"{PROVINCE_DIMENSION}=") & ~Q(series_key__contains="|"))
    ).values_list("country_id", "period", "series_key", "value", "censored_below", "is_missing")
    national: dict[tuple[str, int], tuple] = {}
    provinces: dict[tuple[str, int], list[tuple]] = {}
    for country, period, key, value, cens, miss in rows:
        if key == "":
            national[(country, period)] = (value, cens, miss)
        else:
            provinces.setdefault((country, period), []).append((value, cens, miss))
    out = []
    for (country, period), (value, cens, miss) in national.items():
        out.append((country, period, value, cens, miss, False))
    for (country, period), cells in provinces.items():
        if (country, period) in national:
            continue
        exact = all(v is not None and c is None and not m for v, c, m in cells)
        total = sum(v for v, _c, _m in cells) if exact else None
        out.append((country, period, total, None, not exact, True))
    return sorted(out, key=lambda r: (r[0], r[1]))


def province_values(
    indicator: StatisticalIndicator, year: int, countries: list[str] | None = None
) -> dict[str, Observation]:
    """Approved figures of ``indicator`` by province in ``year``: ISO 3166-2 code -> observation.

    The one-way breakdown only (``PROVINCE=TH-50``), as a province map joins it.
    """
    qs = (
        observations_published()
        .filter(
            indicator=indicator,
            period=year,
            series_key__startswith=f"{PROVINCE_DIMENSION}=",
        )
        .exclude(series_key__contains="|")
    )
    if countries:
        qs = qs.filter(country_id__in=countries)
    return {o.series_key.partition("=")[2]: o for o in qs}
