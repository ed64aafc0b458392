"""The public site: no login, every page and file in every language, nothing unreleased.

A crawler fetches every public page, download and API answer in the seven
languages; the planted embargoed figure (987654) and the suppressed small
count (7) never appear, and every figure shown is one of the published release.
"""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from openpyxl import load_workbook

from matis.publication.snapshot import OBS_FIELDS

EMBARGOED = "987654"
FLOW = "/sdmx/rest/data/MATIS,TIP_STATISTICS,1.0"


def _urls(indicator_code: str) -> list[str]:
    base = "/public/statistics/tip-statistics/v1/"
    return [
        "/public/",
        "/public/statistics/tip-statistics/",
        f"/public/statistics/tip-statistics/?indicator={indicator_code}",
        f"{base}?indicator={indicator_code}",
        *[
            f"{base}download/?indicator={indicator_code}&fmt={f}"
            for f in ("csv", "xlsx", "sdmx-csv")
        ],
        "/public/reports/",
        "/public/plan/",
        "/public/catalog.jsonld",
        "/sdmx/rest/dataflow/MATIS/TIP_STATISTICS/1.0?references=all",
        f"{FLOW}/all",
        f"{FLOW}/all?format=csv",
        f"{FLOW}/{indicator_code}.THA..........",
    ]


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(body), read_only=True)
        cells = [
            "" if v is None else str(v)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
        ]
        return "\n".join(f">{c}<" for c in cells)
    return body.decode("utf-8-sig")


def test_crawler_sees_only_released_figures(client, releases, count_indicator):
    v1, _v2 = releases
    published = {
        float(o[OBS_FIELDS.index("value")])
        for o in v1.snapshot["observations"]
        if o[OBS_FIELDS.index("value")] is not None
    }
    dims = len(v1.snapshot["dimensions"])
    urls = _urls(count_indicator.code)
    urls[-1] = f"{FLOW}/{count_indicator.code}.THA{'.' * dims}"
    fetched = 0
    for lang, _name in settings.LANGUAGES:
        for url in urls:
            sep = "&" if "?" in url else "?"
            response = client.get(f"{url}{sep}lang={lang}")
            assert response.status_code == 200, (url, lang, response.status_code)
            text = _text(response)
            fetched += 1
            assert EMBARGOED not in text and "987,654" not in text, url
            # the small count 7 is never a figure: not a table cell, CSV field or SDMX value
            assert not re.search(r">\s*7\s*<", text), url
            assert not re.search(r'value="7"', text), url
            assert not re.search(r"(^|,)7(\.0)?(,|$)", text, re.M), url
            # every figure in a table cell is a released one
            for cell in re.findall(r'<td class="num[^"]*"[^>]*>([^<]*)</td>', text):
                cell = cell.strip().replace(",", "")
                if re.fullmatch(r"\d+(\.\d+)?", cell):
                    assert float(cell) in published, (url, cell)
    assert fetched == len(settings.LANGUAGES) * len(urls)


def test_embargoed_version_is_not_reachable(client, releases):
    assert client.get("/public/statistics/tip-statistics/v2/").status_code == 404
    assert client.get("/public/statistics/tip-statistics/v1/").status_code == 200


def test_public_pages_need_no_login_and_include_no_personal_data_path():
    from matis.publication import urls

    routes = [str(p.pattern) for p in urls.urlpatterns]
    assert all(r.startswith(("public/", "sdmx/")) for r in routes)
    assert not any(word in r for r in routes for word in ("cases", "justice", "returns"))


def test_public_pages_are_rate_limited(client, releases, settings):
    from django.core.cache import cache

    cache.clear()
    settings.MATIS_PUBLIC_RATE = "3/minute"
    codes = [client.get("/public/").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[-1] == 429
    cache.clear()


@pytest.mark.django_db
def test_empty_public_site_answers(client, settings):
    settings.MATIS_PUBLIC_RATE = "100000/minute"
    assert client.get("/public/").status_code == 200
    assert client.get("/public/statistics/tip-statistics/").status_code == 404
    assert client.get(f"{FLOW}/all").status_code == 404


def test_public_pages_speak_the_language_asked(client, releases):
    page = client.get("/public/?lang=th").content.decode()
    assert "สถิติที่เผยแพร่" in page
    assert 'lang="th"' in page


def test_login_page_links_to_the_public_site(client):
    page = client.get("/login/").content.decode()
    assert 'id="public-site"' in page and 'href="/public/"' in page


def test_demo_release_is_idempotent(db, count_indicator):
    from matis.publication.demo import load_demo
    from matis.publication.models import Release

    load_demo()
    load_demo()
    assert Release.objects.count() == 1
