"""Provinces of the COMMIT countries (ISO 3166-2) loaded from pycountry, named per language."""

from __future__ import annotations

import pycountry
import pytest
from django.utils import translation

from matis.common.models import COMMIT_COUNTRIES, Subdivision
from matis.common.places import subdivision_rows, sync_subdivisions


@pytest.mark.django_db
def test_the_migration_loads_every_top_level_subdivision_of_the_six_countries():
    for iso3 in COMMIT_COUNTRIES:
        iso2 = pycountry.countries.get(alpha_3=iso3).alpha_2
        expected = {
            s.code for s in pycountry.subdivisions.get(country_code=iso2) if not s.parent_code
        }
        assert set(Subdivision.objects.filter(country_id=iso3).values_list("code", flat=True)) == (
            expected
        ), iso3
    assert sync_subdivisions(Subdivision) == 0  # loading again changes nothing
    assert len(subdivision_rows()) == Subdivision.objects.count()


@pytest.mark.django_db
def test_names_follow_the_readers_language_where_iso_codes_translates_them():
    chiang_mai = Subdivision.objects.get(code="TH-50")
    with translation.override("th"):
        assert chiang_mai.display_name == "เชียงใหม่"
    with translation.override("en"):
        assert chiang_mai.display_name == "Chiang Mai"
    with translation.override("zh-hans"):
        assert Subdivision.objects.get(code="CN-YN").display_name == "云南省"
    with translation.override("my"):  # no Burmese catalogue: the ISO name
        assert chiang_mai.display_name == "Chiang Mai"


@pytest.mark.django_db
def test_the_load_command_restores_a_deleted_province():
    from io import StringIO

    from django.core.management import call_command

    Subdivision.objects.filter(code="LA-VT").delete()
    out = StringIO()
    call_command("load_places", stdout=out)
    assert Subdivision.objects.filter(code="LA-VT", country_id="LAO").exists()
    assert out.getvalue().startswith("1 provinces")
