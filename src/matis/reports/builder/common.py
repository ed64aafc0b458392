"""Pieces shared by the report builders."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

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


def rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1")) if whole else None
