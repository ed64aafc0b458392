"""Each role's home page leads with its own work, and the menu offers exactly the pages the
role may open."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.urls import NoReverseMatch, reverse

from matis.access.demo import DEMO_COUNTRY_USERS, DEMO_REGIONAL_USERS
from matis.common.home import ROLE_SHORTCUTS, split_overdue
from matis.common.inbox import InboxItem, InboxSection, register_source, unregister_source

MENU = re.compile(r'<nav class="main-nav".*?</nav>', re.S)
SHORTCUTS = re.compile(r'<nav class="shortcuts".*?</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


def _demo_roles():
    """One user of each demo login kind: (local part, role, country)."""
    for local, role, _agency in DEMO_COUNTRY_USERS:
        yield pytest.param(local, role, "THA", id=f"{local}.tha")
    for local, role in DEMO_REGIONAL_USERS:
        yield pytest.param(local, role, None, id=local)


def _login_demo_like(client, make_user, make_agency, local, role, country):
    from matis.access.models import OrganisationType

    extra = {}
    if local == "ngo":
        extra["agency"] = make_agency(country, org_type=OrganisationType.NGO)
    user = make_user(role=role, country=country, **extra)
    if local == "admin" and country is None:  # the demo's regional administrator
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(user)
    return user


def _all_menu_targets() -> dict[str, str]:
    """URL -> URL name of every menu item of every app (whoever may open it)."""
    targets = {}
    for config in apps.get_app_configs():
        for item in getattr(config, "nav_items", ()):
            try:
                targets[reverse(item.url_name)] = item.url_name
            except NoReverseMatch:
                continue
    return targets


@pytest.mark.django_db
@pytest.mark.parametrize(("local", "role", "country"), list(_demo_roles()))
def test_the_menu_of_each_demo_role_is_exactly_what_it_may_open(
    client, make_user, make_agency, local, role, country
):
    _login_demo_like(client, make_user, make_agency, local, role, country)
    home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    menu = set(HREF.findall(MENU.search(html).group(0)))
    assert menu, "every role has a menu"
    targets = _all_menu_targets()
    opens = {url: client.get(url).status_code for url in targets}
    # every link in the menu opens ...
    assert {url: opens.get(url) or client.get(url).status_code for url in menu} == dict.fromkeys(
        menu, 200
    )
    # ... and every menu page the role can open is in its menu
    missing = sorted(targets[url] for url, code in opens.items() if code == 200 and url not in menu)
    assert missing == []
    # the home page's own links (shortcuts, inbox sections) open too
    shortcuts = SHORTCUTS.search(html)
    for url in HREF.findall(shortcuts.group(0)) if shortcuts else ():
        assert url in menu and client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "country", "first"),
    [
        ("case_worker", "THA", "cases:case_list"),
        ("statistics_officer", "VNM", "statistics:submission_list"),
        ("justice_officer", "THA", "justice:list"),
        ("secretariat_analyst", None, "monitoring:dashboard"),
        ("task_force_officer", "THA", "monitoring:report_list"),
    ],
)
def test_the_home_page_leads_with_the_pages_of_the_role(client, make_user, role, country, first):
    client.force_login(make_user(role=role, country=country))
    html = client.get("/").content.decode()
    shortcuts = HREF.findall(SHORTCUTS.search(html).group(0))
    assert shortcuts[0] == reverse(first)
    assert set(shortcuts) <= {reverse(name) for name in ROLE_SHORTCUTS[role]}
    # the old grid of every page is gone: the menu is the list of pages
    assert 'class="cards"' not in html


@pytest.fixture
def test_source():
    """An inbox source of the test's own: two overdue items and one not yet due."""
    today = dt.date.today()
    rows = [
        ("A", today - dt.timedelta(days=3), True),
        ("B", today - dt.timedelta(days=30), True),
        ("C", today + dt.timedelta(days=5), False),
    ]
    source = register_source(
        "test.home",
        label="Test things to do",
        permission="inbox.view_inbox",
        rows=lambda user, *, today: rows,
        describe=lambda row: InboxItem(
            key=f"test.home:{row[0]}",
            title=f"Thing {row[0]}",
            url="/inbox/",
            on=row[1],
            overdue=row[2],
        ),
        url_name="inbox:index",
    )
    yield source
    unregister_source("test.home")


@pytest.mark.django_db
def test_the_home_page_lists_what_awaits_and_what_is_overdue_oldest_first(
    client, make_user, test_source
):
    client.force_login(make_user(role="case_worker", country="THA"))
    html = client.get("/").content.decode()
    awaiting = html[html.index('id="awaiting-heading"') : html.index('id="overdue-heading"')]
    assert "Thing A" in awaiting and "Thing C" in awaiting
    overdue = html[html.index('id="overdue-heading"') : html.index('id="activity-heading"')]
    assert 'data-count="2"' in overdue
    assert "Thing C" not in overdue
    assert overdue.index("Thing B") < overdue.index("Thing A")  # 30 days late first


def test_split_overdue_keeps_five_items_a_section_and_counts_every_overdue_one():
    source = object()
    items = [
        InboxItem(key=f"k{i}", title=f"t{i}", url="/", on=dt.date(2026, 1, i + 1), overdue=i % 2)
        for i in range(12)
    ]
    section = InboxSection(source, 12, list(items))
    section.source = type("S", (), {"label": "L"})()
    overdue, count = split_overdue([section], shown=3)
    assert count == 6 and [i.title for _l, i in overdue] == ["t1", "t3", "t5"]
    assert len(section.items) == 5


@pytest.mark.django_db
def test_recent_activity_is_the_users_own_and_names_no_person(client, make_user):
    from matis.access.audit import audit_record
    from matis.access.models import AuditAction
    from matis.cases.services import case_register

    worker = make_user(role="case_worker", country="THA")
    other = make_user(role="case_worker", country="THA")
    case = case_register(
        actor=worker,
        person={
            "given_name": "Qxvalenthia",
            "family_name": "Synthetic-Brool",
            "gender": "Feminine",
            "age_at_registration": 30,
            "primary_citizenship": None,
            "languages": ["th"],
        },
        case={"opened_on": dt.date.today()},
        documents=[],
    )
    audit_record(actor=other, action=AuditAction.EXPORT, object_type="x.y", object_id="9")
    client.force_login(worker)
    html = client.get("/").content.decode()
    activity = html[
        html.index('id="activity-heading"') : html.index(
            "</section>", html.index('id="activity-heading"')
        )
    ]
    assert case.reference in activity
    assert "Record created" in activity
    assert "Qxvalenthia" not in html and "Synthetic-Brool" not in html
    assert "Data exported" not in activity  # another user's row


@pytest.mark.django_db
def test_a_new_user_is_told_there_is_nothing_yet(client, make_user):
    client.force_login(make_user(role="justice_officer", country="THA"))
    html = client.get("/").content.decode()
    assert "Nothing is overdue." in html
    assert "No activity of yours yet." in html or "Logged in" in html
