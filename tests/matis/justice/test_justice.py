"""Criminal cases: stages, witnesses with consent and protection, access, and the measures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from matis.cases.services import ConsentRequired
from matis.common.workflow import TransitionNotAllowed
from matis.justice import measures, services
from matis.justice.models import CriminalCase

D = dt.date
MAY_1 = D(2024, 5, 1)
pytestmark = pytest.mark.django_db


def _open(people, ref, opened):
    return services.criminal_case_open(actor=people.officer, reference=ref, opened_on=opened)


def _to_verdict(
    people, cc, *, charged, verdict_on, outcome="convicted", law="trafficking", months=None
):
    defendant = services.defendant_add(
        actor=people.officer,
        criminal_case=cc,
        name="นายสมมติ ทดสอบ",
        role="Exploiter",
        gender="Masculine",
    )
    services.stage_change(actor=people.officer, criminal_case=cc, stage="prosecution", on=charged)
    charge = services.charge_add(
        actor=people.officer, defendant=defendant, law=law, provision="s. 6", charged_on=charged
    )
    services.stage_change(actor=people.officer, criminal_case=cc, stage="trial", on=charged)
    services.stage_change(actor=people.officer, criminal_case=cc, stage="verdict", on=verdict_on)
    services.verdict_record(
        actor=people.officer,
        charge=charge,
        instance="first",
        outcome=outcome,
        decided_on=verdict_on,
        prison_months=months,
    )
    return defendant


def test_perpetrator_roles_are_the_htcds_list():
    from matis.cases.vocab import value_pairs
    from matis.justice.choices import PerpetratorRole

    assert [(v, str(label)) for v, label in PerpetratorRole.choices] == value_pairs(
        "per_RoleInProcess"
    )


def test_stages_follow_the_allowed_transitions(people):
    cc = _open(people, "TH-CR-1", D(2024, 1, 10))
    with pytest.raises(TransitionNotAllowed):
        services.stage_change(
            actor=people.officer, criminal_case=cc, stage="verdict", on=D(2024, 2, 1)
        )
    services.stage_change(
        actor=people.officer, criminal_case=cc, stage="prosecution", on=D(2024, 2, 1)
    )
    with pytest.raises(ValidationError):  # before the previous stage
        services.stage_change(
            actor=people.officer, criminal_case=cc, stage="trial", on=D(2024, 1, 15)
        )
    cc.refresh_from_db()
    assert cc.stage == "prosecution"
    assert [s.stage for s in cc.stage_changes.all()] == ["investigation", "prosecution"]


def test_only_justice_officers_of_the_country_record(people):
    with pytest.raises(PermissionDenied):
        services.criminal_case_open(actor=people.worker, reference="X", opened_on=D(2024, 1, 1))
    cc = _open(people, "TH-CR-2", D(2024, 1, 10))
    with pytest.raises(PermissionDenied):
        services.stage_change(
            actor=people.khm_officer, criminal_case=cc, stage="prosecution", on=D(2024, 2, 1)
        )


def test_defendant_names_are_encrypted_at_rest(people):
    from django.db import connection

    cc = _open(people, "TH-CR-3", D(2024, 1, 10))
    d = services.defendant_add(
        actor=people.officer,
        criminal_case=cc,
        name="SECRETNAME Kham",
        role="RecruiterOrIntermediary",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM justice_defendant WHERE id = %s", [d.pk])
        (raw,) = cursor.fetchone()
    assert "SECRETNAME" not in raw
    assert type(d).objects.get(pk=d.pk).name == "SECRETNAME Kham"


def test_a_victim_is_linked_only_with_consent_and_protection_is_agreed(people, victim_case):
    cc = _open(people, "TH-CR-4", D(2024, 1, 10))
    refused = victim_case(given="Nok", law_enforcement_consent=False)
    with pytest.raises(ConsentRequired):
        services.witness_link(
            actor=people.officer, criminal_case=cc, case_reference=refused.reference, role="witness"
        )
    adult = victim_case(given="Malai")
    with pytest.raises(ValidationError):  # measures without the victim's agreement
        services.witness_link(
            actor=people.officer,
            criminal_case=cc,
            case_reference=adult.reference,
            role="witness",
            protection=["video"],
        )
    with pytest.raises(ValidationError):  # an adult agrees herself, not a guardian
        services.witness_link(
            actor=people.officer,
            criminal_case=cc,
            case_reference=adult.reference,
            role="witness",
            protection=["video"],
            protection_agreed_by="guardian",
        )
    link = services.witness_link(
        actor=people.officer,
        criminal_case=cc,
        case_reference=adult.reference,
        role="witness",
        protection=["video", "closed_hearing"],
        protection_agreed_by="person",
        protection_agreed_on=D(2024, 2, 1),
    )
    assert link.protection == ["video", "closed_hearing"]
    child = victim_case(given="Fah", age=15)
    with pytest.raises(ValidationError):  # for a child a guardian agrees
        services.witness_link(
            actor=people.officer,
            criminal_case=cc,
            case_reference=child.reference,
            role="witness",
            protection=["child_friendly"],
            protection_agreed_by="person",
        )


def test_claims_cannot_pay_more_than_awarded(people, victim_case):
    cc = _open(people, "TH-CR-5", D(2024, 1, 10))
    w = services.witness_link(
        actor=people.officer,
        criminal_case=cc,
        case_reference=victim_case().reference,
        role="complainant",
    )
    claim = services.claim_file(
        actor=people.officer,
        witness=w,
        kind="civil",
        filed_on=D(2024, 3, 1),
        currency="THB",
        claimed=Decimal("1000"),
    )
    with pytest.raises(ValidationError):
        services.claim_update(
            actor=people.officer,
            claim=claim,
            awarded=Decimal("500"),
            decided_on=D(2024, 6, 1),
            paid=Decimal("600"),
            last_paid_on=D(2024, 7, 1),
        )
    claim.refresh_from_db()
    assert claim.awarded is None and claim.paid == 0
    services.claim_update(
        actor=people.officer,
        claim=claim,
        awarded=Decimal("500"),
        decided_on=D(2024, 6, 1),
        paid=Decimal("200"),
        last_paid_on=D(2024, 7, 1),
    )
    from matis.access.models import AuditLog

    event = AuditLog.objects.filter(action="record_update", object_id=cc.pk).latest("id")
    assert event.changes["witnesses.claims.awarded"] == [None, "500"]
    assert event.changes["witnesses.claims.decided_on"] == [None, "2024-06-01"]
    assert [row.label for row in event.change_rows()][:1] == ["Awarded"]


def test_verdict_measures_match_a_hand_computed_example(people):
    # cohort 2023: four cases opened; two reach a first-instance verdict after 100 and 300 days
    a = _open(people, "A", D(2023, 1, 1))
    b = _open(people, "B", D(2023, 3, 1))
    _open(people, "C", D(2023, 5, 1))
    c4 = _open(people, "D", D(2023, 7, 1))
    _to_verdict(people, a, charged=D(2023, 2, 1), verdict_on=D(2023, 4, 11), months=60)  # 100 d
    _to_verdict(
        people, b, charged=D(2023, 6, 1), verdict_on=D(2023, 12, 27), outcome="acquitted"
    )  # 301 days
    services.stage_change(actor=people.officer, criminal_case=c4, stage="closed", on=D(2023, 9, 1))
    _open(people, "E", D(2024, 1, 5))  # another cohort
    result = measures.justice_measures("THA", 2023)
    v = result["verdicts"]
    assert (v["cases_opened"], v["reached_verdict"]) == (4, 2)
    assert v["share_reaching_verdict"] == 0.5
    assert v["median_days_to_verdict"] == 200.5  # (100 + 301) / 2
    assert result["charges_decided"] == {
        "trafficking": {"convicted": 1, "acquitted": 1, "dismissed": 0}
    }
    assert result["defendants_convicted"] == 1
    assert result["median_prison_months"] == 60
    assert measures.justice_measures("KHM", 2023)["verdicts"]["cases_opened"] == 0


def test_compensation_measures_match_a_hand_computed_example(people, victim_case):
    cc = _open(people, "TH-CR-6", D(2023, 1, 1))
    w1 = services.witness_link(
        actor=people.officer,
        criminal_case=cc,
        case_reference=victim_case(given="One").reference,
        role="witness",
    )
    w2 = services.witness_link(
        actor=people.officer,
        criminal_case=cc,
        case_reference=victim_case(given="Two").reference,
        role="witness",
    )

    def claim(w, kind, claimed, awarded, paid, currency="THB", decided=MAY_1):
        c = services.claim_file(
            actor=people.officer,
            witness=w,
            kind=kind,
            filed_on=min(decided, D(2024, 1, 10)),
            currency=currency,
            claimed=Decimal(claimed),
        )
        if awarded is not None:
            services.claim_update(
                actor=people.officer,
                claim=c,
                awarded=Decimal(awarded),
                decided_on=decided,
                paid=Decimal(paid),
                last_paid_on=D(2024, 8, 1) if Decimal(paid) else None,
            )
        return c

    claim(w1, "criminal", "200000", "150000", "50000")
    claim(w2, "criminal", "100000", "50000.50", "50000.50")
    claim(w1, "labour", "30000", "30000", "0")
    claim(w2, "civil", "500", "400", "100", currency="USD")
    claim(w2, "civil", "999", None, "0")  # not decided: not counted
    claim(w1, "civil", "999", "999", "0", decided=D(2023, 12, 1))  # decided in another year
    rows = measures.justice_measures("THA", 2024)["compensation"]
    assert rows == [
        {
            "currency": "THB",
            "kind": "criminal",
            "claims": 2,
            "claimed": Decimal("300000.00"),
            "awarded": Decimal("200000.50"),
            "paid": Decimal("100000.50"),
            "paid_share": round(100000.50 / 200000.50, 4),
        },
        {
            "currency": "THB",
            "kind": "labour",
            "claims": 1,
            "claimed": Decimal("30000.00"),
            "awarded": Decimal("30000.00"),
            "paid": Decimal("0.00"),
            "paid_share": 0.0,
        },
        {
            "currency": "USD",
            "kind": "civil",
            "claims": 1,
            "claimed": Decimal("500.00"),
            "awarded": Decimal("400.00"),
            "paid": Decimal("100.00"),
            "paid_share": 0.25,
        },
    ]


def test_case_workers_see_only_the_link_of_their_own_cases(client, people, victim_case):
    cc = _open(people, "TH-CR-7", D(2024, 1, 10))
    services.defendant_add(
        actor=people.officer, criminal_case=cc, name="DEFENDANT-NAME", role="Exploiter"
    )
    case = victim_case()
    services.witness_link(
        actor=people.officer,
        criminal_case=cc,
        case_reference=case.reference,
        role="witness",
        protection=["video"],
        protection_agreed_by="person",
    )
    client.force_login(people.worker)
    page = client.get(f"/justice/case/{case.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "TH-CR-7" in body and "DEFENDANT-NAME" not in body
    assert client.get(f"/justice/{cc.pk}/").status_code == 403
    assert client.get("/justice/").status_code == 403
    client.force_login(people.other_worker)  # not her case
    assert client.get(f"/justice/case/{case.pk}/").status_code == 403
    client.force_login(people.officer)
    body = client.get(f"/justice/{cc.pk}/").content.decode()
    assert "DEFENDANT-NAME" in body
    client.force_login(people.khm_officer)
    assert client.get(f"/justice/{cc.pk}/").status_code == 403
    assert "TH-CR-7" not in client.get("/justice/").content.decode()
    assert CriminalCase.objects.count() == 1
