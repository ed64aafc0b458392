"""The official statistics computed from records (or filed) and approved, for the year.

The national report shows the country's **approved** figures for the
indicators MATIS can compute from case, return and justice records
(:data:`matis.official_statistics.services.records.RULES`), as approved and
published (small counts as ``<11``), with their source; it says "no approved
figures" when the year's submission is not approved. The regional report shows
the six countries side by side. Two queries, whatever the size.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from matis.common.calendars import display_year
from matis.common.i18n import local_text
from matis.common.models import Country
from matis.common.tables import Column, Table
from matis.official_statistics.models import Observation, StatisticalIndicator
from matis.official_statistics.services.records import RULES
from matis.official_statistics.values import display_value
from matis.reports.builder.common import Section


def records_statistics_section(countries: list[Country], year: int) -> Section:
    indicators = [
        i
        for i in StatisticalIndicator.objects.filter(code__in=RULES)
        if i.code in RULES  # in the order of the rules
    ]
    indicators.sort(key=lambda i: list(RULES).index(i.code))
    cells = {}
    for code, country, value, censored, missing, source in Observation.objects.filter(
        indicator__code__in=RULES,
        country_id__in=[c.iso3 for c in countries],
        period=year,
        series_key="",
        approved=True,
    ).values_list(
        "indicator__code", "country_id", "value", "censored_below", "is_missing", "source"
    ):
        cells[(code, country)] = (display_value(value, censored, missing), source)
    title = _("Official statistics, %(year)s") % {"year": display_year(year)}
    section = Section("statistics", _("Official statistics"))
    if len(countries) == 1:
        country = countries[0]
        if not any(c == country.iso3 for _code, c in cells):
            section.paragraphs.append(
                _(
                    "No approved figures for %(year)s: the statistics officers of %(country)s "
                    "have not yet approved the year's submission."
                )
                % {"year": display_year(year), "country": country.display_name}
            )
            return section
        section.paragraphs.append(
            _(
                "Figures approved by the statistics officers (four eyes), many of them counted "
                "from case, return and justice records with the counting rules shown in MATIS. "
                "Small counts are published as below the disclosure threshold."
            )
        )
        rows = []
        for i in indicators:
            shown, source = cells.get((i.code, country.iso3), ("", ""))
            rows.append({"indicator": str(local_text(i, "name")), "value": shown, "source": source})
        columns = [
            Column("indicator", _("Indicator")),
            Column("value", _("Approved figure")),
            Column("source", _("Source")),
        ]
        section.tables.append(Table("statistics", title, columns, rows))
        return section
    columns = [Column("indicator", _("Indicator"))] + [
        Column(c.iso3, c.display_name) for c in countries
    ]
    rows = []
    for i in indicators:
        row = {"indicator": str(local_text(i, "name"))}
        for c in countries:
            row[c.iso3] = cells.get((i.code, c.iso3), ("", ""))[0]
        rows.append(row)
    if not cells:
        section.paragraphs.append(
            _("No approved figures for %(year)s.") % {"year": display_year(year)}
        )
    else:
        section.paragraphs.append(
            _("Approved national figures; an empty cell: no approved figure for that country.")
        )
    section.tables.append(Table("statistics", title, columns, rows))
    return section
