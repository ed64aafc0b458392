"""The clickable province map beside a province select: drawn on the server, one path per province."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from matis.common import maps
from matis.common.map_picker import country_paths, province_map_html

pytestmark = pytest.mark.django_db


def _svgs(page: str) -> dict[str, list[tuple[str, str]]]:
    """{country: [(province code, title), ...]} of the province maps of a page."""
    out = {}
    for country, body in re.findall(
        r'<svg class="province-map-svg" data-country="(\w+)"(.*?)</svg>', page, re.S
    ):
        out[country] = re.findall(
            r'<path data-province="([A-Z]{2}-\w+)" d="M[^"]+"[^>]*><title>([^<]+)</title>', body
        )
    return out


def test_one_simplified_path_per_province_of_the_boundary_file():
    for iso3, alpha2 in [("THA", "TH"), ("KHM", "KH"), ("LAO", "LA"), ("MMR", "MM"), ("VNM", "VN")]:
        (width, height), paths = country_paths(iso3)
        expected = {
            f["properties"]["code"]
            for f in maps.features("province")
            if f["properties"]["country"] == alpha2
        }
        assert {code for code, _d in paths} == expected
        assert 0 < width <= 320 and 0 < height <= 360
    # simplified: Thailand's 77 provinces in well under 40 kB of path data
    assert sum(len(d) for _c, d in country_paths("THA")[1]) < 40_000


def test_the_map_is_hidden_aria_hidden_and_names_provinces_in_the_reader_language(settings):
    from django.utils import translation

    with translation.override("th"):
        html = province_map_html("id_province", ["THA"], selected="TH-50")
    assert 'data-map-for="id_province" hidden' in html
    assert 'aria-hidden="true"' in html and "onclick" not in html and "<script" not in html
    provinces = dict(_svgs(html)["THA"])
    assert len(provinces) == 77 and provinces["TH-50"] == "เชียงใหม่"
    assert 'data-province="TH-50" d="' in html and 'class="is-selected"' in html


def test_the_tip_form_has_the_map_of_each_country_and_loads_the_script(client, make_user):
    client.force_login(make_user(role="case_worker", country="THA"))
    page = client.get(reverse("intake:tip_create")).content.decode()
    svgs = _svgs(page)
    assert len(svgs["THA"]) == 77 and len(svgs["KHM"]) == 24 and len(svgs["LAO"]) == 17
    assert 'data-map-for="id_province"' in page
    assert '<option value="THA" selected>' in page  # the user's country: its map is shown
    assert "common/province_map.js" in page and "onclick" not in page
    # the select is still there, and still the control
    assert '<select name="province"' in page and '<select name="district"' in page


def test_the_case_form_has_the_map_beside_the_province_of_identification(client, make_user):
    client.force_login(make_user(role="case_worker", country="THA"))
    page = client.get(reverse("cases:case_register")).content.decode()
    assert 'data-map-for="id_place_of_identification"' in page
    assert len(_svgs(page)["THA"]) == 77
