"""Pieces shared by the report builders."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.safestring import SafeString

from matis.common.models import Country
from matis.common.tables import Table, format_cell
from matis.plans.models import Plan


@dataclass
class Section:
    anchor: str
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[SafeString] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    # The numbers each chart draws, by chart: [(label, value), ...] or, for a grid,
    # [(row label, column label, value), ...]. The same numbers fill the tables, so the
    # test can check that chart and table agree whichever library draws the chart.
    chart_data: dict[str, list[tuple]] = field(default_factory=dict)


@dataclass
class AnnualReportContent:
    title: str
    subtitle: str
    year: int
    year_label: str
    plan: Plan
    country: Country | None
    generated_on: str
    synthetic: bool
    is_final_year: bool
    key_figures: list[tuple[str, str]]
    summary: list[str]
    sections: list[Section]
    n_tables: int = 0


def pct(value: Decimal | None) -> str:
    return format_cell(value, "pct")


def usd(value: Decimal) -> str:
    return format_cell(value, "usd")


def rate(part, whole) -> int | None:
    """``part`` of ``whole`` in whole per cent, rounded half up (43.5 -> 44), or None.

    Every percentage of the report is computed here once, from the counts or amounts,
    and the chart and the table show that same number (never a rounding of a rounded
    value, never rounded twice in two ways).
    """
    if not whole:
        return None
    return int((Decimal(100) * Decimal(part) / Decimal(whole)).quantize(1, ROUND_HALF_UP))


def completion_rate(completion) -> int | None:
    """Completed activities as a whole-per-cent share of the applicable ones."""
    return rate(completion.completed, completion.applicable)


def shares(counts) -> list[int]:
    """Whole-per-cent shares of ``counts`` that add up to exactly 100 (largest remainder).

    Each share gets the integer part of its exact value; the points still missing go
    to the largest remainders (ties to the earlier item). All zero: all shares zero.
    """
    counts = [int(c) for c in counts]
    if any(c < 0 for c in counts):
        raise ValueError("counts must not be negative")
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    floors = [100 * c // total for c in counts]
    remainders = [100 * c % total for c in counts]
    missing = 100 - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-remainders[i], i))
    for i in order[:missing]:
        floors[i] += 1
    return floors
