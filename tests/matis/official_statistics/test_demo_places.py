"""The places demo: demo cases and tips get provinces of their country; statistics by province."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_demo_records_get_provinces_and_statistics_by_province():
    from matis.access.demo import load_demo as load_access_demo
    from matis.cases.demo import load_demo as load_cases_demo
    from matis.cases.models import Case
    from matis.intake.demo import load_demo as load_tips_demo
    from matis.intake.models import Tip
    from matis.official_statistics.demo_places import load_places_demo
    from matis.official_statistics.models import Observation, Submission
    from matis.official_statistics.selectors import national_cells, observations_published

    load_access_demo()
    load_cases_demo(300)
    load_tips_demo()
    message = load_places_demo()
    cases = list(
        Case.objects.select_related("place_of_identification", "district_of_identification")
    )
    assert cases and all(c.place_of_identification is not None for c in cases)
    assert all(c.place_of_identification.country_id == c.country_id for c in cases)
    with_district = [c for c in cases if c.district_of_identification_id]
    assert with_district and all(
        c.district_of_identification.subdivision_id == c.place_of_identification_id
        for c in with_district
    )
    tips = list(Tip.objects.select_related("province"))
    assert tips and all(t.province and t.province.country_id == t.country_id for t in tips)
    by_province = observations_published().filter(
        indicator__code="VICTIMS_DETECTED", series_key__startswith="PROVINCE="
    )
    assert by_province.exists(), message
    # every approved year of demo records: the provinces never add up to more than the total
    for sub in Submission.objects.filter(status=Submission.Status.APPROVED):
        rows = Observation.objects.filter(submission=sub, indicator__code="VICTIMS_DETECTED")
        total = rows.get(series_key="").value
        if total is None:  # a small total, published as <11
            continue
        provinces = [o.value for o in rows.filter(series_key__startswith="PROVINCE=")]
        assert sum(v for v in provinces if v is not None) <= total
        assert all(
            o.series_key.split("=")[1].startswith(sub.country.iso2 + "-")
            for o in rows.filter(series_key__startswith="PROVINCE=")
        )
        cells = national_cells(
            observations_published().filter(submission=sub, indicator=rows[0].indicator)
        )
        assert [c[5] for c in cells] == [False]  # the national figure is the total, not a sum
    before = (Observation.objects.count(), Submission.objects.count())
    assert load_places_demo().startswith("provinces given to 0 demo cases and 0 demo tips; 0 ")
    assert (Observation.objects.count(), Submission.objects.count()) == before
