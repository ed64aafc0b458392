"""Approved official statistics as computed plan indicators (``matis.monitoring.providers``).

The SPA III indicators name these providers (``src/matis/monitoring/data/indicators.yaml``):
each returns the grand total (empty series key) of one statistical indicator
from **approved** submissions, whatever their source (the UNODC GLOTIP file,
a national file, or figures computed from case records and approved by a
second statistics officer). A censored (``<5``) or missing total gives no
value, so the plan indicator stays empty there and may be typed in by hand.
Registered from ``StatisticsConfig.ready()``; one query per call.
"""

from __future__ import annotations

from decimal import Decimal

# provider code -> (statistical indicator code, label in English, as the registry keeps them)
PROVIDERS = {
    "statistics.victims_identified": (
        "VICTIMS_DETECTED",
        "Official statistics (approved): detected trafficking victims",
    ),
    # UNODC counts persons investigated ("brought into formal contact"), not case files.
    "statistics.investigations": (
        "PERSONS_FORMAL_CONTACT",
        "Official statistics (approved): persons brought into formal contact",
    ),
    "statistics.convictions": (
        "PERSONS_CONVICTED",
        "Official statistics (approved): persons convicted",
    ),
    "statistics.victims_detained": (
        "VICTIMS_DETAINED",
        "Official statistics (approved): trafficked persons held in detention",
    ),
    "statistics.victims_repatriated": (
        "VICTIMS_REPATRIATED",
        "Official statistics (approved): victims repatriated",
    ),
    "statistics.days_to_return": (
        "DAYS_TO_RETURN",
        "Official statistics (approved): median days from identification to return",
    ),
}


def approved_totals(
    indicator_code: str, *, countries: list[str], years: list[int]
) -> dict[tuple[str, int], Decimal]:
    """``(country, year) -> value`` of the approved grand totals of one statistical indicator."""
    from matis.official_statistics.models import Observation

    rows = Observation.objects.filter(
        indicator__code=indicator_code,
        series_key="",
        approved=True,
        country_id__in=countries,
        period__in=years,
        value__isnull=False,
        censored_below__isnull=True,
        is_missing=False,
    ).values_list("country_id", "period", "value")
    return {(c, p): Decimal(str(v)) for c, p, v in rows}


def _provider(indicator_code: str):
    def provide(*, countries: list[str], years: list[int]) -> dict[tuple[str, int], Decimal]:
        return approved_totals(indicator_code, countries=countries, years=years)

    provide.__name__ = f"approved_{indicator_code.lower()}"
    return provide


_FUNCS = {code: _provider(indicator) for code, (indicator, _label) in PROVIDERS.items()}


def register_providers() -> None:
    """Plug every provider into ``matis.monitoring.providers`` (from ``ready()``)."""
    from matis.monitoring.providers import register_provider

    for code, (_indicator, label) in PROVIDERS.items():
        register_provider(code, _FUNCS[code], label=label)
