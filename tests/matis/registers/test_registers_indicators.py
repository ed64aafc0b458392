"""Register counts appear as the matching activity indicators in monitoring and in the report."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matis.registers.indicators import (
    INDICATORS,
    register_counts_for_report,
    sync_monitoring_indicators,
)
from matis.registers.models import (
    Agreement,
    AgreementReview,
    AwarenessCampaign,
    EventParticipants,
    LabourInspection,
)

pytestmark = pytest.mark.django_db


def _participants(training, *counts):
    for n, count in enumerate(counts):
        EventParticipants.objects.create(
            event=training,
            agency_type="LawEnforcement",
            sex=("female", "male", "other")[n],
            role="practitioner",
            count=count,
        )


@pytest.fixture
def registers_2012(event, curriculum):
    """A small, hand-counted world: what each country recorded."""
    _participants(event("THA", dt.date(2012, 5, 14)), 12, 8)  # P&C2, 2012: 20
    _participants(event("THA", dt.date(2012, 12, 30)), 3)  # P&C2, 2012 (ends 2013): 3
    _participants(event("THA", dt.date(2013, 1, 10)), 5)  # 2013: not counted for 2012
    _participants(event("THA", dt.date(2012, 8, 1), activity="CJ5"), 7)  # CJ5, not P&C2
    _participants(event("KHM", dt.date(2012, 2, 1)), 9)
    inside = Agreement.objects.create(
        country_id="THA",
        title="MOU",
        kind="bilateral",
        form="mou",
        subject="return",
        status="in_force",
        signed_on=dt.date(2010, 1, 5),
        in_force_on=dt.date(2010, 2, 1),
    )
    inside.party_countries.set(["THA", "KHM"])
    AgreementReview.objects.create(
        agreement=inside, reviewed_on=dt.date(2011, 6, 1), reviewed_by="x", outcome="on_track"
    )  # overdue by 2012-12-31
    outside = Agreement.objects.create(
        country_id="THA",
        title="With AUS",
        kind="bilateral",
        form="agreement",
        subject="labour_migration",
        status="in_force",
        signed_on=dt.date(2012, 3, 1),
        in_force_on=dt.date(2012, 4, 1),
    )
    outside.party_countries.set(["THA", "AUS"])
    for name, k1, k2 in (("works", 120, 180), ("unclear", 60, 66)):
        AwarenessCampaign.objects.create(
            country_id="THA",
            name=name,
            channel="radio",
            audience="youth",
            start_date=dt.date(2012, 4, 1),
            end_date=dt.date(2012, 6, 1),
            measure="m",
            pre_surveyed=400 if name == "works" else 150,
            pre_positive=k1,
            post_surveyed=400 if name == "works" else 150,
            post_positive=k2,
        )
    for n, referred in enumerate((False, False, True)):
        LabourInspection.objects.create(
            country_id="THA",
            inspected_on=dt.date(2012, 3, 1 + n),
            place="P",
            sector="A03",
            inspected_by="labour",
            violations_found=referred,
            forced_labour_indicators=referred,
            referred_to_law_enforcement=referred,
            referred_on=dt.date(2012, 3, 9) if referred else None,
        )


EXPECTED_2012 = {
    "reg-pc2-participants": {"THA": 23, "KHM": 9},
    "reg-pc2-events": {"THA": 2, "KHM": 1},
    "reg-cj5-participants": {"THA": 7},
    "reg-pc3-in-force": {"THA": 1},
    "reg-pc3-reviews-overdue": {"THA": 1},
    "reg-pc4-in-force": {"THA": 1},
    "reg-pre3-campaigns": {"THA": 2},
    "reg-pre3-effective": {"THA": 1},
    "reg-pre5-inspections": {"THA": 3},
    "reg-pre5-findings": {"THA": 1},
    "reg-pre4-inspection-referrals": {"THA": 1},
}


def test_register_counts_appear_as_the_activity_indicators_in_monitoring(registers_2012):
    from matis.monitoring.models import IndicatorActual, PlanIndicator, ReportingPeriod
    from matis.monitoring.services.indicators import indicator_actuals_refresh
    from matis.plans.models import Plan

    assert sync_monitoring_indicators() == len(INDICATORS)
    assert sync_monitoring_indicators() == 0  # idempotent
    participants = PlanIndicator.objects.get(code="reg-pc2-participants")
    assert participants.goal.code == "1.2"
    assert participants.source == PlanIndicator.Source.COMPUTED
    assert participants.provider_code == "registers.pc2.participants"

    period = ReportingPeriod.objects.create(
        plan=Plan.objects.get(code="SPA3"),
        year=2012,
        opens_on=dt.date(2013, 1, 1),
        closes_on=dt.date(2013, 3, 31),
    )
    stats = indicator_actuals_refresh(actor=None, period=period, countries=("THA", "KHM"))
    actuals = {
        (a.indicator.code, a.country_id): a.value
        for a in IndicatorActual.objects.filter(
            period=period, indicator__code__startswith="reg-"
        ).select_related("indicator")
    }
    for code, by_country in EXPECTED_2012.items():
        for country, value in by_country.items():
            assert actuals.pop((code, country)) == Decimal(value), (code, country)
    assert not [k for k in actuals if k[0] in EXPECTED_2012], actuals  # nothing else counted
    assert stats["updated"] >= sum(len(v) for v in EXPECTED_2012.values())


def test_register_counts_for_the_annual_report(registers_2012):
    table = register_counts_for_report(2012, ["THA", "KHM", "LAO"])
    assert table["year"] == 2012 and table["countries"] == ["THA", "KHM", "LAO"]
    rows = {r["indicator_code"]: r for r in table["rows"]}
    assert rows["reg-pc2-participants"]["values"] == {"THA": 23, "KHM": 9, "LAO": 0}
    assert rows["reg-pc2-participants"]["total"] == 32
    assert rows["reg-pc2-participants"]["activity"] == "P&C2"
    assert rows["reg-pc2-participants"]["goal"] == "1.2"
    assert rows["reg-pre3-effective"]["values"]["THA"] == 1
    assert all(isinstance(v, int) for r in table["rows"] for v in r["values"].values())


def test_the_counts_page(user_client, registers_2012):
    client = user_client("task_force_officer", "THA")
    body = client.get("/registers/counts/?year=2012").content.decode()
    assert 'data-indicator="registers.pc2.participants"' in body
    row = body.split('data-indicator="registers.pc2.participants"')[1].split("</tr>")[0]
    assert '<td class="num">23</td>' in row
    header = body.split("<thead>")[1].split("</thead>")[0]
    assert header.count('<th class="num">') == 2  # Thailand and the total: no other country


def test_providers_answer_with_a_fixed_number_of_queries(registers_2012, event):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            register_counts_for_report(2012, ["THA", "KHM"])
        return len(ctx.captured_queries)

    before = queries()
    for n in range(5):
        _participants(event("THA", dt.date(2012, 9, 1 + n)), 4)
    assert queries() == before
