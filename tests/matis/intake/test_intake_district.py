"""District of a tip and of a group registration: a listed district of the province chosen."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from matis.common.models import District, Subdivision
from matis.intake import services
from matis.intake.models import GroupRegistration, Tip

pytestmark = pytest.mark.django_db

NOT_IN_PROVINCE = "This district is not in the province chosen."


def test_tip_district_outside_its_province_is_refused_naming_the_field(desk, record_tip):
    with pytest.raises(ValidationError) as err:
        record_tip(
            desk.worker,
            province=Subdivision.objects.get(pk="TH-10"),
            district=District.objects.get(pk="TH-5001"),
        )
    assert "district" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        record_tip(desk.worker, district=District.objects.get(pk="TH-5001"))
    assert "district" in err.value.message_dict
    assert Tip.objects.count() == 0
    tip = record_tip(
        desk.worker,
        province=Subdivision.objects.get(pk="TH-50"),
        district=District.objects.get(pk="TH-5001"),
    )
    tip.refresh_from_db()
    assert (tip.province_id, tip.district_id) == ("TH-50", "TH-5001")


def test_tip_page_offers_districts_narrowed_by_province_and_shows_the_district(client, desk):
    client.force_login(desk.worker)
    form = client.get("/intake/new/").content.decode()
    assert 'data-narrowed-by="province"' in form and 'data-parent="TH-50"' in form
    data = {
        "channel": "hotline",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "issue": "trafficking",
        "report": "Synthetic report",
        "urgency": "routine",
        "place_country": "THA",
        "province": "TH-10",
        "district": "TH-5001",
        "place": "Market (synthetic)",
    }
    refused = client.post("/intake/new/", data)
    assert refused.status_code == 400 and Tip.objects.count() == 0
    assert NOT_IN_PROVINCE in refused.content.decode()
    response = client.post("/intake/new/", {**data, "province": "TH-50"})
    tip = Tip.objects.get()
    assert response.status_code == 302 and tip.district_id == "TH-5001"
    page = client.get(f"/intake/{tip.pk}/").content.decode()
    assert 'data-district="TH-5001"' in page
    assert District.objects.get(pk="TH-5001").name in page


def test_group_district_checked_by_the_service_and_the_page(client, desk, rows):
    kwargs = dict(
        actor=desk.worker,
        rescued_on=timezone.localdate(),
        place="Compound (synthetic)",
        rescuing_agency="Police (synthetic)",
        rows=rows(1),
        place_country=desk.worker.country,
    )
    with pytest.raises(ValidationError) as err:
        services.group_register(
            **kwargs,
            province=Subdivision.objects.get(pk="TH-63"),
            district=District.objects.get(pk="TH-5001"),
        )
    assert "district" in err.value.message_dict
    assert GroupRegistration.objects.count() == 0
    client.force_login(desk.worker)
    data = {
        "rescued_on": timezone.localdate().isoformat(),
        "place_country": "THA",
        "province": "TH-63",
        "district": "TH-5001",
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
    assert response.status_code == 400 and NOT_IN_PROVINCE in response.content.decode()
    assert GroupRegistration.objects.count() == 0
    response = client.post("/intake/groups/new/", {**data, "province": "TH-50"})
    assert response.status_code == 302
    group = GroupRegistration.objects.get()
    assert group.district_id == "TH-5001"
    page = client.get(f"/intake/groups/{group.pk}/?for=shelter").content.decode()
    assert 'data-district="TH-5001"' in page
