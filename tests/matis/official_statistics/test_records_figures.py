"""Figures from records: the national figures match a hand count of a small synthetic set.

The records are built with the apps' test factories (``make_case``,
``make_criminal_case``, registered with ``factory_for``) and then given the
dates and attributes each edge case needs. Every expected number below is a
literal counted by hand from the records listed in ``records_2024``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from matis.access.models import Agency, AuditLog, OrganisationType
from matis.cases.choices import PlacementKind, ReferralStatus
from matis.cases.htcds import TraffickingStatus
from matis.cases.models import (
    Facility,
    IdentificationDecision,
    Placement,
    Referral,
    ServiceProvider,
)
from matis.cases.test_factories import make_case
from matis.justice.models import Charge, CompensationClaim, Defendant, Verdict, VictimWitness
from matis.justice.test_factories import make_criminal_case
from matis.official_statistics.models import Observation, Submission
from matis.official_statistics.services import submission_approve, submission_submit
from matis.official_statistics.services.records import (
    RECORDS_SOURCE,
    RULES,
    ProposalError,
    records_proposal_apply,
    records_proposal_compute,
)
from matis.returns.choices import RepatriationStatus
from matis.returns.models import Repatriation

pytestmark = pytest.mark.django_db

ACTUAL = TraffickingStatus.ACTUAL_VICTIM_OF_TRAFFICKING
POSSIBLE = TraffickingStatus.POSSIBLE_VICTIM_OF_TRAFFICKING
NOT_A_VICTIM = TraffickingStatus.NOT_A_VICTIM_OF_TRAFFICKING
D = dt.date


OPENED = D(2024, 1, 2)


def _case(marker, *, gender, age, citizenship, forms, status=ACTUAL, opened=OPENED):
    case = make_case("THA", marker)
    person = case.person
    person.gender, person.age_at_registration = gender, age
    person.primary_citizenship_id = citizenship
    person.save()
    case.exploitation_types, case.trafficking_status, case.opened_on = forms, status, opened
    case.save()
    return case


def _second_case(first, marker, *, forms, opened):
    case = make_case("THA", marker)
    orphan = case.person
    case.person, case.exploitation_types, case.opened_on = first.person, forms, opened
    case.save()
    orphan.delete()
    return case


def _decide(case, worker, on, decision=ACTUAL):
    IdentificationDecision.objects.create(
        case=case,
        decision=decision,
        decided_on=on,
        decided_by=worker,
        decision_org="Police",
        guideline="TH-NRM",
        language_informed="th",
    )


def _return(case, ref, *, to, identified, returned, status=RepatriationStatus.COMPLETED):
    receiving = Agency.objects.create(
        name=f"Receiving {ref}", country_id=to, org_type=OrganisationType.CENTRAL_GOVERNMENT
    )
    return Repatriation.objects.create(
        reference=f"RT-{ref}",
        case=case,
        sending_country_id="THA",
        receiving_country_id=to,
        sending_agency=case.agency,
        receiving_agency=receiving,
        identified_on=identified,
        requested_on=identified,
        returned_on=returned,
        status=status,
    )


@pytest.fixture
def records_2024(make_user):
    """The synthetic records of Thailand (the hand count is in each test's comments)."""
    worker = make_user("case_worker", "THA")
    # A: girl of 15, Vietnamese, two forms of exploitation, identified 1 March 2024.
    a = _case(
        "A",
        gender="Feminine",
        age=15,
        citizenship="VNM",
        forms=["SexualExploitation", "ForcedLabour"],
    )
    _decide(a, worker, D(2024, 3, 1))
    # A again: a second case of the same person (forced begging), identified 1 September 2024.
    a2 = _second_case(a, "A2", forms=["ForcedBegging"], opened=D(2024, 8, 30))
    _decide(a2, worker, D(2024, 9, 1))
    # B: man of 30, from Myanmar, forced criminality, possible victim since 10 May 2024.
    b = _case("B", gender="Masculine", age=30, citizenship="MMR", forms=["ForcedCriminality"])
    b.trafficking_status = POSSIBLE
    b.save()
    _decide(b, worker, D(2024, 5, 10), POSSIBLE)
    # C: woman of 22, Thai, identified in 2023 (previous year), decided again in 2024.
    c = _case("C", gender="Feminine", age=22, citizenship="THA", forms=["ForcedLabour"])
    _decide(c, worker, D(2023, 11, 20))
    _decide(c, worker, D(2024, 1, 15))
    # D: identified in February 2024, then decided "not a victim" (withdrawn).
    d = _case("D", gender="Masculine", age=40, citizenship="LAO", forms=["ForcedLabour"])
    _decide(d, worker, D(2024, 2, 1))
    _decide(d, worker, D(2024, 4, 1), NOT_A_VICTIM)
    d.trafficking_status = NOT_A_VICTIM
    d.save()
    # E: identified in July 2024, then the case was deleted (secure deletion).
    e = _case("E", gender="Feminine", age=19, citizenship="KHM", forms=["SexualExploitation"])
    _decide(e, worker, D(2024, 7, 1))
    from matis.cases.services import case_secure_delete

    case_secure_delete(actor=None, case=e, reason="test: entered in error")
    # F: gender, age and citizenship unknown, no form recorded, identified without a
    # recorded decision; the case was opened on 1 August 2024.
    f = _case("F", gender="NonSpecifiedUnknown", age=None, citizenship=None, forms=[])
    f.opened_on = D(2024, 8, 1)
    f.save()

    # Returns sent from Thailand.
    _return(a, "A1", to="VNM", identified=D(2024, 3, 1), returned=D(2024, 4, 10))  # 40 days
    _return(  # handed over, reception still pending: counts
        b,
        "B1",
        to="MMR",
        identified=D(2024, 5, 10),
        returned=D(2024, 5, 30),  # 20 days
        status=RepatriationStatus.IN_PROGRESS,
    )
    _return(a2, "A2", to="VNM", identified=D(2024, 9, 1), returned=D(2024, 11, 1))  # A again
    _return(c, "C1", to="LAO", identified=D(2023, 11, 20), returned=None)  # completed, no date
    _return(  # cancelled: never counts
        f,
        "F1",
        to="MMR",
        identified=D(2024, 8, 1),
        returned=D(2024, 9, 1),
        status=RepatriationStatus.CANCELLED,
    )

    # Detention.
    detention = Facility.objects.create(
        country_id="THA", name="IDC", kind=PlacementKind.IMMIGRATION_DETENTION
    )
    police = Facility.objects.create(
        country_id="THA", name="Station", kind=PlacementKind.POLICE_CUSTODY
    )
    shelter = Facility.objects.create(country_id="THA", name="Home", kind=PlacementKind.SHELTER)

    def place(case, facility, start, end):
        Placement.objects.create(
            case=case,
            kind=facility.kind,
            facility=facility,
            voluntary=False,
            start_date=start,
            end_date=end,
            recorded_by=worker,
        )

    place(a, detention, D(2023, 12, 20), D(2024, 1, 5))  # spans the new year: counts
    place(a, police, D(2024, 6, 1), D(2024, 6, 2))  # A again: still one person
    place(b, police, D(2023, 1, 1), D(2023, 1, 10))  # 2023 only
    place(d, detention, D(2024, 2, 1), None)  # withdrawn identification: not a victim
    place(f, shelter, D(2024, 8, 1), None)  # a shelter is not detention

    # Referrals.
    p1 = ServiceProvider.objects.create(country_id="THA", name="Clinic")
    p2 = ServiceProvider.objects.create(country_id="THA", name="Lawyers")

    def refer(case, provider, on, status):
        Referral.objects.create(
            case=case,
            provider=provider,
            referring_agency=case.agency,
            reason="AdditionalServicesRequired",
            services=["Health"],
            status=status,
            referred_on=on,
            created_by=worker,
        )

    refer(a, p1, D(2024, 3, 5), ReferralStatus.ACCEPTED)
    refer(a, p2, D(2024, 3, 6), ReferralStatus.PENDING)
    refer(b, p1, D(2024, 5, 12), ReferralStatus.REVOKED)
    refer(c, p1, D(2023, 12, 1), ReferralStatus.COMPLETED)

    # Justice.
    cc1 = make_criminal_case("THA", "CC1-2024")
    cc1.opened_on = D(2024, 2, 1)
    cc1.save()
    cc2 = make_criminal_case("THA", "CC2-2023")
    cc2.opened_on = D(2023, 6, 1)
    cc2.save()

    def defendant(cc, gender, nationality):
        return Defendant.objects.create(
            criminal_case=cc,
            name="Synthetic",
            gender=gender,
            nationality_id=nationality,
            role="Exploiter",
        )

    def charge(person, law, on, verdict=None, decided=None):
        ch = Charge.objects.create(defendant=person, law=law, provision="s. 6", charged_on=on)
        if verdict:
            Verdict.objects.create(charge=ch, instance="first", outcome=verdict, decided_on=decided)
        return ch

    x = defendant(cc1, "Masculine", "THA")
    charge(x, "trafficking", D(2024, 3, 1), "convicted", D(2024, 9, 1))
    y = defendant(cc1, "Feminine", "MMR")
    charge(y, "trafficking", D(2024, 3, 1), "acquitted", D(2024, 9, 1))  # an acquittal
    z = defendant(cc2, "Masculine", "THA")
    charge(z, "trafficking", D(2023, 7, 1), "convicted", D(2024, 2, 1))
    charge(z, "trafficking", D(2023, 7, 1), "convicted", D(2024, 2, 1))  # two charges, once
    w = defendant(cc2, "Masculine", "LAO")
    charge(w, "labour", D(2024, 1, 10), "convicted", D(2024, 5, 1))  # labour law only

    def claim(case, cc, awarded, decided, currency="THB"):
        witness, _new = VictimWitness.objects.get_or_create(
            criminal_case=cc,
            case=case,
            defaults={"role": "civil_party", "linked_by": cc.created_by},
        )
        CompensationClaim.objects.create(
            witness=witness,
            kind="criminal",
            filed_on=D(2024, 3, 1),
            currency=currency,
            claimed=Decimal("10000.00"),
            awarded=awarded,
            decided_on=decided,
        )

    claim(a, cc1, Decimal("5000.00"), D(2024, 10, 1))
    claim(a, cc1, Decimal("100.00"), D(2024, 10, 2), currency="USD")  # A again: once
    claim(b, cc1, Decimal("0.00"), D(2024, 10, 1))  # nothing awarded
    claim(c, cc2, Decimal("800.00"), D(2023, 10, 1))  # decided in 2023
    return {"worker": worker}


def _officer(make_user):
    return make_user("statistics_officer", "THA")


def test_national_figures_match_a_hand_count(records_2024, make_user):
    officer = _officer(make_user)
    proposal = records_proposal_compute(actor=officer, country_id="THA", year=2024)
    v = proposal.value
    assert proposal.problems == []

    # Victims identified in 2024: A (first decision 1 Mar 2024), B (10 May 2024) and F
    # (no decision, opened 1 Aug 2024) = 3. A's second case is the same person; C was
    # first identified in 2023; D was withdrawn; E was deleted.
    assert v("VICTIMS_DETECTED") == 3
    assert v("VICTIMS_DETECTED", "SEX=F") == 1  # A (F's gender is not recorded)
    assert v("VICTIMS_DETECTED", "SEX=M") == 1  # B
    assert v("VICTIMS_DETECTED", "SEX=UNKNOWN") == 1  # F
    assert v("VICTIMS_DETECTED", "AGE=Y0T17") == 1  # A (15)
    assert v("VICTIMS_DETECTED", "AGE=Y_GE18") == 1  # B (30)
    assert v("VICTIMS_DETECTED", "AGE=UNKNOWN") == 1  # F
    # Forms: A has sexual + forced labour (first case) + begging (second case); begging is
    # an "other" form; B forced criminality (also "other"); F none recorded -> unknown.
    assert v("VICTIMS_DETECTED", "FORM=SEXUAL") == 1  # A
    assert v("VICTIMS_DETECTED", "FORM=FORCED_LABOUR") == 1  # A
    assert v("VICTIMS_DETECTED", "FORM=BEGGING") == 1  # A
    assert v("VICTIMS_DETECTED", "FORM=FORCED_CRIMINALITY") == 1  # B
    assert v("VICTIMS_DETECTED", "FORM=OTHER") == 2  # A (begging), B (criminality)
    assert v("VICTIMS_DETECTED", "FORM=UNKNOWN") == 1  # F
    assert v("VICTIMS_DETECTED", "CITIZENSHIP=VNM") == 1  # A
    assert v("VICTIMS_DETECTED", "CITIZENSHIP=MMR") == 1  # B
    assert v("VICTIMS_DETECTED", "CITIZENSHIP=UNKNOWN") == 1  # F
    assert v("VICTIMS_DETECTED", "CITIZENSHIP=THA") is None  # C counted in 2023 only
    assert proposal.excluded["identified_earlier"] == 1  # C, decided again 15 Jan 2024
    assert proposal.excluded["withdrawn"] == 1  # D

    # Repatriated in 2024: A (10 Apr, and again 1 Nov: once) and B (30 May, handed over,
    # reception pending) = 2. C's return has no date; F's was cancelled.
    assert v("VICTIMS_REPATRIATED") == 2
    assert v("VICTIMS_REPATRIATED", "REPATRIATION=VNM") == 1  # A
    assert v("VICTIMS_REPATRIATED", "REPATRIATION=MMR") == 1  # B
    assert v("VICTIMS_REPATRIATED", "SEX=F") == 1  # A
    assert v("VICTIMS_REPATRIATED", "REPATRIATION=LAO") is None  # C, no date
    assert proposal.excluded["returned_without_date"] == 1  # C
    # Days to return: A's first return 40 days, B's 20 days; median (40 + 20) / 2 = 30.
    assert v("DAYS_TO_RETURN") == 30

    # Detained in 2024: A (detention 20 Dec 2023 - 5 Jan 2024, police 1-2 Jun 2024: once).
    # B was detained in 2023 only, D is not a victim, F was in a shelter.
    assert v("VICTIMS_DETAINED") == 1
    assert v("VICTIMS_DETAINED", "CITIZENSHIP=VNM") == 1

    # Referrals in 2024: A to the clinic (5 Mar) and to the lawyers (6 Mar) = 2; B's
    # referral was revoked; C's was in 2023.
    assert v("REFERRALS") == 2
    assert v("REFERRALS", "AGE=Y0T17") == 2  # both of A
    assert proposal.excluded["referrals_revoked"] == 1  # B

    # Investigations opened in 2024: CC1 (1 Feb 2024) = 1; CC2 opened in 2023.
    assert v("INVESTIGATIONS_OPENED") == 1
    # Persons in formal contact: the suspects of CC1, X and Y = 2.
    assert v("PERSONS_FORMAL_CONTACT") == 2
    assert v("PERSONS_FORMAL_CONTACT", "CITIZENSHIP=MMR") == 1  # Y
    # Prosecuted in 2024: X and Y (first trafficking charge 1 Mar 2024) = 2; Z's first
    # trafficking charge was in 2023; W was charged under the labour law only.
    assert v("PERSONS_PROSECUTED") == 2
    # Convicted in 2024: X (1 Sep) and Z (two charges, 1 Feb: once) = 2; Y was acquitted,
    # W's conviction is under the labour law.
    assert v("PERSONS_CONVICTED") == 2
    assert v("PERSONS_CONVICTED", "SEX=M") == 2  # X, Z
    assert v("PERSONS_CONVICTED", "CITIZENSHIP=THA") == 2  # X, Z
    assert proposal.excluded["acquittals"] == 1  # Y

    # Victims compensated in 2024: A (two awards: once) = 1; B was awarded nothing; C's
    # claim was decided in 2023.
    assert v("VICTIMS_COMPENSATED") == 1
    assert v("VICTIMS_COMPENSATED", "SEX=F") == 1

    # Every figure comes with its counting rule.
    assert {f.indicator for f in proposal.figures} == set(RULES)


def test_the_computation_is_one_audited_aggregate_read(records_2024, make_user):
    officer = _officer(make_user)
    before = AuditLog.objects.count()
    records_proposal_compute(actor=officer, country_id="THA", year=2024)
    rows = list(AuditLog.objects.order_by("pk")[before:])
    assert len(rows) == 1
    row = rows[0]
    assert (row.actor, row.country_id, row.object_type) == (
        officer,
        "THA",
        "statistics.records_proposal",
    )
    assert row.detail["totals"]["VICTIMS_DETECTED"] == 3
    assert row.detail["excluded"]["withdrawn"] == 1


def test_only_the_countrys_statistics_officers_compute(records_2024, make_user):
    from django.core.exceptions import PermissionDenied

    for user in (make_user("statistics_officer", "KHM"), make_user("case_worker", "THA")):
        with pytest.raises(PermissionDenied):
            records_proposal_compute(actor=user, country_id="THA", year=2024)


def test_applied_as_a_draft_small_cells_hidden_and_approved_by_a_second_officer(
    records_2024, make_user
):
    officer, second = _officer(make_user), _officer(make_user)
    result = records_proposal_apply(actor=officer, country_id="THA", year=2024)
    submission = Submission.objects.get(country_id="THA", period=2024)
    assert submission.status == Submission.Status.DRAFT  # never approved by applying
    assert result.counts["observations"]["created"] > 0
    stored = {
        (o.indicator.code, o.series_key): o
        for o in Observation.objects.filter(submission=submission).select_related("indicator")
    }
    total = stored[("VICTIMS_DETECTED", "")]
    # 3 victims is below the disclosure threshold (11): stored as "<11", never as 3.
    assert (total.value, total.censored_below, total.source) == (None, 11, RECORDS_SOURCE)
    assert stored[("INVESTIGATIONS_OPENED", "")].censored_below == 11
    # The median of 2 returns is withheld (missing), not published.
    days = stored[("DAYS_TO_RETURN", "")]
    assert days.is_missing and days.value is None
    # Nothing leaves with a small count: every stored count is 0, censored, or >= 11.
    for (code, _key), o in stored.items():
        if code != "DAYS_TO_RETURN":
            assert o.value in (None, 0) or o.value >= 11, (code, _key, o.value)

    # A second apply changes nothing.
    again = records_proposal_apply(actor=officer, country_id="THA", year=2024)
    assert again.counts["observations"].get("created", 0) == 0
    assert again.counts["observations"].get("updated", 0) == 0

    # Four eyes: the officer who submitted cannot approve; a second officer can.
    submission_submit(actor=officer, submission=submission)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        submission_approve(actor=officer, submission=submission)
    submission.refresh_from_db()
    for violation in submission.violations.filter(severity="warning"):
        violation.comment = "Forms of exploitation overlap for one person."
        violation.save()
    submission_approve(actor=second, submission=submission)
    submission.refresh_from_db()
    assert submission.is_approved

    # An approved submission is not changed by figures from records.
    with pytest.raises(ProposalError):
        records_proposal_apply(actor=officer, country_id="THA", year=2024)


def test_large_counts_are_stored_as_counted(make_user, settings):
    """With a threshold of 2, a count of 3 is stored as it is; a lone small cell takes another."""
    settings.MATIS_DISCLOSURE = {**settings.MATIS_DISCLOSURE, "min_cell": 2}
    worker = make_user("case_worker", "THA")
    genders = ["Feminine", "Feminine", "Feminine", "Masculine"]
    for n, gender in enumerate(genders):
        case = _case(f"P{n}", gender=gender, age=20, citizenship="THA", forms=["ForcedLabour"])
        _decide(case, worker, D(2025, 2, 1))
    officer = _officer(make_user)
    records_proposal_apply(actor=officer, country_id="THA", year=2025)
    stored = {
        o.series_key: o
        for o in Observation.objects.filter(
            country_id="THA", period=2025, indicator__code="VICTIMS_DETECTED"
        )
    }
    assert stored[""].value == 4  # F, F, F, M
    # SEX=M is 1 (< 2): hidden; SEX=F (3) is hidden too, or the total would reveal M.
    # F is not small: it is withheld (no value, not "<2"), shown as "x" in the proposal.
    assert stored["SEX=M"].censored_below == 2
    assert stored["SEX=F"].censored_below is None
    assert stored["SEX=F"].value is None and stored["SEX=F"].is_missing
    assert stored["AGE=Y_GE18"].value == 4


def test_disclosure_hides_complementary_cells_without_touching_the_database(settings):
    """The stored form of a FORM breakdown: a small sub-form hides its parent and one more."""
    from matis.official_statistics.services.records import Figure, RecordsProposal, _protect

    settings.MATIS_DISCLOSURE = {**settings.MATIS_DISCLOSURE, "min_cell": 11}
    proposal = RecordsProposal("THA", 2024)
    proposal.figures = [
        Figure("VICTIMS_DETECTED", "", 40),
        Figure("VICTIMS_DETECTED", "FORM=SEXUAL", 25),
        Figure("VICTIMS_DETECTED", "FORM=OTHER", 15),
        Figure("VICTIMS_DETECTED", "FORM=FORCED_CRIMINALITY", 12),
        Figure("VICTIMS_DETECTED", "FORM=BEGGING", 3),
        Figure("VICTIMS_DETECTED", "SEX=F", 40),
        Figure("VICTIMS_REPATRIATED", "", 12),
        Figure("DAYS_TO_RETURN", "", 30.5),
    ]
    _protect(proposal)
    stored = {(f.indicator, f.series_key): f.stored_display for f in proposal.figures}
    assert stored[("VICTIMS_DETECTED", "")] == "40"
    assert stored[("VICTIMS_DETECTED", "FORM=BEGGING")] == "<11"  # 3: primary
    # The forms add up (25 + 15 = 40, 12 + 3 = 15): one table with the total. The
    # earlier rule hid OTHER only, but 40 - 25 gave OTHER back, and OTHER - 12 begging.
    # Now SEXUAL is hidden ("x", not small) and begging lies anywhere in 1..10 given
    # what is shown (SEXUAL + BEGGING = 28, SEXUAL >= 11); OTHER, which would be
    # 12 + begging, is hidden too.
    assert stored[("VICTIMS_DETECTED", "FORM=SEXUAL")] == "x"
    assert stored[("VICTIMS_DETECTED", "FORM=OTHER")] == "x"
    assert stored[("VICTIMS_DETECTED", "FORM=FORCED_CRIMINALITY")] == "12"
    assert stored[("VICTIMS_DETECTED", "SEX=F")] == "40"
    assert stored[("DAYS_TO_RETURN", "")] == "30.50"  # 12 returns >= 11: published


def test_victims_are_counted_by_their_first_cases_province_in_this_country(make_user, settings):
    """A person's province is that of her or his first case; one of another country is left out."""
    settings.MATIS_DISCLOSURE = {**settings.MATIS_DISCLOSURE, "min_cell": 1}
    worker = make_user("case_worker", "THA")
    places = ["TH-50", "TH-50", "TH-10", None, "KH-12"]
    cases = []
    for n, place in enumerate(places):
        case = _case(f"R{n}", gender="Feminine", age=20, citizenship="THA", forms=["ForcedLabour"])
        case.place_of_identification_id = place
        case.save()
        _decide(case, worker, D(2025, 3, 1))
        cases.append(case)
    # R0's later case elsewhere does not move R0 to another province
    later = _second_case(cases[0], "R0b", forms=["ForcedLabour"], opened=D(2025, 6, 1))
    later.place_of_identification_id = "TH-10"
    later.save()
    proposal = records_proposal_compute(actor=_officer(make_user), country_id="THA", year=2025)
    assert proposal.problems == []
    v = proposal.value
    assert v("VICTIMS_DETECTED") == 5
    assert v("VICTIMS_DETECTED", "PROVINCE=TH-50") == 2  # R0, R1
    assert v("VICTIMS_DETECTED", "PROVINCE=TH-10") == 1  # R2
    assert v("VICTIMS_DETECTED", "PROVINCE=KH-12") is None  # not a Thai province
    assert "PROVINCE" in RULES["VICTIMS_DETECTED"].dimensions


def test_a_two_way_split_with_a_small_side_hides_the_total(settings):
    """F 12, M 3, total 15: hiding F as well would leave M in 1..4 (F is at least 11
    when it is hidden as "x"), narrower than the protection width (5), so the total goes."""
    from matis.official_statistics.services.records import Figure, RecordsProposal, _protect

    settings.MATIS_DISCLOSURE = {**settings.MATIS_DISCLOSURE, "min_cell": 11, "protection": 5}
    proposal = RecordsProposal("THA", 2024)
    proposal.figures = [
        Figure("VICTIMS_DETECTED", "", 15),
        Figure("VICTIMS_DETECTED", "SEX=F", 12),
        Figure("VICTIMS_DETECTED", "SEX=M", 3),
        Figure("VICTIMS_DETECTED", "AGE=Y_GE18", 15),
    ]
    _protect(proposal)
    stored = {f.series_key: f.stored_display for f in proposal.figures}
    # the total hidden, and the age breakdown (one cell: the total) hidden with it
    assert stored == {"": "x", "SEX=F": "12", "SEX=M": "<11", "AGE=Y_GE18": "x"}


def test_every_hidden_figure_keeps_a_wide_range_by_brute_force(settings):
    """Random proposals of two two-way breakdowns sharing their total, checked without
    linear programming: every whole number each hidden figure could be, given what is
    stored and the labels, found by enumeration; the range is at least 5 wide."""
    import random

    from matis.official_statistics.services.records import Figure, RecordsProposal, _protect

    settings.MATIS_DISCLOSURE = {**settings.MATIS_DISCLOSURE, "min_cell": 11, "protection": 5}
    rng = random.Random(7)
    cap = 80
    for _ in range(300):
        total = rng.randint(1, 40)
        f = rng.randint(0, total)
        young = rng.randint(0, total)
        proposal = RecordsProposal("THA", 2024)
        proposal.figures = [
            Figure("V", "", total),
            Figure("V", "SEX=F", f),
            Figure("V", "SEX=M", total - f),
            Figure("V", "AGE=Y_LT18", young),
            Figure("V", "AGE=Y_GE18", total - young),
        ]
        _protect(proposal)
        figs = proposal.figures

        def allowed(fig):
            if fig.censored_below:
                return range(1, 11)
            if fig.suppressed:
                return range(11, cap)
            return [int(fig.value)]

        seen: dict[str, set[int]] = {
            g.series_key: set() for g in figs if g.censored_below or g.suppressed
        }
        for t in allowed(figs[0]):
            pairs = []
            for a, b in ((figs[1], figs[2]), (figs[3], figs[4])):
                pairs.append([(x, t - x) for x in allowed(a) if t - x in allowed(b)])
            if not all(pairs):
                continue
            if figs[0].series_key in seen:
                seen[""].add(t)
            for (a, b), options in zip(
                ((figs[1], figs[2]), (figs[3], figs[4])), pairs, strict=True
            ):
                for x, y in options:
                    for g, v in ((a, x), (b, y)):
                        if g.series_key in seen:
                            seen[g.series_key].add(v)
        for key, values in seen.items():
            assert values, (key, [(g.series_key, g.value, g.stored_display) for g in figs])
            assert max(values) - min(values) >= 5, (
                key, sorted(values), [(g.series_key, g.value, g.stored_display) for g in figs]
            )  # fmt: skip
