"""The report's maps: where victims were identified, their routes (map and Sankey
diagram), where they were placed in detention and where they were returned to.

Counted from the case records of the report's countries opened in the year
whose statistics-and-research consent is given (as the analyses count them),
and passed through disclosure control (:func:`matis.common.maps.released_counts`)
before anything is drawn: a province or route with a small count is not drawn.
The charts are the same Vega-Lite specs the dashboards draw in the browser,
rendered on the server by vl-convert (:func:`matis.common.charts.render_img`).
"""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from matis.common import maps
from matis.common.calendars import display_year
from matis.common.charts import render_img
from matis.common.models import Country
from matis.reports.builder.common import Section

SEP = "|"


def case_places(countries: list[Country], year: int) -> tuple[Counter, Counter]:
    """(cases by province of identification, cases by route origin|transit|destination)."""
    from matis.cases.choices import ConsentPurpose
    from matis.cases.models import Case
    from matis.cases.selectors import cases_with_consent

    cases = cases_with_consent(
        ConsentPurpose.STATISTICS,
        cases=Case.objects.filter(country_id__in=[c.iso3 for c in countries], opened_on__year=year),
    )
    provinces: Counter = Counter()
    routes: Counter = Counter()
    for origin, transit, destination, province in cases.values_list(
        "person__primary_citizenship_id",
        "htcds__transit_countries",
        "country_of_exploitation_id",
        "place_of_identification_id",
    ):
        if province:
            provinces[province] += 1
        if origin and destination:
            routes[SEP.join([origin, (transit or [""])[0] or "", destination])] += 1
    return provinces, routes


def _consenting_cases(countries: list[Country]):
    from matis.cases.choices import ConsentPurpose
    from matis.cases.models import Case
    from matis.cases.selectors import cases_with_consent

    return cases_with_consent(
        ConsentPurpose.STATISTICS,
        cases=Case.objects.filter(country_id__in=[c.iso3 for c in countries]),
    )


def detention_places(countries: list[Country], year: int) -> tuple[Counter, str]:
    """(placements in detention-type settings begun in ``year``, by place; the map's level).

    Counted from the consenting case records of the report's countries, by the
    province recorded for the placement, else the province of the place (ISO 3166-2);
    by its country (alpha-3) when any place
    has no province recorded, so that every placement is on the map.
    """
    from django.db.models.functions import Coalesce

    from matis.cases.choices import DETENTION_KINDS
    from matis.cases.models import Placement

    rows = list(
        Placement.objects.filter(
            case__in=_consenting_cases(countries),
            kind__in=list(DETENTION_KINDS),
            start_date__year=year,
        )
        .annotate(place_province=Coalesce("province_id", "facility__subdivision_id"))
        .values_list("place_province", "facility__country_id")
    )
    if rows and all(province for province, _country in rows):
        return Counter(province for province, _country in rows), "province"
    return Counter(country for _province, country in rows), "country"


def return_destinations(countries: list[Country], year: int) -> Counter:
    """Returns (repatriations) made in ``year`` by the country returned to (alpha-3).

    Counted from the consenting case records of the report's countries; a
    cancelled return, or one whose consent was withdrawn, is not counted.
    """
    from matis.returns.choices import RepatriationStatus
    from matis.returns.models import Repatriation

    return Counter(
        Repatriation.objects.filter(case__in=_consenting_cases(countries), returned_on__year=year)
        .exclude(status__in=[RepatriationStatus.CANCELLED, RepatriationStatus.WITHDRAWN])
        .values_list("receiving_country_id", flat=True)
    )


def maps_section(countries: list[Country], year: int) -> Section:
    section = Section("maps", _("Maps: identification and routes"))
    provinces, routes = case_places(countries, year)
    released_provinces = maps.released_counts(provinces)
    released_routes = [
        {"origin": o, "transit": t or None, "destination": d, "n": n}
        for key, n in maps.released_counts(routes).items()
        if isinstance(n, int)
        for o, t, d in [key.split(SEP)]
    ]
    section.paragraphs.append(
        _(
            "Case records opened in %(year)s with consent for statistics and research, by "
            "province of identification and by route (citizenship, first transit country, "
            "country of exploitation). Provinces and routes with fewer cases than the "
            "disclosure threshold are not drawn. Boundaries: Natural Earth."
        )
        % {"year": display_year(year)}
    )
    section.charts.append(
        render_img(
            maps.choropleth(
                _("Victims identified by province, %(year)s") % {"year": display_year(year)},
                released_provinces,
                level="province",
                legend=_("Cases"),
                countries=[c.iso3 for c in countries],
            )
        )
    )
    section.charts.append(render_img(maps.flow_map(_("Routes on the map"), released_routes)))
    section.charts.append(
        render_img(maps.sankey(_("Routes: origin, transit and destination"), released_routes))
    )
    _detention_and_returns(section, countries, year)
    return section


def _detention_and_returns(section: Section, countries: list[Country], year: int) -> None:
    """The detention and returns maps, each only where there are records to count."""
    shown = display_year(year)
    detention, level = detention_places(countries, year)
    if detention:
        section.paragraphs.append(
            _(
                "Placements in immigration detention or police custody begun in %(year)s, of "
                "case records with consent for statistics and research, by the province of "
                "the place (by its country where a place has no province recorded). Places "
                "with fewer placements than the disclosure threshold are not drawn."
            )
            % {"year": shown}
        )
        section.charts.append(
            render_img(
                maps.choropleth(
                    _("Placements in detention, %(year)s") % {"year": shown},
                    maps.released_counts(detention),
                    level=level,
                    legend=_("Placements"),
                    countries=[c.iso3 for c in countries] if level == "province" else None,
                )
            )
        )
    returns = return_destinations(countries, year)
    if returns:
        section.paragraphs.append(
            _(
                "Returns made in %(year)s, of case records with consent for statistics and "
                "research, by the country the person was returned to. Countries with fewer "
                "returns than the disclosure threshold are not drawn."
            )
            % {"year": shown}
        )
        section.charts.append(
            render_img(
                maps.choropleth(
                    _("Returns by country returned to, %(year)s") % {"year": shown},
                    maps.released_counts(returns),
                    level="country",
                    legend=_("Returns"),
                )
            )
        )
