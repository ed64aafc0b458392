"""Districts below the provinces: the vendored list, loaded by migration, checked."""

from __future__ import annotations

import csv
from collections import Counter

import pycountry
import pytest
from django import forms
from django.utils import translation

from matis.common.models import District, Subdivision
from matis.common.places import DistrictField, check_district, district_rows

pytestmark = pytest.mark.django_db


def _file_rows() -> list[dict]:
    path = __import__("matis.common.places", fromlist=["x"]).__file__
    with open(path.replace("places.py", "data/districts.csv"), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_district_of_the_file_is_loaded_under_a_province_of_its_country():
    file_rows = _file_rows()
    assert len(file_rows) == District.objects.count() == len(district_rows()) > 900
    mueang = District.objects.select_related("subdivision").get(code="TH-5001")
    assert mueang.subdivision.name == "Chiang Mai" and mueang.subdivision.country_id == "THA"
    assert mueang.names["th"] == "เมืองเชียงใหม่"
    # every Thai province but the special city of Pattaya has districts
    thai = set(Subdivision.objects.filter(country_id="THA").values_list("code", flat=True))
    with_districts = set(District.objects.values_list("subdivision_id", flat=True))
    assert thai - with_districts == {"TH-S"}
    # a district's code starts with its province's number (the interior-ministry geocode)
    thai_districts = District.objects.filter(subdivision__country_id="THA")
    assert all(d.code[3:5] == d.subdivision_id[3:] for d in thai_districts)


# As many as each source lists (data/SOURCE.md): kongvut/thai-province-data (rows
# not deleted), the NCDD gazetteer of RathanakSreang/cambodia-gazetteer, the MIMU
# districts of kyawthura-gg/myanmar-geography-json (77 + 2 of the Wa
# self-administered division), the county level of modood/Administrative-divisions-of-China.
SOURCE_COUNTS = {"THA": 929, "KHM": 197, "MMR": 79, "CHN": 2978}


def test_each_country_has_as_many_districts_as_its_source_and_laos_and_viet_nam_none():
    counts = Counter(District.objects.values_list("subdivision__country_id", flat=True))
    assert dict(counts) == SOURCE_COUNTS


def test_every_district_is_under_a_real_iso_subdivision_of_its_country_with_a_unique_code():
    file_rows = _file_rows()
    codes = [r["code"] for r in file_rows]
    assert len(codes) == len(set(codes))
    for row in file_rows:
        sub = pycountry.subdivisions.get(code=row["subdivision"])
        assert sub is not None, row
        assert sub.country_code == row["code"][:2] == row["subdivision"][:2], row
    # every province of the four countries has districts, but Pattaya (a special
    # city, TH-S) and the Chinese SARs and Taiwan, which the source leaves out
    with_districts = {r["subdivision"] for r in file_rows}
    all_subdivisions = {
        s.code
        for cc in ("TH", "KH", "MM", "CN")
        for s in pycountry.subdivisions.get(country_code=cc)
    }
    assert all_subdivisions - with_districts == {"TH-S", "CN-HK", "CN-MO", "CN-TW"}


def test_local_names_are_kept_in_the_language_of_the_country():
    mongkol_borei = District.objects.get(code="KH-0102")
    assert mongkol_borei.subdivision_id == "KH-1"
    assert (mongkol_borei.name, mongkol_borei.names) == ("Mongkol Borei", {"km": "មង្គលបូរី"})
    myitkyina = District.objects.get(code="MM-MMR001D001")
    assert myitkyina.subdivision.name == "Kachin"
    assert myitkyina.names == {"my": "မြစ်ကြီးနားခရိုင်"}
    # Bago West and Shan North come under ISO's one Bago region and one Shan state
    assert District.objects.get(code="MM-MMR008D001").subdivision_id == "MM-02"
    assert District.objects.get(code="MM-MMR015D001").subdivision_id == "MM-17"
    dongcheng = District.objects.get(code="CN-110101")
    assert dongcheng.subdivision_id == "CN-BJ"
    assert (dongcheng.name, dongcheng.names) == ("东城区", {"zh-hans": "东城区"})


class _PlaceForm(forms.Form):
    district = DistrictField(narrowed_by="province")


def test_the_district_field_lists_a_cambodian_district_under_its_province():
    html = str(_PlaceForm()["district"])
    assert '<option value="KH-0102" data-parent="KH-1">Mongkol Borei</option>' in html
    with translation.override("km"):
        html = str(_PlaceForm()["district"])
    assert '<option value="KH-0102" data-parent="KH-1">មង្គលបូរី</option>' in html
    form = _PlaceForm({"district": "KH-0102"})
    assert form.is_valid() and form.cleaned_data["district"].subdivision_id == "KH-1"


def test_a_district_outside_the_chosen_province_is_an_error():
    mueang = District.objects.get(code="TH-5001")
    assert check_district(mueang, Subdivision.objects.get(code="TH-50")) is None
    assert check_district(None, None) is None
    assert check_district(mueang, Subdivision.objects.get(code="TH-10"))
    assert check_district(mueang, None)
    mongkol_borei = District.objects.get(code="KH-0102")
    assert check_district(mongkol_borei, Subdivision.objects.get(code="KH-1")) is None
    assert check_district(mongkol_borei, Subdivision.objects.get(code="KH-2"))
    lashio = District.objects.get(code="MM-MMR015D001")
    assert check_district(lashio, Subdivision.objects.get(code="MM-17")) is None
    dongcheng = District.objects.get(code="CN-110101")
    assert check_district(dongcheng, Subdivision.objects.get(code="CN-SH"))


def test_a_district_row_of_an_unknown_province_stops_the_load(tmp_path, monkeypatch):
    from matis.common import places

    bad = tmp_path / "data"
    bad.mkdir()
    (bad / "districts.csv").write_text(
        "code,subdivision,name,name_local\nTH-9901,TH-99,Nowhere,\n", encoding="utf-8"
    )
    monkeypatch.setattr(places, "__file__", str(tmp_path / "places.py"))
    with pytest.raises(ValueError, match="line 2: unknown province 'TH-99'"):
        places.district_rows()
