"""Re-trafficking alerts: raised across countries only with both consents; confirmed by both.

Receiving a token only stores it; the hub's matching run (``match_pending_tokens``,
what the background worker runs) raises the alerts.
"""

from __future__ import annotations

import datetime as dt

import pytest

from matis.exchange.hub import match_pending_tokens, rematch_all
from matis.exchange.models import HubAlert, LinkageToken, ReceivedAlert
from matis.exchange.selectors import retrafficking_measure
from matis.exchange.services import alerts_pull, outbox_push

DOB = dt.date(1999, 2, 4)  # synthetic person


@pytest.fixture
def same_person_twice(person_case, consent, local_transports):
    """Synthetic: assisted in Thailand (Latin script), identified again in Cambodia (Khmer)."""
    tha = person_case("THA", given="Sokha", family="Chan", dob=DOB)
    consent(tha, "cross_border", "KHM")
    outbox_push(transport_factory=local_transports)
    match_pending_tokens()
    khm = person_case("KHM", given="សុខា", family="ចាន់", dob=DOB)
    consent(khm, "cross_border", "THA")
    outbox_push(transport_factory=local_transports)
    assert not HubAlert.objects.exists()  # receipt stores the token; the run matches it
    match_pending_tokens()
    return tha, khm


@pytest.mark.django_db
def test_match_across_scripts_raises_one_alert_for_both_countries(same_person_twice):
    alert = HubAlert.objects.get()
    assert (alert.newer_country_id, alert.earlier_country_id) == ("KHM", "THA")
    assert alert.similarity > 0.9


@pytest.mark.django_db
def test_no_alert_without_both_consents(person_case, consent, local_transports):
    tha = person_case("THA", given="Sokha", family="Chan", dob=DOB)
    consent(tha, "cross_border", "KHM")  # consented to Cambodia only
    lao = person_case("LAO", given="Sokha", family="Chan", dob=DOB)
    consent(lao, "cross_border", "THA")  # Laos person consented to Thailand
    outbox_push(transport_factory=local_transports)
    assert LinkageToken.objects.count() == 2
    assert match_pending_tokens().n_tokens == 2
    assert not HubAlert.objects.exists()
    assert rematch_all() == 0


@pytest.mark.django_db
def test_different_people_raise_no_alert(person_case, consent, local_transports):
    tha = person_case("THA", given="Sokha", family="Chan", dob=DOB)
    khm = person_case("KHM", given="Mai", family="Lin", dob=dt.date(1985, 11, 20))
    consent(tha, "cross_border", "KHM")
    consent(khm, "cross_border", "THA")
    outbox_push(transport_factory=local_transports)
    assert match_pending_tokens().n_tokens == 2
    assert not HubAlert.objects.exists()


@pytest.mark.django_db
def test_both_confirm_and_the_link_feeds_the_measure(
    same_person_twice, local_transports, client, workers
):
    tha_case, khm_case = same_person_twice
    for country in ("THA", "KHM"):
        assert alerts_pull(country_id=country, transport=local_transports(country)) == 1
    assert alerts_pull(country_id="THA", transport=local_transports("THA")) == 0  # idempotent

    for country in ("THA", "KHM"):
        client.force_login(workers[country])
        page = client.get("/exchange/alerts/")
        assert page.status_code == 200
        case = tha_case if country == "THA" else khm_case
        assert case.reference in page.content.decode()
        alert = ReceivedAlert.objects.get(country_id=country)
        response = client.post(
            f"/exchange/alerts/{alert.pk}/",
            {"decision": "confirmed", "basis": "interview", "attest": "on"},
        )
        assert response.status_code == 302
    assert retrafficking_measure() == []  # decisions are not at the hub yet
    outbox_push(transport_factory=local_transports)
    hub_alert = HubAlert.objects.get()
    assert hub_alert.is_confirmed
    [row] = retrafficking_measure()
    assert (row["earlier_country"], row["newer_country"], row["links"]) == ("THA", "KHM", 1)
    alerts_pull(country_id="THA", transport=local_transports("THA"))
    assert ReceivedAlert.objects.get(country_id="THA").other_status == "confirmed"


@pytest.mark.django_db
def test_a_dismissal_keeps_the_link_out_of_the_measure(same_person_twice, local_transports):
    from matis.exchange.services import alert_decide

    for country in ("THA", "KHM"):
        alerts_pull(country_id=country, transport=local_transports(country))
    tha = ReceivedAlert.objects.get(country_id="THA")
    khm = ReceivedAlert.objects.get(country_id="KHM")
    alert_decide(
        actor=tha.subject.case.case_worker, alert=tha, decision="confirmed", basis="documents"
    )
    alert_decide(
        actor=khm.subject.case.case_worker, alert=khm, decision="dismissed", basis="details_differ"
    )
    outbox_push(transport_factory=local_transports)
    assert HubAlert.objects.get().is_dismissed
    assert retrafficking_measure() == []


@pytest.mark.django_db
def test_case_worker_of_another_agency_does_not_see_the_alert(
    same_person_twice, local_transports, client, make_user
):
    alerts_pull(country_id="THA", transport=local_transports("THA"))
    alert = ReceivedAlert.objects.get(country_id="THA")
    stranger = make_user(role="case_worker", country="THA")
    client.force_login(stranger)
    assert (
        alert.subject.case.reference
        not in client.get("/exchange/alerts/?show=all").content.decode()
    )
    # the same answer as for an alert that does not exist
    assert client.get(f"/exchange/alerts/{alert.pk}/").status_code == 403
    assert client.get("/exchange/alerts/999999/").status_code == 403
    assert (
        client.post(f"/exchange/alerts/{alert.pk}/", {"decision": "confirmed"}).status_code == 403
    )
    assert ReceivedAlert.objects.get(pk=alert.pk).status == "open"


@pytest.mark.django_db
def test_withdrawal_deletes_the_token_and_its_open_alert(
    same_person_twice, consent, local_transports
):
    tha, _ = same_person_twice
    consent(tha, "cross_border", "KHM", given=False)
    outbox_push(transport_factory=local_transports)
    assert not LinkageToken.objects.filter(country_id="THA").exists()
    assert not HubAlert.objects.exists()


@pytest.mark.django_db
def test_batch_rematch_with_blocking_finds_the_same_alert_once(same_person_twice):
    HubAlert.objects.all().delete()
    assert rematch_all() == 1
    assert rematch_all() == 0
    assert HubAlert.objects.get().newer_country_id == "KHM"


@pytest.mark.django_db
def test_confirming_needs_a_fitting_reason_and_the_statement(
    same_person_twice, local_transports, client, workers
):
    from matis.access.models import AuditLog

    alerts_pull(country_id="THA", transport=local_transports("THA"))
    alert = ReceivedAlert.objects.get(country_id="THA")
    client.force_login(workers["THA"])
    url = f"/exchange/alerts/{alert.pk}/"
    page = client.get(url).content.decode()
    assert 'name="attest"' in page and 'value="counterpart"' in page
    refused = [
        {"decision": "confirmed"},  # one click: no reason, no statement
        {"decision": "confirmed", "basis": "interview"},  # no statement
        {"decision": "confirmed", "basis": "details_differ", "attest": "on"},  # a dismissal reason
        {"decision": "dismissed", "basis": "interview"},  # a confirmation reason
    ]
    for data in refused:
        response = client.post(url, data)
        assert response.status_code == 400, data
        alert.refresh_from_db()
        assert alert.status == "open" and alert.decision_basis == "", data
    assert not AuditLog.objects.filter(action="alert_resolve").exists()

    response = client.post(url, {"decision": "dismissed", "basis": "counterpart_differs"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.decision_basis) == ("dismissed", "counterpart_differs")
    row = AuditLog.objects.get(action="alert_resolve")
    assert row.detail["basis"] == "counterpart_differs"
