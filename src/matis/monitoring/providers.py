"""Providers of computed indicators, keyed by code.

An indicator whose source is "computed" names a provider code. Other apps plug
their providers in from their ``AppConfig.ready()`` without this app importing
them (the registers app, for instance, registers counts from its records;
see :mod:`matis.registers.indicators`)::

    from matis.monitoring.providers import register_provider

    def victims_identified(*, countries, years):
        return {("THA", 2012): Decimal(511), ...}

    register_provider("statistics.victims_identified", victims_identified,
                      label="Victims identified (official statistics)")

A provider takes the ISO alpha-3 country codes and the years asked for and
returns a mapping ``(country, year) -> Decimal`` holding only the values it
has. It should answer with a fixed number of queries, whatever the sizes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

ProviderFunc = Callable[..., Mapping[tuple[str, int], Decimal]]


class ProviderError(LookupError):
    """No provider is registered under a code, or a code is registered twice."""


@dataclass(frozen=True)
class Provider:
    code: str
    func: ProviderFunc
    label: str

    def values(self, *, countries: Iterable[str], years: Iterable[int]) -> dict:
        result = self.func(countries=list(countries), years=list(years))
        return {key: Decimal(value) for key, value in result.items() if value is not None}


_PROVIDERS: dict[str, Provider] = {}


def register_provider(
    code: str, func: ProviderFunc, *, label: str = "", replace: bool = False
) -> Provider:
    """Register ``func`` as the provider of computed indicator values for ``code``."""
    if code in _PROVIDERS and not replace and _PROVIDERS[code].func is not func:
        raise ProviderError(f"a provider is already registered for {code!r}")
    provider = Provider(code=code, func=func, label=label or code)
    _PROVIDERS[code] = provider
    return provider


def unregister_provider(code: str) -> None:
    _PROVIDERS.pop(code, None)


def get_provider(code: str) -> Provider:
    try:
        return _PROVIDERS[code]
    except KeyError:
        raise ProviderError(f"no provider registered for {code!r}") from None


def has_provider(code: str) -> bool:
    return code in _PROVIDERS


def registered_providers() -> list[Provider]:
    return sorted(_PROVIDERS.values(), key=lambda p: p.code)


def register_builtin_providers() -> None:
    """Providers computed from this app's own data: outputs summed over approved reports."""
    from matis.monitoring.models import OutputKind

    for kind in OutputKind:
        register_provider(
            f"monitoring.outputs.{kind.value}",
            _outputs_provider(kind.value),
            label=f"Sum of '{kind.value}' outputs in approved activity reports",
            replace=True,
        )


def _outputs_provider(kind: str) -> ProviderFunc:
    def provide(*, countries: list[str], years: list[int]) -> dict[tuple[str, int], Decimal]:
        from django.db.models import Sum

        from matis.monitoring.models import ReportOutput, Workflow

        rows = (
            ReportOutput.objects.filter(
                kind=kind,
                report__workflow=Workflow.APPROVED,
                report__country_id__in=countries,
                report__period__year__in=years,
            )
            .values("report__country_id", "report__period__year")
            .annotate(total=Sum("count"))
        )
        return {
            (r["report__country_id"], r["report__period__year"]): Decimal(r["total"]) for r in rows
        }

    return provide
