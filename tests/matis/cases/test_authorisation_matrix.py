"""Every case URL and API endpoint x every role x own / other agency / other country.

The URL patterns of the app (and its API routes) are enumerated: a new
endpoint without an entry in EXPECTED fails the test. Only the cells marked
allowed may succeed; every other cell must answer 403, with the same page as
for a record that does not exist.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from matis.access.models import REGION_WIDE_ROLES, Role

pytestmark = pytest.mark.django_db

W, S, J = Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.JUSTICE_OFFICER
OWN, SIBLING, FOREIGN = "own agency", "other agency, same country", "other country"
EDIT = {W: {OWN}, S: {OWN, SIBLING}}
READ = EDIT
SUPERVISE = {S: {OWN, SIBLING}}

# url name -> (object kind, who may: {role: relations} for objects, or a set of roles for lists)
EXPECTED = {
    "cases:case_list": (None, {W, S, J}),
    "cases:case_register": (None, {W, S}),
    "cases:referral_list": (None, {W, S}),
    "cases:directory": (None, {W, S}),
    "cases:alert_list": (None, {S}),
    "cases:detention_register": (None, {S}),
    "cases:break_glass": (None, {S, J}),
    "cases:import_upload": (None, {W, S}),
    "cases:export_csv": (None, {W, S}),
    "api:case-list": (None, {W, S, J}),
    "cases:case_detail": ("case", READ),
    "cases:case_htcds": ("case", READ),
    "cases:service_new": ("case", READ),
    "cases:case_edit": ("case", EDIT),
    "cases:record_edit": ("case", EDIT),
    "cases:document_add": ("case", EDIT),
    "cases:case_status": ("case", EDIT),
    "cases:case_transfer": ("case", EDIT),
    "cases:screen": ("case", EDIT),
    "cases:decide": ("case", EDIT),
    "cases:consent": ("case", EDIT),
    "cases:placement_new": ("case", EDIT),
    "cases:referral_new": ("case", EDIT),
    "cases:share": ("case", EDIT),
    "cases:subject_access": ("case", SUPERVISE),
    "cases:case_delete": ("case", SUPERVISE),
    "cases:placement_end": ("placement", EDIT),
    "cases:referral_answer": ("referral", EDIT),
    "cases:alert_resolve": ("alert", SUPERVISE),
    "api:case-detail": ("case", READ),
}
# GET-only endpoints (exports and the API) are not checked with POST.
GET_ONLY = {
    "cases:case_detail",
    "cases:case_htcds",
    "cases:subject_access",
    "api:case-list",
    "api:case-detail",
    "cases:case_list",
    "cases:detention_register",
    "cases:export_csv",
}
MISSING_ID = 987654321


def _walk(resolver, prefix="", namespace=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}", p


def case_routes() -> dict[str, str]:
    """Every page of the cases app and every API route of its viewsets: name -> route."""
    from matis.cases.api import CaseViewSet

    out = {}
    for route, name, pattern in _walk(get_resolver()):
        if name.startswith("cases:"):
            out[name] = route
        elif route.startswith("api/v1/") and getattr(pattern.callback, "cls", None) is CaseViewSet:
            if "format" in route:
                continue
            out[f"api:{pattern.name}"] = route
    return out


def test_every_case_endpoint_has_an_expectation():
    routes = case_routes()
    assert set(routes) == set(EXPECTED), set(routes) ^ set(EXPECTED)


def _url(route: str, pk) -> str:
    url = "/" + re.sub(r"\^|\$|\\", "", route)
    url = re.sub(r"<(?:\w+:)?pk>|\(\?P<pk>[^)]*\)", str(pk), url)
    assert "<" not in url and "(?P" not in url, url
    return url


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _body(response, url: str) -> str:
    """The page without its CSRF tokens and its own address (in the language switch)."""
    return _CSRF.sub("", response.content.decode()).replace(url, "URL")


@pytest.fixture
def objects(make_agency):
    """For each relation: a case with a placement (in detention), a referral and an alert."""
    from matis.cases.choices import AlertKind, PlacementKind
    from matis.cases.models import Alert, Facility, Placement, Referral, ServiceProvider
    from matis.cases.test_factories import _alert, _referral, make_case  # noqa: F401 - factory helpers

    own_agency = make_agency("THA")
    out = {}
    for relation, country, agency in (
        (OWN, "THA", own_agency),
        (SIBLING, "THA", None),
        (FOREIGN, "KHM", None),
    ):
        case = make_case(country, f"MX-{relation[:5]}-{country}", agency=agency)
        from matis.access.models import User

        recorder = User.objects.create_user(
            email=f"rec.{case.pk}@x.example",
            password=None,
            role=W,
            country_id=country,
            agency=case.agency,
        )
        facility = Facility.objects.create(
            country_id=country, name=f"IDC {case.pk}", kind=PlacementKind.IMMIGRATION_DETENTION
        )
        placement = Placement.objects.create(
            case=case,
            kind=facility.kind,
            facility=facility,
            voluntary=False,
            start_date="2026-01-01",
            recorded_by=recorder,
        )
        provider = ServiceProvider.objects.create(country_id=country, name=f"P {case.pk}")
        referral = Referral.objects.create(
            case=case,
            provider=provider,
            referring_agency=case.agency,
            reason="AdditionalServicesRequired",
            services=["Health"],
            created_by=recorder,
        )
        alert = Alert.objects.create(
            case=case, country_id=country, kind=AlertKind.DETENTION, placement=placement
        )
        out[relation] = {"case": case, "placement": placement, "referral": referral, "alert": alert}
    out["own_agency"] = own_agency
    return out


ROLE_VARIANTS = [(r.value, "THA") for r in Role] + [(r.value, None) for r in REGION_WIDE_ROLES]


@pytest.mark.parametrize(("role", "country"), ROLE_VARIANTS)
def test_authorisation_matrix(client, make_user, objects, role, country):
    extra = {"agency": objects["own_agency"]} if role == W else {}
    user = make_user(role=role, country=country, **extra)
    client.force_login(user)
    routes = case_routes()
    failures = []
    for name, (kind, allowed) in EXPECTED.items():
        route = routes[name]
        if kind is None:
            response = client.get(_url(route, 0))
            want = 200 if role in allowed and country else 403
            if response.status_code != want:
                failures.append(f"GET {name}: {response.status_code}, expected {want}")
            continue
        missing_url = _url(route, MISSING_ID)
        missing = client.get(missing_url)
        if missing.status_code != 403:
            failures.append(f"GET {name} (missing id): {missing.status_code}")
        for relation in (OWN, SIBLING, FOREIGN):
            obj = objects[relation][kind]
            url = _url(route, obj.pk)
            may = country is not None and relation in allowed.get(role, set())
            response = client.get(url)
            if may and response.status_code != 200:
                failures.append(f"GET {name} {relation}: {response.status_code}, expected 200")
            if not may:
                if response.status_code != 403:
                    failures.append(f"GET {name} {relation}: {response.status_code}, expected 403")
                elif _body(response, url) != _body(missing, missing_url):
                    failures.append(f"GET {name} {relation}: differs from a missing record")
            if name in GET_ONLY or (may and relation != OWN):
                continue  # an allowed POST is checked once per endpoint (own agency)
            response = client.post(url, {})
            want = 400 if may else 403  # allowed: the empty form is refused, nothing changes
            if response.status_code != want:
                failures.append(f"POST {name} {relation}: {response.status_code}, expected {want}")
    assert not failures, "\n".join(failures)
