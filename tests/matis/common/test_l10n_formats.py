"""Dates, numbers, country and language names from CLDR in all seven languages."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from matis.common.countries import country_name
from matis.common.l10n import format_date, format_number, language_name

DAY = dt.date(2014, 2, 8)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "8 Feb 2014"),  # CLDR medium, day first: never the ambiguous 02/08/2014
        ("th", "8 ก.พ. 2557"),  # Buddhist Era
        ("lo", "8 ກ.ພ. 2014"),
        ("my", "2014 ဖေ 8"),
        ("zh-hans", "2014年2月8日"),
        ("vi", "8 thg 2, 2014"),
        ("km", "8 កុម្ភៈ 2014"),
    ],
)
def test_dates_in_each_language(language, expected):
    assert format_date(DAY, language=language) == expected
    assert format_date(DAY, "SHORT_DATE_FORMAT", language=language) == expected


def test_no_lao_or_burmese_date_is_english():
    moment = dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.UTC)
    for language in ("lo", "my"):
        shown = format_date(moment, "SHORT_DATETIME_FORMAT", language=language)
        assert "Dec" not in shown and "2026" in shown and "21:05" in shown  # Bangkok time
        with translation.override(language):  # what Django renders itself ({{ day }})
            assert "Feb" not in formats.date_format(DAY)
    assert format_date(moment, "SHORT_DATETIME_FORMAT", language="th").startswith("3 ธ.ค. 2569")


def test_buddhist_era_keeps_the_weekday_of_the_real_date():
    # 8 February 2014 was a Saturday; 2557 is only the year's label
    assert format_date(DAY, "full", language="th") == "วันเสาร์ที่ 8 กุมภาพันธ์ พ.ศ. 2557"


def test_numbers_are_grouped_in_the_readers_symbols():
    assert format_number("11634984.00", language="en") == "11,634,984"
    assert format_number("11634984.00", language="lo") == "11.634.984"
    assert format_number(57.1, language="vi") == "57,1"
    assert format_number(1234.5, 2, language="th") == "1,234.50"
    assert format_number(0.123456, language="en") == "0.1235"


def test_mnumber_and_mdate_filters_follow_the_active_language():
    template = Template("{{ n|mnumber }} {{ d|mdate }}")
    with translation.override("lo"):
        assert template.render(Context({"n": 11634984, "d": DAY})) == "11.634.984 8 ກ.ພ. 2014"


def test_country_and_language_names():
    assert country_name("DEU", language="en") == "Germany"
    assert country_name("DEU", language="th") == "เยอรมนี"
    assert country_name("DE", language="zh-hans") == "德国"
    assert country_name("LAO", language="en") == "Lao PDR"  # as the MOU names it
    assert country_name("XXX", default="XXX") == "XXX"
    assert language_name("lo", "lo") == "ລາວ"
    assert language_name("zh-hans", "en") == "Simplified Chinese"
    template = Template("{{ c|country }} · {{ l|language_name }}")
    with translation.override("vi"):
        assert template.render(Context({"c": "JPN", "l": "th"})) == "Nhật Bản · Tiếng Thái"


def test_english_dates_are_day_first_or_iso_in_display_and_input():
    from django import forms

    moment = dt.datetime(2014, 2, 8, 14, 5, tzinfo=dt.UTC)
    assert format_date(moment, "SHORT_DATETIME_FORMAT", language="en") == "8 Feb 2014, 21:05"
    with translation.override("en"):
        assert formats.date_format(DAY) == "8 Feb 2014"
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == "2014-02-08"
        # a plain Django date field never reads 02/08/2014 month first
        field = forms.DateField()
        assert field.clean("02/08/2014") == dt.date(2014, 8, 2)
        assert field.clean("2014-02-08") == DAY
