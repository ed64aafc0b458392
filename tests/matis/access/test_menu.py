"""The main menu offers only what the user may open.

For every role, render the home page as that user, follow each menu link and
expect 200: an item that answers "Not allowed" must not be in that user's menu.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from matis.access.models import REGION_WIDE_ROLES, Role

MENU_LINK = re.compile(r'<nav class="main-nav".*?</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


def menu_links(client) -> list[str]:
    response = client.get("/")
    assert response.status_code == 200
    nav = MENU_LINK.search(response.content.decode())
    assert nav is not None
    return HREF.findall(nav.group(0))


def _users():
    for role in Role.values:
        if role in REGION_WIDE_ROLES:
            yield pytest.param(role, None, False, id=f"{role}-region")
        yield pytest.param(role, "THA", False, id=f"{role}-THA")
    yield pytest.param(Role.ADMINISTRATOR, None, True, id="administrator-superuser")


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "country", "superuser"), list(_users()))
def test_every_menu_item_opens(client, make_user, role, country, superuser):
    user = make_user(role=role, country=country)
    if superuser:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(user)
    links = menu_links(client)
    assert links, "every role has a menu"
    refused = {url: client.get(url).status_code for url in links}
    refused = {url: code for url, code in refused.items() if code != 200}
    assert refused == {}


@pytest.mark.django_db
def test_administrator_menu_keeps_the_administrative_pages(client, make_user):
    admin = make_user(role=Role.ADMINISTRATOR, country=None)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(admin)
    links = menu_links(client)
    assert reverse("access:user_list") in links
    assert reverse("access:audit_list") in links
    assert not any(link.startswith(("/cases/", "/justice/", "/returns/")) for link in links)


@pytest.mark.django_db
def test_hub_item_only_where_the_hub_runs(client, make_user, settings):
    client.force_login(make_user(role=Role.SECRETARIAT_ANALYST, country=None))
    settings.MATIS_ROLE = "national"
    settings.MATIS_EXCHANGE_LOCAL_HUB = False
    assert "/exchange/hub/" not in menu_links(client)
    settings.MATIS_EXCHANGE_LOCAL_HUB = True
    assert "/exchange/hub/" in menu_links(client)
    assert client.get("/exchange/hub/").status_code == 200
