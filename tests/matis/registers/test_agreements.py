"""Agreements: the yearly review each must have, overdue reviews flagged; status transitions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from matis.access.models import AuditAction, AuditLog
from matis.common.workflow import TransitionNotAllowed
from matis.registers import selectors, services
from matis.registers.models import Agreement, AgreementReview

pytestmark = pytest.mark.django_db
TODAY = dt.date(2013, 3, 1)


def _agreement(
    country="THA",
    status="in_force",
    signed=dt.date(2010, 5, 1),
    in_force=dt.date(2010, 6, 1),
    title="MOU (synthetic)",
):
    agreement = Agreement.objects.create(
        country_id=country,
        title=title,
        kind="bilateral",
        form="mou",
        subject="comprehensive",
        status=status,
        signed_on=signed,
        in_force_on=in_force if status != "signed" else None,
    )
    agreement.party_countries.set([country, "KHM"])
    return agreement


def _review(agreement, day):
    return AgreementReview.objects.create(
        agreement=agreement,
        reviewed_on=day,
        reviewed_by="Working group (synthetic)",
        outcome="on_track",
    )


def test_an_agreement_past_its_yearly_review_is_flagged():
    late = _agreement(title="Late")
    _review(late, dt.date(2012, 2, 28))  # due by 28 Feb 2013: overdue on 1 March
    on_time = _agreement(title="On time")
    _review(on_time, dt.date(2012, 3, 1))  # due by 1 March 2013: not yet overdue
    never = _agreement(title="Never reviewed", in_force=dt.date(2011, 9, 1))
    signed = _agreement(title="Signed only", status="signed", signed=dt.date(2012, 1, 10))
    draft = Agreement.objects.create(
        country_id="THA", title="Draft", kind="bilateral", form="mou", subject="evidence"
    )

    assert late.review_due_on() == dt.date(2013, 2, 28)
    assert late.review_overdue(TODAY) is True
    assert on_time.review_overdue(TODAY) is False
    assert never.review_due_on() == dt.date(2012, 9, 1)  # counted from entry into force
    assert never.review_overdue(TODAY) is True
    assert signed.review_overdue(TODAY) is True  # signed over a year ago, never reviewed
    assert draft.review_due_on() is None and draft.review_overdue(TODAY) is False

    flagged = selectors.agreements_review_overdue(Agreement.objects.all(), TODAY)
    assert {a.title for a in flagged} == {"Late", "Never reviewed", "Signed only"}


def test_a_review_clears_the_flag_and_is_audited(make_user):
    officer = make_user("task_force_officer", "THA")
    agreement = _agreement()
    assert agreement.review_overdue(TODAY)
    services.agreement_review_record(
        actor=officer,
        agreement=agreement,
        reviewed_on=dt.date(2013, 2, 20),
        reviewed_by="Joint committee (synthetic)",
        outcome="revised",
    )
    assert not agreement.review_overdue(TODAY)
    assert AuditLog.objects.filter(action=AuditAction.REVIEW, actor=officer).count() == 1


def test_the_overdue_flag_shows_on_the_pages(user_client):
    client = user_client("task_force_officer", "THA")
    late = _agreement(title="Late MOU (synthetic)")
    fresh = _agreement(title="Fresh MOU (synthetic)")
    _review(fresh, dt.date.today())
    listing = client.get("/registers/agreements/?overdue=1").content.decode()
    assert "Late MOU" in listing and "Fresh MOU" not in listing
    assert "badge warn" in listing
    detail = client.get(f"/registers/agreements/{late.pk}/").content.decode()
    assert 'data-flag="review-overdue"' in detail
    assert (
        'data-flag="review-overdue"'
        not in client.get(f"/registers/agreements/{fresh.pk}/").content.decode()
    )
    overview = client.get("/registers/").content.decode()
    assert 'data-figure="overdue-reviews">1<' in overview


def test_the_review_form_on_the_detail_page(user_client):
    client = user_client("task_force_officer", "THA")
    agreement = _agreement()
    response = client.post(
        f"/registers/agreements/{agreement.pk}/review/",
        {
            "reviewed_on": "2013-01-15",
            "reviewed_by": "Committee (synthetic)",
            "outcome": "on_track",
        },
    )
    assert response.status_code == 302
    assert agreement.reviews.get().reviewed_on == dt.date(2013, 1, 15)
    assert client.get(f"/registers/agreements/{agreement.pk}/review/").status_code == 302


def test_status_changes_follow_the_allowed_transitions(make_user):
    officer = make_user("task_force_officer", "THA")
    draft = Agreement.objects.create(
        country_id="THA", title="Draft", kind="bilateral", form="mou", subject="evidence"
    )
    with pytest.raises(TransitionNotAllowed):
        services.agreement_status_change(actor=officer, agreement=draft, status="expired")
    services.agreement_status_change(
        actor=officer, agreement=draft, status="signed", on=dt.date(2012, 4, 1)
    )
    assert draft.signed_on == dt.date(2012, 4, 1)
    draft.status = "draft"  # back to draft through a plain edit: refused by the model
    with pytest.raises(ValidationError) as caught:
        draft.full_clean()
    assert "status" in caught.value.message_dict


def test_parties_outside_the_region_make_it_a_p_c4_agreement():
    inside = _agreement()
    assert inside.activity_code == "P&C3"
    outside = _agreement()
    outside.party_countries.add("AUS")
    assert outside.activity_code == "P&C4"
    body = _agreement()
    body.other_parties = "A regional organisation (synthetic)\n"
    assert body.activity_code == "P&C4"
