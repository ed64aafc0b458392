"""No English left on a translated page: crawl every page as several roles, in all seven
languages, and look for the English of our catalogues in the rendered text.

The English UI strings are the catalogue msgids of four words or more (or a known short
label) that have a different translation in the page's language. Data (names, plan texts
shown in English with their marker, numbers) is not a msgid and so is allowed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest
from django.utils import translation

SRC = Path(__file__).resolve().parents[3] / "src" / "matis"
LANGUAGES = ["th", "km", "lo", "my", "zh-hans", "vi"]
ROLES = [
    ("task_force_officer", "THA"),
    ("secretariat_analyst", None),
    ("case_supervisor", "KHM"),
    ("statistics_officer", "VNM"),
]
MAX_PAGES_PER_ROLE = 45
# Short labels that are UI only (never data) and must be translated everywhere
KNOWN_LABELS = {"Status", "State", "Country", "Year", "Save", "Search", "Sign out", "Activity"}
SKIP = re.compile(
    r"^/(i18n|accounts/logout|logout|admin|api|static|media|metrics|healthz)"
    r"|\.(xlsx|csv|pdf|json|xml|zip)$|[?&](format|download|export)="
)
WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*")
NOT_TEXT = {"script", "style", "template", "code", "pre"}


class _Text(HTMLParser):
    """The visible text nodes of a page and its labelling attributes, leaving out what is
    marked as English content (``lang="en"``: a plan text not yet translated, shown with
    its marker)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._english: list[str] = []  # open tags carrying lang="en"

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in NOT_TEXT:
            self._skip += 1
        if attrs.get("lang") == "en" and tag != "html":
            self._english.append(tag)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("title", "placeholder", "aria-label", "alt"):
            if attrs.get(name):
                self.nodes.append(" ".join(attrs[name].split()))
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.nodes.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in NOT_TEXT and self._skip:
            self._skip -= 1
        if self._english and self._english[-1] == tag:
            self._english.pop()

    def handle_data(self, data):
        if not self._skip and not self._english and data.strip():
            self.nodes.append(" ".join(data.split()))


def page_text(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.nodes), parser.links


def english_ui_strings() -> list[str]:
    """Every msgid that is UI text: four words or more, or a known label; no markup."""
    found = set()
    for po_path in SRC.glob("**/locale/en/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(po_path)):
            msgid = " ".join(entry.msgid.split())
            if entry.msgid_plural or entry.msgctxt or re.search(r"[<>{}]|%\(|%s|%d", msgid):
                continue
            if len(WORDS.findall(msgid)) >= 4 or msgid in KNOWN_LABELS:
                found.add(msgid)
    return sorted(found, key=len, reverse=True)


def untranslated_on(text: str, strings: list[str], language: str) -> list[str]:
    """The English strings that are a whole text node of ``text`` (give or take a final
    colon, full stop or asterisk) and that ``language`` translates. A msgid inside a longer
    text is data that happens to use the words ("national plan of action")."""
    nodes = {node.rstrip(" :.*") for node in text.split("\n")}
    hits = []
    with translation.override(language):
        for msgid in strings:
            if msgid.rstrip(" :.*") in nodes and translation.gettext(msgid) != msgid:
                hits.append(msgid)
    return hits


def crawl(client, limit: int = MAX_PAGES_PER_ROLE) -> dict[str, str]:
    """The pages reachable from the home page by internal links, 200s only: their English
    text by URL."""
    seen, queue, pages = set(), ["/"], {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        text, links = page_text(response.content.decode())
        pages[url] = text
        for href in links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if not SKIP.search(target) and target not in seen:
                queue.append(target)
    return pages


def test_the_text_of_a_page_and_the_english_it_leaves_are_found():
    html = (
        '<p title="Pick a value from the list.">ข้อความ</p><script>var x = "Save"</script>'
        "<td>Status</td><td>Statusbar</td><p>No report yet for this activity</p>"
        '<p><span lang="en">Support to National Plans of Action</span> <abbr>EN</abbr></p>'
        "<p>Days from identification to return (median)</p>"
    )
    text, _links = page_text(html)
    assert "var x" not in text and "Support to National" not in text
    strings = [
        "Pick a value from the list.",
        "Status",
        "No report yet for this activity",
        "Days from identification to return",
    ]
    with translation.override("th"):
        assert translation.gettext("Status") != "Status"
    assert "Status" in untranslated_on(text, strings, "th")
    assert "Pick a value from the list." in untranslated_on(text, strings, "th")
    assert "Days from identification to return" not in untranslated_on(text, strings, "th")


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize(("role", "country"), ROLES, ids=[r for r, _c in ROLES])
def test_no_english_ui_text_on_translated_pages(client, make_user, role, country):
    client.force_login(make_user(role=role, country=country))
    pages = crawl(client)
    assert len(pages) >= 5, pages
    strings = english_ui_strings()
    assert len(strings) > 500
    # the same check finds the UI strings on the English pages: it can fail
    english_hits = sum(len(untranslated_on(text, strings, "th")) for text in pages.values())
    assert english_hits > len(pages), english_hits
    problems = {}
    for language in LANGUAGES:
        client.post("/i18n/setlang/", {"language": language})
        for url in pages:
            response = client.get(url)
            if response.status_code != 200:
                continue
            text, _links = page_text(response.content.decode())
            for msgid in untranslated_on(text, strings, language):
                problems.setdefault(msgid, set()).add(f"{language} {url}")
    client.post("/i18n/setlang/", {"language": "en"})
    report = "\n".join(
        f"{msgid!r}: {len(where)} pages, e.g. {sorted(where)[:3]}"
        for msgid, where in sorted(problems.items())
    )
    assert len(problems) == 0, f"{len(problems)} English UI strings left:\n{report}"
