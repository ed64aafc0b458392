"""Where a person is placed: a province (and district) of the placement, checked, shown, counted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from matis.cases import services
from matis.cases.models import Case, Facility, Placement
from matis.common.models import District, Subdivision

pytestmark = pytest.mark.django_db


def _case(client, world) -> Case:
    client.force_login(world.worker)
    data = {
        "given_name": "ดาวเรือง",
        "gender": "Feminine",
        "age_at_registration": "22",
        "languages": ["th"],
        "opened_on": "2024-03-15",
    }
    assert client.post(reverse("cases:case_register"), data).status_code == 302
    return Case.objects.get()


def _facility(case, subdivision=None) -> Facility:
    return Facility.objects.create(
        country_id=case.country_id,
        name="Shelter Q (synthetic)",
        kind="shelter",
        subdivision=subdivision,
    )


def test_the_placement_province_must_be_of_the_country_of_its_place(client, world):
    case = _case(client, world)
    facility = _facility(case)
    add = dict(
        actor=world.worker,
        case=case,
        kind="shelter",
        facility=facility,
        voluntary=True,
        start_date=dt.date(2024, 3, 16),
    )
    with pytest.raises(ValidationError) as err:
        services.placement_add(**add, province=Subdivision.objects.get(pk="KH-2"))
    assert "province" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.placement_add(
            **add,
            province=Subdivision.objects.get(pk="TH-10"),
            district=District.objects.get(pk="TH-5001"),
        )
    assert "district" in err.value.message_dict
    assert not Placement.objects.exists()
    placement = services.placement_add(
        **add,
        province=Subdivision.objects.get(pk="TH-50"),
        district=District.objects.get(pk="TH-5001"),
    )
    assert (placement.province_id, placement.district_id) == ("TH-50", "TH-5001")


def test_without_a_province_the_placement_takes_the_province_of_its_place(client, world):
    case = _case(client, world)
    facility = _facility(case, Subdivision.objects.get(pk="TH-57"))
    placement = services.placement_add(
        actor=world.worker,
        case=case,
        kind="shelter",
        facility=facility,
        voluntary=True,
        start_date=dt.date(2024, 3, 16),
    )
    assert placement.province_id == "TH-57" and placement.place_province.code == "TH-57"


def test_the_placement_form_records_and_the_case_page_shows_province_and_district(client, world):
    case = _case(client, world)
    facility = _facility(case)
    url = reverse("cases:placement_new", args=[case.pk])
    form = client.get(url).content.decode()
    assert 'name="province"' in form and 'data-narrowed-by="province"' in form
    assert 'value="TH-50"' in form and 'value="KH-2"' not in form  # the case's country only
    data = {"facility": facility.pk, "voluntary": "1", "start_date": "2024-03-16"}
    refused = client.post(url, {**data, "province": "TH-10", "district": "TH-5001"})
    assert refused.status_code == 400 and not Placement.objects.exists()
    response = client.post(url, {**data, "province": "TH-50", "district": "TH-5001"})
    assert response.status_code == 302
    placement = Placement.objects.get()
    assert (placement.province_id, placement.district_id) == ("TH-50", "TH-5001")
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'data-province="TH-50"' in page and 'data-district="TH-5001"' in page
    record = client.get(reverse("cases:case_htcds", args=[case.pk])).json()
    assert record["commit_Placements"][0]["province"] == "TH-50"


def test_the_placement_form_has_the_map_of_the_case_country_only(client, world):
    case = _case(client, world)
    page = client.get(reverse("cases:placement_new", args=[case.pk])).content.decode()
    assert 'data-map-for="id_province"' in page
    assert page.count('class="province-map-svg" data-country="THA"') == 1
    assert 'data-country="KHM"' not in page
    assert page.count('<path data-province="TH-') == 77
