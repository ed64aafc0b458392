"""A Thai case worker starts a return, a Cambodian one receives it; each sees only what the
workflow and consent allow. End to end through the pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from matis.access.models import AuditAction, AuditLog
from matis.returns.models import Repatriation

D = dt.date
pytestmark = pytest.mark.django_db


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _body(response, url: str) -> str:
    """The page without its CSRF tokens and its own address (in the language switch)."""
    return _CSRF.sub("", response.content.decode()).replace(url, "URL")


def _post(client, url, data):
    return client.post(url, data)


def test_thai_worker_starts_cambodian_worker_receives(
    client, two_countries, identified_case, consent
):
    w = two_countries
    case = identified_case(w.tha_worker, given="Chanthy")

    # 1. The Thai case worker requests the return from the case.
    client.force_login(w.tha_worker)
    response = _post(
        client,
        f"/returns/case/{case.pk}/return/",
        {"receiving_agency": w.khm_agency.pk, "requested_on": "2025-01-20", "notes": "TH-NOTE"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rep = Repatriation.objects.get()
    assert response["Location"] == f"/returns/{rep.pk}/"
    page = client.get(f"/returns/{rep.pk}/").content.decode()
    assert "Chanthy" in page and case.reference in page  # the sending side sees its case
    # the Thai side may not record the home country's steps: the form offers none
    assert client.get(f"/returns/{rep.pk}/step/").status_code == 403

    # 2. Before consent the Cambodian worker sees nothing, not even that a return exists.
    client.force_login(w.khm_worker)
    listing = client.get("/returns/").content.decode()
    assert "Chanthy" not in listing and rep.reference not in listing
    missing = client.get("/returns/987654/")
    hidden = client.get(f"/returns/{rep.pk}/")
    assert hidden.status_code == missing.status_code == 403
    assert _body(hidden, f"/returns/{rep.pk}/") == _body(missing, "/returns/987654/")
    assert AuditLog.objects.filter(
        action=AuditAction.ACCESS_DENIED, object_id=str(rep.pk), actor=w.khm_worker
    ).exists()

    # 3. The person consents to sharing with Cambodia (recorded by the Thai worker).
    consent(w.tha_worker, case, country="KHM", on=D(2025, 1, 21))
    listing = client.get("/returns/").content.decode()
    assert rep.reference in listing and "Chanthy" in listing
    page = client.get(f"/returns/{rep.pk}/").content.decode()
    assert 'data-side="receiving"' in page
    assert "Chanthy" in page  # the minimum: the name, to trace the family
    assert "SECRET-SUMMARY" not in page  # not the case narrative
    assert case.reference not in page  # nor the Thai case number
    assert "TH-NOTE" not in page  # nor the other side's notes
    # another Cambodian agency and a Lao agency still see nothing
    for other in (w.khm_other, w.lao_worker):
        client.force_login(other)
        assert client.get(f"/returns/{rep.pk}/").status_code == 403
        assert rep.reference not in client.get("/returns/").content.decode()

    # 4. The Cambodian worker records the home country's steps.
    client.force_login(w.khm_worker)
    for step, start, end in (
        ("tracing", "2025-01-22", "2025-02-05"),
        ("nationality", "2025-02-05", "2025-02-15"),
        ("travel_documents", "2025-02-15", "2025-02-25"),
    ):
        r = _post(
            client,
            f"/returns/{rep.pk}/step/",
            {
                "step": step,
                "started_on": start,
                "completed_on": end,
                "outcome": "positive",
                "notes": f"KH-NOTE-{step}",
            },
        )
        assert r.status_code == 302, r.content.decode()[:3000]
    # the handover is Thailand's: Cambodia has no step to record now
    assert client.get(f"/returns/{rep.pk}/step/").status_code == 403
    r = _post(
        client,
        f"/returns/{rep.pk}/step/",
        {
            "step": "handover",
            "started_on": "2025-02-26",
            "completed_on": "2025-02-26",
            "outcome": "positive",
        },
    )
    assert r.status_code == 403

    # 5. Thailand hands over; Thai pages show Cambodia's steps but not its notes.
    client.force_login(w.tha_worker)
    r = _post(
        client,
        f"/returns/{rep.pk}/step/",
        {
            "step": "handover",
            "started_on": "2025-02-26",
            "completed_on": "2025-02-27",
            "outcome": "positive",
        },
    )
    assert r.status_code == 302
    page = client.get(f"/returns/{rep.pk}/").content.decode()
    assert 'data-step="travel_documents"' in page and "KH-NOTE" not in page
    assert 'data-field="days">48<' in page  # 10 January to 27 February

    # 6. Cambodia receives her and opens its own case.
    client.force_login(w.khm_worker)
    r = _post(
        client,
        f"/returns/{rep.pk}/step/",
        {
            "step": "reception",
            "started_on": "2025-02-27",
            "completed_on": "2025-02-27",
            "outcome": "positive",
            "open_case": "on",
        },
    )
    assert r.status_code == 302
    rep.refresh_from_db()
    assert rep.status == "completed" and rep.receiving_case.country_id == "KHM"
    # the Cambodian worker now reads the home case through the cases app's own gate
    assert client.get(f"/cases/{rep.receiving_case_id}/").status_code == 200
    assert client.get(f"/cases/{case.pk}/").status_code == 403  # never the Thai case

    # 7. If consent is withdrawn the receiving side loses sight of the return.
    consent(w.tha_worker, case, country="KHM", on=D(2025, 3, 1), given=False)
    assert client.get(f"/returns/{rep.pk}/").status_code == 403
