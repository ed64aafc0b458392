"""Money: conversion to US dollars, and totals that are exactly the sum of their parts."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from matis.monitoring.dashboards import budget_table, comparison_table, load_monitoring_data
from matis.monitoring.models import BudgetKind, ExchangeRate
from matis.monitoring.money import convert_rows, to_usd
from matis.monitoring.test_factories import build_scenario

pytestmark = pytest.mark.django_db


def test_conversion_rounds_each_amount_to_the_cent_half_to_even():
    assert to_usd(Decimal("100"), "THB", Decimal("30.49")) == Decimal("3.28")
    assert to_usd(Decimal("0.125"), "USD", None) == Decimal("0.12")
    assert to_usd(Decimal("0.135"), "USD", None) == Decimal("0.14")
    assert to_usd(Decimal("500"), "KHR", None) is None


def test_totals_by_any_dimension_add_up_to_the_same_grand_total():
    rows = [
        {"country": c, "area": a, "year": y, "currency": cur, "amount": Decimal(amount)}
        for c, a, y, cur, amount in [
            ("THA", 1, 2011, "THB", "1000.01"),
            ("THA", 2, 2011, "THB", "333.33"),
            ("KHM", 1, 2011, "KHR", "100000"),
            ("KHM", 1, 2012, "KHR", "99999.99"),
            ("THA", 1, 2012, "USD", "10.005"),
            ("LAO", 3, 2012, "LAK", "5"),
        ]
    ]
    rates = {
        ("THB", 2011): Decimal("30.49"),
        ("KHR", 2011): Decimal("4058"),
        ("KHR", 2012): Decimal("4033"),
    }
    totals = convert_rows(rows, rates, ("country", "area", "year"))
    parts = [
        to_usd(r["amount"], r["currency"], rates.get((r["currency"], r["year"]))) for r in rows
    ]
    expected = sum((p for p in parts if p is not None), Decimal(0))
    assert (
        totals.total()
        == expected
        == Decimal("32.80")
        + Decimal("10.93")
        + Decimal("24.64")
        + Decimal("24.80")
        + Decimal("10.00")
    )
    for dimension in (0, 1, 2, (0, 2)):
        assert sum(totals.rollup(dimension).values()) == expected
    assert totals.missing_rates == {("LAK", 2012)} and totals.unconverted == 1


def test_dashboard_budget_totals_equal_the_sum_of_every_budget_line(period):
    made = build_scenario(
        countries=("THA", "KHM", "VNM"), activities=12, years=(2011, 2012), seed=7
    )
    data = load_monitoring_data()
    rates = {(r.currency, r.year): r.units_per_usd for r in ExchangeRate.objects.all()}
    by_kind = defaultdict(Decimal)
    by_country_kind = defaultdict(Decimal)
    for entry in made["entries"]:
        usd = to_usd(
            entry.amount, entry.currency, rates.get((entry.currency, entry.report.period.year))
        )
        by_kind[entry.kind] += usd
        by_country_kind[(entry.report.country_id, entry.kind)] += usd

    table = budget_table(data)
    for kind in BudgetKind.values:
        column = {"allocation": "allocation", "spending": "spending", "partner": "partner"}[kind]
        assert sum(r[column] for r in table.rows) == by_kind[kind] == data.usd(kind=kind)
        assert sum(data.usd(kind=kind, area_id=a.pk) for a in data.areas) == by_kind[kind]
        assert sum(data.usd(kind=kind, year=y) for y in data.years) == by_kind[kind]
        for country in ("THA", "KHM", "VNM"):
            assert data.usd(kind=kind, country=country) == by_country_kind[(country, kind)]
    comparison = comparison_table(data)
    assert sum(r["spending"] for r in comparison.rows) == by_kind["spending"]


def test_drafts_do_not_count_in_totals(period):
    build_scenario(countries=("THA",), activities=3, workflow="draft")
    data = load_monitoring_data()
    assert data.usd(kind="allocation") == Decimal("0.00")
    assert data.pending[("THA", 2011)] == 3
