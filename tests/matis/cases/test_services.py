"""Consent enforcement, placements and alerts, identification, transitions, deletion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from matis.access.models import AuditAction, AuditLog
from matis.cases import services
from matis.cases.choices import AlertKind, ConsentPurpose, PlacementKind, ReferralStatus
from matis.cases.htcds import CaseStatus, DecisionMakingOrg, TraffickingStatus
from matis.cases.models import Alert, Case, Person, PersonSearchToken
from matis.common.workflow import TransitionNotAllowed

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


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


def _decide(world, case, decision=TraffickingStatus.ACTUAL_VICTIM_OF_TRAFFICKING):
    return services.identification_decide(
        actor=world.worker,
        case=case,
        decision=decision,
        decision_org=DecisionMakingOrg.NGO,
        guideline="tha-act-2008",
        language_informed="th",
        interpreter_present=False,
    )


# --- consent enforced -----------------------------------------------------


def test_referral_without_consent_is_refused(world, register_case):
    case = register_case(world.worker)
    with pytest.raises(services.ConsentRequired) as info:
        services.referral_create(
            actor=world.worker,
            case=case,
            provider=world.provider,
            reason="AdditionalServicesRequired",
            services=["Legal"],
        )
    assert info.value.purpose == ConsentPurpose.REFERRAL
    assert not case.referrals.exists()
    # consent to a *different* organisation does not cover this one
    _consent(world, case, ConsentPurpose.REFERRAL, organisation=world.other_provider)
    with pytest.raises(services.ConsentRequired):
        services.referral_create(
            actor=world.worker,
            case=case,
            provider=world.provider,
            reason="AdditionalServicesRequired",
            services=["Legal"],
        )
    _consent(world, case, ConsentPurpose.REFERRAL, organisation=world.provider)
    referral = services.referral_create(
        actor=world.worker,
        case=case,
        provider=world.provider,
        reason="AdditionalServicesRequired",
        services=["Legal"],
    )
    assert referral.status == ReferralStatus.PENDING


def test_withdrawal_stops_referrals_and_revokes_open_ones(world, register_case):
    case = register_case(world.worker)
    _consent(world, case, ConsentPurpose.REFERRAL, organisation=world.provider)
    referral = services.referral_create(
        actor=world.worker,
        case=case,
        provider=world.provider,
        reason="AdditionalServicesRequired",
        services=["Legal"],
    )
    _consent(world, case, ConsentPurpose.REFERRAL, given=False, organisation=world.provider)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REVOKED
    with pytest.raises(services.ConsentRequired):
        services.referral_create(
            actor=world.worker,
            case=case,
            provider=world.provider,
            reason="AdditionalServicesRequired",
            services=["Legal"],
        )


def test_cross_border_sharing_needs_consent_for_that_country(world, register_case):
    case = register_case(world.worker)
    with pytest.raises(services.ConsentRequired):
        services.case_share(
            actor=world.worker,
            case=case,
            purpose=ConsentPurpose.CROSS_BORDER,
            recipient_country=_country("KHM"),
        )
    _consent(world, case, ConsentPurpose.CROSS_BORDER, recipient_country=_country("LAO"))
    with pytest.raises(services.ConsentRequired):  # Lao PDR is not Cambodia
        services.case_share(
            actor=world.worker,
            case=case,
            purpose=ConsentPurpose.CROSS_BORDER,
            recipient_country=_country("KHM"),
        )
    _consent(world, case, ConsentPurpose.CROSS_BORDER, recipient_country=_country("KHM"))
    record = services.case_share(
        actor=world.worker,
        case=case,
        purpose=ConsentPurpose.CROSS_BORDER,
        recipient_country=_country("KHM"),
    )
    assert record["prs_FirstName"] == "มาลัย"
    assert AuditLog.objects.filter(action=AuditAction.SHARE, object_id=str(case.pk)).count() == 1
    # withdrawn the next day: sharing stops
    _consent(
        world, case, ConsentPurpose.CROSS_BORDER, given=False, recipient_country=_country("KHM")
    )
    with pytest.raises(services.ConsentRequired):
        services.case_share(
            actor=world.worker,
            case=case,
            purpose=ConsentPurpose.CROSS_BORDER,
            recipient_country=_country("KHM"),
        )
    assert case.shares.count() == 1


def test_consent_allows_as_of_a_date(world, register_case):
    case = register_case(world.worker)
    _consent(world, case, ConsentPurpose.LAW_ENFORCEMENT, on=TODAY - dt.timedelta(days=10))
    _consent(
        world, case, ConsentPurpose.LAW_ENFORCEMENT, given=False, on=TODAY - dt.timedelta(days=2)
    )
    allows = services.consent_allows
    assert allows(case, "law_enforcement", at=TODAY - dt.timedelta(days=5))
    assert not allows(case, "law_enforcement")
    assert not allows(case, "law_enforcement", at=TODAY - dt.timedelta(days=11))
    assert not allows(case.pk, "referral")  # a referral consent needs a named organisation


def test_statistics_sharing_is_deidentified(world, register_case):
    case = register_case(world.worker, documents=[{"doc_type": "passport", "number": "ZX9988776"}])
    _consent(world, case, ConsentPurpose.STATISTICS)
    record = services.case_share(actor=world.worker, case=case, purpose="statistics")
    assert "prs_FirstName" not in record and "prs_IdentityNumber" not in record
    assert "ZX9988776" not in str(record) and "มาลัย" not in str(record)
    assert record["commit_AgeAtRegistration"] == 24


def test_transfer_to_another_agency_needs_consent(world, register_case):
    case = register_case(world.worker)
    with pytest.raises(services.ConsentRequired):
        services.case_transfer(actor=world.worker, case=case, agency=world.ngo)
    _consent(world, case, ConsentPurpose.REFERRAL, organisation=world.provider)  # ngo's entry
    services.case_transfer(actor=world.worker, case=case, agency=world.ngo)
    assert Case.objects.get(pk=case.pk).agency == world.ngo


def test_child_consent_comes_from_a_guardian(world, register_case):
    case = register_case(world.worker, age_at_registration=15)
    with pytest.raises(ValidationError, match="guardian"):
        _consent(world, case, ConsentPurpose.SERVICES)
    services.consent_record(
        actor=world.worker,
        case=case,
        purpose="services",
        given=True,
        on=TODAY,
        language="th",
        given_by="guardian",
        witness="ครูสมศรี",
    )
    assert services.consent_allows(case, "services")


# --- placements and alerts --------------------------------------------------


def test_identified_victim_in_detention_raises_alert(world, register_case):
    case = register_case(world.worker)
    _decide(world, case)
    placement = services.placement_add(
        actor=world.worker,
        case=case,
        kind=PlacementKind.IMMIGRATION_DETENTION,
        facility=world.detention,
        voluntary=False,
        start_date=TODAY,
    )
    alert = Alert.objects.get(placement=placement)
    assert alert.kind == AlertKind.DETENTION and alert.is_open and alert.country_id == "THA"
    assert AuditLog.objects.filter(action=AuditAction.ALERT_RAISE, object_id=str(case.pk)).exists()
    # it stays open when the placement ends, until a supervisor resolves it
    services.placement_end(actor=world.worker, placement=placement, end_date=TODAY)
    alert.refresh_from_db()
    assert alert.is_open
    services.alert_resolve(actor=world.supervisor, alert=alert, resolution="Moved to a shelter.")
    alert.refresh_from_db()
    assert not alert.is_open and alert.resolved_by == world.supervisor
    assert AuditLog.objects.filter(action=AuditAction.ALERT_RESOLVE).count() == 1


def test_detention_before_identification_alerts_when_the_decision_comes(world, register_case):
    case = register_case(world.worker)
    placement = services.placement_add(
        actor=world.worker,
        case=case,
        kind=PlacementKind.POLICE_CUSTODY,
        facility=_facility(PlacementKind.POLICE_CUSTODY),
        voluntary=False,
        start_date=TODAY,
    )
    assert not Alert.objects.filter(placement=placement).exists()  # adult, not yet identified
    _decide(world, case, TraffickingStatus.POSSIBLE_VICTIM_OF_TRAFFICKING)
    assert Alert.objects.filter(placement=placement, resolved_at__isnull=True).count() == 1
    _decide(world, case)  # a second decision does not duplicate the open alert
    assert Alert.objects.filter(placement=placement).count() == 1


def test_not_a_victim_in_detention_raises_no_alert_but_a_child_does(world, register_case):
    adult = register_case(world.worker)
    _decide(world, adult, TraffickingStatus.NOT_A_VICTIM_OF_TRAFFICKING)
    services.placement_add(
        actor=world.worker,
        case=adult,
        kind=PlacementKind.IMMIGRATION_DETENTION,
        facility=world.detention,
        voluntary=False,
        start_date=TODAY,
    )
    assert not Alert.objects.filter(case=adult).exists()
    child = register_case(world.worker, age_at_registration=14)
    services.placement_add(
        actor=world.worker,
        case=child,
        kind=PlacementKind.IMMIGRATION_DETENTION,
        facility=world.detention,
        voluntary=False,
        start_date=TODAY,
    )
    assert Alert.objects.filter(case=child, kind=AlertKind.DETENTION).exists()


def test_shelter_against_her_will_raises_alert(world, register_case):
    case = register_case(world.worker)
    _decide(world, case)
    services.placement_add(
        actor=world.worker,
        case=case,
        kind=PlacementKind.SHELTER,
        facility=world.shelter_place,
        voluntary=True,
        start_date=TODAY,
    )
    assert not Alert.objects.filter(case=case).exists()
    services.placement_add(
        actor=world.worker,
        case=case,
        kind=PlacementKind.SHELTER,
        facility=world.shelter_place,
        voluntary=False,
        start_date=TODAY,
    )
    assert Alert.objects.get(case=case).kind == AlertKind.INVOLUNTARY_SHELTER


def test_placement_in_a_facility_of_the_wrong_kind_is_refused(world, register_case):
    case = register_case(world.worker)
    with pytest.raises(ValidationError):
        services.placement_add(
            actor=world.worker,
            case=case,
            kind=PlacementKind.SHELTER,
            facility=world.detention,
            voluntary=True,
            start_date=TODAY,
        )


# --- identification, screening, status ---------------------------------------


def test_screening_scores_with_the_instrument_weights(world, register_case):
    case = register_case(world.worker)
    s = services.screening_record(
        actor=world.worker,
        case=case,
        instrument="general",
        answers={"deceived": True, "not_free_to_leave": True},
        language="my",
        interpreter_present=True,
    )
    assert (s.score, s.recommendation) == (7, "possible")
    s = services.screening_record(
        actor=world.worker,
        case=case,
        instrument="general",
        answers={"deceived": True, "documents_withheld": True, "violence_or_threats": True},
        language="my",
        interpreter_present=True,
    )
    assert (s.score, s.recommendation) == (10, "strong")
    child = register_case(world.worker, age_at_registration=13)
    s = services.screening_record(
        actor=world.worker,
        case=child,
        instrument="child",
        answers={"child_commercial_sex": True},
        language="th",
        interpreter_present=False,
    )
    assert s.recommendation == "strong"  # a decisive indicator alone


def test_decision_under_a_guideline_of_another_country_is_refused(world, register_case):
    case = register_case(world.worker)
    with pytest.raises(ValidationError):
        services.identification_decide(
            actor=world.worker,
            case=case,
            decision=TraffickingStatus.ACTUAL_VICTIM_OF_TRAFFICKING,
            decision_org="NGO",
            guideline="khm-law-2008",
            language_informed="th",
            interpreter_present=False,
        )
    assert Case.objects.get(pk=case.pk).trafficking_status == ""


def test_status_transitions(world, register_case):
    case = register_case(world.worker)
    services.case_status_change(
        actor=world.worker, case=case, status=CaseStatus.CLOSED, reason="Returned home safely."
    )
    assert case.retention_until.year == TODAY.year + 10
    with pytest.raises(TransitionNotAllowed):
        services.case_status_change(actor=world.worker, case=case, status=CaseStatus.FOLLOW_UP)
    services.case_status_change(actor=world.worker, case=case, status=CaseStatus.ACTIVE)
    assert case.retention_until is None


def test_registration_is_atomic_on_bad_input(world, register_case):
    with pytest.raises(ValidationError):
        register_case(world.worker, documents=[{"doc_type": "no-such-type", "number": "1"}])
    assert not Person.objects.exists() and not Case.objects.exists()


def test_zawgyi_input_is_stored_as_unicode_and_found_either_way(world, register_case):
    from matis.cases.selectors import CaseFilters, case_list

    case = register_case(world.worker, given_name="ေက်ာ္ေက်ာ္", family_name="")
    assert Person.objects.get(pk=case.person_id).given_name == "ကျော်ကျော်"
    for query in ("ေက်ာ္ေက်ာ္", "ကျော်ကျော်", case.person.romanised_given):
        assert list(case_list(user=world.worker, filters=CaseFilters(query=query))) == [case]


def test_search_by_document_number_and_romanised_passport_spelling(world, register_case):
    from matis.cases.selectors import CaseFilters, case_list

    case = register_case(
        world.worker,
        romanised_given="Malai",
        romanised_family="Thotsob",
        documents=[{"doc_type": "passport", "number": "AB 1234567"}],
    )
    register_case(world.worker, given_name="สมศรี")
    for query in ("ab1234567", "AB-123-4567", "malai thotsob", "MALAI", "มาลัย ทดสอบ"):
        assert list(case_list(user=world.worker, filters=CaseFilters(query=query))) == [case], query
    assert not case_list(user=world.worker, filters=CaseFilters(query="AB123456")).exists()


# --- secure deletion -----------------------------------------------------------


def test_secure_delete_removes_everything_and_is_audited(world, register_case):
    case = register_case(world.worker, documents=[{"doc_type": "passport", "number": "QQ1"}])
    _consent(world, case, ConsentPurpose.SERVICES)
    _decide(world, case)
    services.placement_add(
        actor=world.worker,
        case=case,
        kind=PlacementKind.IMMIGRATION_DETENTION,
        facility=world.detention,
        voluntary=False,
        start_date=TODAY,
    )
    person_id = case.person_id
    reference = services.case_secure_delete(actor=world.supervisor, case=case, reason="retention")
    assert reference == case.reference
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not Person.objects.filter(pk=person_id).exists()
    assert not PersonSearchToken.objects.filter(person_id=person_id).exists()
    assert not Alert.objects.exists()
    row = AuditLog.objects.get(action=AuditAction.SECURE_DELETE)
    assert row.object_id == str(case.pk) and row.detail["person_deleted"] is True


def test_purge_deletes_only_cases_past_retention(world, register_case):
    old = register_case(world.worker)
    services.case_status_change(
        actor=world.worker, case=old, status=CaseStatus.CLOSED, on=TODAY - dt.timedelta(days=4000)
    )
    young = register_case(world.worker)
    assert services.purge_expired(dry_run=True) == [old.reference]
    assert services.purge_expired() == [old.reference]
    assert list(Case.objects.all()) == [young]


def _country(iso3):
    from matis.common.models import Country

    return Country.objects.get(pk=iso3)


def _facility(kind):
    from matis.cases.models import Facility

    return Facility.objects.create(country_id="THA", name=f"Place {kind} (synthetic)", kind=kind)
