"""Fixtures for the report tests: periods for SPA III and a small set of approved reports."""

from __future__ import annotations

import pytest


@pytest.fixture
def secretariat(make_user):
    return make_user(role="secretariat_analyst", country=None)


@pytest.fixture
def scenario(db):
    """Approved reports for two countries and 2011-2013 (10 activities), with budgets."""
    from matis.monitoring.services import indicators_load
    from matis.monitoring.test_factories import build_scenario

    indicators_load()
    return build_scenario(countries=("THA", "KHM"), activities=10, years=(2011, 2012, 2013))
