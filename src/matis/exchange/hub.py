"""The regional hub: verify a signed request, store each item once, apply it, raise alerts."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.exchange import conf
from matis.exchange.keys import UnknownKey, secret_of, valid_key
from matis.exchange.models import (
    CountryKey,
    DeidentifiedCase,
    HubAlert,
    InboxItem,
    ItemKind,
    LinkageToken,
    LinkDecision,
)
from matis.exchange.privacy import PersonalDataRefused, ReleaseNotAnonymous, check_payload
from matis.exchange.signing import (
    HEADER_IDEMPOTENCY,
    HEADER_KEY_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    body_digest,
    signature_matches,
    string_to_sign,
)
from tipstats import linkage

logger = logging.getLogger(__name__)
ENVELOPE_VERSION = 1
MAX_BODY_BYTES = 20 * 1024 * 1024


class ExchangeRefused(Exception):
    """The hub refuses a request: ``status`` is the HTTP status, ``code`` a stable word."""

    def __init__(self, status: int, code: str, message: str):
        self.status, self.code, self.message = status, code, message
        super().__init__(f"{code}: {message}")

    def as_dict(self) -> dict:
        return {"error": self.code, "detail": self.message}


# --- authentication -----------------------------------------------------------------


def verify_request(
    *, method: str, path: str, query: str, headers, body: bytes, now: float | None = None
) -> CountryKey:
    """The country key that signed this request, or :class:`ExchangeRefused` (403).

    Refuses a missing or unknown key id, a key not valid now (expired,
    revoked, not yet valid), a timestamp outside the replay window, and a
    signature that does not match the request.
    """
    key_id = headers.get(HEADER_KEY_ID, "")
    timestamp = headers.get(HEADER_TIMESTAMP, "")
    signature = headers.get(HEADER_SIGNATURE, "")
    if not key_id or not timestamp or not signature:
        raise ExchangeRefused(403, "unsigned", "the request carries no exchange signature")
    try:
        ts = int(timestamp)
    except ValueError:
        raise ExchangeRefused(403, "bad_timestamp", "the timestamp is not a number") from None
    now = time.time() if now is None else now
    if abs(now - ts) > conf.replay_window_seconds():
        raise ExchangeRefused(
            403, "stale", "the request is outside the replay window (check the clock)"
        )
    try:
        key = valid_key(key_id)
        secret = secret_of(key)
    except UnknownKey:
        raise ExchangeRefused(
            403, "unknown_key", "the key is unknown, expired or revoked"
        ) from None
    message = string_to_sign(
        method=method,
        path=path,
        query=query,
        timestamp=timestamp,
        idempotency_key=headers.get(HEADER_IDEMPOTENCY, ""),
        body=body,
    )
    if not signature_matches(secret, message, signature):
        raise ExchangeRefused(403, "bad_signature", "the signature does not match the request")
    return key


# --- the two endpoints' answers ------------------------------------------------------
# The HTTP views and the demo's in-process transport both call these, so a request is
# verified and answered the same way whichever way it came.


@dataclass(frozen=True)
class HubAnswer:
    """What the hub answers a signed request: an HTTP status and a JSON object."""

    status: int
    body: dict


def _refused(exc: ExchangeRefused) -> HubAnswer:
    logger.info("exchange request refused: %s", exc.code)
    return HubAnswer(exc.status, exc.as_dict())


def hub_inbox_answer(*, path: str, query: str, headers: Mapping, body: bytes) -> HubAnswer:
    """Verify a signed POST of one item, store it once, acknowledge (201; a repeat: 200)."""
    try:
        key = verify_request(method="POST", path=path, query=query, headers=headers, body=body)
        receipt = hub_receive(
            key=key, body=body, idempotency_key=headers.get(HEADER_IDEMPOTENCY, "")
        )
    except ExchangeRefused as exc:
        return _refused(exc)
    return HubAnswer(201 if receipt.created else 200, receipt.ack)


def hub_alerts_answer(*, path: str, query: str, headers: Mapping) -> HubAnswer:
    """Verify a signed GET and answer the signing country's alerts after ``since``."""
    try:
        key = verify_request(method="GET", path=path, query=query, headers=headers, body=b"")
    except ExchangeRefused as exc:
        return _refused(exc)
    try:
        since = int(parse_qs(query, keep_blank_values=True).get("since", ["0"])[-1])
    except ValueError:
        return HubAnswer(400, {"error": "bad_since", "detail": "since is a number"})
    return HubAnswer(200, {"alerts": alerts_for_country(key.country_id, since_id=since)})


# --- receiving items -----------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    ack: dict
    created: bool


def _envelope(key: CountryKey, body: bytes, header_key: str) -> dict:
    try:
        envelope = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ExchangeRefused(400, "bad_json", "the body is not JSON") from None
    if not isinstance(envelope, dict):
        raise ExchangeRefused(400, "bad_envelope", "the body is not an object")
    for field in ("v", "country", "kind", "idempotency_key", "data"):
        if field not in envelope:
            raise ExchangeRefused(400, "bad_envelope", f"the field {field!r} is missing")
    if envelope["v"] != ENVELOPE_VERSION:
        raise ExchangeRefused(400, "bad_version", f"envelope version {envelope['v']!r}")
    if envelope["country"] != key.country_id:
        raise ExchangeRefused(
            403, "country_mismatch", "the item names another country than the key's"
        )
    if envelope["idempotency_key"] != header_key or not header_key:
        raise ExchangeRefused(
            400, "idempotency_mismatch", "the Idempotency-Key header and the body differ"
        )
    if len(header_key) > 120:
        raise ExchangeRefused(400, "bad_idempotency_key", "the idempotency key is too long")
    if envelope["kind"] not in ItemKind.values:
        raise ExchangeRefused(400, "bad_kind", f"unknown kind {envelope['kind']!r}")
    if not isinstance(envelope["data"], dict):
        raise ExchangeRefused(400, "bad_envelope", "data must be an object")
    return envelope


def hub_receive(*, key: CountryKey, body: bytes, idempotency_key: str) -> Receipt:
    """Store one signed item exactly once, apply it, and acknowledge.

    A repeat of a stored idempotency key changes nothing and returns the
    first acknowledgement; the same key with a different body is refused.
    """
    if len(body) > MAX_BODY_BYTES:
        raise ExchangeRefused(400, "too_large", "the item is too large")
    envelope = _envelope(key, body, idempotency_key)
    kind, data = envelope["kind"], envelope["data"]
    digest = body_digest(body)
    existing = InboxItem.objects.filter(country=key.country_id, idempotency_key=idempotency_key)
    found = existing.first()
    if found is not None:
        return _repeat(found, digest)
    try:
        check_payload(kind, data)  # for a release: k-anonymous at the hub's own k
    except ReleaseNotAnonymous as exc:
        raise ExchangeRefused(422, exc.code, str(exc)) from None
    except PersonalDataRefused as exc:
        raise ExchangeRefused(422, "personal_data", str(exc)) from None
    try:
        with transaction.atomic():
            item = InboxItem.objects.create(
                country_id=key.country_id,
                kind=kind,
                idempotency_key=idempotency_key,
                payload=data,
                payload_digest=digest,
                key_id=key.key_id,
            )
            _apply(item)
            item.ack = {
                "status": "stored",
                "item": item.pk,
                "idempotency_key": idempotency_key,
                "received_at": item.received_at.isoformat(),
            }
            item.save(update_fields=["ack"])
            audit_record(
                actor=None,
                action=AuditAction.IMPORT,
                obj=item,
                kind=kind,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        # the same key arrived twice at once: the other request stored it
        found = existing.first()
        if found is None:
            raise
        return _repeat(found, digest)
    return Receipt(item.ack, True)


def _repeat(found: InboxItem, digest: str) -> Receipt:
    if found.payload_digest != digest:
        raise ExchangeRefused(
            409, "idempotency_conflict", "this idempotency key was used for another item"
        )
    return Receipt({**found.ack, "duplicate": True}, False)


def _apply(item: InboxItem) -> None:
    from matis.exchange.consolidate import consolidate_received

    consolidate_received(item)  # reports and statistics: into the hub's own tables
    data = item.payload
    if item.kind == ItemKind.DEIDENTIFIED_CASES:
        DeidentifiedCase.objects.filter(country_id=item.country_id).delete()
        DeidentifiedCase.objects.bulk_create(
            DeidentifiedCase(country_id=item.country_id, inbox_item=item, record=r)
            for r in data["records"]
        )
    elif item.kind == ItemKind.LINKAGE_TOKEN:
        token = _token_upsert(item.country_id, data)
        raise_alerts_for(token)
    elif item.kind == ItemKind.TOKEN_REVOKE:
        token_revoke(country_id=item.country_id, subject_ref=_ref(data.get("subject_ref")))
    elif item.kind == ItemKind.ALERT_DECISION:
        alert_decision_apply(
            country_id=item.country_id,
            alert_id=data.get("alert"),
            decision=data.get("decision"),
        )
    elif item.kind == ItemKind.DECISION_STATUS:
        from matis.exchange.decisions import decision_status_apply

        decision_status_apply(country_id=item.country_id, data=data)


def _ref(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ExchangeRefused(400, "bad_subject", "subject_ref is not a UUID") from None


def _token_upsert(country_id: str, data: dict) -> LinkageToken:
    ref = _ref(data.get("subject_ref"))
    if data.get("schema") != linkage.MATIS_SCHEMA.fingerprint:
        raise ExchangeRefused(
            400, "schema_mismatch", "the token was made under another encoding schema"
        )
    countries = data.get("consent_countries")
    if not isinstance(countries, list) or not all(isinstance(c, str) for c in countries):
        raise ExchangeRefused(400, "bad_token", "consent_countries must be a list of codes")
    try:
        linkage.Encodings.from_base64([0], [data.get("clk", "")], schema_fingerprint="check")
    except (ValueError, TypeError):
        raise ExchangeRefused(400, "bad_token", "clk is not a base64 Bloom filter") from None
    blocks = data.get("block_tokens") or {}
    token, _created = LinkageToken.objects.update_or_create(
        country_id=country_id,
        subject_ref=ref,
        defaults={
            "clk": data["clk"],
            "block_tokens": blocks,
            "schema_fingerprint": data["schema"],
            "consent_countries": sorted(set(countries)),
            "updated_at": timezone.now(),
        },
    )
    return token


# --- matching and alerts ------------------------------------------------------------------


def _backend():
    name = conf.linkage_backend()
    if name == "spark":
        from tipstats.linkage.spark import SparkBackend, local_spark_session

        return SparkBackend(local_spark_session())
    return name


def _encodings(tokens: list[LinkageToken]) -> linkage.Encodings:
    blocks = {}
    names = set().union(*(t.block_tokens.keys() for t in tokens)) if tokens else set()
    for name in names:
        width = max(len(t.block_tokens.get(name, [])) for t in tokens)
        blocks[name] = np.array(
            [
                [int(h, 16) for h in t.block_tokens.get(name, [])]
                + [0] * (width - len(t.block_tokens.get(name, [])))
                for t in tokens
            ],
            dtype=np.uint64,
        )
    return linkage.Encodings.from_base64(
        [t.pk for t in tokens],
        [t.clk for t in tokens],
        schema_fingerprint=linkage.MATIS_SCHEMA.fingerprint,
        block_tokens=blocks,
    )


def consent_permits(a: LinkageToken, b: LinkageToken) -> bool:
    """Both persons consented to sharing with the other's country."""
    return b.country_id in a.consent_countries and a.country_id in b.consent_countries


def _matcher(*, blocking=None) -> linkage.Matcher:
    threshold = conf.linkage_threshold()
    return linkage.Matcher(
        blocking=blocking,
        score="dice",
        threshold=threshold,
        dice_floor=min(threshold, 0.5),
        one_to_one=False,
        backend=_backend(),
    )


def raise_alerts_for(token: LinkageToken) -> list[HubAlert]:
    """Compare ``token`` with every token of the countries it may be shared with; raise alerts.

    One person against all others is cheap enough to compare every pair
    (no blocking, so nothing is missed); :func:`rematch_all` runs the
    blocked all-against-all job.
    """
    if not token.consent_countries:
        return []
    others = LinkageToken.objects.filter(country_id__in=token.consent_countries).exclude(
        country_id=token.country_id
    )
    others = [o for o in others if consent_permits(token, o)]
    if not others:
        return []
    result = _matcher().link(_encodings([token]), _encodings(others))
    by_pk = {o.pk: o for o in others}
    return [
        _alert_for(token, by_pk[int(row.right_id)], float(row.dice))
        for row in result.matches.itertuples()
    ]


def _alert_for(a: LinkageToken, b: LinkageToken, dice: float) -> HubAlert:
    newer, earlier = (a, b) if (a.first_received_at, a.pk) > (b.first_received_at, b.pk) else (b, a)
    existing = HubAlert.objects.filter(
        Q(newer_token=newer, earlier_token=earlier) | Q(newer_token=earlier, earlier_token=newer)
    ).first()
    if existing is not None:
        return existing
    alert = HubAlert.objects.create(
        newer_token=newer,
        earlier_token=earlier,
        newer_country_id=newer.country_id,
        earlier_country_id=earlier.country_id,
        similarity=round(dice, 4),
    )
    audit_record(
        actor=None,
        action=AuditAction.ALERT_RAISE,
        obj=alert,
        country_id=None,
        newer_country=newer.country_id,
        earlier_country=earlier.country_id,
    )
    return alert


@transaction.atomic
def rematch_all() -> int:
    """All tokens against all tokens of other countries (blocked); returns new alerts raised."""
    tokens = list(LinkageToken.objects.order_by("pk"))
    if len(tokens) < 2:
        return 0
    before = HubAlert.objects.count()
    encodings = _encodings(tokens)
    blocking = (linkage.KeyBlocking(), linkage.LSHBlocking())
    result = _matcher(blocking=blocking).link(encodings, encodings)
    by_pk = {t.pk: t for t in tokens}
    for row in result.matches.itertuples():
        a, b = by_pk[int(row.left_id)], by_pk[int(row.right_id)]
        if a.pk < b.pk and a.country_id != b.country_id and consent_permits(a, b):
            _alert_for(a, b, float(row.dice))
    return HubAlert.objects.count() - before


def token_revoke(*, country_id: str, subject_ref: uuid.UUID) -> int:
    """Delete a person's token (consent withdrawn); open and dismissed alerts go with it.

    The encoding is also erased from the received items that carried it.
    """
    # the received items that carried the person's encoding keep only the reference
    InboxItem.objects.filter(
        country_id=country_id, kind=ItemKind.LINKAGE_TOKEN, payload__subject_ref=str(subject_ref)
    ).update(payload={"subject_ref": str(subject_ref), "withdrawn": True})
    token = LinkageToken.objects.filter(country_id=country_id, subject_ref=subject_ref).first()
    if token is None:
        return 0
    alerts = HubAlert.objects.filter(Q(newer_token=token) | Q(earlier_token=token))
    for alert in alerts:
        if not alert.is_confirmed:
            alert.delete()
    token.delete()
    return 1


def alert_decision_apply(*, country_id: str, alert_id, decision) -> HubAlert:
    if decision not in (LinkDecision.CONFIRMED, LinkDecision.DISMISSED, LinkDecision.PENDING):
        raise ExchangeRefused(400, "bad_decision", f"unknown decision {decision!r}")
    alert = HubAlert.objects.filter(pk=alert_id if isinstance(alert_id, int) else -1).first()
    if alert is None:
        raise ExchangeRefused(422, "unknown_alert", "no such alert for this country")
    try:
        side = alert.side_of(country_id)
    except ValueError:
        raise ExchangeRefused(422, "unknown_alert", "no such alert for this country") from None
    setattr(alert, f"{side}_decision", decision)
    alert.decided_at = timezone.now()
    alert.save(update_fields=[f"{side}_decision", "decided_at"])
    audit_record(
        actor=None,
        action=AuditAction.ALERT_RESOLVE,
        obj=alert,
        country_id=country_id,
        side=side,
        decision=decision,
    )
    return alert


def alerts_for_country(country_id: str, *, since_id: int = 0) -> list[dict]:
    """The alerts a country may pull: its own subject, the other country, score, decisions."""
    alerts = (
        HubAlert.objects.filter(Q(newer_country=country_id) | Q(earlier_country=country_id))
        .filter(pk__gt=since_id)
        .select_related("newer_token", "earlier_token")
        .order_by("pk")
    )
    out = []
    for alert in alerts:
        side = alert.side_of(country_id)
        other = "earlier" if side == "newer" else "newer"
        own_token = getattr(alert, f"{side}_token")
        if own_token is None:
            continue
        out.append(
            {
                "alert": alert.pk,
                "subject_ref": str(own_token.subject_ref),
                "other_country": getattr(alert, f"{other}_country_id"),
                "similarity": alert.similarity,
                "this_is_newer": side == "newer",
                "raised_at": alert.raised_at.isoformat(),
                "decision": getattr(alert, f"{side}_decision"),
                "other_decision": getattr(alert, f"{other}_decision"),
            }
        )
    return out
