"""Dates typed as people write them: day/month/year, Buddhist Era years in Thai."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from matis.common.dateinput import (
    LocalDateField,
    format_input_date,
    parse_input_date,
)


@pytest.mark.parametrize(
    ("language", "typed", "stored"),
    [
        ("th", "15/03/2567", dt.date(2024, 3, 15)),
        ("th", "๑๕/๐๓/๒๕๖๗", dt.date(2024, 3, 15)),  # Thai digits
        ("th", "1.3.2567", dt.date(2024, 3, 1)),
        ("th", "2024-03-15", dt.date(2024, 3, 15)),  # ISO is always the Common Era
        ("en", "15/03/2024", dt.date(2024, 3, 15)),
        ("km", "១៥/០៣/២០២៤", dt.date(2024, 3, 15)),  # Khmer digits, CE
        ("vi", "15-3-2024", dt.date(2024, 3, 15)),
        ("zh-hans", "2024-03-15", dt.date(2024, 3, 15)),
    ],
)
def test_typed_dates_are_read_in_the_users_calendar(language, typed, stored):
    assert parse_input_date(typed, language) == stored


@pytest.mark.parametrize(
    ("language", "typed", "hint"),
    [
        ("th", "15/03/2024", "2567"),  # a CE year typed in Thai: the BE year is suggested
        ("en", "15/03/2567", "2024"),  # a BE year typed in English: the CE year is suggested
        ("th", "31/02/2567", "31/02/2567"),
        ("en", "03/15", "dd/mm/yyyy"),
        ("en", "15/03/0024", "24"),
    ],
)
def test_wrong_calendar_or_shape_gets_a_hint(language, typed, hint):
    with translation.override(language), pytest.raises(forms.ValidationError) as err:
        parse_input_date(typed)
    assert hint in " ".join(err.value.messages)


def test_stored_dates_are_shown_back_as_typed():
    day = dt.date(2024, 3, 15)
    assert format_input_date(day, "th") == "15/03/2567"
    assert format_input_date(day, "en") == "15/03/2024"

    class F(forms.Form):
        on = LocalDateField(initial=day)

    with translation.override("th"):
        html = str(F()["on"])
    assert 'value="15/03/2567"' in html and 'placeholder="วว/ดด/ปปปป"' in html
    assert 'type="text"' in html
    with translation.override("th"):
        bound = F({"on": "15/03/2567"})
        assert bound.is_valid() and bound.cleaned_data["on"] == day
