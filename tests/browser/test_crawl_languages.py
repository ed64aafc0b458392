"""Chromium crawls every page in each of the seven languages as each role.

Signed in as one demo user of each role, the crawl follows the menu and the links of
every page (same origin, GET; no sign-out, downloads, admin, API or language switch),
one page for each URL pattern (``/cases/12/`` and ``/cases/13/`` are one pattern), and
then opens each page in every language. On every page it counts:

- console errors and warnings (Vega's and Vega-Lite's chart warnings among them:
  "Infinite extent", a version mismatch), uncaught script errors;
- failed requests: an error status from our server, a request that fails, and any
  request to another origin (the pages use no CDN);
- English UI strings left on a translated page, in the rendered DOM (the text nodes
  and the title, placeholder, aria-label and alt attributes; English content marked
  ``lang="en"`` is data and allowed), found as :mod:`matis.testing.i18n_check` finds
  them in the Django test client's crawl.

It prints what it visited (pages x languages x roles) and the counts, and every count
must be zero. Every URL pattern a role reaches is opened (``MATIS_CRAWL_MAX_PAGES`` can bound
it), one browser, one context per role and language, and a
page (URL pattern) another role already opened in all seven languages is not opened
again: the crawl follows the links that role found on it (every page shows its role's
menu, and each role's home page is opened in every language).
"""

from __future__ import annotations

import os
import re
import time
from collections import defaultdict
from urllib.parse import parse_qsl, urlsplit

import pytest
from browserkit import CHARTS_SETTLED_JS, DOM_TEXT_JS, LINKS_JS, PageProblems, login

from matis.testing.i18n_check import english_ui_strings, untranslated_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "th", "km", "lo", "my", "zh-hans", "vi"]
# One demo user of each role (matis.access.demo): (email local part, country)
ROLE_USERS = [
    ("taskforce", "THA"),
    ("statistics", "THA"),
    ("caseworker", "THA"),
    ("supervisor", "THA"),
    ("justice", "THA"),
    ("secretariat", None),
    ("auditor", None),
    ("admin", None),
]
# The countries whose synthetic records the crawl loads (besides every country's users)
DEMO_COUNTRIES = ("THA", "KHM")
# The exchange's demo records are left out (its demo hub answers only in the demo profile):
# its pages are crawled without records. The annual reports (half a minute) are loaded.
SKIPPED_LOADERS = {"exchange"}
# No cap by default (every URL pattern a role reaches); MATIS_CRAWL_MAX_PAGES bounds it
MAX_PAGES_PER_ROLE = int(os.environ.get("MATIS_CRAWL_MAX_PAGES") or 0) or None
SKIP = re.compile(
    r"^/(i18n|logout|accounts/logout|admin|api/|static|media|metrics|health"
    r"|oidc|demo-status|favicon)"
    r"|/(logout|download|export|file|pdf)/"
    r"|\.(xlsx|csv|pdf|json|xml|zip|geojson|png|svg|txt)$"
    r"|[?&](format|download|export|lang)="
)
ID_SEGMENT = re.compile(r"^(\d+|[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{16,}|.*\d.*)$", re.I)
TIMEOUT_MS = 15_000


def url_pattern(url: str) -> str:
    """The URL with its identifiers made placeholders and its query reduced to the names
    of its parameters: pages of one pattern are the same template."""
    parts = urlsplit(url)
    path = "/".join("{id}" if ID_SEGMENT.match(s) else s for s in parts.path.split("/"))
    names = sorted({name for name, _value in parse_qsl(parts.query, keep_blank_values=True)})
    return path + (f"?{'&'.join(names)}" if names else "")


def test_url_patterns_and_skipped_links():
    assert url_pattern("/cases/12/") == url_pattern("/cases/4031/") == "/cases/{id}/"
    assert url_pattern("/statistics/?indicator=A&country=THA") == "/statistics/?country&indicator"
    assert url_pattern("/plans/SPA3/") != url_pattern("/plans/")
    for url in (
        "/i18n/setlang/",
        "/logout/",
        "/admin/",
        "/api/v1/cases/",
        "/x/export.csv",
        "/analytics/4/download/",
        "/statistics/?format=xlsx",
    ):
        assert SKIP.search(url), url
    for url in ("/", "/cases/12/", "/statistics/?indicator=A"):
        assert not SKIP.search(url), url


def _load_demo() -> tuple[dict[str, object], str]:
    """Every country's demo users and the records of DEMO_COUNTRIES: the users by email
    local part, and their password."""
    from matis.access.demo import demo_email, demo_password
    from matis.access.models import User
    from matis.common.demo import demo_loaders

    for loader in demo_loaders():
        if loader.label not in SKIPPED_LOADERS:
            began = time.monotonic()
            loader.run(None if loader.label == "access" else DEMO_COUNTRIES)
            print(f"demo {loader.label}: {time.monotonic() - began:.1f} s")
    users = {}
    for local, country in ROLE_USERS:
        users[local] = User.objects.get(email=demo_email(local, country))
    return users, demo_password()


class Crawl:
    """What the crawl saw: problems by kind, each with the pages it was on."""

    KINDS = (
        "console error",
        "console warning",
        "page error",
        "failed request",
        "untranslated",
        "wrong language",
    )

    def __init__(self, page_problems_origin: str):
        self.origin = page_problems_origin
        self.found: dict[str, dict[str, set[str]]] = {k: defaultdict(set) for k in self.KINDS}
        self.visits = 0

    def add(self, kind: str, what: str, where: str) -> None:
        self.found[kind][what].add(where)

    def record(self, items: list[str], where: str) -> None:
        for item in items:
            if item.startswith("console error"):
                self.add("console error", item, where)
            elif item.startswith("console warning"):
                self.add("console warning", item, where)
            elif item.startswith("page error"):
                self.add("page error", item, where)
            else:
                self.add("failed request", item, where)

    def counts(self) -> dict[str, int]:
        return {kind: sum(len(w) for w in found.values()) for kind, found in self.found.items()}

    def report(self) -> str:
        lines = []
        for kind, found in self.found.items():
            for what, where in sorted(found.items()):
                lines.append(f"  [{kind}] {what[:300]}  ({len(where)}x, e.g. {sorted(where)[:3]})")
        return "\n".join(lines)


def visit(page, problems, crawl: Crawl, url: str, language: str, role: str, *, borrowed=False):
    """Open ``url``; the page's text and links, or None if it is not an HTML page (or,
    for a ``borrowed`` link, one that another role found, a page this role may not open)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    where = f"{role} {language} {url}"
    try:
        response = page.goto(crawl.origin + url, wait_until="load", timeout=TIMEOUT_MS)
    except PlaywrightError as exc:
        if "Download is starting" in str(exc):
            problems.take()
            return None
        crawl.add("failed request", f"navigation failed: {str(exc).splitlines()[0]}", where)
        return None
    crawl.visits += 1
    if borrowed and response is not None and response.status == 403:
        problems.take()
        return None
    if response is None or "text/html" not in response.headers.get("content-type", ""):
        crawl.record(problems.take(), where)
        return None
    try:
        page.wait_for_function(CHARTS_SETTLED_JS, timeout=TIMEOUT_MS)
    except PlaywrightTimeout:
        crawl.add("console error", "charts not drawn within 15 s", where)
    lang = page.evaluate("document.documentElement.lang")
    # a document in its own language (an annual report's HTML, data-document) is data:
    # neither its language nor its words are the interface's
    document = page.evaluate("document.documentElement.dataset.document || ''")
    if lang != language and not document:
        crawl.add("wrong language", f"<html lang={lang!r}>", where)
    text = "" if document else page.evaluate(DOM_TEXT_JS)
    links = page.evaluate(LINKS_JS) if response.ok else []
    crawl.record(problems.take(), where)
    return text, links


def new_page(browser, crawl: Crawl, language: str, state=None):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, storage_state=state)
    context.add_cookies([{"name": "matis_language", "value": language, "url": crawl.origin}])
    page = context.new_page()
    return context, page, PageProblems(page, crawl.origin)


def discover(page, problems, crawl: Crawl, role: str, known: dict[str, list[str]]):
    """The role's new pages in English, one URL of each pattern, in link order: the English
    text by URL. A pattern in ``known`` (opened by an earlier role) is not opened again:
    its links are followed as that role found them. The home page is always opened."""
    queue, seen, pages = [("/", False)], set(), {}
    while queue and (MAX_PAGES_PER_ROLE is None or len(pages) < MAX_PAGES_PER_ROLE):
        url, borrowed = queue.pop(0)
        pattern = url_pattern(url)
        if pattern in seen:
            continue
        seen.add(pattern)
        if pattern in known and url != "/":
            links, borrowed = known[pattern], True
        else:
            result = visit(page, problems, crawl, url, "en", role, borrowed=borrowed)
            if result is None:
                continue
            text, links = result
            landed = url_pattern(page.url.removeprefix(crawl.origin))
            if landed != pattern and landed in seen:
                continue  # redirected to a page already seen
            pages[url] = text
            known[pattern] = links
        queue.extend((link, borrowed) for link in links if not SKIP.search(link))
    return pages


@pytest.mark.slow
def test_every_page_in_every_language_as_every_role(_browser, live_server):
    started = time.monotonic()
    users, password = _load_demo()
    loaded = time.monotonic() - started
    strings = english_ui_strings()
    assert len(strings) > 500
    crawl = Crawl(live_server.url)
    known: dict[str, list[str]] = {}  # the links of each pattern opened so far
    visited = []  # (role, pages, languages)
    english_found = 0
    for user in users.values():
        role = f"{user.role}"
        context, page, problems = new_page(_browser, crawl, "en")
        login(page, live_server, user, password)
        context.add_cookies([{"name": "matis_language", "value": "en", "url": crawl.origin}])
        pages = discover(page, problems, crawl, role, known)
        state = context.storage_state()
        context.close()
        assert "/" in pages, (role, pages)
        # the check finds the UI strings on the English pages: it can fail
        english_found += sum(len(untranslated_on(t, strings, "th")) for t in pages.values())
        for language in LANGUAGES[1:]:
            context, page, problems = new_page(_browser, crawl, language, state)
            for url in pages:
                result = visit(page, problems, crawl, url, language, role)
                if result is None:
                    continue
                for msgid in untranslated_on(result[0], strings, language):
                    crawl.add("untranslated", msgid, f"{role} {language} {url}")
            context.close()
        visited.append((role, len(pages)))
    counts = crawl.counts()
    print(
        f"\nChromium crawl: {len(visited)} roles, {len(LANGUAGES)} languages, "
        f"{len(known)} URL patterns, {crawl.visits} page visits in {time.monotonic() - started:.0f} s "
        f"(demo data {loaded:.0f} s)"
    )
    for role, n_pages in visited:
        print(f"  {role}: {n_pages} pages (URL patterns) not opened by an earlier role")
    print("  counts: " + ", ".join(f"{kind} {n}" for kind, n in counts.items()))
    print("  distinct: " + ", ".join(f"{k} {len(f)}" for k, f in crawl.found.items()))
    print(crawl.report())
    assert english_found > 0
    assert sum(counts.values()) == 0, crawl.report()
