"""The exchange pages: outbox for the country's officers, hub overview for the secretariat."""

from __future__ import annotations

import pytest

from matis.exchange.models import OutboxStatus
from matis.exchange.test_factories import _hub_alert, _outbox


@pytest.mark.django_db
def test_outbox_page_shows_own_country_only(user_client):
    mine, theirs = _outbox("THA", "MINE-1"), _outbox("KHM", "THEIRS-1")
    client = user_client("task_force_officer", "THA")
    body = client.get("/exchange/").content.decode()
    assert "MINE-1" in body and "THEIRS-1" not in body
    assert client.get("/exchange/?status=sent").content.decode().count("MINE-1") == 0
    assert mine.status == OutboxStatus.PENDING and theirs.country_id == "KHM"


@pytest.mark.django_db
def test_refused_item_can_be_put_back_in_the_queue(user_client):
    item = _outbox("THA", "REFUSED-1")
    item.status = OutboxStatus.FAILED
    item.save()
    client = user_client("task_force_officer", "THA")
    assert client.post(f"/exchange/outbox/{item.pk}/retry/").status_code == 302
    item.refresh_from_db()
    assert item.status == OutboxStatus.PENDING
    other = _outbox("KHM", "KHM-1")
    assert client.post(f"/exchange/outbox/{other.pk}/retry/").status_code == 404


@pytest.mark.django_db
def test_case_workers_do_not_see_the_outbox(user_client):
    assert user_client("case_worker", "THA").get("/exchange/").status_code == 403


@pytest.mark.django_db
def test_hub_overview_is_for_the_secretariat_on_the_hub(hub, user_client):
    _hub_alert("THA", "hub-1")
    secretariat = user_client("secretariat_analyst", None)
    page = secretariat.get("/exchange/hub/")
    assert page.status_code == 200
    assert "1 alerts: 1 open" in page.content.decode()
    assert user_client("task_force_officer", "THA").get("/exchange/hub/").status_code == 403


@pytest.mark.django_db
def test_hub_overview_is_absent_on_a_national_instance(settings, user_client):
    settings.MATIS_EXCHANGE_LOCAL_HUB = False
    assert user_client("secretariat_analyst", None).get("/exchange/hub/").status_code == 404


@pytest.mark.django_db
def test_alert_page_in_thai(user_client):
    client = user_client("case_worker", "THA")
    client.cookies["matis_language"] = "th"
    body = client.get("/exchange/alerts/").content.decode()
    assert "การแจ้งเตือนการถูกค้ามนุษย์ซ้ำ" in body
