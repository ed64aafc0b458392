"""The API documentation renders in Chromium under the content security policy, from local assets."""

import pytest
from browserkit import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _external(page_requests, live_server):
    return [u for u in page_requests if not u.startswith((live_server.url, "data:", "blob:"))]


def test_swagger_ui_lists_the_operations(browser_page, live_server, make_user):
    page = browser_page
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    login(page, live_server, make_user(role="statistics_officer", country="THA"))
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() > 20
    assert "/api/v1/statistics/observations/" in page.locator("#swagger-ui").inner_text()
    assert _external(requested, live_server) == []
    # the relaxed policy is the docs pages' own; every other page keeps the strict one
    docs_policy = page.request.get(f"{live_server.url}/api/docs/").headers[
        "content-security-policy"
    ]
    home_policy = page.request.get(f"{live_server.url}/").headers["content-security-policy"]
    assert "'unsafe-inline'" in docs_policy and "'unsafe-inline'" not in home_policy
    assert "script-src 'self'" in docs_policy and "unsafe-eval" not in docs_policy


def test_redoc_address_leads_to_the_local_viewer(browser_page, live_server, make_user):
    """Redoc's bundle fetches its logo from a CDN, so its address opens Swagger UI."""
    page = browser_page
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    login(page, live_server, make_user(role="statistics_officer", country="THA"))
    page.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.url.endswith("/api/docs/")
    assert _external(requested, live_server) == []
