"""The one consent selector: which cases' latest consent covers purpose P (country C) on day D."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matis.cases import services
from matis.cases.choices import ConsentPurpose
from matis.cases.models import Case
from matis.cases.selectors import cases_with_consent, consent_countries
from matis.common.models import Country

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
D1, D2, D3 = (
    TODAY - dt.timedelta(days=30),
    TODAY - dt.timedelta(days=20),
    TODAY - dt.timedelta(days=10),
)


def _consent(world, case, purpose, given=True, on=TODAY, **kw):
    return services.consent_record(
        actor=world.worker,
        case=case,
        purpose=purpose,
        given=given,
        on=on,
        language="th",
        given_by="person",
        **kw,
    )


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_given_withdrawn_and_given_again_as_of_each_day(world, register_case):
    case = register_case(world.worker)
    never = register_case(world.worker)
    _consent(world, case, ConsentPurpose.STATISTICS, on=D1)
    _consent(world, case, ConsentPurpose.STATISTICS, given=False, on=D2)
    _consent(world, case, ConsentPurpose.STATISTICS, on=D3)
    stats = ConsentPurpose.STATISTICS
    assert _ids(cases_with_consent(stats, at=D1 - dt.timedelta(days=1))) == set()
    assert _ids(cases_with_consent(stats, at=D1)) == {case.pk}
    assert _ids(cases_with_consent(stats, at=D2)) == set()  # withdrawn that day
    assert _ids(cases_with_consent(stats, at=D3 - dt.timedelta(days=1))) == set()
    assert _ids(cases_with_consent(stats, at=D3)) == {case.pk}
    assert _ids(cases_with_consent(stats)) == {case.pk}  # default: today
    assert never.pk not in _ids(cases_with_consent(stats))
    # the per-case answer is the selector's
    assert services.consent_allows(case, stats, at=D2) is False
    assert services.consent_allows(case.pk, stats, at=D3) is True


def test_same_day_events_the_one_recorded_last_holds(world, register_case):
    case = register_case(world.worker)
    _consent(world, case, ConsentPurpose.SERVICES, on=D2)
    _consent(world, case, ConsentPurpose.SERVICES, given=False, on=D2)
    assert _ids(cases_with_consent(ConsentPurpose.SERVICES, at=D2)) == set()
    _consent(world, case, ConsentPurpose.SERVICES, on=D2)
    assert _ids(cases_with_consent(ConsentPurpose.SERVICES, at=D2)) == {case.pk}


def test_other_purposes_do_not_count(world, register_case):
    case = register_case(world.worker)
    _consent(world, case, ConsentPurpose.SERVICES, on=D1)
    assert _ids(cases_with_consent(ConsentPurpose.STATISTICS)) == set()
    assert _ids(cases_with_consent(ConsentPurpose.SERVICES)) == {case.pk}


def test_cross_border_consent_is_per_country(world, register_case):
    khm, lao = Country.objects.get(pk="KHM"), Country.objects.get(pk="LAO")
    case = register_case(world.worker)
    _consent(world, case, ConsentPurpose.CROSS_BORDER, on=D1, recipient_country=khm)
    _consent(world, case, ConsentPurpose.CROSS_BORDER, on=D2, recipient_country=lao)
    _consent(world, case, ConsentPurpose.CROSS_BORDER, given=False, on=D3, recipient_country=khm)
    cross = ConsentPurpose.CROSS_BORDER
    assert _ids(cases_with_consent(cross, country="KHM", at=D2)) == {case.pk}
    assert _ids(cases_with_consent(cross, country=khm)) == set()  # withdrawn for KHM only
    assert _ids(cases_with_consent(cross, country="LAO")) == {case.pk}
    assert _ids(cases_with_consent(cross)) == set()  # no country named: no case
    assert consent_countries(case, at=D1) == ["KHM"]
    assert consent_countries(case, at=D2) == ["KHM", "LAO"]
    assert consent_countries(case) == ["LAO"]
    assert consent_countries(case.pk, among=("KHM", "MMR")) == []
    # two consent filters chain (statistics AND cross-border to Laos)
    _consent(world, case, ConsentPurpose.STATISTICS, on=D1)
    both = cases_with_consent(
        cross, country="LAO", cases=cases_with_consent(ConsentPurpose.STATISTICS)
    )
    assert _ids(both) == {case.pk}


def test_referral_consent_is_per_organisation(world, register_case):
    case = register_case(world.worker)
    _consent(world, case, ConsentPurpose.REFERRAL, on=D1, organisation=world.provider)
    referral = ConsentPurpose.REFERRAL
    assert _ids(cases_with_consent(referral, organisation=world.provider)) == {case.pk}
    assert _ids(cases_with_consent(referral, organisation=world.other_provider.pk)) == set()
    assert _ids(cases_with_consent(referral)) == set()


def test_the_selector_filters_the_given_cases_in_one_query(world, register_case):
    cases = [register_case(world.worker) for _ in range(5)]
    for case in cases[:3]:
        _consent(world, case, ConsentPurpose.STATISTICS, on=D1)
    _consent(world, cases[0], ConsentPurpose.STATISTICS, given=False, on=D2)
    within = Case.objects.filter(pk__in=[c.pk for c in cases[:4]])
    with CaptureQueriesContext(connection) as queries:
        found = _ids(cases_with_consent(ConsentPurpose.STATISTICS, cases=within))
    assert found == {cases[1].pk, cases[2].pk}
    assert len(queries.captured_queries) == 1


def test_an_unknown_purpose_is_refused():
    with pytest.raises(ValueError):
        cases_with_consent("marketing")
