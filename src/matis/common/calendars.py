"""Dates and years as users read them: Thai users see the Buddhist Era (BE = CE + 543).

This is the one place that formats dates for display. Dates are always stored
in the Common Era; only their display changes with the active language.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateformat import DateFormat
from django.utils.translation import get_language

from matis.common.l10n import CLDR_LENGTHS, format_date

BUDDHIST_ERA_OFFSET = 543
BUDDHIST_ERA_LANGUAGES = frozenset({"th"})


def uses_buddhist_era(language: str | None = None) -> bool:
    """True when years should be shown in the Buddhist Era for ``language``."""
    language = (language or get_language() or "en").lower()
    return language.split("-")[0] in BUDDHIST_ERA_LANGUAGES


def display_year(year: int | None, language: str | None = None) -> str:
    """Return the CE ``year`` as the user reads it (e.g. 2011 -> '2554' in Thai)."""
    if year is None:
        return ""
    year = int(year)
    return str(year + BUDDHIST_ERA_OFFSET if uses_buddhist_era(language) else year)


def display_year_range(start: int | None, end: int | None, language: str | None = None) -> str:
    """Return a year span such as '2011–2013' ('2554–2556' in Thai)."""
    if start is None:
        return ""
    if end is None or end == start:
        return display_year(start, language)
    return f"{display_year(start, language)}–{display_year(end, language)}"


class _BuddhistDateFormat(DateFormat):
    """Django's date formatter with the year characters shifted to the Buddhist Era."""

    def Y(self):
        return f"{self.data.year + BUDDHIST_ERA_OFFSET:04d}"

    def y(self):
        return f"{(self.data.year + BUDDHIST_ERA_OFFSET) % 100:02d}"

    def o(self):
        return self.data.isocalendar().year + BUDDHIST_ERA_OFFSET


def display_date(
    value: dt.date | dt.datetime | None, fmt: str = "DATE_FORMAT", language: str | None = None
) -> str:
    """Format a date or datetime for the active language, in BE for Thai users.

    ``fmt`` is a Django format name (``DATE_FORMAT``, ``SHORT_DATE_FORMAT``,
    ``DATETIME_FORMAT``...) or a CLDR length (``medium``, ``long``): shown with the CLDR
    patterns of :func:`matis.common.l10n.format_date` (Django has no Lao or Burmese
    formats, and its English short date is the ambiguous 02/08/2014). Any other ``fmt``
    is a literal Django format string ("Y-m-d").
    """
    if value is None:
        return ""
    if fmt.isupper() or fmt in CLDR_LENGTHS:
        return format_date(value, fmt, language)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    formatter = _BuddhistDateFormat if uses_buddhist_era(language) else DateFormat
    return formatter(value).format(fmt)
