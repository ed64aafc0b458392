"""Thai readers see Buddhist Era years; everyone else the Common Era."""

import datetime as dt

import pytest
from django.utils import translation

from matis.common.calendars import display_date, display_year, display_year_range


@pytest.mark.parametrize(
    ("language", "expected"), [("th", "2554"), ("en", "2011"), ("km", "2011"), ("vi", "2011")]
)
def test_display_year(language, expected):
    assert display_year(2011, language) == expected


def test_year_range_for_spa3():
    assert display_year_range(2011, 2013, "th") == "2554–2556"
    assert display_year_range(2011, 2013, "en") == "2011–2013"


def test_dates_follow_the_active_language():
    day = dt.date(2013, 12, 31)
    with translation.override("th"):
        assert display_date(day, "Y-m-d") == "2556-12-31"
        assert "2556" in display_date(day)
    with translation.override("en"):
        assert display_date(day, "Y-m-d") == "2013-12-31"
    assert display_date(day, "d/m/y", language="th") == "31/12/56"


def test_aware_datetimes_are_shown_in_local_time():
    moment = dt.datetime(2012, 12, 31, 20, 0, tzinfo=dt.UTC)  # 03:00 next day in Bangkok
    assert display_date(moment, "Y-m-d H:i", language="en") == "2013-01-01 03:00"
    assert display_date(moment, "Y-m-d H:i", language="th") == "2556-01-01 03:00"


@pytest.mark.django_db
def test_spa3_is_shown_as_2554_2556_in_thai(client, make_user):
    client.force_login(make_user(country="THA"))
    client.post("/i18n/setlang/", {"language": "th", "next": "/plan/"})
    body = client.get("/plan/").content.decode()
    assert "2554–2556" in body and "2011–2013" not in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/plan/"})
    assert "2011–2013" in client.get("/plan/").content.decode()
