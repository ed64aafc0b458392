"""The report's maps: where victims were identified, and their routes (map and Sankey diagram).

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
    return section
