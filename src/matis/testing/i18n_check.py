"""Finding English UI text left on a translated page (used by the i18n crawls in the tests).

The English UI strings are the catalogue msgids of four words or more (or a known short
label) that have a different translation in the page's language. Data (names, plan texts
shown in English with their marker, numbers) is not a msgid and so is allowed. A msgid
counts only as a whole text node (give or take a final colon, full stop or asterisk): one
inside a longer text is data that happens to use the words ("national plan of action").

Both crawls use it: the Django test client's (``tests/matis/common/test_i18n_crawl.py``,
parsing the HTML) and Chromium's (``tests/browser/test_crawl_languages.py``, reading the
rendered DOM, so text that scripts put there counts too).
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from django.utils import translation

SRC = Path(__file__).resolve().parents[1]
# Short labels that are UI only (never data) and must be translated everywhere
KNOWN_LABELS = {"Status", "State", "Country", "Year", "Save", "Search", "Sign out", "Activity"}
WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*")
NOT_TEXT = {"script", "style", "template", "code", "pre"}
LABEL_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


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
        for name in LABEL_ATTRIBUTES:
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
    """The text nodes of ``html`` (one a line) and its link targets."""
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.nodes), parser.links


@cache
def english_ui_strings() -> tuple[str, ...]:
    """Every msgid that is UI text: four words or more, or a known label; no markup."""
    import polib  # a test dependency

    found = set()
    for po_path in SRC.glob("**/locale/en/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(po_path)):
            msgid = " ".join(entry.msgid.split())
            if entry.msgid_plural or entry.msgctxt or re.search(r"[<>{}]|%\(|%s|%d", msgid):
                continue
            if len(WORDS.findall(msgid)) >= 4 or msgid in KNOWN_LABELS:
                found.add(msgid)
    return tuple(sorted(found, key=len, reverse=True))


def untranslated_on(text: str, strings, language: str) -> list[str]:
    """The English strings that are a whole text node of ``text`` (one a line; give or
    take a final colon, full stop or asterisk) and that ``language`` translates."""
    nodes = {node.strip().rstrip(" :.*") for node in text.split("\n")}
    hits = []
    with translation.override(language):
        for msgid in strings:
            if msgid.rstrip(" :.*") in nodes and translation.gettext(msgid) != msgid:
                hits.append(msgid)
    return hits
