"""A status change the table refuses comes back as the form's error, through HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from matis.cases import services
from matis.cases.choices import ConsentPurpose, ReferralStatus
from matis.cases.htcds import CaseStatus

pytestmark = pytest.mark.django_db
REFUSED = "This change of status is not possible."


def test_the_case_status_page_refuses_a_change_outside_the_table(client, world, register_case):
    case = register_case(world.worker)
    client.force_login(world.worker)
    client.cookies["matis_language"] = "en"
    url = reverse("cases:case_status", args=[case.pk])
    response = client.post(url, {"status": CaseStatus.ACTIVE, "reason": ""})  # already active
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE


def test_the_referral_answer_page_refuses_a_change_outside_the_table(client, world, register_case):
    case = register_case(world.worker)
    services.consent_record(
        actor=world.worker,
        case=case,
        purpose=ConsentPurpose.REFERRAL,
        given=True,
        on=dt.date.today(),
        language="th",
        given_by="person",
        organisation=world.provider,
    )
    referral = services.referral_create(
        actor=world.worker,
        case=case,
        provider=world.provider,
        reason="AdditionalServicesRequired",
        services=["Legal"],
    )
    client.force_login(world.other_worker)  # the provider's own agency answers
    client.cookies["matis_language"] = "en"
    url = reverse("cases:referral_answer", args=[referral.pk])
    response = client.post(url, {"status": ReferralStatus.COMPLETED})  # not yet accepted
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING
    response = client.post(url, {"status": ReferralStatus.ACCEPTED})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
