"""The statistics dashboard's map and Sankey diagram (:mod:`matis.common.maps`).

* The map colours the six countries by the indicator in the comparison year,
  the figures of the comparison table (approved and published: a figure
  published only as below a threshold is drawn as "not shown").
* The province map colours the provinces by the indicator in the comparison
  year, where figures by province were approved (drawn the same way: a figure
  published only as below a threshold is "not shown"); none when there are none.
* The Sankey diagram and flow map draw the routes of the latest published
  routes analysis (``analytics``: disclosure control applied when published)
  that the reader may see.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from matis.common import maps
from matis.common.calendars import display_year
from matis.common.tables import Table


def comparison_map(table: Table, *, legend: str) -> dict:
    """The comparison year's figures by country, as a choropleth."""
    values = {}
    for row in table.rows:
        cell = row.get("value")
        if cell is None:
            continue
        if cell.is_censored or cell.value is None:
            values[row["country"]] = cell.display
        else:
            values[row["country"]] = cell.value
    return maps.choropleth(table.title, values, legend=legend)


def province_map(indicator, year: int | None, *, legend: str) -> dict | None:
    """The approved figures of ``indicator`` by province in ``year``, or None if there are none."""
    from matis.official_statistics.dashboards import ValueCell, _ind_name
    from matis.official_statistics.selectors import province_values

    if year is None:
        return None
    observations = province_values(indicator, year)
    if not observations:
        return None
    values = {}
    for code, o in observations.items():
        cell = ValueCell(o.value, o.censored_below, o.is_missing)
        values[code] = cell.value if not (cell.is_censored or cell.value is None) else cell.display
    title = _("%(indicator)s in %(year)s by province") % {
        "indicator": _ind_name(indicator),
        "year": display_year(year),
    }
    countries = sorted({o.country_id for o in observations.values()})
    return maps.choropleth(title, values, level="province", legend=legend, countries=countries)


def latest_route_charts(user) -> dict | None:
    """Map and Sankey of the latest published routes analysis the user may see, or None."""
    from matis.access.scoping import scope_queryset
    from matis.analytics.models import Analysis, AnalysisKind
    from matis.analytics.route_charts import released_routes

    analyses = scope_queryset(
        user, Analysis.objects.filter(kind=AnalysisKind.FLOWS, published=True)
    ).order_by("-published_at", "-pk")
    analysis = analyses.first()
    if analysis is None:
        return None
    routes = released_routes(analysis, raw=False) or []
    title = _("Routes (published analysis: %(title)s)") % {"title": analysis.title}
    return {
        "map": maps.flow_map(title, routes),
        "sankey": maps.sankey(title, routes),
        "analysis": analysis,
    }
