"""The national detention register (PRO2, goal 3.2): trafficked persons held in detention.

Counts identified victims (possible or actual) placed in immigration detention
or police custody, by place and nationality, with durations. Aggregates only:
no name or case number leaves this module. :func:`detention_register_counts`
gives the yearly counts meant for the "trafficked persons held in detention"
statistic; no statistics provider calls it yet.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict

from django.utils.translation import gettext as _

from matis.cases.choices import DETENTION_KINDS, PlacementKind
from matis.cases.models import IDENTIFIED, Placement
from matis.common.tables import Column, Table, csv_lines, to_xlsx

STATELESS = "stateless"
UNKNOWN = "unknown"


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def detention_placements(country, year: int):
    """Detention placements of identified victims of ``country`` overlapping ``year``."""
    country_id = getattr(country, "pk", country)
    first, last = _year_bounds(year)
    return (
        Placement.objects.filter(
            case__country_id=country_id,
            case__trafficking_status__in=sorted(IDENTIFIED),
            kind__in=sorted(DETENTION_KINDS),
            start_date__lte=last,
        )
        .exclude(end_date__lt=first)
        .select_related("facility", "case__person")
        .order_by("facility__name", "start_date", "pk")
    )


def _nationality(person) -> str:
    if person.stateless:
        return STATELESS
    return person.primary_citizenship_id or UNKNOWN


def _days_in_year(placement: Placement, year: int, today: dt.date) -> int:
    first, last = _year_bounds(year)
    start = max(placement.start_date, first)
    end = min(placement.end_date or min(today, last), last)
    return max((end - start).days + 1, 0)


def detention_register_counts(country, year: int, *, today: dt.date | None = None) -> dict:
    """Aggregate counts for one country and year (CE).

    Returns ``persons`` (distinct persons detained at any time in the year),
    ``placements``, ``days`` (person-days in detention within the year),
    ``median_days`` and ``max_days`` per placement, ``still_detained`` (at
    the end of the year or today), and ``by_place`` / ``by_nationality`` /
    ``by_kind`` dicts of distinct persons.
    """
    today = today or dt.date.today()
    _first, last = _year_bounds(year)
    rows = list(detention_placements(country, year))
    durations = [_days_in_year(p, year, today) for p in rows]
    persons = {p.case.person_id for p in rows}
    by_place: dict[str, set] = defaultdict(set)
    by_nationality: dict[str, set] = defaultdict(set)
    by_kind: dict[str, set] = defaultdict(set)
    cut = min(last, today)
    still = set()
    for p in rows:
        by_place[p.facility.name].add(p.case.person_id)
        by_nationality[_nationality(p.case.person)].add(p.case.person_id)
        by_kind[p.kind].add(p.case.person_id)
        if p.start_date <= cut and (p.end_date is None or p.end_date >= cut):
            still.add(p.case.person_id)
    return {
        "country": getattr(country, "pk", country),
        "year": year,
        "persons": len(persons),
        "placements": len(rows),
        "days": sum(durations),
        "median_days": statistics.median(durations) if durations else 0,
        "max_days": max(durations, default=0),
        "still_detained": len(still),
        "by_place": {k: len(v) for k, v in sorted(by_place.items())},
        "by_nationality": {k: len(v) for k, v in sorted(by_nationality.items())},
        "by_kind": {k: len(v) for k, v in sorted(by_kind.items())},
    }


REGISTER_COLUMNS = (
    "place",
    "kind",
    "nationality",
    "placements",
    "persons",
    "days",
    "max_days",
    "still_detained",
)


def register_table(country, year: int, *, today: dt.date | None = None) -> list[dict]:
    """One row per place x nationality (aggregates only)."""
    today = today or dt.date.today()
    cut = min(_year_bounds(year)[1], today)
    groups: dict[tuple, dict] = {}
    for p in detention_placements(country, year):
        key = (p.facility.name, p.kind, _nationality(p.case.person))
        row = groups.setdefault(
            key, {"placements": 0, "persons": set(), "days": 0, "max_days": 0, "still": set()}
        )
        days = _days_in_year(p, year, today)
        row["placements"] += 1
        row["persons"].add(p.case.person_id)
        row["days"] += days
        row["max_days"] = max(row["max_days"], days)
        if p.start_date <= cut and (p.end_date is None or p.end_date >= cut):
            row["still"].add(p.case.person_id)
    kinds = dict(PlacementKind.choices)
    return [
        {
            "place": place,
            "kind": str(kinds.get(kind, kind)),
            "nationality": nationality,
            "placements": row["placements"],
            "persons": len(row["persons"]),
            "days": row["days"],
            "max_days": row["max_days"],
            "still_detained": len(row["still"]),
        }
        for (place, kind, nationality), row in sorted(groups.items())
    ]


def column_labels() -> list[str]:
    return [
        _("Place"),
        _("Kind of place"),
        _("Nationality"),
        _("Placements"),
        _("Persons"),
        _("Days in detention"),
        _("Longest stay (days)"),
        _("Still detained"),
    ]


def register_as_table(rows: list[dict], *, title: str = "") -> Table:
    """The register rows as a common table (labels in the reader's language)."""
    return Table(
        "register",
        title,
        [Column(key, label) for key, label in zip(REGISTER_COLUMNS, column_labels(), strict=True)],
        rows,
    )


def register_csv(rows: list[dict]) -> str:
    """CSV whose header is the column codes (language-independent, for machines)."""
    return "".join(
        csv_lines(REGISTER_COLUMNS, ([row[c] for c in REGISTER_COLUMNS] for row in rows), bom=False)
    )


def register_xlsx(rows: list[dict], *, title: str) -> bytes:
    """A workbook: the title, the column labels, then the rows."""
    return to_xlsx(register_as_table(rows, title=title), title_row=True)


def nationality_totals(rows: list[dict]) -> Counter:
    totals: Counter = Counter()
    for row in rows:
        totals[row["nationality"]] += row["persons"]
    return totals
