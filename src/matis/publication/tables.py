"""Public tables built from a release's snapshot (never from working tables)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from matis.common.calendars import display_year
from matis.common.countries import country_name
from matis.common.tables import Column, Table
from matis.official_statistics.dashboards import ValueCell
from matis.publication.snapshot import OBS_FIELDS

WITHHELD = "x"


@dataclass(frozen=True, slots=True)
class PublicCell(ValueCell):
    """A released figure; ``withheld``: hidden so that a small count cannot be worked out."""

    withheld: bool = False

    @property
    def display(self) -> str:
        return WITHHELD if self.withheld else ValueCell.display.fget(self)

    @property
    def export(self) -> str:
        return WITHHELD if self.withheld else ValueCell.export.fget(self)

    @property
    def excel(self):
        return WITHHELD if self.withheld else ValueCell.excel.fget(self)

    @property
    def state(self) -> str:
        return "censored" if self.withheld else ValueCell.state.fget(self)


def indicator_name(indicator: dict) -> str:
    if (get_language() or "en").startswith("th") and indicator.get("name_th"):
        return indicator["name_th"]
    return indicator["name_en"]


def pick_indicator(snapshot: dict, code: str | None) -> dict | None:
    indicators = snapshot.get("indicators") or []
    found = next((i for i in indicators if i["code"] == code), None)
    if found:
        return found
    with_data = {o[0] for o in snapshot.get("observations", [])}
    return next((i for i in indicators if i["code"] in with_data), None) or (
        indicators[0] if indicators else None
    )


def trend(snapshot: dict, indicator: dict) -> Table:
    """Countries x years: the released totals of one indicator."""
    data: dict[str, dict[int, PublicCell]] = defaultdict(dict)
    years = set()
    for values in snapshot["observations"]:
        obs = dict(zip(OBS_FIELDS, values, strict=True))
        if obs["indicator"] != indicator["code"] or obs["key"]:
            continue
        data[obs["country"]][obs["year"]] = PublicCell(
            obs["value"], obs["censored_below"], obs["missing"], obs["withheld"]
        )
        years.add(obs["year"])
    years = sorted(years)
    names = {c["iso3"]: c["name"] for c in snapshot["countries"]}
    rows = []
    for iso3 in sorted(data):
        row = {"country": iso3, "country_name": country_name(iso3, default=names.get(iso3, iso3))}
        row.update({f"y{y}": data[iso3].get(y) for y in years})
        rows.append(row)
    return Table(
        "trend",
        _("%(indicator)s by country and year") % {"indicator": indicator_name(indicator)},
        [
            Column("country", _("Code")),
            Column("country_name", _("Country")),
            *[Column(f"y{y}", display_year(y), "value") for y in years],
        ],
        rows,
        blank="",
        note=_(
            "Counts below %(n)s are shown as <%(n)s; x: withheld so that a small count "
            "cannot be worked out."
        )
        % {"n": snapshot.get("min_cell", "")},
        params={"years": years},
    )
