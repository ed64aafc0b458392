"""Demo dates come from the demo's fixed "today", not from the machine's clock."""

from __future__ import annotations

import datetime as dt

from matis.cases.demo import generate_people
from matis.common.demo import DEMO_TODAY, demo_today
from matis.justice import demo as justice_demo
from matis.returns import demo as returns_demo


def test_the_demo_today_is_a_fixed_date():
    assert demo_today() == DEMO_TODAY == dt.date(2026, 1, 1)
    assert justice_demo.demo_today() == returns_demo.demo_today() == DEMO_TODAY


def test_demo_cases_open_in_the_years_before_the_demo_today():
    opened = [day for _country, day, _person in generate_people(300)]
    assert max(opened) <= DEMO_TODAY - dt.timedelta(days=30)
    assert min(opened) >= DEMO_TODAY - dt.timedelta(days=7 * 365)
    assert {d.year for d in opened} >= {2020, 2023, 2025}
    assert opened == [day for _c, day, _p in generate_people(300)]  # the same every run
