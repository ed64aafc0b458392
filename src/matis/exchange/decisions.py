"""The hub's SOM/IMM decisions endpoint (MOU art. 30), next to the alerts pull.

``GET exchange/api/decisions/?since=N`` (signed like every hub request)
answers the decisions whose actions name the signing country, with the
hub's record of that country's status on each action. A country reports its
status back through its outbox (item kind ``decision_status``), which the hub
applies with :func:`decision_status_apply`. The records live in
:mod:`matis.cooperation`; this module is only the hub's door to them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import parse_qs

from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from matis.access.scoping import scoped
from matis.exchange import conf
from matis.exchange.hub import ExchangeRefused, HubAnswer, verify_request
from matis.exchange.signing import sign_request
from matis.exchange.transport import HubResponse, LocalTransport

DECISIONS_PATH = "exchange/api/decisions/"


def hub_decisions_answer(*, path: str, query: str, headers: Mapping) -> HubAnswer:
    """Verify a signed GET and answer the signing country's decisions after ``since``."""
    from matis.cooperation.selectors import decisions_for_country

    try:
        key = verify_request(method="GET", path=path, query=query, headers=headers, body=b"")
    except ExchangeRefused as exc:
        return HubAnswer(exc.status, exc.as_dict())
    try:
        since = int(parse_qs(query, keep_blank_values=True).get("since", ["0"])[-1])
    except ValueError:
        return HubAnswer(400, {"error": "bad_since", "detail": "since is a number"})
    return HubAnswer(200, {"decisions": decisions_for_country(key.country_id, since_id=since)})


def decision_status_apply(*, country_id: str, data: dict) -> None:
    """Apply one ``decision_status`` item at the hub (inside the inbox transaction)."""
    from matis.cooperation.services import ActionReportRefused, action_status_receive

    try:
        action_status_receive(country_id=country_id, data=data)
    except ActionReportRefused as exc:
        raise ExchangeRefused(422, exc.code, str(exc)) from None


@csrf_exempt
@require_GET
@scoped("global")  # scope = the signing key's country
def hub_decisions(request):
    """The signing country's SOM/IMM decisions and actions (signed GET)."""
    if not conf.is_hub():
        raise Http404
    answer = hub_decisions_answer(
        path=request.path, query=request.META.get("QUERY_STRING", ""), headers=request.headers
    )
    return JsonResponse(answer.body, status=answer.status)


def fetch_decisions(transport, *, since: int = 0) -> HubResponse:
    """Ask the hub for this country's decisions over ``transport`` (HTTP or in-process)."""
    query = f"since={int(since)}"
    if isinstance(transport, LocalTransport):
        path = "/" + DECISIONS_PATH
        signed = sign_request(
            key_id=transport.credential.key_id,
            secret=transport.credential.secret,
            method="GET",
            path=path,
            query=query,
            body=b"",
            idempotency_key="",
        )
        if not conf.is_hub():
            return HubResponse(404, {"error": "not_found", "detail": "no hub here"})
        answer = hub_decisions_answer(path=path, query=query, headers=signed.headers)
        return HubResponse(answer.status, json.loads(json.dumps(answer.body)))
    getter = getattr(transport, "get_decisions", None)
    if getter is not None:
        return getter(query)
    return transport._send("GET", DECISIONS_PATH, query=query)
