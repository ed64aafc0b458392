"""The monitoring demo: 6 countries x 30 activities x 3 years, synthetic, loaded once."""

from __future__ import annotations

import pytest

from matis.monitoring.demo import load_demo
from matis.monitoring.models import ActivityReport, NationalPlan, ReportingPeriod

pytestmark = pytest.mark.django_db


def test_demo_is_complete_synthetic_and_idempotent():
    message = load_demo()
    assert message.startswith("540 activity reports")
    assert ActivityReport.objects.filter(synthetic=True).count() == 540
    assert not ActivityReport.objects.filter(synthetic=False).exists()
    assert NationalPlan.objects.filter(synthetic=True).count() == 6
    years = dict(ReportingPeriod.objects.values_list("year", "closed_at"))
    assert years[2011] is not None and years[2012] is not None and years[2013] is None
    snapshot = list(ActivityReport.objects.order_by("pk").values_list("progress", "workflow"))
    assert load_demo() == "already loaded, nothing changed"
    assert (
        list(ActivityReport.objects.order_by("pk").values_list("progress", "workflow")) == snapshot
    )
