"""The UNODC GLOTIP export loads completely, with the published values, and idempotently."""

from __future__ import annotations

from collections import Counter

import pytest
from stats_helpers import GLOTIP, glotip_rows

from matis.official_statistics.models import Observation, ObservationRevision, Submission
from matis.official_statistics.services import observations_import


def _total(indicator: str, country: str, year: int) -> Observation:
    return Observation.objects.get(
        indicator__code=indicator, country_id=country, period=year, series_key=""
    )


@pytest.mark.django_db
def test_every_glotip_row_is_loaded(glotip):
    rows = glotip_rows()
    assert len(rows) == 1595  # the export's data rows (SOURCE.md)
    assert glotip.n_rows == glotip.n_created == len(rows)
    assert Observation.objects.count() == len(rows)
    # Per country and year, as many observations as file rows.
    in_file = Counter((r["Iso3_code"], int(r["Year"])) for r in rows)
    in_db = Counter(Observation.objects.values_list("country_id", "period"))
    assert in_db == in_file
    # Censored values stay censored: as many <5 in the database as in the file, none with a number.
    assert Observation.objects.filter(censored_below=5).count() == sum(
        r["txtVALUE"] == "<5" for r in rows
    )
    assert not Observation.objects.filter(
        censored_below__isnull=False, value__isnull=False
    ).exists()
    # The sum of every exact value equals the file's (grouping commas read as thousands).
    file_sum = sum(float(r["txtVALUE"].replace(",", "")) for r in rows if r["txtVALUE"] != "<5")
    assert sum(Observation.objects.values_list("value", flat=True).exclude(value=None)) == file_sum


@pytest.mark.django_db
def test_published_sample_values(glotip):
    assert _total("PERSONS_PROSECUTED", "THA", 2022).value == 609
    assert _total("PERSONS_CONVICTED", "CHN", 2018).value == 2400
    assert _total("PERSONS_PROSECUTED", "CHN", 2008).value == 1353  # "1,353" in the file
    female_prosecuted = Observation.objects.get(
        indicator__code="PERSONS_PROSECUTED",
        country_id="THA",
        period=2022,
        series_key="AGE=Y0T17|SEX=F",
    )
    assert female_prosecuted.value == 34
    censored = Observation.objects.get(
        indicator__code="VICTIMS_DETECTED",
        country_id="CHN",
        period=2003,
        series_key="REPATRIATION=ABROAD",
    )
    assert (censored.value, censored.censored_below, censored.display) == (None, 5, "<5")


@pytest.mark.django_db
def test_repeated_rows_are_kept_as_numbered_items(glotip):
    # Myanmar 2018 lists four "Other forms of exploitation" rows for detected victims.
    items = Observation.objects.filter(
        indicator__code="VICTIMS_DETECTED",
        country_id="MMR",
        period=2018,
        series_key__startswith="FORM=OTHER|SOURCE_ITEM=",
    ).order_by("series_key")
    assert [o.display for o in items] == ["<5", "10", "<5", "10"]
    assert Observation.objects.filter(series_key__contains="SOURCE_ITEM=").count() == 54


@pytest.mark.django_db
def test_reimport_changes_nothing(glotip):
    before = list(Observation.objects.order_by("pk").values_list())
    with GLOTIP.open("rb") as source:
        again = observations_import(actor=None, source=source, fmt="glotip")
    assert (again.n_created, again.n_updated, again.n_unchanged) == (0, 0, 1595)
    assert list(Observation.objects.order_by("pk").values_list()) == before
    assert not ObservationRevision.objects.exists()


@pytest.mark.django_db
def test_demo_loads_glotip_approved_and_twice_changes_nothing(db):
    from matis.official_statistics.demo import load_demo

    load_demo()
    assert Observation.objects.filter(approved=True).count() == 1595
    assert set(Submission.objects.values_list("status", flat=True)) == {"approved"}
    snapshot = list(Observation.objects.order_by("pk").values_list())
    statuses = list(Submission.objects.order_by("pk").values_list("status", "approved_at"))
    second = load_demo()
    assert "1595 unchanged" in second and "0 submissions approved" in second
    assert list(Observation.objects.order_by("pk").values_list()) == snapshot
    assert list(Submission.objects.order_by("pk").values_list("status", "approved_at")) == statuses
