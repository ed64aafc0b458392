"""The case form reads dates in the user's calendar: Buddhist Era years in Thai."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from matis.common.dateinput import format_input_date


def test_the_thai_case_form_stores_a_buddhist_era_date(client, world):
    from matis.cases.models import Case

    client.force_login(world.worker)
    client.cookies["matis_language"] = "th"
    page = client.get(reverse("cases:case_register")).content.decode()
    assert 'placeholder="วว/ดด/ปปปป"' in page
    be_today = format_input_date(dt.date.today(), "th")
    assert f'value="{be_today}"' in page  # today's date pre-filled in BE
    data = {
        "given_name": "ดาวเรือง",
        "gender": "Feminine",
        "age_at_registration": "22",
        "languages": ["th"],
        "opened_on": "15/03/2567",
        "date_of_birth": "01/01/2545",
    }
    response = client.post(reverse("cases:case_register"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.opened_on == dt.date(2024, 3, 15)
    assert case.person.date_of_birth == dt.date(2002, 1, 1)

    # a Gregorian year typed in Thai is refused with the BE year suggested, nothing written
    data["opened_on"] = "15/03/2024"
    page = client.post(reverse("cases:case_register"), data).content.decode()
    assert "2567" in page and Case.objects.count() == 1
