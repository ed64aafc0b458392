"""The pages and API of a return between two national instances: the Thai worker and the
Cambodian staff each see the return, its steps and whose turn it is, in every language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings

from matis.returns.models import IncomingRepatriation, Repatriation

D = dt.date
pytestmark = pytest.mark.django_db
LANGUAGES = ("en", "th", "km", "lo", "my", "zh-hans", "vi")


def _request_by_page(client, w, case, relay_wire):
    relay_wire.as_country("THA")
    client.force_login(w.tha_worker)
    form = client.get(f"/returns/case/{case.pk}/return/").content.decode()
    assert 'name="receiving_country"' in form and 'name="receiving_agency"' not in form
    r = client.post(
        f"/returns/case/{case.pk}/return/",
        {"receiving_country": "KHM", "requested_on": "2025-01-21", "notes": "TH-NOTE"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    rep = Repatriation.objects.get(case=case)
    relay_wire.deliver()
    return rep, IncomingRepatriation.objects.get(uid=rep.uid)


def test_both_governments_see_the_return_and_whose_turn_it_is(
    client, two_countries, identified_case, consent, relay_wire
):
    w = two_countries
    case = identified_case(w.tha_worker, given="Bopha")
    consent(w.tha_worker, case, country="KHM", on=D(2025, 1, 20))
    rep, incoming = _request_by_page(client, w, case, relay_wire)
    page = client.get(f"/returns/{rep.pk}/").content.decode()
    assert 'data-turn="receiving"' in page and "Waiting for Cambodia" in page
    assert "data-relayed" in page

    # Cambodia: the supervisor sees it (unassigned), gives it to the agency
    relay_wire.as_country("KHM")
    client.force_login(w.khm_worker)
    assert client.get(f"/returns/incoming/{incoming.pk}/").status_code == 403
    client.force_login(w.khm_supervisor)
    listing = client.get("/returns/").content.decode()
    assert rep.reference in listing and "Bopha" in listing
    r = client.post(f"/returns/incoming/{incoming.pk}/assign/", {"agency": w.khm_agency.pk})
    assert r.status_code == 302
    client.force_login(w.khm_worker)
    page = client.get(f"/returns/incoming/{incoming.pk}/").content.decode()
    assert "Bopha" in page and 'data-turn="receiving"' in page
    assert "Your government&#x27;s turn" in page or "Your government's turn" in page
    assert case.reference not in page and "SECRET-SUMMARY" not in page and "TH-NOTE" not in page
    r = client.post(
        f"/returns/incoming/{incoming.pk}/step/",
        {
            "step": "tracing",
            "started_on": "2025-01-22",
            "completed_on": "2025-02-01",
            "outcome": "positive",
            "notes": "KH-NOTE",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    # another Cambodian agency's worker sees nothing
    client.force_login(w.khm_other)
    assert client.get(f"/returns/incoming/{incoming.pk}/").status_code == 403
    assert rep.reference not in client.get("/returns/").content.decode()

    # every language renders the received return's page and its turn
    client.force_login(w.khm_worker)
    for lang in LANGUAGES:
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = lang
        body = client.get(f"/returns/incoming/{incoming.pk}/").content.decode()
        assert 'data-turn="receiving"' in body, lang
        if lang != "en":
            assert "Whose turn" not in body, lang
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    # the step reached Thailand: its page shows Cambodia's agency, not its notes
    relay_wire.deliver()
    relay_wire.as_country("THA")
    client.force_login(w.tha_worker)
    page = client.get(f"/returns/{rep.pk}/").content.decode()
    assert w.khm_agency.name in page and "KH-NOTE" not in page
    api = client.get(f"/api/v1/returns/{rep.pk}/").json()
    assert [s["step"] for s in api["steps"]] == ["request", "tracing"]
    assert api["whose_turn"] == "receiving" and api["next_step"] == "nationality"

    # the person withdraws consent from the Thai page; Cambodia's page then shows the stub
    r = client.post(f"/returns/{rep.pk}/withdraw/", {"on": "2025-02-02", "language": "km"})
    assert r.status_code == 302, r.content.decode()[:2000]
    relay_wire.deliver()
    relay_wire.as_country("KHM")
    client.force_login(w.khm_worker)
    page = client.get(f"/returns/incoming/{incoming.pk}/").content.decode()
    assert "data-erased" in page and "Bopha" not in page and 'data-turn="none"' in page
    api = client.get(f"/api/v1/returns-received/{incoming.pk}/").json()
    assert api["status"] == "withdrawn" and set(api["person"].values()) == {None}
    assert client.get("/api/v1/returns-received/").json()["results"][0]["uid"] == str(rep.uid)
