"""The national detention register and the count the statistics indicator uses."""

from __future__ import annotations

import datetime as dt

import pytest

from matis.cases.choices import PlacementKind
from matis.cases.detention_register import detention_register_counts, register_csv, register_table
from matis.cases.models import Facility, Placement

pytestmark = pytest.mark.django_db
D = dt.date


def _held(world, case, start, end, facility=None, kind=PlacementKind.IMMIGRATION_DETENTION):
    return Placement.objects.create(
        case=case,
        kind=kind,
        facility=facility or world.detention,
        voluntary=False,
        start_date=start,
        end_date=end,
        recorded_by=world.worker,
    )


def test_counts_by_place_nationality_and_duration(world, register_case):
    from matis.common.models import Country

    mmr, khm = Country.objects.get(pk="MMR"), Country.objects.get(pk="KHM")
    identified = "ActualVictimOfTrafficking"
    a = register_case(world.worker, primary_citizenship=mmr)
    b = register_case(world.worker, primary_citizenship=khm)
    c = register_case(world.worker, stateless=True)
    not_victim = register_case(world.worker, primary_citizenship=mmr)
    undecided = register_case(world.worker, primary_citizenship=mmr)
    for case, status in (
        (a, identified),
        (b, "PossibleVictimOfTrafficking"),
        (c, identified),
        (not_victim, "NotAVictimOfTrafficking"),
    ):
        case.trafficking_status = status
        case.save()
    police = Facility.objects.create(
        country_id="THA", name="Police (synthetic)", kind=PlacementKind.POLICE_CUSTODY
    )
    _held(world, a, D(2024, 12, 20), D(2025, 1, 10))  # 10 days in 2025
    _held(
        world, a, D(2025, 3, 1), D(2025, 3, 5), facility=police, kind=PlacementKind.POLICE_CUSTODY
    )
    _held(world, b, D(2025, 6, 1), None)  # still held: counted to 31 Dec
    _held(world, c, D(2025, 12, 31), D(2026, 2, 1))  # 1 day in 2025
    _held(world, not_victim, D(2025, 5, 1), D(2025, 5, 30))  # not a victim: not counted
    _held(world, undecided, D(2025, 5, 1), D(2025, 5, 30))  # not identified: not counted
    _held(world, a, D(2023, 1, 1), D(2023, 2, 1))  # another year
    Placement.objects.create(
        case=b,
        kind=PlacementKind.SHELTER,
        facility=world.shelter_place,
        voluntary=True,
        start_date=D(2025, 2, 1),
        recorded_by=world.worker,
    )
    # a case of another country is not in Thailand's register
    from matis.cases.test_factories import make_case

    foreign = make_case("KHM", "F1")
    khm_idc = Facility.objects.create(country_id="KHM", name="K IDC", kind="immigration_detention")
    Placement.objects.create(
        case=foreign,
        kind=khm_idc.kind,
        facility=khm_idc,
        voluntary=False,
        start_date=D(2025, 1, 1),
        recorded_by=world.khm_worker,
    )

    counts = detention_register_counts("THA", 2025, today=D(2026, 3, 1))
    assert counts["persons"] == 3 and counts["placements"] == 4
    assert counts["days"] == 10 + 5 + 214 + 1
    assert counts["max_days"] == 214 and counts["median_days"] == 7.5
    assert counts["still_detained"] == 2  # b, and c on 31 December
    assert counts["by_place"] == {"IDC (synthetic)": 3, "Police (synthetic)": 1}
    assert counts["by_nationality"] == {"KHM": 1, "MMR": 1, "stateless": 1}
    assert counts["by_kind"] == {"immigration_detention": 3, "police_custody": 1}
    assert detention_register_counts("THA", 2023)["persons"] == 1
    assert detention_register_counts("KHM", 2025)["persons"] == 1

    rows = register_table("THA", 2025, today=D(2026, 3, 1))
    assert sum(r["persons"] for r in rows) == 4  # a appears at two places
    text = register_csv(rows)
    assert (
        text.splitlines()[0]
        == "place,kind,nationality,placements,persons,days,max_days,still_detained"
    )


def test_count_of_a_year_in_progress_stops_today(world, register_case):
    case = register_case(world.worker)
    case.trafficking_status = "ActualVictimOfTrafficking"
    case.save()
    _held(world, case, D(2025, 1, 1), None)
    assert detention_register_counts("THA", 2025, today=D(2025, 1, 10))["days"] == 10
