"""Indicators: the standard set, targets and actuals, and computed-indicator providers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from matis.monitoring.models import IndicatorActual, IndicatorTarget, PlanIndicator
from matis.monitoring.providers import (
    ProviderError,
    get_provider,
    register_provider,
    unregister_provider,
)
from matis.monitoring.services import (
    IndicatorValues,
    indicator_actuals_refresh,
    indicator_values_set,
    indicators_load,
)

pytestmark = pytest.mark.django_db


def test_standard_set_loads_once():
    created, _updated = indicators_load()
    assert created == PlanIndicator.objects.count() >= 10
    assert indicators_load() == (0, 0)
    goals = set(PlanIndicator.objects.values_list("goal__code", flat=True))
    assert {"1.1", "2.1", "3.1", "5.3"} <= goals
    assert all(i.name_th for i in PlanIndicator.objects.all())


def test_values_are_set_once_and_computed_actuals_cannot_be_typed(
    period, tfo, make_report, secretariat
):
    indicators_load()
    reported = PlanIndicator.objects.get(code="labour-inspections")
    computed = PlanIndicator.objects.get(code="practitioners-trained")
    values = [IndicatorValues(reported.pk, Decimal(10), Decimal(20), Decimal(15))]
    assert indicator_values_set(actor=tfo, country_id="THA", period=period, values=values) == 3
    assert indicator_values_set(actor=tfo, country_id="THA", period=period, values=values) == 0
    values = [IndicatorValues(reported.pk, Decimal(10), Decimal(25), Decimal(15))]
    assert indicator_values_set(actor=tfo, country_id="THA", period=period, values=values) == 1
    from matis.access.models import AuditLog

    event = AuditLog.objects.filter(object_type="monitoring.indicatorvalues").latest("id")
    assert list(event.changes) == ["labour-inspections target"]
    assert [Decimal(v) for v in event.changes["labour-inspections target"]] == [20, 25]
    values = [IndicatorValues(reported.pk, Decimal(10), Decimal(20), Decimal(15))]
    assert indicator_values_set(actor=tfo, country_id="THA", period=period, values=values) == 1
    assert IndicatorTarget.objects.get(indicator=reported, country_id="THA").value == 20
    # With no computed value for THA and the year, the value is typed in by hand ...
    typed = [IndicatorValues(computed.pk, actual=Decimal(5))]
    assert indicator_values_set(actor=tfo, country_id="THA", period=period, values=typed) == 1
    actual = IndicatorActual.objects.get(indicator=computed, country_id="THA")
    assert (actual.value, actual.source) == (5, "reported")
    assert actual.note.startswith("Typed in by hand")
    # ... and kept by a refresh that still finds none.
    indicator_actuals_refresh(actor=secretariat, period=period)
    assert IndicatorActual.objects.get(indicator=computed, country_id="THA").value == 5
    # Once the records give a value, it replaces the typed one and cannot be typed over.
    make_report(code="P&C2", workflow="approved").outputs.create(kind="officials_trained", count=40)
    indicator_actuals_refresh(actor=secretariat, period=period)
    actual = IndicatorActual.objects.get(indicator=computed, country_id="THA")
    assert (actual.value, actual.source) == (40, "computed")
    assert actual.note == "Sum of 'officials_trained' outputs in approved activity reports"
    with pytest.raises(ValidationError):
        indicator_values_set(
            actor=tfo,
            country_id="THA",
            period=period,
            values=[IndicatorValues(computed.pk, actual=Decimal(5))],
        )


def test_outputs_provider_sums_approved_reports_only(period, make_report, secretariat):
    indicators_load()
    approved = make_report(code="P&C2", workflow="approved")
    approved.outputs.create(kind="officials_trained", count=40)
    other = make_report(code="CJ5", workflow="approved")
    other.outputs.create(kind="officials_trained", count=2)
    draft = make_report(code="PRO7")
    draft.outputs.create(kind="officials_trained", count=1000)
    stats = indicator_actuals_refresh(actor=secretariat, period=period)
    assert stats["updated"] >= 1
    actual = IndicatorActual.objects.get(indicator__code="practitioners-trained", country_id="THA")
    assert actual.value == 42 and actual.source == "computed"
    assert indicator_actuals_refresh(actor=secretariat, period=period)["updated"] == 0


def test_another_app_can_plug_in_a_provider(period, secretariat):
    indicators_load()
    registered = get_provider("statistics.victims_identified")  # the statistics app's
    unregister_provider("statistics.victims_identified")
    try:
        _plug_in_a_provider(period, secretariat)
    finally:
        unregister_provider("statistics.victims_identified")
        register_provider(registered.code, registered.func, label=registered.label)


def _plug_in_a_provider(period, secretariat):
    calls = []

    def victims(*, countries, years):
        calls.append((tuple(countries), tuple(years)))
        return {("THA", 2011): 511, ("KHM", 2011): None}

    register_provider("statistics.victims_identified", victims, label="test")
    try:
        with pytest.raises(ProviderError):
            register_provider("statistics.victims_identified", lambda **kw: {})
        indicator_actuals_refresh(actor=secretariat, period=period)
        value = IndicatorActual.objects.get(indicator__code="victims-identified")
        assert (value.country_id, value.value) == ("THA", Decimal(511))
        assert calls == [(("KHM", "CHN", "LAO", "MMR", "THA", "VNM"), (2011,))]
    finally:
        unregister_provider("statistics.victims_identified")
    with pytest.raises(ProviderError):
        get_provider("statistics.victims_identified")
    stats = indicator_actuals_refresh(actor=secretariat, period=period)
    assert stats["no_provider"] >= 1  # unregistered: values are left as they are
    assert IndicatorActual.objects.filter(indicator__code="victims-identified").exists()


def test_indicator_page_saves_values_for_the_own_country(client, tfo, period):
    indicators_load()
    indicator = PlanIndicator.objects.get(code="labour-inspections")
    client.force_login(tfo)
    response = client.post(
        f"/monitoring/indicators/?year={period.year}",
        {
            "year": period.year,
            f"baseline_{indicator.pk}": "12",
            f"target_{indicator.pk}": "20",
            f"actual_{indicator.pk}": "abc",
        },
    )
    assert "is not a number" in response.content.decode()
    assert not IndicatorTarget.objects.exists()
    client.post(
        "/monitoring/indicators/",
        {
            "year": period.year,
            f"baseline_{indicator.pk}": "12",
            f"target_{indicator.pk}": "20",
            f"actual_{indicator.pk}": "21",
        },
    )
    assert IndicatorActual.objects.get(indicator=indicator).country_id == "THA"
    page = client.get(f"/monitoring/indicators/?year={period.year}").content.decode()
    assert 'value="21"' in page
