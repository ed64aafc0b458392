"""No user scoped to one country can see or change another country's data.

Every URL pattern of the project is enumerated, so a new page or API endpoint
is covered the moment it exists: it must declare its scope with
``matis.access.scoping.scoped`` or this test fails.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from matis.access.models import Role

# URL prefixes that are not MATIS data views, and why they are safe.
NOT_DATA_VIEWS = {
    "admin/": "Django admin: superusers only (checked below)",
    "i18n/": "language switch, no data",
    "api/schema/": "OpenAPI schema, no data",
    "api/docs/": "API documentation page, no data",
    "api/redoc/": "API documentation page, no data",
    "static/": "static assets",
    "favicon.ico": "redirect to the static icon, no data",
    "demo-status/": "progress of the demo data being prepared (demo profile), no case or country data",
    "password/set/": "choose a password from an e-mailed single-use link: no data",
    "public/": "the public site: reads only published releases, open to everyone (tests/matis/publication crawls it)",
    "sdmx/": "public SDMX API: reads only published releases (tests/matis/publication)",
}
SAFE = {200, 301, 302, 400, 403, 404, 405}


def iter_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from iter_patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def view_scope(pattern: URLPattern):
    cb = pattern.callback
    for holder in (cb, getattr(cb, "view_class", None), getattr(cb, "cls", None)):
        scope = getattr(holder, "matis_scope", None) if holder is not None else None
        if scope:
            return scope
    return None


def data_patterns():
    out = []
    for route, pattern in iter_patterns():
        if any(route.startswith(p) for p in NOT_DATA_VIEWS):
            continue
        if route.startswith("api/v1/") and pattern.name in {"api-root"}:
            continue
        if "format" in pattern.pattern.converters or r"\.(?P<format>" in route:
            continue  # DRF format-suffix twins of patterns checked below
        out.append((route, pattern))
    return out


def build_url(route: str, kwargs: dict) -> str:
    url = "/" + route
    url = re.sub(r"\^|\$|\\", "", url)
    for key, value in kwargs.items():
        url = re.sub(rf"<(?:\w+:)?{key}>|\(\?P<{key}>[^)]*\)", str(value), url)
    assert "<" not in url and "(?P" not in url, f"unfilled parameter in {route}: {url}"
    return url


def object_for(model, country: str):
    """An object of ``model`` belonging to ``country``, created by the app's test factory."""
    from matis.testing.factories import make_scoped_object

    return make_scoped_object(model, country)


def lookup_value(obj, lookup: str):
    return getattr(obj, lookup)


@pytest.mark.django_db
def test_every_data_url_declares_its_scope():
    missing = [route for route, p in data_patterns() if view_scope(p) is None]
    assert not missing, f"URL patterns without a declared scope: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role if r.value != "secretariat_analyst"])
def test_country_user_cannot_reach_another_countrys_data(client, make_user, role):
    user = make_user(role=role, country="THA")
    client.force_login(user)
    checked = 0
    for route, pattern in data_patterns():
        scope = view_scope(pattern)
        params = list(pattern.pattern.converters) or re.findall(r"\(\?P<(\w+)>", route)
        params = [p for p in params if p != "format"]
        if scope["kind"] == "global":
            if params:
                obj = scope["model"].objects.order_by("pk").first()
                assert obj is not None, f"no {scope['model'].__name__} to open {route}"
                url = build_url(route, {params[0]: lookup_value(obj, scope["lookup"])})
            else:
                url = build_url(route, {})
            response = client.get(url)
            assert response.status_code in SAFE, (url, response.status_code)
            continue
        mine = object_for(scope["model"], "THA")
        theirs = object_for(scope["model"], "KHM")
        if params:
            url_theirs = build_url(route, {params[0]: lookup_value(theirs, scope["lookup"])})
            for method in ("get", "post", "put", "patch", "delete"):
                response = getattr(client, method)(url_theirs)
                assert response.status_code in {302, 403, 404, 405}, (
                    method,
                    url_theirs,
                    response.status_code,
                )
            url_mine = build_url(route, {params[0]: lookup_value(mine, scope["lookup"])})
            # 405: an action view (POST only) answers GET so even for the user's own object
            assert client.get(url_mine).status_code in {200, 302, 403, 405}, url_mine
        else:
            url = build_url(route, {})
            response = client.get(url)
            assert response.status_code in {200, 302, 403}, (url, response.status_code)
            body = response.content.decode("utf-8", "replace")
            marker = _marker(theirs)
            assert marker not in body, f"{url} shows another country's row to a {role}"
            for method in ("post", "put", "patch", "delete"):
                response = getattr(client, method)(url, {"country": "KHM"})
                assert response.status_code in SAFE, (method, url, response.status_code)
        checked += 1
    assert checked >= 2


def _marker(obj) -> str:
    from matis.testing.factories import marker_of

    return marker_of(obj)


@pytest.mark.django_db
def test_admin_site_is_for_superusers_only(client, make_user):
    client.force_login(make_user(role="administrator", country="THA"))
    response = client.get("/admin/access/agency/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
