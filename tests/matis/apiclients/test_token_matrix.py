"""Every API endpoint x every token scope (and another country's object) -> the expected status.

The API routes are enumerated from the URL configuration, so a new endpoint
is in the matrix the moment it exists. A token reaches an endpoint only with
the scope the endpoint declares (``token_scopes``); an endpoint declaring
none is closed to tokens (403); with the right scope, another country's
object answers 404 (or 403), never its data.
"""

from __future__ import annotations

import re

import pytest
from apiclient_helpers import bearer, make_token
from django.urls import URLPattern, URLResolver, get_resolver

from matis.apiclients.authentication import ScopeDenied
from matis.apiclients.scopes import SCOPES, required_scope
from matis.apiclients.throttling import ApiClientRateThrottle

pytestmark = pytest.mark.django_db
MISSING_ID = 987654321
# Endpoints whose scope is deliberate and worth stating here (the rest: closed to tokens).
EXPECTED_OPEN = {
    ("statistics-observation-list", "get"): "statistics:read",
    ("statistics-submission-list", "get"): "statistics:read",
    ("statistics-submission-list", "post"): "statistics:submit",
    ("statistics-indicator-list", "get"): "statistics:read",
    ("return-list", "get"): "returns:read",
    ("return-received-list", "get"): "returns:read",
    ("return-steps", "post"): "returns:write",
    ("case-list", "post"): "cases:intake",
    ("criminal-case-list", "get"): "justice:read",
    ("criminal-case-detail", "get"): "justice:read",
    ("criminal-case-list", "post"): "justice:write",
    ("criminal-case-stage", "post"): "justice:write",
    ("criminal-case-defendants", "post"): "justice:write",
    ("criminal-case-charges", "post"): "justice:write",
    ("criminal-case-verdicts", "post"): "justice:write",
}
# Case records are never read by a token (intake writes one, and answers its number only).
NEVER_OPEN = {("case-list", "get"), ("case-detail", "get"), ("statistics-records-list", "get")}


def _walk(resolver, prefix="", namespace=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}", p


def api_endpoints() -> list[tuple[str, str, str, object, str | None]]:
    """(route, url name, method, callback, scope) for every API route and method."""
    out = []
    for route, name, pattern in _walk(get_resolver()):
        if not route.startswith("api/v1/") or name == "api-root":
            continue
        if "format" in pattern.pattern.converters or "(?P<format>" in route:
            continue
        callback = pattern.callback
        for method, action in getattr(callback, "actions", {}).items():
            if method in ("head", "options"):
                continue  # answered as GET, without a body
            view = callback.cls(**callback.initkwargs)
            view.action = action
            out.append((route, name, method, callback, required_scope(view, method)))
    return out


def _url(route: str, value) -> str:
    url = "/" + re.sub(r"\^|\$|\\", "", route)
    url = re.sub(r"\(\?P<\w+>[^)]*\)|<(?:\w+:)?\w+>", str(value), url)
    assert "<" not in url and "(?P" not in url, url
    return url


def _objects(callback, country: str):
    """The object a detail URL opens for ``country``, and its lookup value (None: a list)."""
    from matis.testing.factories import make_scoped_object

    scope = getattr(callback.cls, "matis_scope", None) or {}
    model, lookup = scope.get("model"), scope.get("lookup") or "pk"
    if model is None:
        return None
    if scope["kind"] == "global":
        obj = model.objects.order_by("pk").first()
    else:
        obj = make_scoped_object(model, country)
    return getattr(obj, lookup) if obj is not None else MISSING_ID


def _scope_refused(response) -> bool:
    """403 from the token's scope (not from the endpoint's own gate, which may also say 403)."""
    if response.status_code != 403 or response.get("Content-Type") != "application/json":
        return False
    return response.json().get("detail") == str(ScopeDenied.default_detail)


def test_every_declared_scope_exists_and_the_statements_hold():
    found = {(name, method): scope for _r, name, method, _c, scope in api_endpoints()}
    assert len(found) > 20
    unknown = {k: v for k, v in found.items() if v is not None and v not in SCOPES}
    assert not unknown, f"endpoints naming a scope that does not exist: {unknown}"
    for key, scope in EXPECTED_OPEN.items():
        assert found[key] == scope, key
    for key in NEVER_OPEN:
        assert found[key] is None, key
    assert not {n for (n, _m) in found if n.startswith("case-")} - {"case-list", "case-detail"}


@pytest.mark.parametrize("scope", sorted(SCOPES))
def test_each_endpoint_answers_a_token_by_its_scope(client, monkeypatch, scope):
    monkeypatch.setitem(ApiClientRateThrottle.THROTTLE_RATES, "api_client", "100000/minute")
    _c, token = make_token("THA", [scope])
    checked = 0
    for route, name, method, callback, needed in api_endpoints():
        detail = bool(re.search(r"<|\(\?P<", route))
        value = _objects(callback, "THA") if detail else None
        url = _url(route, value if value is not None else MISSING_ID)
        response = getattr(client, method)(url, **bearer(token))
        if needed == scope:
            assert response.status_code != 401 and not _scope_refused(response), (
                name,
                method,
                scope,
                response.status_code,
            )
            kind = (getattr(callback.cls, "matis_scope", None) or {}).get("kind")
            if detail and kind == "country":
                theirs = _url(route, _objects(callback, "KHM"))
                answer = getattr(client, method)(theirs, **bearer(token))
                assert answer.status_code in (403, 404), (name, "KHM", answer.status_code)
        else:
            assert _scope_refused(response), (name, method, scope, response.status_code)
        checked += 1
    assert checked > 20
