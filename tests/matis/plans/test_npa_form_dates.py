"""The national-plan edit form shows the stored adoption date in every language."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from matis.monitoring.models import NationalPlan


@pytest.mark.parametrize(
    ("language", "shown"),
    [("th", "14/02/2557"), ("zh-hans", "14/02/2014"), ("en", "14/02/2014")],
)
def test_edit_form_shows_the_stored_adoption_date(db, client, make_user, language, shown):
    user = make_user(role="task_force_officer", country="THA")
    plan = NationalPlan.objects.create(
        country_id="THA",
        title="แผนปฏิบัติการ",
        start_year=2011,
        end_year=2016,
        adopted_on=dt.date(2014, 2, 14),
    )
    client.force_login(user)
    client.cookies["matis_language"] = language
    page = client.get(f"/monitoring/npa/{plan.pk}/edit/").content.decode()
    box = re.search(r'<input[^>]*name="adopted_on"[^>]*>', page)
    assert box is not None
    assert f'value="{shown}"' in box.group(0)
