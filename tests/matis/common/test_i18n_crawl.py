"""No English left on a translated page: crawl every page as several roles, in all seven
languages, and look for the English of our catalogues in the rendered text
(:mod:`matis.testing.i18n_check`; Chromium's crawl of the rendered pages is
``tests/browser/test_crawl_languages.py``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.utils import translation

from matis.testing.i18n_check import english_ui_strings, page_text, untranslated_on

LANGUAGES = ["th", "km", "lo", "my", "zh-hans", "vi"]
ROLES = [
    ("task_force_officer", "THA"),
    ("secretariat_analyst", None),
    ("case_supervisor", "KHM"),
    ("statistics_officer", "VNM"),
]
MAX_PAGES_PER_ROLE = 45
SKIP = re.compile(
    r"^/(i18n|accounts/logout|logout|admin|api|static|media|metrics|healthz)"
    r"|\.(xlsx|csv|pdf|json|xml|zip)$|[?&](format|download|export)="
)


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
