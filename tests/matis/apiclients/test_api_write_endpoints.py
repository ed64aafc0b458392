"""The machine API's writes: case intake, return steps, criminal cases (issue 15).

Each goes end to end through HTTP with a real token: what a valid request
writes (through the services, audited as the client's service account), and
that a refused one (no consent, another country, out of order) writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from apiclient_helpers import bearer, make_token

from matis.access.models import Agency, AuditAction, AuditLog, OrganisationType
from matis.cases.choices import ConsentPurpose
from matis.cases.models import Case, ConsentEvent
from matis.cases.services import consent_record
from matis.common.models import Country
from matis.justice.models import CriminalCase, Verdict
from matis.justice.test_factories import make_criminal_case
from matis.returns.choices import Step
from matis.returns.models import RepatriationStep
from matis.returns.test_factories import make_repatriation

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def _agency(country: str, kind=OrganisationType.CENTRAL_GOVERNMENT) -> Agency:
    return Agency.objects.create(name=f"System {country}", country_id=country, org_type=kind)


def _post(client, url, token, payload):
    return client.post(url, json.dumps(payload), content_type="application/json", **bearer(token))


INTAKE = {
    "person": {
        "given_name": "Synthetic-Intake",
        "family_name": "Person",
        "gender": "Feminine",
        "age_at_registration": 25,
    },
    "consent": {"given": True, "on": TODAY.isoformat(), "language": "th"},
    "case": {"exploitation_types": []},
}


def test_intake_registers_a_consenting_person_in_the_tokens_country(client):
    api_client, token = make_token("THA", ["cases:intake"], agency=_agency("THA"))
    response = _post(client, "/api/v1/cases/", token, INTAKE)
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert response.json()["reference"] == case.reference
    assert "Synthetic-Intake" not in response.content.decode()  # the number only
    assert case.country_id == "THA" and case.person.given_name == "Synthetic-Intake"
    consent = ConsentEvent.objects.get(case=case)
    assert consent.purpose == ConsentPurpose.SERVICES and consent.given
    actions = set(
        AuditLog.objects.filter(actor=api_client.user, object_id=str(case.pk)).values_list(
            "action", flat=True
        )
    )
    assert {AuditAction.RECORD_CREATE, AuditAction.CONSENT_CHANGE} <= actions
    # the same token still reads no case
    assert client.get(f"/api/v1/cases/{case.pk}/", **bearer(token)).status_code == 403


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"consent": {**INTAKE["consent"], "given": False}}, 400, "consent"),
        ({"consent": None}, 400, "consent"),
        ({"country": "KHM"}, 403, None),
        # a child: a parent or guardian consents, not the child
        (
            {
                "person": {
                    **INTAKE["person"],
                    "age_at_registration": 12,
                    "date_of_birth": str(TODAY.replace(year=TODAY.year - 12)),
                }
            },
            400,
            "given_by",
        ),
    ],
)
def test_intake_refused_writes_nothing(client, change, status, field):
    _c, token = make_token("THA", ["cases:intake"], agency=_agency("THA"))
    payload = {**INTAKE, **change}
    if payload["consent"] is None:
        del payload["consent"]
    before = (Case.objects.count(), ConsentEvent.objects.count())
    response = _post(client, "/api/v1/cases/", token, payload)
    assert response.status_code == status, response.content
    if field:
        assert field in response.json(), response.json()
    assert (Case.objects.count(), ConsentEvent.objects.count()) == before


def test_return_steps_only_by_the_responsible_government_and_with_consent(client):
    rep = make_repatriation("THA", "Return-Marker-1")
    home, url = rep.receiving_agency, f"/api/v1/returns/{rep.pk}/steps/"
    step = {"step": Step.TRACING, "started_on": TODAY.isoformat()}
    _c, sending = make_token("THA", ["returns:read", "returns:write"], agency=rep.sending_agency)
    # tracing is the home government's step: the sending country's token is refused
    refused = _post(client, url, sending, step)
    assert refused.status_code == 403 and "VNM" in refused.json()["detail"]
    home_client, receiving = make_token("VNM", ["returns:write"], agency=home)
    # no consent to sharing with Viet Nam: the return is not available to it at all
    assert _post(client, url, receiving, step).status_code in (403, 404)
    assert rep.steps.count() == 1
    consent_record(
        actor=rep.steps.first().recorded_by,
        case=rep.case,
        purpose=ConsentPurpose.CROSS_BORDER,
        given=True,
        on=TODAY,
        language="vi",
        recipient_country=Country.objects.get(pk="VNM"),
    )
    out_of_order = _post(client, url, receiving, {**step, "step": Step.RECEPTION})
    assert out_of_order.status_code == 400, out_of_order.content
    done = _post(
        client, url, receiving, {**step, "completed_on": TODAY.isoformat(), "outcome": "positive"}
    )
    assert done.status_code == 201, done.content
    assert done.json()["step"] == Step.TRACING
    recorded = RepatriationStep.objects.get(repatriation=rep, step=Step.TRACING)
    assert recorded.agency == home and recorded.recorded_by == home_client.user
    assert AuditLog.objects.filter(
        actor=home_client.user, action=AuditAction.STATUS_CHANGE, detail__step=Step.TRACING
    ).exists()


def test_a_court_system_records_proceedings_and_reads_them_without_names(client):
    prosecutor = _agency("THA", OrganisationType.LEGAL_SERVICE)
    writer, token = make_token("THA", ["justice:read", "justice:write"], agency=prosecutor)
    _r, reader = make_token("THA", ["justice:read"])
    opened = _post(
        client,
        "/api/v1/criminal-cases/",
        token,
        {"reference": "TH-COURT-1", "opened_on": (TODAY - dt.timedelta(days=30)).isoformat()},
    )
    assert opened.status_code == 201, opened.content
    pk = opened.json()["id"]
    base = f"/api/v1/criminal-cases/{pk}"
    # out of order: an investigation does not go straight to a verdict
    jump = _post(client, f"{base}/stage/", token, {"stage": "verdict", "on": TODAY.isoformat()})
    assert jump.status_code == 400 and CriminalCase.objects.get(pk=pk).stage == "investigation"
    for stage in ("prosecution", "trial"):
        moved = _post(client, f"{base}/stage/", token, {"stage": stage, "on": TODAY.isoformat()})
        assert moved.status_code == 201, moved.content
    added = _post(
        client,
        f"{base}/defendants/",
        token,
        {"name": "Synthetic-Defendant", "role": "RecruiterOrIntermediary"},
    )
    assert added.status_code == 201, added.content
    defendant = added.json()["defendants"][0]["id"]
    charged = _post(
        client,
        f"{base}/charges/",
        token,
        {
            "defendant": defendant,
            "law": "trafficking",
            "provision": "s. 6",
            "charged_on": TODAY.isoformat(),
        },
    )
    assert charged.status_code == 201, charged.content
    charge = charged.json()["defendants"][0]["charges"][0]["id"]
    verdict = {
        "charge": charge,
        "instance": "first",
        "outcome": "convicted",
        "decided_on": TODAY.isoformat(),
        "prison_months": 24,
    }
    refused = _post(client, f"{base}/verdicts/", token, {**verdict, "fine": "1000.00"})
    assert refused.status_code == 400 and "currency" in refused.json()  # a fine in what?
    assert not Verdict.objects.exists()
    decided = _post(client, f"{base}/verdicts/", token, verdict)
    assert decided.status_code == 201, decided.content
    assert Verdict.objects.get().prison_months == 24
    # a charge of another criminal case is not this one's
    other = make_criminal_case("THA", "TH-OTHER-1")
    wrong = _post(client, f"/api/v1/criminal-cases/{other.pk}/verdicts/", token, verdict)
    assert wrong.status_code == 400 and "charge" in wrong.json()

    read = client.get(f"{base}/", **bearer(reader))
    assert read.status_code == 200
    body = read.json()
    assert body["stage"] == "trial" and [s["stage"] for s in body["stage_changes"]] == [
        "investigation",
        "prosecution",
        "trial",
    ]
    assert body["defendants"][0]["charges"][0]["verdicts"][0]["outcome"] == "convicted"
    assert "Synthetic-Defendant" not in read.content.decode()
    # the reader cannot write; writes are audited as the writer's service account
    assert (
        _post(
            client, f"{base}/stage/", reader, {"stage": "verdict", "on": TODAY.isoformat()}
        ).status_code
        == 403
    )
    assert AuditLog.objects.filter(actor=writer.user, object_id=str(pk)).count() >= 6


def test_a_token_never_reaches_another_countrys_criminal_case(client):
    _c, token = make_token(
        "THA",
        ["justice:read", "justice:write"],
        agency=_agency("THA", OrganisationType.LEGAL_SERVICE),
    )
    theirs = make_criminal_case("KHM", "KH-COURT-1")
    make_criminal_case("THA", "TH-COURT-2")
    listed = client.get("/api/v1/criminal-cases/", **bearer(token)).json()["results"]
    assert [r["reference"] for r in listed] == ["TH-COURT-2"]
    assert client.get(f"/api/v1/criminal-cases/{theirs.pk}/", **bearer(token)).status_code in (
        403,
        404,
    )
    moved = _post(
        client,
        f"/api/v1/criminal-cases/{theirs.pk}/stage/",
        token,
        {"stage": "prosecution", "on": TODAY.isoformat()},
    )
    assert moved.status_code in (403, 404)
    assert CriminalCase.objects.get(pk=theirs.pk).stage == "investigation"


def test_the_schema_describes_the_new_endpoints_and_their_scopes(client, make_user):
    client.force_login(make_user(role="administrator", country="THA"))
    schema = client.get("/api/schema/?format=json").json()
    ops = {
        (path, method): op
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }
    expected = {
        ("/api/v1/cases/", "post"): "cases:intake",
        ("/api/v1/returns/{id}/steps/", "post"): "returns:write",
        ("/api/v1/criminal-cases/", "get"): "justice:read",
        ("/api/v1/criminal-cases/{id}/", "get"): "justice:read",
        ("/api/v1/criminal-cases/", "post"): "justice:write",
        ("/api/v1/criminal-cases/{id}/verdicts/", "post"): "justice:write",
    }
    for key, scope in expected.items():
        assert ops[key].get("x-token-scope") == scope, key
        assert {"matisToken": []} in ops[key]["security"], key
    assert ops[("/api/v1/cases/", "get")].get("x-token-scope") is None
    assert "requestBody" in ops[("/api/v1/cases/", "post")]
