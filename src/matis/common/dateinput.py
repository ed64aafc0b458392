"""Dates as people type them: day/month/year, with Buddhist Era years for Thai users.

Every date input in MATIS uses :class:`LocalDateField` (or its widget). It reads
what the user typed in the active language's calendar and stores the Common Era
date; it shows a stored date back in the same form. Display elsewhere stays with
:mod:`matis.common.calendars`.

Accepted input:

* ``15/03/2567`` (Thai: BE year) or ``15/03/2024`` (other languages: CE year);
  separators ``/``, ``.``, ``-`` or a space; one- or two-digit day and month;
  Thai, Khmer, Lao and Myanmar digits as well as ASCII ones;
* ``2024-03-15`` (ISO 8601): always the Common Era, in every language — the form
  machines, imports and earlier browsers' date pickers send.

A year that would be far outside any plausible date when read in the user's
calendar is refused with a hint naming the other calendar (a Thai user typing
``2024`` means 2024 CE, not 1481 CE; an English user typing ``2567`` means 2024).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from matis.common.calendars import BUDDHIST_ERA_OFFSET, uses_buddhist_era

# Plausible Common Era years for anything MATIS records (births, agreements, retention).
MIN_YEAR = 1850
YEARS_AHEAD = 100

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4})$")


def _ascii_digits(text: str) -> str:
    """Thai ๑, Khmer ១, Lao ໑, Myanmar ၁... become 1; everything else is kept."""
    out = []
    for ch in text:
        if ch.isdigit() and not ch.isascii():
            out.append(str(unicodedata.digit(ch)))
        else:
            out.append(ch)
    return "".join(out)


def date_placeholder(language: str | None = None) -> str:
    """The expected format, as shown in an empty date box (``วว/ดด/ปปปป`` in Thai)."""
    return str(_("dd/mm/yyyy"))


def format_input_date(value: dt.date | None, language: str | None = None) -> str:
    """A stored (CE) date as the user types it: ``15/03/2567`` in Thai, ``15/03/2024`` else."""
    if value is None:
        return ""
    year = value.year + (BUDDHIST_ERA_OFFSET if uses_buddhist_era(language) else 0)
    return f"{value.day:02d}/{value.month:02d}/{year:04d}"


def _plausible(year: int) -> bool:
    return MIN_YEAR <= year <= dt.date.today().year + YEARS_AHEAD


def parse_input_date(text: str, language: str | None = None) -> dt.date:
    """Read a typed date in the user's calendar; raise ``ValidationError`` with a hint."""
    raw = _ascii_digits(text.strip())
    buddhist = uses_buddhist_era(language)
    iso = _ISO.match(raw)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
        typed_year, ce_year = year, year
    else:
        day_first = _DAY_FIRST.match(raw)
        if not day_first:
            raise forms.ValidationError(
                _("Type the date as %(format)s."),
                code="invalid",
                params={"format": date_placeholder(language)},
            )
        day, month, typed_year = (int(g) for g in day_first.groups())
        ce_year = typed_year - BUDDHIST_ERA_OFFSET if buddhist else typed_year
    if not _plausible(ce_year):
        if buddhist and not iso and _plausible(typed_year):
            raise forms.ValidationError(
                _(
                    "%(year)s looks like a Common Era year. Type the Buddhist Era year "
                    "(%(be)s), or the date as %(iso)s."
                ),
                code="era",
                params={
                    "year": typed_year,
                    "be": typed_year + BUDDHIST_ERA_OFFSET,
                    "iso": f"{typed_year:04d}-{month:02d}-{day:02d}",
                },
            )
        if _plausible(typed_year - BUDDHIST_ERA_OFFSET):
            raise forms.ValidationError(
                _("%(year)s looks like a Buddhist Era year. Type the Common Era year (%(ce)s)."),
                code="era",
                params={"year": typed_year, "ce": typed_year - BUDDHIST_ERA_OFFSET},
            )
        raise forms.ValidationError(
            _("The year %(year)s is outside the dates MATIS records."),
            code="year",
            params={"year": typed_year},
        )
    try:
        return dt.date(ce_year, month, day)
    except ValueError:
        raise forms.ValidationError(
            _("There is no such day: %(text)s."), code="invalid", params={"text": text.strip()}
        ) from None


class LocalDateInput(forms.TextInput):
    """A text box for a date in the user's calendar, with the expected format as placeholder."""

    def __init__(self, attrs=None):
        base = {"inputmode": "numeric", "autocomplete": "off", "data-date-input": "", "size": 12}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return format_input_date(value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", date_placeholder())
        return context


class LocalDateField(forms.DateField):
    """A date typed day/month/year in the user's calendar (BE for Thai) or as ISO 8601."""

    widget = LocalDateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return parse_input_date(str(value))

    def strptime(self, value, format):  # pragma: no cover - to_python never calls it
        return parse_input_date(value)


def local_date_formfield(model_field, **kwargs):
    """``formfield_callback`` for model forms: every date becomes a :class:`LocalDateField`."""
    from django.db import models

    if isinstance(model_field, models.DateField) and not isinstance(
        model_field, models.DateTimeField
    ):
        kwargs["widget"] = LocalDateInput
        return model_field.formfield(form_class=LocalDateField, **kwargs)
    return model_field.formfield(**kwargs)
