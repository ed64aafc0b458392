"""Province of a tip and of a group registration: a listed ISO 3166-2 code of the country."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from matis.common.models import Subdivision
from matis.intake import services
from matis.intake.models import GroupRegistration, Tip

pytestmark = pytest.mark.django_db


def test_tip_province_of_another_country_is_refused_naming_the_field(desk, record_tip):
    with pytest.raises(ValidationError) as err:
        record_tip(
            desk.worker,
            place_country=desk.worker.country,
            province=Subdivision.objects.get(pk="KH-12"),
        )
    assert "province" in err.value.message_dict
    assert Tip.objects.count() == 0


def test_tip_province_gives_its_country_when_none_chosen(desk, record_tip):
    tip = record_tip(desk.worker, province=Subdivision.objects.get(pk="TH-63"))
    tip.refresh_from_db()
    assert (tip.province_id, tip.place_country_id) == ("TH-63", "THA")


def test_tip_page_records_and_shows_province(client, desk):
    client.force_login(desk.worker)
    form = client.get("/intake/new/").content.decode()
    assert 'data-narrowed-by="place_country"' in form and 'data-country="LAO"' in form
    data = {
        "channel": "hotline",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "issue": "trafficking",
        "report": "Synthetic report",
        "urgency": "routine",
        "place_country": "THA",
        "province": "LA-VT",
        "place": "Market (synthetic)",
    }
    refused = client.post("/intake/new/", data)
    assert refused.status_code == 400 and Tip.objects.count() == 0
    assert "This province is not in the country of the place chosen." in refused.content.decode()
    response = client.post("/intake/new/", {**data, "province": "TH-50"})
    tip = Tip.objects.get()
    assert response.status_code == 302 and tip.province_id == "TH-50"
    page = client.get(f"/intake/{tip.pk}/").content.decode()
    assert "TH-50" in page and Subdivision.objects.get(pk="TH-50").name in page
    assert "Market (synthetic)" in page


def test_group_province_checked_and_shown_on_the_list_page(client, desk, rows):
    kwargs = dict(
        actor=desk.worker,
        rescued_on=timezone.localdate(),
        place="Compound (synthetic)",
        rescuing_agency="Police (synthetic)",
        rows=rows(2),
    )
    with pytest.raises(ValidationError) as err:
        services.group_register(
            **kwargs,
            place_country=desk.worker.country,
            province=Subdivision.objects.get(pk="MM-11"),
        )
    assert "province" in err.value.message_dict
    assert GroupRegistration.objects.count() == 0
    group = services.group_register(
        **kwargs, place_country=desk.worker.country, province=Subdivision.objects.get(pk="TH-63")
    )
    client.force_login(desk.worker)
    page = client.get(f"/intake/groups/{group.pk}/?for=shelter").content.decode()
    assert "TH-63" in page and "Compound (synthetic)" in page


def test_group_page_refuses_province_of_another_country(client, desk):
    client.force_login(desk.worker)
    data = {
        "rescued_on": timezone.localdate().isoformat(),
        "place_country": "THA",
        "province": "VN-44",
        "place": "Compound (synthetic)",
        "rescuing_agency": "Police (synthetic)",
        "rows": "1",
        "name-0": "Synthetic A",
        "sex-0": "F",
        "age-0": "30",
        "language-0": "my",
        "consent-0": "on",
    }
    response = client.post("/intake/groups/new/", data)
    assert response.status_code == 400
    assert "This province is not in the country of the place chosen." in response.content.decode()
    assert GroupRegistration.objects.count() == 0
    response = client.post("/intake/groups/new/", {**data, "province": "TH-50"})
    assert response.status_code == 302
    assert GroupRegistration.objects.get().province_id == "TH-50"
