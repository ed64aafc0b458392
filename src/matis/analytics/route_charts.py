"""The routes of a flows analysis as a map and a Sankey diagram (:mod:`matis.common.maps`).

Both are drawn from the analysis's Routes table after disclosure control: the
published table when there is one, else the stored table passed through
:func:`matis.analytics.disclosure.protect_table`. Routes whose count is shown as
``<11`` or ``x`` are not drawn.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from matis.analytics.disclosure import protect_table
from matis.analytics.models import Analysis, AnalysisKind
from matis.common import maps


def released_routes(analysis: Analysis, *, raw: bool) -> list[dict] | None:
    """The routes with released counts, or None when the analysis has no routes table."""
    if analysis.kind != AnalysisKind.FLOWS:
        return None
    if analysis.published and analysis.published_tables:
        table = analysis.published_tables[0]
    elif raw and analysis.tables:
        table = protect_table(analysis.tables[0], kind="flows")
    else:
        return None
    try:
        return maps.route_rows(table)
    except ValueError:
        return None


def route_charts(analysis: Analysis, *, raw: bool) -> dict | None:
    """``{"map": spec, "sankey": spec}`` for a flows analysis, or None."""
    routes = released_routes(analysis, raw=raw)
    if routes is None:
        return None
    return {
        "map": maps.flow_map(_("Routes on the map"), routes),
        "sankey": maps.sankey(_("Routes: origin, transit and destination"), routes),
    }
