"""Measures of prosecution and compensation (goal 2.4; CJ4, CJ6, CJ7).

:func:`justice_measures` is what the official statistics and the annual
report call: plain dicts for one country (or the region, ``country=None``)
and one CE year. Aggregates only; small-cell suppression is the caller's job.

Definitions (see ``docs/justice.md``):

- *reaching verdict*: of the criminal cases whose investigation opened in the
  year, the share with a first-instance verdict on any charge (to date);
- *days to verdict*: from the opening of the investigation to the first
  first-instance verdict, for those cases;
- *convictions*: verdicts decided in the year, per charge, by law and outcome;
- *compensation*: claims decided in the year, the amounts awarded and paid so
  far, per currency (no conversion between currencies); *paid share* = paid /
  awarded.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from decimal import Decimal

from django.db.models import Min

from matis.justice.choices import Instance, Law, Stage, VerdictOutcome
from matis.justice.models import (
    AssetConfiscation,
    CompensationClaim,
    CriminalCase,
    Verdict,
    VictimWitness,
)


def _country_id(country):
    return getattr(country, "pk", country) or None


def _scoped(qs, country_id, path: str):
    return qs if country_id is None else qs.filter(**{path: country_id})


def _median(values):
    return statistics.median(values) if values else None


def verdict_timing(country=None, year: int | None = None) -> dict:
    """The cohort opened in ``year``: how many reached a verdict, and how fast."""
    cases = _scoped(CriminalCase.objects.all(), _country_id(country), "country_id")
    if year is not None:
        cases = cases.filter(opened_on__year=year)
    first = dict(
        Verdict.objects.filter(instance=Instance.FIRST, charge__defendant__criminal_case__in=cases)
        .values_list("charge__defendant__criminal_case")
        .annotate(first=Min("decided_on"))
        .values_list("charge__defendant__criminal_case", "first")
    )
    opened = dict(cases.values_list("pk", "opened_on"))
    days = sorted((first[pk] - opened[pk]).days for pk in first)
    return {
        "cases_opened": len(opened),
        "reached_verdict": len(days),
        "share_reaching_verdict": round(len(days) / len(opened), 4) if opened else None,
        "median_days_to_verdict": _median(days),
        "mean_days_to_verdict": round(statistics.fmean(days), 1) if days else None,
    }


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def compensation(country=None, year: int | None = None) -> list[dict]:
    """Claims decided in the year: awarded and paid, per currency and kind of claim."""
    claims = _scoped(
        CompensationClaim.objects.filter(awarded__isnull=False),
        _country_id(country),
        "witness__criminal_case__country_id",
    )
    if year is not None:
        claims = claims.filter(decided_on__year=year)
    groups: dict[tuple, dict] = defaultdict(
        lambda: {"claims": 0, "claimed": Decimal(0), "awarded": Decimal(0), "paid": Decimal(0)}
    )
    for kind, currency, claimed, awarded, paid in claims.values_list(
        "kind", "currency", "claimed", "awarded", "paid"
    ):
        g = groups[(currency, kind)]
        g["claims"] += 1
        g["claimed"] += claimed
        g["awarded"] += awarded
        g["paid"] += paid
    rows = []
    for (currency, kind), g in sorted(groups.items()):
        rows.append(
            {
                "currency": currency,
                "kind": kind,
                "claims": g["claims"],
                "claimed": _money(g["claimed"]),
                "awarded": _money(g["awarded"]),
                "paid": _money(g["paid"]),
                "paid_share": round(float(g["paid"] / g["awarded"]), 4) if g["awarded"] else None,
            }
        )
    return rows


def justice_measures(country, year: int) -> dict:
    """Every prosecution and compensation measure of one country and year (CE).

    ``country`` is an ISO alpha-3 code or a Country (None: the region). Keys:
    ``verdicts`` (cohort reaching verdict and time to verdict),
    ``charges_decided`` (by law and outcome), ``defendants_convicted``,
    ``median_prison_months``, ``compensation`` (rows per currency and kind),
    ``assets`` (value confiscated per currency), ``witnesses`` and ``stages``.
    """
    country_id = _country_id(country)
    verdicts = _scoped(
        Verdict.objects.filter(decided_on__year=year),
        country_id,
        "charge__defendant__criminal_case__country_id",
    )
    by_law: dict[str, dict[str, int]] = {
        law: {o: 0 for o in VerdictOutcome.values} for law in Law.values
    }
    convicted_defendants = set()
    months = []
    for law, outcome, defendant, prison in verdicts.values_list(
        "charge__law", "outcome", "charge__defendant", "prison_months"
    ):
        by_law[law][outcome] += 1
        if outcome == VerdictOutcome.CONVICTED:
            convicted_defendants.add(defendant)
            if prison is not None:
                months.append(prison)
    assets: dict[str, Decimal] = defaultdict(Decimal)
    for currency, value in _scoped(
        AssetConfiscation.objects.filter(confiscated_on__year=year),
        country_id,
        "criminal_case__country_id",
    ).values_list("currency", "value"):
        assets[currency] += value
    witnesses = _scoped(
        VictimWitness.objects.filter(linked_on__year=year), country_id, "criminal_case__country_id"
    )
    stages = {s: 0 for s in Stage.values}
    for stage in _scoped(CriminalCase.objects.all(), country_id, "country_id").values_list(
        "stage", flat=True
    ):
        stages[stage] += 1
    return {
        "country": country_id,
        "year": year,
        "verdicts": verdict_timing(country_id, year),
        "charges_decided": {k: v for k, v in by_law.items() if any(v.values())},
        "defendants_convicted": len(convicted_defendants),
        "median_prison_months": _median(sorted(months)),
        "compensation": compensation(country_id, year),
        "assets": {k: _money(v) for k, v in sorted(assets.items())},
        "witnesses": {
            "linked": witnesses.count(),
            "with_protection": sum(1 for p in witnesses.values_list("protection", flat=True) if p),
        },
        "stages": stages,
    }
