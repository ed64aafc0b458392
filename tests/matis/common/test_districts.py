"""Districts below the provinces: the vendored list, loaded by migration, checked."""

from __future__ import annotations

import csv

import pytest

from matis.common.models import District, Subdivision
from matis.common.places import check_district, district_rows

pytestmark = pytest.mark.django_db


def test_every_district_of_the_file_is_loaded_under_a_province_of_its_country():
    path = __import__("matis.common.places", fromlist=["x"]).__file__
    with open(path.replace("places.py", "data/districts.csv"), encoding="utf-8") as f:
        file_rows = list(csv.DictReader(f))
    assert len(file_rows) == District.objects.count() == len(district_rows()) > 900
    mueang = District.objects.select_related("subdivision").get(code="TH-5001")
    assert mueang.subdivision.name == "Chiang Mai" and mueang.subdivision.country_id == "THA"
    assert mueang.names["th"] == "เมืองเชียงใหม่"
    # every Thai province but the special city of Pattaya has districts
    thai = set(Subdivision.objects.filter(country_id="THA").values_list("code", flat=True))
    with_districts = set(District.objects.values_list("subdivision_id", flat=True))
    assert thai - with_districts == {"TH-S"}
    # a district's code starts with its province's number (the interior-ministry geocode)
    assert all(d.code[3:5] == d.subdivision_id[3:] for d in District.objects.all())


def test_a_district_outside_the_chosen_province_is_an_error():
    mueang = District.objects.get(code="TH-5001")
    assert check_district(mueang, Subdivision.objects.get(code="TH-50")) is None
    assert check_district(None, None) is None
    assert check_district(mueang, Subdivision.objects.get(code="TH-10"))
    assert check_district(mueang, None)


def test_a_district_row_of_an_unknown_province_stops_the_load(tmp_path, monkeypatch):
    from matis.common import places

    bad = tmp_path / "data"
    bad.mkdir()
    (bad / "districts.csv").write_text(
        "code,subdivision,name,name_th\nTH-9901,TH-99,Nowhere,\n", encoding="utf-8"
    )
    monkeypatch.setattr(places, "__file__", str(tmp_path / "places.py"))
    with pytest.raises(ValueError, match="line 2: unknown province 'TH-99'"):
        places.district_rows()
