"""The GLOTIP-backed plan indicators fill from approved official statistics (demo data)."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from matis.monitoring.models import IndicatorActual, PlanIndicator
from matis.monitoring.providers import get_provider

pytestmark = pytest.mark.django_db

GLOTIP_FILE = "/work/shared/data/ext/data_glotip_COMMIT6.csv"
# plan indicator -> the GLOTIP indicator whose national total it shows
GLOTIP_BACKED = {
    "victims-identified": "Detected trafficking victims",
    "tip-investigations": "Persons brought into formal contact",
    "tip-convictions": "Persons convicted",
}


def _glotip_totals() -> dict[tuple[str, str, int], Decimal]:
    """(GLOTIP indicator, country, year) -> total, read from the shared data file itself."""
    from matis.official_statistics.loader import data_path

    path = data_path("glotip_COMMIT6.csv")
    out = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if all(row[c] == "Total" for c in ("Dimension", "Category", "Sex", "Age")):
                if row["txtVALUE"].startswith("<"):
                    continue
                value = Decimal(row["txtVALUE"].replace(",", ""))
                out[(row["Indicator"], row["Iso3_code"], int(row["Year"]))] = value
    return out


def test_the_bundled_glotip_file_is_the_shared_one():
    from pathlib import Path

    from matis.official_statistics.loader import data_path

    shared = Path(GLOTIP_FILE)
    if not shared.exists():
        pytest.skip("the shared data directory is not mounted here")
    assert data_path("glotip_COMMIT6.csv").read_bytes() == shared.read_bytes()


def test_every_statistics_provider_named_by_an_indicator_is_registered():
    from matis.monitoring.services import indicators_load

    indicators_load()
    named = set(
        PlanIndicator.objects.filter(provider_code__startswith="statistics.").values_list(
            "provider_code", flat=True
        )
    )
    assert {"statistics.victims_identified", "statistics.investigations"} <= named
    for code in named:
        get_provider(code)  # raises ProviderError if missing


@pytest.mark.slow
def test_demo_fills_the_glotip_backed_indicators_with_the_glotip_figures():
    from matis.monitoring.demo import load_demo as monitoring_demo
    from matis.official_statistics.demo import load_demo as statistics_demo

    statistics_demo()
    monitoring_demo()
    expected = _glotip_totals()
    actuals = IndicatorActual.objects.filter(indicator__code__in=GLOTIP_BACKED).select_related(
        "indicator", "period"
    )
    seen = {code: 0 for code in GLOTIP_BACKED}
    for actual in actuals:
        key = (GLOTIP_BACKED[actual.indicator.code], actual.country_id, actual.period.year)
        assert actual.value == expected[key], key
        assert actual.source == PlanIndicator.Source.COMPUTED
        assert actual.note.startswith("Official statistics (approved)")
        seen[actual.indicator.code] += 1
    # Every GLOTIP total of a demo year is there (2011-2013: THA, MMR, VNM victims and
    # convictions; MMR persons in formal contact in 2012 and 2013).
    years = {2011, 2012, 2013}
    for code, glotip_name in GLOTIP_BACKED.items():
        wanted = {(c, y) for (i, c, y) in expected if i == glotip_name and y in years}
        assert seen[code] == len(wanted) > 0, code
    assert IndicatorActual.objects.get(
        indicator__code="victims-identified", country_id="THA", period__year=2012
    ).value == Decimal(583)
