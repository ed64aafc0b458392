"""Locale data from CLDR (through Babel): country and language names, dates and numbers.

The one place that turns a code, a date or a number into what a reader of the active
language sees. Django has no date formats for Lao or Burmese and writes English dates
US style; CLDR has all seven languages. Thai readers see years in the Buddhist Era
(the CLDR patterns, with the year shifted by 543). Dates are stored in the Common Era.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import DateTimeFormat, parse_pattern
from babel.numbers import format_decimal
from django.utils import timezone
from django.utils.translation import get_language

BUDDHIST_ERA_OFFSET = 543
BUDDHIST_ERA_LANGUAGES = frozenset({"th"})

# Django's language codes (settings.LANGUAGES) -> CLDR locale identifiers. English is
# British English (en_GB): day before month, "8 Feb 2014", 24-hour times;
# US English ("Feb 8, 2014", 02/08/2014) reads the wrong way round in the region.
_CLDR_IDS = {"en": "en_GB", "zh-hans": "zh_Hans", "zh-hant": "zh_Hant"}

CLDR_LENGTHS = ("short", "medium", "long", "full")

# Django's format names -> CLDR (date length, time length); short dates are CLDR medium
# in every language (8 Feb 2014), so no date is ever the ambiguous 02/08/2014.
_DJANGO_FORMATS = {
    "DATE_FORMAT": ("medium", None),
    "SHORT_DATE_FORMAT": ("medium", None),
    "DATETIME_FORMAT": ("medium", "short"),
    "SHORT_DATETIME_FORMAT": ("medium", "short"),
    "TIME_FORMAT": (None, "short"),
    "YEAR_MONTH_FORMAT": ("yMMMM", None),
    "MONTH_DAY_FORMAT": ("MMMMd", None),
}


def language_code(language: str | None = None) -> str:
    """The active (or given) Django language code, lower case: 'th', 'zh-hans'."""
    return (language or get_language() or "en").lower().replace("_", "-")


@lru_cache(maxsize=32)
def _locale(code: str) -> Locale:
    try:
        return Locale.parse(_CLDR_IDS.get(code, code.split("-")[0]))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def cldr_locale(language: str | None = None) -> Locale:
    """The Babel locale for a Django language code (English for an unknown one)."""
    return _locale(language_code(language))


def uses_buddhist_era(language: str | None = None) -> bool:
    return language_code(language).split("-")[0] in BUDDHIST_ERA_LANGUAGES


class _BuddhistEraFormat(DateTimeFormat):
    """CLDR date formatting with the calendar year shifted to the Buddhist Era."""

    def format_year(self, char: str, num: int) -> str:
        year = self.value.year + BUDDHIST_ERA_OFFSET
        if num == 2:
            return self.format(year % 100, 2)
        return self.format(year, num)

    def format_era(self, char: str, num: int) -> str:
        return "พุทธศักราช" if num == 4 else "พ.ศ."  # Buddhist Era, not CLDR's ค.ศ. (CE)


def _pattern(locale: Locale, date_length: str | None, time_length: str | None) -> str:
    def date_pattern(length):
        if length in CLDR_LENGTHS:
            return locale.date_formats[length].pattern
        return locale.datetime_skeletons.get(length, locale.date_formats["medium"]).pattern

    if time_length is None:
        return date_pattern(date_length)
    time_pattern = locale.time_formats[time_length].pattern
    if date_length is None:
        return time_pattern
    glue = locale.datetime_formats.get(date_length) or "{1} {0}"
    return (
        glue.replace("'", "").replace("{0}", time_pattern).replace("{1}", date_pattern(date_length))
    )


def format_date(
    value: dt.date | dt.datetime | None, fmt: str = "DATE_FORMAT", language: str | None = None
) -> str:
    """A date or datetime as the reader of ``language`` (default: active) writes it.

    ``fmt`` is a Django format name (``DATE_FORMAT``, ``SHORT_DATETIME_FORMAT``...), a CLDR
    length (``medium``, ``long``...) or a CLDR pattern (``d MMM y``). Datetimes are shown in
    the local time zone.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    locale = cldr_locale(language)
    pattern = None
    if fmt in _DJANGO_FORMATS:
        date_length, time_length = _DJANGO_FORMATS[fmt]
    elif fmt in CLDR_LENGTHS:
        date_length, time_length = fmt, None
    elif fmt.isupper() and fmt.endswith("FORMAT"):  # another Django name: the medium date
        date_length, time_length = "medium", None
    else:
        pattern = fmt
    if pattern is None:
        if not isinstance(value, dt.datetime):
            date_length, time_length = date_length or "medium", None
        pattern = _pattern(locale, date_length, time_length)
    formatter = _BuddhistEraFormat if uses_buddhist_era(language) else DateTimeFormat
    return parse_pattern(pattern).format % formatter(value, locale)


def format_number(value, places: int | None = None, language: str | None = None) -> str:
    """``11634984.00`` -> '11,634,984' (grouped, in the reader's number symbols).

    With ``places`` None, trailing zeros go and at most four decimals are kept.
    """
    if value is None or value == "":
        return ""
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation:
        return str(value)
    if places is None:
        if number.as_tuple().exponent < -4:
            number = number.quantize(Decimal("0.0001"))
        number = number.normalize() if number == number.to_integral() else number
        pattern = "#,##0.####"
    else:
        number = number.quantize(Decimal(1).scaleb(-places)) if places else number.quantize(1)
        pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(number, format=pattern, locale=cldr_locale(language))


def _iso2(code: str) -> str:
    code = (code or "").upper()
    if len(code) == 3:
        import pycountry

        found = pycountry.countries.get(alpha_3=code)
        return found.alpha_2 if found else ""
    return code


def cldr_country_name(code: str, language: str | None = None, default: str = "") -> str:
    """A country's CLDR name in the reader's language, by ISO alpha-2 or alpha-3 code."""
    iso2 = _iso2(code)
    name = cldr_locale(language).territories.get(iso2) if iso2 else None
    return name or default


def language_name(code: str, language: str | None = None) -> str:
    """A language's CLDR name in the reader's language: 'lo' -> 'ລາວ' for Lao readers."""
    cldr = (
        code.replace("-", "_")
        if code.lower() == "en"
        else _CLDR_IDS.get(code.lower(), code.replace("-", "_"))
    )
    locale = cldr_locale(language)
    return (
        locale.languages.get(cldr)
        or locale.languages.get(cldr.split("_")[0])
        or locale.scripts.get(cldr)
        or code
    )
