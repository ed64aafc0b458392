"""Analyses on MATIS's own records: official statistics series and consenting case records."""

from __future__ import annotations

import pytest

from matis.access.models import AuditAction, AuditLog
from matis.analytics.sources import SourceError

pytestmark = pytest.mark.django_db


@pytest.fixture
def thai_cases(db):
    from matis.access.demo import load_demo as load_access_demo
    from matis.cases.demo import load_demo as load_cases_demo

    load_access_demo()
    load_cases_demo(200)


def _officer():
    from matis.access.models import User

    return User.objects.get(email="statistics.tha@matis.example")


def test_case_capture_histories_hold_only_consenting_people(thai_cases):
    from matis.analytics.app_sources import case_capture_histories_frame
    from matis.cases.models import Case
    from matis.cases.services.consent import consent_allows

    officer = _officer()
    frame = case_capture_histories_frame(officer)
    thai = Case.objects.filter(country_id="THA")
    consenting_people = {c.person_id for c in thai if consent_allows(c, "statistics")}
    all_people = set(thai.values_list("person_id", flat=True))
    assert 0 < len(consenting_people) < len(all_people)  # the demo has refusals too
    assert frame["count"].sum() == len(consenting_people)
    assert set(frame.columns) - {"count"} <= {
        "NGO",
        "LawEnforcement",
        "LocalGovernmentOrganisation",
        "CentralGovernmentOrganisation",
        "ImmigrationService",
        "LegalService",
        "HealthServiceOrganisation",
    }
    assert AuditLog.objects.filter(
        action=AuditAction.EXPORT, object_id="cases:capture-histories"
    ).exists()


def test_case_routes_and_the_national_boundary(thai_cases):
    from matis.access.models import User
    from matis.analytics.app_sources import case_routes_frame

    routes = case_routes_frame(_officer())
    assert set(routes.columns) == {"origin", "transit", "destination", "province"}
    assert (
        len(routes) > 0
        and routes["destination"].isin(["THA", "MYS", "CHN", "KHM", "LAO", "MMR", "VNM"]).any()
    )
    secretariat = User.objects.get(email="secretariat@matis.example")
    with pytest.raises(SourceError, match="national instance"):
        case_routes_frame(secretariat)


def test_statistics_series_are_the_approved_totals(make_user):
    from matis.analytics.app_sources import statistics_series_frame
    from matis.official_statistics.demo import load_demo as load_statistics_demo

    load_statistics_demo()
    user = make_user(role="statistics_officer", country="THA")
    frame = statistics_series_frame(user, "PERSONS_PROSECUTED", "THA")
    assert frame.set_index("year").loc[2022, "value"] == 609
    with pytest.raises(SourceError):
        statistics_series_frame(user, "PERSONS_PROSECUTED", "XXX")


def test_case_risk_factors_and_route_network_from_the_htcds_record(thai_cases):
    from matis.analytics.app_sources import case_risk_factors_frame, case_route_network_frame
    from matis.cases.models import Case
    from matis.cases.services.consent import consent_allows
    from tipstats import networks, risk

    officer = _officer()
    frame = case_risk_factors_frame(officer)
    consenting = [
        c for c in Case.objects.filter(country_id="THA") if consent_allows(c, "statistics")
    ]
    assert len(frame) == len(consenting)
    assert {"exploitation", "vul_Poverty", "rec_ThroughOnlineSocialNetworks",
            "ctl_RestrictsMovement", "child", "exploitation_months"} <= set(frame.columns)  # fmt: skip
    assert frame["ctl_WithholdsDocuments"].sum() > 0
    table = risk.compare_groups(
        frame,
        group="exploitation",
        reference="ForcedLabour",
        factors=["vul_Poverty", "ctl_DebtBondage"],
        groups=[g for g in frame["exploitation"].unique() if g != "ForcedLabour"][:1],
    ).table
    assert len(table) == 2
    links = case_route_network_frame(officer)
    assert set(links.columns) == {"source", "target", "evidence"}
    graph = networks.build_network(
        links, source_col="source", target_col="target", evidence_col="evidence"
    )
    assert graph.number_of_nodes() >= 2
    assert AuditLog.objects.filter(
        action=AuditAction.EXPORT, object_id="cases:risk-factors"
    ).exists()


def test_case_sources_carry_the_province_of_identification(thai_cases):
    from matis.analytics.app_sources import case_risk_factors_frame, case_routes_frame
    from matis.cases.models import Case
    from matis.cases.services.consent import consent_allows

    officer = _officer()
    consenting = [
        c for c in Case.objects.filter(country_id="THA") if consent_allows(c, "statistics")
    ]
    withheld = [
        c for c in Case.objects.filter(country_id="THA") if not consent_allows(c, "statistics")
    ]
    Case.objects.filter(pk=consenting[0].pk).update(place_of_identification_id="TH-50")
    if withheld:
        Case.objects.filter(pk=withheld[0].pk).update(place_of_identification_id="TH-63")
    frame = case_risk_factors_frame(officer)
    assert (frame["province"] == "TH-50").sum() == 1
    assert "TH-63" not in set(frame["province"].dropna())  # no consent, no province
    routes = case_routes_frame(officer)
    assert "province" in routes.columns
    assert set(routes["province"].dropna()) <= {"TH-50"}
