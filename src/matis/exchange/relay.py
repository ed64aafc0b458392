"""The country-to-country relay: items from one national instance to another through the hub.

The hub routes them but cannot read them. Each national instance has a
long-term X25519 key (items are sealed to it) and an Ed25519 key (it signs
what it sends); the public halves are registered at the hub's directory with
the country's exchange credential, and a sender pins the fingerprint it
first sees (an administrator can pin one checked out of band). An item is

1. queued by :func:`relay_enqueue` in the transaction of the event, with the
   next sequence number of the (sender, recipient) pair and, for a personal
   kind, only when each case holds cross-border consent naming the recipient;
2. sealed when first sent: the data, signed with the sender's Ed25519 key,
   are encrypted with ChaCha20-Poly1305 under a key derived (HKDF-SHA256)
   from an ephemeral X25519 exchange with the recipient's key; the routing
   metadata (sender, recipient, kind, idempotency key, sequence, key
   fingerprints) are the associated data, so the hub can read them but not
   change them. The outbox then sends the same bytes on every retry; consent
   is checked again before every attempt and a withdrawal cancels the item
   (a *void* place-holder keeps the sequence without gaps);
3. stored at the hub once per (sender, idempotency key) and per (sender,
   recipient, sequence), until the recipient acknowledges it;
4. fetched by the recipient's :func:`relay_pull`, opened, checked, and
   applied by the kind's ``receive()`` exactly once, in sequence order per
   sender. An item whose ``receive()`` raises is *parked*: nothing it wrote
   is kept, the sender sees the refusal, and later items from that sender
   wait until an administrator retries it (:func:`relay_retry_parked`).
   Applied items are acknowledged and the hub deletes them.

docs/exchange.md describes who can read what at each hop and the trust model.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.scoping import scoped
from matis.cases.choices import ConsentPurpose
from matis.cases.models import Case
from matis.cases.selectors import cases_with_consent
from matis.common.models import Country
from matis.exchange import conf
from matis.exchange.hub import MAX_BODY_BYTES, ExchangeRefused, HubAnswer, verify_request
from matis.exchange.keys import vault_decrypt, vault_encrypt
from matis.exchange.models import (
    InstanceKey,
    ItemKind,
    OutboxItem,
    PeerKey,
    PeerKeySource,
    RelayCounter,
    RelayDelivery,
    RelayDirectoryKey,
    RelayItem,
    RelayOutgoing,
    RelayReceipt,
    RelayReceived,
    RelayReceivedStatus,
)
from matis.exchange.signing import HEADER_IDEMPOTENCY, body_digest, canonical_json
from matis.exchange.transport import RELAY_PREFIX, HubResponse, HubUnreachable

logger = logging.getLogger(__name__)

RELAY_VERSION = 1
VOID_KIND = "relay.void"  # holds the sequence number of a cancelled item; carries no data
MAX_KEY_LENGTH = 100
MAX_KIND_LENGTH = 80
PAGE = 100
PAD_TO = 256  # plaintext padded to a multiple of this: the hub sees sizes only roughly
SIGNATURE_CONTEXT = b"MATIS-RELAY-1 signature\n"
KDF_INFO = b"MATIS-RELAY-1 chacha20poly1305"
# The routing metadata: readable by the hub, bound to the ciphertext as associated data.
ROUTING_FIELDS = ("v", "sender", "recipient", "kind", "idempotency_key", "sequence",
                  "to_key", "from_key", "epk")  # fmt: skip
ENVELOPE_FIELDS = frozenset((*ROUTING_FIELDS, "nonce", "ciphertext"))
# What the signed body repeats of the routing (a body cannot be moved to another envelope).
SIGNED_ROUTING = ("sender", "recipient", "kind", "idempotency_key", "sequence", "to_key")


# --- the contract ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RelayEnvelope:
    sender: str  # ISO alpha-3 of the sending national instance, e.g. "THA"
    recipient: str  # alpha-3 of this (receiving) instance
    kind: str  # a registered relay kind, e.g. "repatriation.request"
    data: dict  # the decrypted JSON payload
    idempotency_key: str  # unique per sender, forever
    sequence: int  # per (sender, recipient) order, 1, 2, 3 ... (no gaps)
    sent_at: dt.datetime


@dataclass(frozen=True)
class RelayKind:
    kind: str
    receive: Callable[[RelayEnvelope], None]
    fields: frozenset[str]
    personal: bool


RELAY_KINDS: dict[str, RelayKind] = {}


class NoConsent(Exception):
    """A personal item for a country the case's cross-border consent does not name."""


class FieldNotAgreed(ValueError):
    """``data`` holds a key outside the kind's declared ``fields``."""


class RelayRefused(Exception):
    """An item that cannot be opened or checked on the recipient side (it is parked)."""


class RelayUnavailable(Exception):
    """What a send needs is not at the hub yet (the recipient's key): try again later."""


def register_relay_kind(
    kind: str,
    *,
    receive: Callable[[RelayEnvelope], None],
    fields: frozenset[str],
    personal: bool,
) -> None:
    """Declare a kind (call from an AppConfig.ready()).

    receive: called on the RECIPIENT instance inside a transaction, exactly once per item,
      in per-sender sequence order; raising rejects the item (it is parked with the error,
      the sender sees the refusal) and nothing it wrote is kept.
    fields: the only top-level keys ``data`` may hold; enqueue refuses any other key.
    personal: True if data holds personal fields (needs the case's cross-border consent
      for the recipient country at enqueue AND again before every send attempt).
    """
    if not kind or len(kind) > MAX_KIND_LENGTH or kind == VOID_KIND:
        raise ValueError(f"relay kind {kind!r}: 1 to {MAX_KIND_LENGTH} characters, not reserved")
    if not callable(receive):
        raise TypeError(f"relay kind {kind!r}: receive must be callable")
    RELAY_KINDS[kind] = RelayKind(kind, receive, frozenset(fields), bool(personal))


def relay_kind(kind: str) -> RelayKind:
    try:
        return RELAY_KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown relay kind {kind!r} (register_relay_kind first)") from None


# --- small helpers ---------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(value, what: str, *, size: int | None = None) -> bytes:
    try:
        raw = base64.b64decode(str(value), validate=True)
    except (ValueError, TypeError):
        raise RelayRefused(f"{what} is not base64") from None
    if size is not None and len(raw) != size:
        raise RelayRefused(f"{what} must be {size} bytes")
    return raw


def fingerprint(box_public: bytes, sign_public: bytes) -> str:
    """SHA-256 over both public keys (hex); what administrators compare out of band."""
    return hashlib.sha256(b"MATIS-RELAY-1 key\n" + box_public + sign_public).hexdigest()


def fingerprint_display(value: str) -> str:
    """A fingerprint in groups of four, easier to read aloud on the telephone."""
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def _country_code(value: str, what: str) -> str:
    code = (value or "").strip().upper()
    if not Country.objects.filter(pk=code).exists():
        raise ValueError(f"{what}: {value!r} is not an ISO alpha-3 country code")
    return code


def this_country(country_id: str | None = None) -> str:
    """The national instance this process acts for (MATIS_COUNTRY, or named by the caller)."""
    country = (country_id or conf.national_country() or "").upper()
    if not country:
        raise conf.ExchangeNotConfigured(
            "the relay needs this instance's country: set MATIS_COUNTRY or name it"
        )
    return country


def _transport(country: str):
    from matis.exchange.services import transport_for

    return transport_for(country)


# --- the instance's own keys and the pinned keys of others -----------------------------------


def instance_key(country_id: str) -> InstanceKey:
    """This instance's current relay key pair, made (and audited) the first time it is needed."""
    with transaction.atomic():
        current = (
            InstanceKey.objects.select_for_update()
            .filter(country_id=country_id, retired_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        if current is not None:
            return current
        box, sign = X25519PrivateKey.generate(), Ed25519PrivateKey.generate()
        box_public = box.public_key().public_bytes_raw()
        sign_public = sign.public_key().public_bytes_raw()
        private = canonical_json(
            {"box": _b64(box.private_bytes_raw()), "sign": _b64(sign.private_bytes_raw())}
        )
        key = InstanceKey.objects.create(
            country_id=country_id,
            fingerprint=fingerprint(box_public, sign_public),
            box_public=_b64(box_public),
            sign_public=_b64(sign_public),
            private_encrypted=vault_encrypt(private),
        )
        audit_record(
            actor=None,
            action=AuditAction.KEY_ROTATE,
            obj=key,
            country_id=country_id,
            event="relay key made",
            fingerprint=key.fingerprint,
        )
        return key


def instance_key_rotate(*, actor, country_id: str) -> InstanceKey:
    """Retire the current key pair and make a new one (register it with :func:`relay_keys_register`).

    The retired private key is kept: items already sealed to it can still be opened.
    """
    with transaction.atomic():
        InstanceKey.objects.filter(country_id=country_id, retired_at__isnull=True).update(
            retired_at=timezone.now()
        )
        key = instance_key(country_id)
        audit_record(actor=actor, action=AuditAction.KEY_ROTATE, obj=key, event="relay key rotated")
        return key


def _private(key: InstanceKey) -> tuple[X25519PrivateKey, Ed25519PrivateKey]:
    raw = json.loads(vault_decrypt(key.private_encrypted))
    return (
        X25519PrivateKey.from_private_bytes(base64.b64decode(raw["box"])),
        Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw["sign"])),
    )


def relay_keys_register(*, country_id: str, transport=None) -> InstanceKey:
    """Register this instance's public keys at the hub's directory (signed with the credential)."""
    key = instance_key(country_id)
    transport = transport or _transport(country_id)
    response = transport.call(
        "POST",
        RELAY_PREFIX + "keys/",
        body=canonical_json({"box_public": key.box_public, "sign_public": key.sign_public}),
    )
    if not response.ok:
        raise RelayUnavailable(
            f"the hub did not register the relay key: {response.status} "
            f"{response.body.get('error', '')} {response.body.get('detail', '')}".strip()
        )
    if response.body.get("fingerprint") != key.fingerprint:
        raise RelayUnavailable("the hub registered another fingerprint than this instance's key")
    InstanceKey.objects.filter(pk=key.pk).update(registered_at=timezone.now())
    key.refresh_from_db()
    return key


def _registered_key(country_id: str, transport) -> InstanceKey:
    key = instance_key(country_id)
    if key.registered_at is None:
        key = relay_keys_register(country_id=country_id, transport=transport)
    return key


def directory_lookup(*, country_id: str, peer: str, transport=None) -> dict:
    """What the hub's directory says about ``peer``'s keys (checked, not pinned)."""
    transport = transport or _transport(country_id)
    response = transport.call("GET", RELAY_PREFIX + "keys/", query=f"country={peer}")
    if not response.ok:
        raise RelayUnavailable(
            f"the hub has no relay key for {peer} ({response.status} "
            f"{response.body.get('error', '')})"
        )
    entry = response.body
    try:
        box = _unb64(entry.get("box_public"), "box_public", size=32)
        sign = _unb64(entry.get("sign_public"), "sign_public", size=32)
    except RelayRefused as exc:
        raise RelayUnavailable(f"the hub's directory entry for {peer}: {exc}") from None
    if entry.get("country") != peer or entry.get("fingerprint") != fingerprint(box, sign):
        raise RelayUnavailable(f"the hub's directory entry for {peer} is inconsistent")
    return entry


def peer_key(*, holder: str, peer: str, transport=None) -> PeerKey:
    """The pinned key of ``peer``; pinned from the hub's directory the first time (trust on first use)."""
    pinned = PeerKey.objects.filter(holder_id=holder, peer_id=peer).first()
    if pinned is not None:
        return pinned
    entry = directory_lookup(country_id=holder, peer=peer, transport=transport)
    try:
        with transaction.atomic():
            pinned = PeerKey.objects.create(
                holder_id=holder,
                peer_id=peer,
                fingerprint=entry["fingerprint"],
                box_public=entry["box_public"],
                sign_public=entry["sign_public"],
                source=PeerKeySource.HUB,
            )
            audit_record(
                actor=None,
                action=AuditAction.KEY_ROTATE,
                obj=pinned,
                country_id=holder,
                event="relay key pinned (first seen at the hub)",
                peer=peer,
                fingerprint=pinned.fingerprint,
            )
    except IntegrityError:
        pinned = PeerKey.objects.get(holder_id=holder, peer_id=peer)
    return pinned


@transaction.atomic
def peer_key_pin(
    *, actor, holder: str, peer: str, expected_fingerprint: str, transport=None
) -> PeerKey:
    """Pin ``peer``'s key as checked out of band: the hub's entry must have this fingerprint.

    Replaces an earlier pin (e.g. after the peer rotated its key). Refuses
    when the hub serves another key than the one the peer's administrator read out.
    """
    expected = "".join(expected_fingerprint.split()).lower()
    entry = directory_lookup(country_id=holder, peer=peer, transport=transport)
    if entry["fingerprint"] != expected:
        raise ValueError(
            f"the hub serves {peer}'s key {fingerprint_display(entry['fingerprint'])}, not "
            f"{fingerprint_display(expected)}: do not pin; ask {peer} and the hub operator"
        )
    pinned, _created = PeerKey.objects.update_or_create(
        holder_id=holder,
        peer_id=peer,
        defaults={
            "fingerprint": entry["fingerprint"],
            "box_public": entry["box_public"],
            "sign_public": entry["sign_public"],
            "source": PeerKeySource.ADMIN,
            "pinned_at": timezone.now(),
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.KEY_ROTATE,
        obj=pinned,
        country_id=holder,
        event="relay key pinned (checked out of band)",
        peer=peer,
        fingerprint=pinned.fingerprint,
    )
    return pinned


# --- sender side: queue, check, seal, post ------------------------------------------------------


def _without_consent(case_ids: Sequence[int], recipient: str) -> list[int]:
    """The cases among ``case_ids`` whose cross-border consent does not name ``recipient`` today."""
    ids = sorted({int(c) for c in case_ids})
    with_consent = set(
        cases_with_consent(
            ConsentPurpose.CROSS_BORDER, country=recipient, cases=Case.objects.filter(pk__in=ids)
        ).values_list("pk", flat=True)
    )
    return [c for c in ids if c not in with_consent]


def _sender(sender: str | None, case_ids: Sequence[int]) -> str:
    if sender:
        return _country_code(sender, "sender")
    if conf.national_country():
        return conf.national_country()
    countries = set(Case.objects.filter(pk__in=case_ids).values_list("country_id", flat=True))
    if len(countries) == 1:
        return countries.pop()
    raise ValueError("relay_enqueue: the sending country is unknown (set MATIS_COUNTRY)")


def _next_sequence(sender: str, recipient: str) -> int:
    counter, _created = RelayCounter.objects.select_for_update().get_or_create(
        sender_id=sender, recipient_id=recipient
    )
    counter.last_sequence += 1
    counter.save(update_fields=["last_sequence"])
    return counter.last_sequence


def relay_enqueue(
    *,
    recipient: str,
    kind: str,
    data: dict,
    idempotency_key: str,
    case_ids: Sequence[int] = (),
    sender: str | None = None,
) -> OutboxItem:
    """Queue an item for another national instance (call inside the transaction of the event).

    Encrypted for the recipient instance's public key when sent; the hub only sees routing
    metadata (sender, recipient, kind, key, sequence, size). For personal kinds, each case in
    case_ids must hold cross-border consent naming ``recipient`` — :class:`NoConsent`
    otherwise; re-checked before every attempt, a withdrawn consent cancels the item.
    ``sender`` defaults to this instance's country (MATIS_COUNTRY). The same
    idempotency key again returns the item already queued.
    """
    from matis.exchange.services import outbox_enqueue

    spec = relay_kind(kind)
    if not isinstance(data, dict):
        raise TypeError(f"relay {kind}: data must be a dict")
    extra = sorted(set(data) - spec.fields)
    if extra:
        raise FieldNotAgreed(
            f"relay {kind}: field {extra[0]!r} is not among the agreed fields "
            f"({', '.join(sorted(spec.fields))})"
        )
    try:
        canonical_json(data)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"relay {kind}: data is not plain JSON ({exc})") from None
    if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
        raise ValueError(
            f"relay {kind}: the idempotency key must be 1 to {MAX_KEY_LENGTH} characters"
        )
    sender = _sender(sender, case_ids)
    recipient = _country_code(recipient, "recipient")
    if recipient == sender:
        raise ValueError(f"relay {kind}: {sender} cannot send to itself")
    if spec.personal:
        if not case_ids:
            raise NoConsent(f"relay {kind} holds personal data: name the cases (case_ids)")
        missing = _without_consent(case_ids, recipient)
        if missing:
            raise NoConsent(
                f"case(s) {', '.join(map(str, missing))} hold no cross-border consent for "
                f"{recipient}"
            )
    outbox_key = f"{sender}:relay:{idempotency_key}"
    with transaction.atomic():
        found = OutboxItem.objects.filter(idempotency_key=outbox_key).first()
        if found is not None:
            return found
        sequence = _next_sequence(sender, recipient)
        item, _created = outbox_enqueue(
            country_id=sender,
            kind=ItemKind.RELAY,
            object_type="exchange.relay",
            object_id=f"{recipient}:{sequence}",
            idempotency_key=outbox_key,
            case_ids=sorted({int(c) for c in case_ids}),
        )
        RelayOutgoing.objects.create(
            outbox_item=item,
            sender_id=sender,
            recipient_id=recipient,
            kind=kind,
            key=idempotency_key,
            sequence=sequence,
            data=data,
        )
        audit_record(
            actor=None,
            action=AuditAction.SHARE,
            obj=item,
            country_id=sender,
            recipient=recipient,
            kind=kind,
            sequence=sequence,
            cases=sorted({int(c) for c in case_ids}),
        )
    return item


def _void_for(out: RelayOutgoing) -> OutboxItem:
    """Queue the place-holder of a cancelled item: same sequence, no data."""
    from matis.exchange.services import outbox_enqueue

    key = f"void-{out.sequence}-{out.key}"[:MAX_KEY_LENGTH]
    item, created = outbox_enqueue(
        country_id=out.sender_id,
        kind=ItemKind.RELAY,
        object_type="exchange.relay",
        object_id=f"{out.recipient_id}:{out.sequence}",
        idempotency_key=f"{out.sender_id}:relay:{key}",
    )
    if created:
        RelayOutgoing.objects.create(
            outbox_item=item,
            sender_id=out.sender_id,
            recipient_id=out.recipient_id,
            kind=VOID_KIND,
            key=key,
            sequence=out.sequence,
            is_void=True,
        )
    return item


def relay_still_allowed(item: OutboxItem) -> None:
    """Before every attempt: a personal item whose consent is gone is cancelled, never sent.

    Raises :class:`matis.exchange.services.NotAllowed` (the outbox cancels the item)
    after queueing a void place-holder for its sequence number.
    """
    from matis.exchange.services import NotAllowed

    out = item.relay
    if out.is_void:
        return
    spec = RELAY_KINDS.get(out.kind)
    if spec is None:
        _void_for(out)
        raise NotAllowed(f"relay kind {out.kind} is no longer registered here")
    if spec.personal:
        missing = _without_consent(item.case_ids, out.recipient_id)
        if missing or not item.case_ids:
            _void_for(out)
            out.data = None  # nothing of it is sent, nothing kept for sending
            out.save(update_fields=["data"])
            raise NotAllowed(
                f"cross-border consent for {out.recipient_id} withdrawn (case(s) "
                f"{', '.join(map(str, missing))})"
            )


def _kdf(shared: bytes, epk: bytes, recipient_box: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=epk + recipient_box, info=KDF_INFO
    ).derive(shared)


def seal(*, out: RelayOutgoing, own: InstanceKey, peer: PeerKey) -> dict:
    """The envelope of one item: routing in clear (bound as associated data), the rest sealed."""
    _box_private, sign_private = _private(own)
    recipient_box = base64.b64decode(peer.box_public)
    ephemeral = X25519PrivateKey.generate()
    epk = ephemeral.public_key().public_bytes_raw()
    routing = {
        "v": RELAY_VERSION,
        "sender": out.sender_id,
        "recipient": out.recipient_id,
        "kind": out.kind,
        "idempotency_key": out.key,
        "sequence": out.sequence,
        "to_key": peer.fingerprint,
        "from_key": own.fingerprint,
        "epk": _b64(epk),
    }
    body = {
        **{name: routing[name] for name in SIGNED_ROUTING},
        "sent_at": timezone.now().isoformat(),
        "data": None if out.is_void else out.data,
    }
    signature = sign_private.sign(SIGNATURE_CONTEXT + canonical_json(body))
    plaintext = canonical_json({"body": body, "signature": _b64(signature)})
    plaintext += b" " * (-len(plaintext) % PAD_TO)
    key = _kdf(ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_box)), epk,
               recipient_box)  # fmt: skip
    nonce = secrets.token_bytes(12)
    ciphertext = ChaCha20Poly1305(key).encrypt(nonce, plaintext, canonical_json(routing))
    return {**routing, "nonce": _b64(nonce), "ciphertext": _b64(ciphertext)}


def relay_post(transport, item: OutboxItem) -> HubResponse:
    """The outbox's send step for a relay item: seal it once, post it to the hub's relay."""
    out = item.relay
    try:
        own = _registered_key(item.country_id, transport)
        if item.payload is None:
            peer = peer_key(holder=item.country_id, peer=out.recipient_id, transport=transport)
            item.payload = seal(out=out, own=own, peer=peer)
            item.save(update_fields=["payload"])
    except RelayUnavailable as exc:
        # not a refusal of the item: the recipient has no key at the hub yet; retried later
        return HubResponse(424, {"error": "recipient_key", "detail": str(exc)})
    response = transport.call(
        "POST", RELAY_PREFIX, body=canonical_json(item.payload), idempotency_key=out.key
    )
    if response.ok and out.delivery == RelayDelivery.QUEUED:
        out.delivery, out.delivery_at = RelayDelivery.AT_HUB, timezone.now()
        out.save(update_fields=["delivery", "delivery_at"])
    return response


def relay_status_pull(*, country_id: str, transport=None) -> int:
    """Fetch what recipients made of this instance's items (applied, parked); returns updates."""
    transport = transport or _transport(country_id)
    since = (
        RelayOutgoing.objects.filter(sender_id=country_id).aggregate(m=Max("hub_receipt"))["m"] or 0
    )
    response = transport.call("GET", RELAY_PREFIX + "status/", query=f"since={since}")
    if not response.ok:
        raise HubUnreachable(f"hub answered {response.status}: {response.body.get('error', '')}")
    updated = 0
    mapping = {
        "stored": RelayDelivery.AT_HUB,
        RelayReceivedStatus.APPLIED: RelayDelivery.APPLIED,
        RelayReceivedStatus.PARKED: RelayDelivery.PARKED,
        RelayReceivedStatus.VOID: RelayDelivery.VOID,
    }
    for row in response.body.get("receipts", []):
        out = RelayOutgoing.objects.filter(
            sender_id=country_id, key=row.get("idempotency_key")
        ).first()
        receipt = int(row.get("receipt", 0))
        if out is None or receipt <= out.hub_receipt or row.get("status") not in mapping:
            continue
        out.delivery = mapping[row["status"]]
        out.delivery_error = open_error(
            sender=country_id,
            recipient=out.recipient_id,
            key=out.key,
            text=str(row.get("error", "")),
        )[:500]
        out.delivery_at, out.hub_receipt = timezone.now(), receipt
        out.save(update_fields=["delivery", "delivery_error", "delivery_at", "hub_receipt"])
        updated += 1
    return updated


# --- recipient side: fetch, open, apply in order, acknowledge ---------------------------------


def _routing(envelope) -> dict:
    """The checked routing fields of an envelope (both the hub and the recipient check them)."""
    if not isinstance(envelope, dict):
        raise RelayRefused("the envelope is not an object")
    missing = sorted(ENVELOPE_FIELDS - set(envelope))
    if missing:
        raise RelayRefused(f"the envelope lacks {missing[0]!r}")
    extra = sorted(set(envelope) - ENVELOPE_FIELDS)
    if extra:
        raise RelayRefused(f"the envelope holds an unknown field {extra[0]!r}")
    if envelope["v"] != RELAY_VERSION:
        raise RelayRefused(f"relay envelope version {envelope['v']!r}")
    for name in ("sender", "recipient", "kind", "idempotency_key", "to_key", "from_key", "epk"):
        if not isinstance(envelope[name], str) or not envelope[name]:
            raise RelayRefused(f"{name} must be a non-empty text")
    if len(envelope["idempotency_key"]) > MAX_KEY_LENGTH:
        raise RelayRefused("the idempotency key is too long")
    if len(envelope["kind"]) > MAX_KIND_LENGTH:
        raise RelayRefused("the kind is too long")
    sequence = envelope["sequence"]
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        raise RelayRefused("sequence must be a whole number from 1")
    if envelope["sender"] == envelope["recipient"]:
        raise RelayRefused("sender and recipient are the same")
    return {name: envelope[name] for name in ROUTING_FIELDS}


def relay_open(*, country_id: str, envelope: dict, transport=None) -> RelayEnvelope:
    """Decrypt and verify one envelope addressed to ``country_id`` (:class:`RelayRefused` if not)."""
    routing = _routing(envelope)
    if routing["recipient"] != country_id:
        raise RelayRefused(f"the item is addressed to {routing['recipient']}, not {country_id}")
    own = InstanceKey.objects.filter(country_id=country_id, fingerprint=routing["to_key"]).first()
    if own is None:
        raise RelayRefused("the item is sealed to a key this instance does not hold")
    box_private, _sign = _private(own)
    epk = _unb64(routing["epk"], "epk", size=32)
    nonce = _unb64(envelope["nonce"], "nonce", size=12)
    ciphertext = _unb64(envelope["ciphertext"], "ciphertext")
    key = _kdf(box_private.exchange(X25519PublicKey.from_public_bytes(epk)), epk,
               base64.b64decode(own.box_public))  # fmt: skip
    try:
        plaintext = ChaCha20Poly1305(key).decrypt(nonce, ciphertext, canonical_json(routing))
    except InvalidTag:
        raise RelayRefused(
            "the item does not decrypt: altered on the way or sealed wrongly"
        ) from None
    try:
        inner = json.loads(plaintext.decode("utf-8"))
        body, signature = inner["body"], _unb64(inner["signature"], "signature", size=64)
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise RelayRefused("the decrypted item is not a signed body") from None
    sender = routing["sender"]
    try:
        pinned = peer_key(holder=country_id, peer=sender, transport=transport)
    except RelayUnavailable as exc:
        raise RelayRefused(f"the sender's key cannot be checked: {exc}") from None
    if pinned.fingerprint != routing["from_key"]:
        raise RelayRefused(
            f"signed with key {routing['from_key'][:16]}..., but {sender}'s pinned key is "
            f"{pinned.fingerprint[:16]}...: check the fingerprint out of band and pin it"
        )
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(pinned.sign_public)).verify(
            signature, SIGNATURE_CONTEXT + canonical_json(body)
        )
    except InvalidSignature:
        raise RelayRefused(f"the signature is not {sender}'s") from None
    if any(body.get(name) != routing[name] for name in SIGNED_ROUTING):
        raise RelayRefused("the signed body names other routing than the envelope")
    data = body.get("data")
    if routing["kind"] != VOID_KIND and not isinstance(data, dict):
        raise RelayRefused("the item's data is not an object")
    try:
        sent_at = dt.datetime.fromisoformat(body["sent_at"])
    except (KeyError, TypeError, ValueError):
        raise RelayRefused("sent_at is not a timestamp") from None
    return RelayEnvelope(
        sender=sender,
        recipient=country_id,
        kind=routing["kind"],
        data=data or {},
        idempotency_key=routing["idempotency_key"],
        sequence=routing["sequence"],
        sent_at=sent_at,
    )


def _error_text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:500]


def _apply(country: str, row: dict, transport) -> RelayReceived:
    """Open and apply one item (the caller holds the transaction); park it if that fails."""
    envelope = row.get("envelope") or {}
    sent_at = None
    try:
        opened = relay_open(country_id=country, envelope=envelope, transport=transport)
    except RelayRefused as exc:
        status, error = RelayReceivedStatus.PARKED, f"RelayRefused: {exc}"[:500]
    else:
        sent_at = opened.sent_at
        spec = RELAY_KINDS.get(opened.kind)
        if opened.kind == VOID_KIND:
            status, error = RelayReceivedStatus.VOID, ""
        elif spec is None:
            status, error = RelayReceivedStatus.PARKED, f"unknown relay kind {opened.kind!r}"
        elif set(opened.data) - spec.fields:
            status = RelayReceivedStatus.PARKED
            error = f"field {sorted(set(opened.data) - spec.fields)[0]!r} is not agreed"
        else:
            try:
                with transaction.atomic():  # nothing receive() wrote survives its failure
                    spec.receive(opened)
            except Exception as exc:
                logger.warning("relay item %s from %s parked: %s", row["sequence"],
                               row["sender"], type(exc).__name__)  # fmt: skip
                status, error = RelayReceivedStatus.PARKED, _error_text(exc)
            else:
                status, error = RelayReceivedStatus.APPLIED, ""
    received = RelayReceived.objects.create(
        recipient_id=country,
        sender_id=row["sender"],
        kind=str(row["kind"])[:MAX_KIND_LENGTH],
        idempotency_key=row["idempotency_key"],
        sequence=row["sequence"],
        status=status,
        error=error,
        sent_at=sent_at,
    )
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        obj=received,
        country_id=country,
        sender=received.sender_id,
        kind=received.kind,
        sequence=received.sequence,
        status=status,
    )
    return received


def _take(country: str, row: dict, transport) -> tuple[RelayReceived | None, bool]:
    """Apply ``row`` if it is the sender's next item. Returns (outcome, newly applied).

    ``(None, False)``: not now (an earlier item is missing or parked).
    """
    sender = row["sender"]
    try:
        with transaction.atomic():
            # one puller at a time per pair (the counter row is only a lock here)
            RelayCounter.objects.select_for_update().get_or_create(
                sender_id=sender, recipient_id=country
            )
            done = RelayReceived.objects.filter(
                recipient_id=country, sender_id=sender, idempotency_key=row["idempotency_key"]
            ).first()
            if done is not None:
                return done, False  # applied before: acknowledged again, never applied twice
            mine = RelayReceived.objects.filter(recipient_id=country, sender_id=sender)
            if mine.filter(status=RelayReceivedStatus.PARKED).exists():
                return None, False
            last = mine.aggregate(m=Max("sequence"))["m"] or 0
            if row["sequence"] != last + 1:
                if row["sequence"] <= last:
                    logger.warning("relay: %s sequence %s already used", sender, row["sequence"])
                return None, False
            received = _apply(country, row, transport)
            return received, received.status == RelayReceivedStatus.APPLIED
    except IntegrityError:  # another pull applied it at the same moment
        return None, False


def _fetch(transport) -> list[dict]:
    rows, since = [], 0
    while True:
        response = transport.call("GET", RELAY_PREFIX, query=f"since={since}&limit={PAGE}")
        if not response.ok:
            raise HubUnreachable(
                f"hub answered {response.status}: {response.body.get('error', '')}"
            )
        page = response.body.get("items", [])
        rows.extend(page)
        if not page or not response.body.get("more"):
            return rows
        since = int(response.body["next"])


SEALED_ERROR = "sealed:"
ERROR_BYTES = 200  # a sealed error fits the receipt's 500 characters


def _error_aad(sender: str, recipient: str, key: str) -> bytes:
    return f"MATIS-RELAY-1 error\n{sender}\n{recipient}\n{key}".encode()


def seal_error(*, recipient: str, sender: str, key: str, error: str, transport=None) -> str:
    """A parked item's error, encrypted for the sender: the hub relays it but cannot read it
    (a receive() error may quote what it refused)."""
    try:
        pinned = peer_key(holder=recipient, peer=sender, transport=transport)
    except RelayUnavailable:
        return "parked at the recipient (the error is kept there)"
    sender_box = base64.b64decode(pinned.box_public)
    ephemeral = X25519PrivateKey.generate()
    epk = ephemeral.public_key().public_bytes_raw()
    secret = _kdf(ephemeral.exchange(X25519PublicKey.from_public_bytes(sender_box)), epk,
                  sender_box)  # fmt: skip
    nonce = secrets.token_bytes(12)
    plain = error.encode("utf-8")[:ERROR_BYTES].decode("utf-8", "ignore").encode("utf-8")
    sealed = ChaCha20Poly1305(secret).encrypt(nonce, plain, _error_aad(sender, recipient, key))
    return SEALED_ERROR + ":".join(map(_b64, (epk, nonce, sealed)))


def open_error(*, sender: str, recipient: str, key: str, text: str) -> str:
    """The sender reads a sealed error with its own keys (plain text is returned as it is)."""
    if not text.startswith(SEALED_ERROR):
        return text
    try:
        epk, nonce, sealed = (base64.b64decode(p) for p in text[len(SEALED_ERROR) :].split(":"))
    except ValueError:
        return "parked (the error is unreadable)"
    for own in InstanceKey.objects.filter(country_id=sender):
        box_private, _sign = _private(own)
        secret = _kdf(box_private.exchange(X25519PublicKey.from_public_bytes(epk)), epk,
                      base64.b64decode(own.box_public))  # fmt: skip
        try:
            plain = ChaCha20Poly1305(secret).decrypt(
                nonce, sealed, _error_aad(sender, recipient, key)
            )
        except InvalidTag:
            continue
        return plain.decode("utf-8", "replace")
    return "parked (the error is sealed for another key)"


def _acknowledge(transport, received: list[RelayReceived]) -> None:
    received = [r for r in received if r.acked_at is None]  # the hub knows the others
    if not received:
        return
    acks = [
        {
            "sender": r.sender_id,
            "idempotency_key": r.idempotency_key,
            "status": r.status,
            "error": seal_error(
                recipient=r.recipient_id,
                sender=r.sender_id,
                key=r.idempotency_key,
                error=r.error,
                transport=transport,
            )
            if r.error
            else "",
        }
        for r in received
    ]
    response = transport.call("POST", RELAY_PREFIX + "ack/", body=canonical_json({"acks": acks}))
    if not response.ok:
        raise HubUnreachable(f"hub answered {response.status} to the acknowledgement")
    RelayReceived.objects.filter(pk__in=[r.pk for r in received], acked_at__isnull=True).update(
        acked_at=timezone.now()
    )


def relay_pull(*, transport=None, country_id: str | None = None, statuses: bool = True) -> int:
    """Recipient side: fetch items addressed to this instance from the hub, decrypt, apply in
    order via the registered receive(), acknowledge. Returns the number applied.

    Each item is applied in its own transaction, only when it is the next
    sequence number of its sender; a repeat is acknowledged again and never
    applied twice, so a crash at any point is repaired by the next pull. With
    ``statuses`` the sender side's receipts are fetched as well.
    """
    country = this_country(country_id)
    transport = transport or _transport(country)
    _registered_key(country, transport)
    by_sender: dict[str, list[dict]] = defaultdict(list)
    for row in _fetch(transport):
        by_sender[row["sender"]].append(row)
    applied, outcomes = 0, []
    for sender in sorted(by_sender):
        for row in sorted(by_sender[sender], key=lambda r: r["sequence"]):
            received, new = _take(country, row, transport)
            if received is None:
                break  # later items of this sender wait (ordering)
            outcomes.append(received)
            applied += new
            if received.status == RelayReceivedStatus.PARKED:
                break
    _acknowledge(transport, outcomes)
    if statuses:
        relay_status_pull(country_id=country, transport=transport)
    return applied


@transaction.atomic
def relay_retry_parked(*, actor, country_id: str, sender: str) -> int:
    """Let the next pull try ``sender``'s parked item again (after its cause was fixed)."""
    parked = RelayReceived.objects.filter(
        recipient_id=country_id, sender_id=sender.upper(), status=RelayReceivedStatus.PARKED
    )
    rows = list(parked)
    for row in rows:
        audit_record(
            actor=actor,
            action=AuditAction.STATUS_CHANGE,
            obj=row,
            country_id=country_id,
            retry=True,
            sender=row.sender_id,
            sequence=row.sequence,
        )
    parked.delete()
    return len(rows)


# --- the hub's endpoints ---------------------------------------------------------------------


def _refused(exc: ExchangeRefused) -> HubAnswer:
    logger.info("relay request refused: %s", exc.code)
    return HubAnswer(exc.status, exc.as_dict())


def _json_body(body: bytes):
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ExchangeRefused(400, "bad_json", "the body is not JSON") from None


def _query_int(query: str, name: str, default: int) -> int:
    try:
        return int(parse_qs(query, keep_blank_values=True).get(name, [str(default)])[-1])
    except ValueError:
        raise ExchangeRefused(400, f"bad_{name}", f"{name} is a number") from None


def _receipt_dict(receipt: RelayReceipt) -> dict:
    return {
        "receipt": receipt.pk,
        "recipient": receipt.recipient_id,
        "idempotency_key": receipt.idempotency_key,
        "sequence": receipt.sequence,
        "status": receipt.status,
        "error": receipt.error,
        "updated_at": receipt.updated_at.isoformat(),
    }


def hub_relay_store(*, sender: str, key_id: str, body: bytes, idempotency_key: str) -> HubAnswer:
    """Store one sealed item once (per sender and key, and per sender, recipient and sequence)."""
    if len(body) > MAX_BODY_BYTES:
        raise ExchangeRefused(413, "too_large", "the item is too large")
    envelope = _json_body(body)
    try:
        routing = _routing(envelope)
    except RelayRefused as exc:
        raise ExchangeRefused(400, "bad_envelope", str(exc)) from None
    if routing["sender"] != sender:
        raise ExchangeRefused(
            403, "country_mismatch", "the item names another sender than the key's"
        )
    if routing["idempotency_key"] != idempotency_key:
        raise ExchangeRefused(
            400, "idempotency_mismatch", "the Idempotency-Key header and the body differ"
        )
    recipient = routing["recipient"]
    if not Country.objects.filter(pk=recipient).exists():
        raise ExchangeRefused(400, "bad_recipient", f"unknown country {recipient!r}")
    digest = body_digest(body)
    receipts = RelayReceipt.objects.filter(sender_id=sender)
    found = receipts.filter(idempotency_key=idempotency_key).first()
    if found is not None:
        if found.digest != digest:
            raise ExchangeRefused(
                409, "idempotency_conflict", "this idempotency key was used for another item"
            )
        return HubAnswer(200, {**_receipt_dict(found), "duplicate": True})
    taken = receipts.filter(recipient_id=recipient, sequence=routing["sequence"]).first()
    if taken is not None:
        if routing["kind"] == VOID_KIND:  # the item it stands for reached the hub after all
            return HubAnswer(200, {**_receipt_dict(taken), "superseded": True})
        raise ExchangeRefused(
            409, "sequence_taken", f"sequence {routing['sequence']} to {recipient} is taken"
        )
    try:
        with transaction.atomic():
            item = RelayItem.objects.create(
                sender_id=sender,
                recipient_id=recipient,
                kind=routing["kind"],
                idempotency_key=idempotency_key,
                sequence=routing["sequence"],
                envelope=body.decode("utf-8"),
                size=len(body),
            )
            receipt = RelayReceipt.objects.create(
                sender_id=sender,
                recipient_id=recipient,
                kind=routing["kind"],
                idempotency_key=idempotency_key,
                sequence=routing["sequence"],
                digest=digest,
                status="stored",
            )
            audit_record(
                actor=None,
                action=AuditAction.IMPORT,
                obj=item,
                country_id=sender,
                recipient=recipient,
                kind=routing["kind"],
                sequence=routing["sequence"],
                size=len(body),
                key_id=key_id,
            )
    except IntegrityError:  # the same item at the same moment: the other request stored it
        found = receipts.filter(idempotency_key=idempotency_key).first()
        if found is None or found.digest != digest:
            raise ExchangeRefused(
                409, "conflict", "a concurrent item took this key or sequence"
            ) from None
        return HubAnswer(200, {**_receipt_dict(found), "duplicate": True})
    return HubAnswer(201, _receipt_dict(receipt))


def hub_relay_items(*, recipient: str, query: str) -> HubAnswer:
    """The sealed items waiting for ``recipient``, oldest first, ``since`` an item id."""
    since = _query_int(query, "since", 0)
    limit = max(1, min(_query_int(query, "limit", PAGE), 500))
    rows = list(
        RelayItem.objects.filter(recipient_id=recipient, pk__gt=since).order_by("pk")[:limit]
    )
    items = [
        {
            "id": row.pk,
            "sender": row.sender_id,
            "kind": row.kind,
            "idempotency_key": row.idempotency_key,
            "sequence": row.sequence,
            "envelope": json.loads(row.envelope),
            "parked": bool(row.parked_error),
        }
        for row in rows
    ]
    return HubAnswer(
        200, {"items": items, "next": rows[-1].pk if rows else since, "more": len(rows) == limit}
    )


ACK_STATUSES = frozenset(RelayReceivedStatus.values)


def hub_relay_ack(*, recipient: str, body: bytes) -> HubAnswer:
    """The recipient's outcomes: applied or void items are deleted; parked ones stay, marked."""
    payload = _json_body(body)
    acks = payload.get("acks") if isinstance(payload, dict) else None
    if not isinstance(acks, list):
        raise ExchangeRefused(400, "bad_ack", "acks must be a list")
    results = []
    with transaction.atomic():
        for i, ack in enumerate(acks):
            if not isinstance(ack, dict) or ack.get("status") not in ACK_STATUSES:
                raise ExchangeRefused(400, "bad_ack", f"acks[{i}]: status must be one of "
                                      f"{', '.join(sorted(ACK_STATUSES))}")  # fmt: skip
            error = str(ack.get("error") or "")[:500]
            receipt = (
                RelayReceipt.objects.select_for_update()
                .filter(
                    sender_id=str(ack.get("sender", "")),
                    idempotency_key=str(ack.get("idempotency_key", "")),
                    recipient_id=recipient,
                )
                .first()
            )
            if receipt is None:
                results.append("unknown")
                continue
            items = RelayItem.objects.filter(
                sender_id=receipt.sender_id, idempotency_key=receipt.idempotency_key
            )
            if ack["status"] == RelayReceivedStatus.PARKED:
                items.update(parked_error=error)
            else:
                items.delete()  # no ciphertext kept longer than needed
            if receipt.status == ack["status"] and receipt.error == error:
                results.append("unchanged")
                continue
            # a new row (a higher id): the sender follows receipts with an id cursor
            receipt.delete()
            receipt.pk = None
            receipt.status, receipt.error, receipt.updated_at = ack["status"], error, timezone.now()
            receipt.save(force_insert=True)
            audit_record(
                actor=None,
                action=AuditAction.STATUS_CHANGE,
                obj=receipt,
                country_id=recipient,
                sender=receipt.sender_id,
                sequence=receipt.sequence,
                status=receipt.status,
            )
            results.append(receipt.status)
    return HubAnswer(200, {"results": results})


def hub_relay_status(*, sender: str, query: str) -> HubAnswer:
    """The receipts of ``sender``'s items after the receipt id ``since``."""
    since = _query_int(query, "since", 0)
    rows = RelayReceipt.objects.filter(sender_id=sender, pk__gt=since).order_by("pk")[:500]
    return HubAnswer(200, {"receipts": [_receipt_dict(r) for r in rows]})


def hub_relay_key_register(*, country: str, key_id: str, body: bytes) -> HubAnswer:
    """Register the calling country's public relay keys (its credential vouches for them)."""
    payload = _json_body(body)
    if not isinstance(payload, dict):
        raise ExchangeRefused(400, "bad_key", "the body is not an object")
    try:
        box = _unb64(payload.get("box_public"), "box_public", size=32)
        sign = _unb64(payload.get("sign_public"), "sign_public", size=32)
    except RelayRefused as exc:
        raise ExchangeRefused(400, "bad_key", str(exc)) from None
    print_ = fingerprint(box, sign)
    with transaction.atomic():
        current = (
            RelayDirectoryKey.objects.select_for_update()
            .filter(country_id=country, superseded_at__isnull=True)
            .first()
        )
        if current is not None and current.fingerprint == print_:
            return HubAnswer(200, _directory_dict(current))
        now = timezone.now()
        RelayDirectoryKey.objects.filter(country_id=country, superseded_at__isnull=True).update(
            superseded_at=now
        )
        entry, _created = RelayDirectoryKey.objects.update_or_create(
            country_id=country,
            fingerprint=print_,
            defaults={
                "box_public": _b64(box),
                "sign_public": _b64(sign),
                "key_id": key_id,
                "registered_at": now,
                "superseded_at": None,
            },
        )
        audit_record(
            actor=None,
            action=AuditAction.KEY_ROTATE,
            obj=entry,
            country_id=country,
            event="relay key registered",
            fingerprint=print_,
            key_id=key_id,
            replaced=current.fingerprint if current else None,
        )
    return HubAnswer(201, _directory_dict(entry))


def _directory_dict(entry: RelayDirectoryKey) -> dict:
    return {
        "country": entry.country_id,
        "box_public": entry.box_public,
        "sign_public": entry.sign_public,
        "fingerprint": entry.fingerprint,
        "registered_at": entry.registered_at.isoformat(),
    }


def hub_relay_directory(*, query: str) -> HubAnswer:
    country = parse_qs(query).get("country", [""])[-1].upper()
    entry = RelayDirectoryKey.objects.filter(country_id=country, superseded_at__isnull=True).first()
    if entry is None:
        return HubAnswer(404, {"error": "no_key", "detail": f"no relay key for {country!r}"})
    return HubAnswer(200, _directory_dict(entry))


ENDPOINTS = {
    ("POST", ""): "store",
    ("GET", ""): "items",
    ("POST", "ack"): "ack",
    ("GET", "status"): "status",
    ("POST", "keys"): "register",
    ("GET", "keys"): "directory",
}


def _endpoint_of(path: str) -> str:
    tail = path.split("/relay/", 1)[-1] if "/relay/" in path else ""
    return tail.strip("/")


def hub_relay_answer(
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping,
    body: bytes,
    endpoint: str | None = None,
) -> HubAnswer:
    """Verify a signed request to one of the relay's endpoints and answer it.

    The HTTP views and the in-process transport both call this; the calling
    country is the signing key's, and each endpoint acts for it only.
    """
    endpoint = _endpoint_of(path) if endpoint is None else endpoint
    action = ENDPOINTS.get((method.upper(), endpoint))
    if action is None:
        return HubAnswer(405, {"error": "method", "detail": f"{method} {endpoint or 'relay'}"})
    try:
        key = verify_request(method=method, path=path, query=query, headers=headers, body=body)
        country = key.country_id
        if action == "store":
            return hub_relay_store(
                sender=country,
                key_id=key.key_id,
                body=body,
                idempotency_key=headers.get(HEADER_IDEMPOTENCY, ""),
            )
        if action == "items":
            return hub_relay_items(recipient=country, query=query)
        if action == "ack":
            return hub_relay_ack(recipient=country, body=body)
        if action == "status":
            return hub_relay_status(sender=country, query=query)
        if action == "register":
            return hub_relay_key_register(country=country, key_id=key.key_id, body=body)
        return hub_relay_directory(query=query)
    except ExchangeRefused as exc:
        return _refused(exc)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@scoped("global")  # scope = the signing key's country (each endpoint acts for it only)
def hub_relay_view(request, endpoint: str = ""):
    """The relay's signed endpoints (no session): items, acknowledgements, receipts, keys."""
    if not conf.is_hub():
        raise Http404
    answer = hub_relay_answer(
        method=request.method,
        path=request.path,
        query=request.META.get("QUERY_STRING", ""),
        headers=request.headers,
        body=request.body if request.method == "POST" else b"",
        endpoint=endpoint,
    )
    return JsonResponse(answer.body, status=answer.status)
