"""The regional report's account of the data: which governments' reports and statistics arrived."""

from __future__ import annotations

from django.utils.translation import gettext as _

from matis.common.calendars import display_year
from matis.exchange.consolidate import missing_or_late, reporting_status_table
from matis.reports.builder.common import Section


def received_section(plan, year: int) -> Section:
    """Countries whose data for ``year`` are missing or late, from what the hub received."""
    table = reporting_status_table(year=year, plan=plan)
    gaps = missing_or_late(year=year, plan=plan)
    paragraphs = [
        _(
            "This report counts the approved activity reports and official statistics the "
            "national instances sent to the regional hub; a revision replaces the earlier version."
        )
    ]
    if gaps["missing"]:
        paragraphs.append(
            _("Data for %(year)s missing from: %(countries)s.")
            % {"year": display_year(year), "countries": ", ".join(gaps["missing"])}
        )
    if gaps["late"]:
        paragraphs.append(
            _("Data for %(year)s received after the deadline from: %(countries)s.")
            % {"year": display_year(year), "countries": ", ".join(gaps["late"])}
        )
    if not gaps["missing"] and not gaps["late"]:
        paragraphs.append(_("No government's data are missing or late."))
    return Section(
        "received", _("Data received from the governments"), [table], paragraphs=paragraphs
    )
