"""The inbox page, the home page and the menu show the same work, scoped to the user."""

from __future__ import annotations

import re

import pytest

from matis.inbox.models import Frequency, NotificationPreference

pytestmark = pytest.mark.django_db


def menu_count(html: str) -> int | None:
    nav = html.split('<nav class="main-nav"', 1)[1].split("</nav>", 1)[0]
    found = re.search(
        r'href="/inbox/"[^>]*>[^<]*<span class="badge nav-count" data-count="(\d+)"', nav
    )
    return int(found.group(1)) if found else None


def section_counts(html: str) -> dict[str, int]:
    return {
        code: int(n)
        for code, n in re.findall(
            r'data-source="([\w.]+)">\s*<h2><a [^>]*>[^<]*</a> <span class="badge nav-count" '
            r'data-count="(\d+)"',
            html,
        )
    }


def test_the_menu_count_matches_the_inbox_and_the_home_page(client, people, refer):
    refer("THA")
    refer("THA")
    client.force_login(people.THA_ngo_worker)
    inbox = client.get("/inbox/").content.decode()
    assert section_counts(inbox) == {"cases.referrals": 2}
    assert menu_count(inbox) == 2
    home = client.get("/").content.decode()
    assert section_counts(home) == {"cases.referrals": 2}
    assert menu_count(home) == 2
    assert "Referral from Shelter THA (synthetic)" in inbox


def test_others_see_an_empty_inbox_and_no_count(client, people, refer):
    refer("THA")
    for user in (people.KHM_ngo_worker, people.THA_worker, people.THA_supervisor,
                 people.secretariat, people.auditor):  # fmt: skip
        client.force_login(user)
        html = client.get("/inbox/").content.decode()
        assert section_counts(html) == {}, user.role
        assert "Nothing awaits you." in html
        assert menu_count(html) is None


def test_the_mail_setting_is_saved_from_the_page(client, people):
    client.force_login(people.THA_tfo)
    assert 'value="daily" ' in client.get("/inbox/").content.decode().replace("checked", "")
    response = client.post("/inbox/", {"frequency": "immediate"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=people.THA_tfo).frequency == Frequency.IMMEDIATE
    bad = client.post("/inbox/", {"frequency": "hourly"})
    assert bad.status_code == 400
    assert NotificationPreference.objects.get(user=people.THA_tfo).frequency == Frequency.IMMEDIATE


def test_the_inbox_needs_a_signed_in_user(client):
    response = client.get("/inbox/")
    assert response.status_code == 302
    assert "/login" in response["Location"]
