"""Money: ISO 4217 currencies, conversion to US dollars and totals that add up.

Every amount is converted on its own (``amount / units_per_usd``, rounded to the
cent, half to even); totals are sums of those converted amounts. So a total by
Area, by country or by year is always exactly the sum of its parts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
USD = "USD"


def is_currency(code: str) -> bool:
    return bool(code) and len(code) == 3 and pycountry.currencies.get(alpha_3=code) is not None


def validate_currency(code: str) -> None:
    if not is_currency(code):
        raise ValidationError(
            _("“%(code)s” is not an ISO 4217 currency code."),
            params={"code": code},
            code="currency",
        )


def to_usd(amount: Decimal, currency: str, units_per_usd: Decimal | None) -> Decimal | None:
    """Convert one amount to US dollars, rounded to the cent; None without a rate."""
    if currency == USD:
        return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_EVEN)
    if units_per_usd is None:
        return None
    return (Decimal(amount) / Decimal(units_per_usd)).quantize(CENT, rounding=ROUND_HALF_EVEN)


@dataclass
class Totals:
    """Sums of converted amounts keyed by any hashable dimension tuple."""

    by_key: dict[Hashable, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    missing_rates: set[tuple[str, int]] = field(default_factory=set)
    unconverted: int = 0

    def add(self, key: Hashable, usd: Decimal | None, currency: str, year: int) -> None:
        if usd is None:
            self.missing_rates.add((currency, year))
            self.unconverted += 1
            return
        self.by_key[key] += usd

    def get(self, key: Hashable) -> Decimal:
        return self.by_key.get(key, Decimal("0.00"))

    def total(self) -> Decimal:
        return sum(self.by_key.values(), Decimal("0.00"))

    def rollup(self, index: int | tuple[int, ...]) -> dict[Hashable, Decimal]:
        """Sum over every dimension except those at ``index``."""
        indices = (index,) if isinstance(index, int) else index
        out: dict[Hashable, Decimal] = defaultdict(Decimal)
        for key, value in self.by_key.items():
            sub = tuple(key[i] for i in indices)
            out[sub[0] if len(sub) == 1 else sub] += value
        return dict(out)


def convert_rows(
    rows: Iterable[Mapping],
    rates: Mapping[tuple[str, int], Decimal],
    key_fields: tuple[str, ...],
) -> Totals:
    """Convert each row's ``amount``/``currency`` for its ``year`` and sum by ``key_fields``."""
    totals = Totals()
    for row in rows:
        rate = rates.get((row["currency"], row["year"]))
        usd = to_usd(row["amount"], row["currency"], rate)
        totals.add(tuple(row[f] for f in key_fields), usd, row["currency"], row["year"])
    return totals
