"""How a national instance reaches the hub: signed HTTP, or in-process in the one-database demo."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from matis.exchange.conf import Credential
from matis.exchange.signing import sign_request

INBOX_PATH = "exchange/api/inbox/"
ALERTS_PATH = "exchange/api/alerts/"
RELAY_PREFIX = "exchange/api/relay/"  # the country-to-country relay (matis.exchange.relay)


class HubUnreachable(Exception):
    """The hub did not answer (down, network, timeout, 5xx): try again later."""


@dataclass(frozen=True)
class HubResponse:
    status: int
    body: dict

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _decode(raw: bytes) -> dict:
    try:
        value = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"error": "unreadable answer", "detail": raw[:200].decode("utf-8", "replace")}
    return value if isinstance(value, dict) else {"data": value}


class HttpTransport:
    """Signed requests to ``base_url`` (e.g. ``https://hub.example.org/``)."""

    def __init__(self, base_url: str, credential: Credential, *, timeout: float = 30.0):
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.credential = credential
        self.timeout = timeout
        self._prefix = urlsplit(self.base_url).path

    def _send(self, method: str, relative: str, *, query: str = "", body: bytes = b"",
              idempotency_key: str = "") -> HubResponse:  # fmt: skip
        signed = sign_request(
            key_id=self.credential.key_id,
            secret=self.credential.secret,
            method=method,
            path=self._prefix + relative,
            query=query,
            body=body,
            idempotency_key=idempotency_key,
        )
        url = self.base_url + relative + (f"?{query}" if query else "")
        request = urllib.request.Request(  # noqa: S310 - the configured hub URL
            url, data=body if method == "POST" else None, method=method, headers=signed.headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                return HubResponse(answer.status, _decode(answer.read()))
        except urllib.error.HTTPError as exc:
            response = HubResponse(exc.code, _decode(exc.read()))
            if exc.code >= 500:
                raise HubUnreachable(f"hub answered {exc.code}") from None
            return response
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            # includes a connection cut after the hub stored the item (IncompleteRead):
            # the item is sent again and the hub answers with the first acknowledgement
            reason = getattr(exc, "reason", exc)
            raise HubUnreachable(f"hub not reachable: {reason}") from None

    def post_item(self, body: bytes, idempotency_key: str) -> HubResponse:
        return self._send("POST", INBOX_PATH, body=body, idempotency_key=idempotency_key)

    def get_alerts(self, query: str = "") -> HubResponse:
        return self._send("GET", ALERTS_PATH, query=query)

    def call(self, method: str, relative: str, *, query: str = "", body: bytes = b"",
             idempotency_key: str = "") -> HubResponse:  # fmt: skip
        """Any signed request (the relay's endpoints)."""
        return self._send(method, relative, query=query, body=body, idempotency_key=idempotency_key)


class LocalTransport:
    """The demo's hub lives in the same database: requests are signed and verified all the same.

    The signed request goes straight to the hub's service layer
    (:func:`matis.exchange.hub.hub_inbox_answer`, :func:`~matis.exchange.hub.hub_alerts_answer`),
    the functions the HTTP endpoints answer with: same verification, same idempotency.
    """

    def __init__(self, credential: Credential):
        self.credential = credential

    def _send(self, method: str, relative: str, *, query: str = "", body: bytes = b"",
              idempotency_key: str = "") -> HubResponse:  # fmt: skip
        from matis.exchange import conf, hub

        path = "/" + relative
        signed = sign_request(
            key_id=self.credential.key_id,
            secret=self.credential.secret,
            method=method,
            path=path,
            query=query,
            body=body,
            idempotency_key=idempotency_key,
        )
        if not conf.is_hub():  # as the HTTP endpoints: absent where no hub runs
            return HubResponse(404, {"error": "not_found", "detail": "no hub here"})
        if relative.startswith(RELAY_PREFIX):
            from matis.exchange.relay import hub_relay_answer

            answer = hub_relay_answer(
                method=method, path=path, query=query, headers=signed.headers, body=body
            )
        elif method == "POST":
            answer = hub.hub_inbox_answer(path=path, query=query, headers=signed.headers, body=body)
        else:
            answer = hub.hub_alerts_answer(path=path, query=query, headers=signed.headers)
        # through JSON and back, as over HTTP: the sender sees only what the wire carries
        return HubResponse(answer.status, _decode(json.dumps(answer.body).encode("utf-8")))

    def post_item(self, body: bytes, idempotency_key: str) -> HubResponse:
        return self._send("POST", INBOX_PATH, body=body, idempotency_key=idempotency_key)

    def get_alerts(self, query: str = "") -> HubResponse:
        return self._send("GET", ALERTS_PATH, query=query)

    def call(self, method: str, relative: str, *, query: str = "", body: bytes = b"",
             idempotency_key: str = "") -> HubResponse:  # fmt: skip
        """Any signed request (the relay's endpoints)."""
        return self._send(method, relative, query=query, body=body, idempotency_key=idempotency_key)
