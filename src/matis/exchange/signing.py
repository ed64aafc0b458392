"""Canonical JSON and HMAC-SHA256 request signatures between national instances and the hub.

A request is signed over one string that binds everything the hub acts on::

    MATIS-EXCHANGE-1 \\n METHOD \\n /path/ \\n sorted query \\n timestamp \\n
    idempotency key \\n sha256(body) hex

so a changed byte of the body, another path, another time or another
idempotency key all break the signature. The signature travels in headers
(:data:`HEADER_KEY_ID`, :data:`HEADER_TIMESTAMP`, :data:`HEADER_SIGNATURE`,
:data:`HEADER_IDEMPOTENCY`); no cookie or session is involved.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

SCHEME = "MATIS-EXCHANGE-1"
HEADER_KEY_ID = "X-Matis-Key-Id"
HEADER_TIMESTAMP = "X-Matis-Timestamp"
HEADER_SIGNATURE = "X-Matis-Signature"
HEADER_IDEMPOTENCY = "Idempotency-Key"


def canonical_json(obj) -> bytes:
    """UTF-8 JSON with sorted keys and no spaces: the same object always gives the same bytes."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_query(query: str) -> str:
    return urlencode(sorted(parse_qsl(query, keep_blank_values=True)))


def string_to_sign(
    *, method: str, path: str, query: str, timestamp: str, idempotency_key: str, body: bytes
) -> bytes:
    parts = [
        SCHEME,
        method.upper(),
        path,
        canonical_query(query),
        timestamp,
        idempotency_key,
        body_digest(body),
    ]
    return "\n".join(parts).encode("utf-8")


def sign(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str
    query: str
    body: bytes
    headers: dict[str, str]


def sign_request(
    *,
    key_id: str,
    secret: str,
    method: str,
    path: str,
    query: str = "",
    body: bytes = b"",
    idempotency_key: str = "",
    timestamp: int | None = None,
) -> SignedRequest:
    """The headers that authenticate one request."""
    ts = str(int(time.time()) if timestamp is None else int(timestamp))
    message = string_to_sign(
        method=method,
        path=path,
        query=query,
        timestamp=ts,
        idempotency_key=idempotency_key,
        body=body,
    )
    headers = {
        HEADER_KEY_ID: key_id,
        HEADER_TIMESTAMP: ts,
        HEADER_SIGNATURE: sign(secret, message),
        "Content-Type": "application/json; charset=utf-8",
    }
    if idempotency_key:
        headers[HEADER_IDEMPOTENCY] = idempotency_key
    return SignedRequest(method.upper(), path, query, body, headers)


def signature_matches(secret: str, message: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, message), signature or "")
