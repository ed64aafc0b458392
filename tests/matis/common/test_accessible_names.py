"""Every input of every form page has an accessible name.

Crawl the pages as several roles with the Django test client (every URL without
parameters, then the links those pages give, edit and new pages included), and on each
page check that each ``input`` (not hidden, not a button), ``select`` and ``textarea`` is
named: a ``<label for=...>``, a wrapping ``<label>``, ``aria-label``, ``aria-labelledby``
or ``title``. The formset tables (partners, budget lines, register children) used to
leave their row inputs unnamed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from matis.common.formsets import row_name

SKIP = re.compile(
    r"^/(i18n|accounts/logout|logout|admin|api|static|media|metrics|healthz|health)"
    r"|/(delete|download|export|logout)/|\.(xlsx|csv|pdf|json|xml|zip|geojson|svg|png|txt)$"
    r"|[?&](format|download|export|table)="
)
UNNAMED_OK_TYPES = {"hidden", "submit", "button", "reset", "image"}
ROLES = [
    ("case_worker", "THA"),
    ("case_supervisor", "THA"),
    ("statistics_officer", "VNM"),
    ("task_force_officer", "THA"),
    ("justice_officer", "THA"),
    ("secretariat_analyst", None),
    ("administrator", None),
]


class _Controls(HTMLParser):
    """The form controls of a page and whether each has an accessible name."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.links: list[str] = []
        self._labels = 0  # open <label> elements
        self._template = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self._template += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "label":
            self._labels += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea"):
            if tag == "input" and (a.get("type") or "text").lower() in UNNAMED_OK_TYPES:
                return
            named = bool(
                (a.get("aria-label") or "").strip()
                or a.get("aria-labelledby")
                or (a.get("title") or "").strip()
                or self._labels
            )
            self.controls.append(
                {"tag": tag, "name": a.get("name", ""), "id": a.get("id"), "named": named}
            )

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "label":
            self._labels -= 1

    def handle_endtag(self, tag):
        if tag == "label" and self._labels:
            self._labels -= 1
        if tag == "template" and self._template:
            self._template -= 1


def unnamed_controls(html: str) -> tuple[list[str], list[str]]:
    """(the names of the unnamed controls, the links) of a page."""
    parser = _Controls()
    parser.feed(html)
    unnamed = [
        f"{c['tag']} {c['name'] or c['id'] or '?'}"
        for c in parser.controls
        if not c["named"] and not (c["id"] and c["id"] in parser.label_for)
    ]
    return unnamed, parser.links


def parameterless_urls() -> list[str]:
    """Every URL of the project that takes no parameter."""
    found = []

    def walk(patterns, prefix):
        for p in patterns:
            route = str(p.pattern)
            if "<" in route or "(?P" in route or "(" in route:
                continue
            route = route.lstrip("^").rstrip("$")
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                found.append("/" + (prefix + route).lstrip("/"))

    walk(get_resolver().url_patterns, "")
    return sorted({u for u in found if not SKIP.search(u)})


def crawl_forms(client, limit: int = 400) -> dict[str, list[str]]:
    """URL -> unnamed controls, for each HTML page (200) holding a control."""
    queue = ["/", *parameterless_urls()]
    seen: set[str] = set()
    pages: dict[str, list[str]] = {}
    visited = 0
    while queue and visited < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        visited += 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        unnamed, links = unnamed_controls(html)
        if "<input" in html or "<select" in html or "<textarea" in html:
            pages[url] = unnamed
        for href in links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.query:  # filters and pages of a list: the same form again
                continue
            if not SKIP.search(parts.path) and parts.path not in seen:
                queue.append(parts.path)
    return pages


def test_the_checker_finds_an_unnamed_row_input_and_accepts_each_kind_of_name():
    html = (
        '<label for="a">A</label><input id="a" name="a">'
        '<label>B <select name="b"></select></label>'
        '<input name="c" aria-label="C">'
        '<textarea name="d" title="D"></textarea>'
        '<input type="hidden" name="e"><button type="submit">Go</button>'
        '<table><tr><td><input name="form-0-amount" id="id_form-0-amount"></td></tr></table>'
        '<label for="other">X</label><select name="f" id="f"></select>'
    )
    unnamed, _links = unnamed_controls(html)
    assert unnamed == ["input form-0-amount", "select f"]


def test_formset_rows_are_named_by_their_column_and_row():
    from matis.monitoring.forms import NpaBudgetFormSet

    formset = NpaBudgetFormSet(prefix="budgets")
    html = "".join(str(field) for f in formset for field in f.visible_fields())
    assert 'aria-label="Amount, row 1"' in html and 'aria-label="Amount, row 2"' in html
    assert row_name("Amount", None) == "Amount, new row"
    unnamed, _ = unnamed_controls(html)
    assert unnamed == []


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize(("role", "country"), ROLES, ids=[r for r, _c in ROLES])
def test_every_form_control_on_every_page_has_an_accessible_name(client, make_user, role, country):
    user = make_user(role=role, country=country)
    if role == "administrator":
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(user)
    pages = crawl_forms(client)
    assert len(pages) >= 3, sorted(pages)
    problems = {url: unnamed for url, unnamed in pages.items() if unnamed}
    assert problems == {}, "\n".join(f"{u}: {c}" for u, c in sorted(problems.items()))
