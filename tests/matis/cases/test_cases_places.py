"""The province where a person was identified: picked by country, shown, exported."""

from __future__ import annotations

import json

from django.urls import reverse

from matis.cases.export import case_to_htcds
from matis.cases.models import Case, Facility
from matis.common.models import Subdivision


def _register(client, **extra):
    data = {
        "given_name": "ดาวเรือง",
        "gender": "Feminine",
        "age_at_registration": "22",
        "languages": ["th"],
        "opened_on": "2024-03-15",
        **extra,
    }
    return client.post(reverse("cases:case_register"), data)


def test_the_province_of_identification_is_stored_shown_and_exported(client, world):
    client.force_login(world.worker)
    form = client.get(reverse("cases:case_register")).content.decode()
    assert 'data-narrowed-by="place_country"' in form and 'data-country="KHM"' in form
    response = _register(client, place_country="THA", place_of_identification="TH-50")
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.place_of_identification_id == "TH-50"
    client.cookies["matis_language"] = "th"
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'data-place="TH-50"' in page and "เชียงใหม่" in page
    record = json.loads(client.get(reverse("cases:case_htcds", args=[case.pk])).content)
    assert record["commit_PlaceOfIdentification"] == "TH-50"
    deidentified = case_to_htcds(case, deidentified=True)
    assert "commit_PlaceOfIdentification" not in deidentified


def test_a_province_of_another_country_than_the_one_chosen_is_refused(client, world):
    client.force_login(world.worker)
    response = _register(client, place_country="THA", place_of_identification="KH-2")
    assert response.status_code == 400 and not Case.objects.exists()
    assert "place_of_identification" in response.context["form"].errors


def test_a_facility_gets_a_province_of_its_own_country(client, world):
    client.force_login(world.supervisor)
    url = reverse("cases:directory")
    data = {"add": "facility", "name": "Shelter C (synthetic)", "kind": "shelter"}
    client.post(url, {**data, "subdivision": "KH-2"})  # not a Thai province
    assert not Facility.objects.filter(name=data["name"]).exists()
    response = client.post(url, {**data, "subdivision": "TH-57", "province": "Mueang"})
    assert response.status_code == 302
    facility = Facility.objects.get(name=data["name"])
    assert facility.subdivision == Subdivision.objects.get(code="TH-57")


def test_a_placement_shows_the_province_of_its_facility(client, world):
    import datetime as dt

    from matis.cases import services

    client.force_login(world.worker)
    assert _register(client).status_code == 302
    case = Case.objects.get()
    facility = Facility.objects.create(
        country_id=case.country_id,
        name="Shelter P (synthetic)",
        kind="shelter",
        subdivision=Subdivision.objects.filter(country_id=case.country_id).order_by("code").last(),
    )
    services.placement_add(
        actor=world.worker,
        case=case,
        kind="shelter",
        facility=facility,
        voluntary=True,
        start_date=dt.date(2024, 3, 16),
    )
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert f'data-province="{facility.subdivision_id}"' in page
    assert facility.subdivision.display_name in page


def test_the_district_is_picked_within_the_province_stored_and_shown(client, world):
    client.force_login(world.worker)
    form = client.get(reverse("cases:case_register")).content.decode()
    # the district list narrows by the province select; each option names its province
    assert 'data-narrowed-by="place_of_identification"' in form
    assert 'value="TH-5001" data-parent="TH-50"' in form
    response = _register(
        client,
        place_country="THA",
        place_of_identification="TH-50",
        district_of_identification="TH-1001",  # Khet Phra Nakhon is in Bangkok
    )
    assert response.status_code == 400 and not Case.objects.exists()
    assert "district_of_identification" in response.context["form"].errors
    response = _register(
        client,
        place_country="THA",
        place_of_identification="TH-50",
        district_of_identification="TH-5001",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.district_of_identification_id == "TH-5001"
    client.cookies["matis_language"] = "th"
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'data-district="TH-5001"' in page and "เมืองเชียงใหม่" in page


def test_a_district_without_a_province_is_refused(client, world):
    client.force_login(world.worker)
    response = _register(client, place_country="THA", district_of_identification="TH-5001")
    assert response.status_code == 400 and not Case.objects.exists()
