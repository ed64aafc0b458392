"""Per-country credentials at the hub: create, rotate with an overlap, revoke; secrets encrypted.

The hub must know each secret to check HMAC signatures, so the secret is
stored encrypted (Fernet, with a key derived by HKDF from
``MATIS_EXCHANGE_VAULT_KEY``) rather than hashed. That key serves this purpose
only: whoever learns ``MATIS_SECRET_KEY`` (sessions, CSRF) cannot read the
countries' secrets from a copy of the database. Production refuses to store or
read country secrets without it; the demo and the tests derive it from
``MATIS_SECRET_KEY``. Secrets written before the vault key was set stay
readable (the old derivation is tried second) until the keys are rotated.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.exchange.conf import ExchangeNotConfigured
from matis.exchange.models import CountryKey

VAULT_KEY_MIN_LENGTH = 32


class UnknownKey(LookupError):
    """No valid key with this id (unknown, not yet valid, expired or revoked)."""


def _derived(secret: str, info: bytes) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"matis-exchange", info=info).derive(
        secret.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _fernet() -> MultiFernet:
    """Encrypts with the vault key; also reads secrets stored under the old derivation."""
    legacy = _derived(settings.SECRET_KEY, b"country-keys")
    vault = settings.MATIS_EXCHANGE_VAULT_KEY
    if vault:
        if len(vault) < VAULT_KEY_MIN_LENGTH or len(set(vault)) < 10:
            raise ExchangeNotConfigured(
                f"MATIS_EXCHANGE_VAULT_KEY is too weak: use at least {VAULT_KEY_MIN_LENGTH} "
                "random characters."
            )
        return MultiFernet([_derived(vault, b"country-keys-vault"), legacy])
    if settings.IS_PRODUCTION:
        raise ExchangeNotConfigured(
            "MATIS_EXCHANGE_VAULT_KEY is not set: the hub keeps the countries' secrets under "
            "a key of their own, never under MATIS_SECRET_KEY."
        )
    return MultiFernet([legacy])


def secret_of(key: CountryKey) -> str:
    try:
        return _fernet().decrypt(key.secret_encrypted.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise UnknownKey(
            f"key {key.key_id} cannot be decrypted with this MATIS_EXCHANGE_VAULT_KEY"
        ) from None


def valid_key(key_id: str, *, at: dt.datetime | None = None) -> CountryKey:
    """The key ``key_id`` if it is valid now (or ``at``); otherwise :class:`UnknownKey`."""
    key = CountryKey.objects.filter(key_id=key_id).first()
    if key is None or not key.is_valid_at(at or timezone.now()):
        raise UnknownKey(key_id)
    return key


@transaction.atomic
def country_key_create(
    *,
    actor,
    country_id: str,
    key_id: str | None = None,
    secret: str | None = None,
    valid_from: dt.datetime | None = None,
    valid_days: int | None = None,
) -> tuple[CountryKey, str]:
    """Issue a key for a country; returns the row and the secret (shown once)."""
    secret = secret or secrets.token_urlsafe(32)
    if len(secret) < 32:
        raise ValueError("an exchange secret must be at least 32 characters")
    start = valid_from or timezone.now()
    key = CountryKey.objects.create(
        country_id=country_id,
        key_id=key_id or f"{country_id.lower()}-{secrets.token_hex(6)}",
        secret_encrypted=_fernet().encrypt(secret.encode("utf-8")).decode("ascii"),
        valid_from=start,
        valid_until=start + dt.timedelta(days=valid_days) if valid_days else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.KEY_ROTATE,
        obj=key,
        country_id=country_id,
        key_id=key.key_id,
        event="issued",
    )
    return key, secret


@transaction.atomic
def country_key_rotate(
    *, actor, country_id: str, overlap_days: int = 14, valid_days: int | None = None
) -> tuple[CountryKey, str]:
    """Issue a new key; the country's older keys stay valid for ``overlap_days`` more."""
    now = timezone.now()
    end = now + dt.timedelta(days=overlap_days)
    for old in CountryKey.objects.select_for_update().filter(
        country_id=country_id, revoked_at__isnull=True
    ):
        if old.valid_until is None or old.valid_until > end:
            old.valid_until = end
            old.save(update_fields=["valid_until"])
    return country_key_create(
        actor=actor, country_id=country_id, valid_from=now, valid_days=valid_days
    )


@transaction.atomic
def country_key_revoke(*, actor, key_id: str) -> CountryKey:
    key = CountryKey.objects.select_for_update().get(key_id=key_id)
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=AuditAction.KEY_ROTATE,
        obj=key,
        country_id=key.country_id,
        key_id=key.key_id,
        event="revoked",
    )
    return key


# --- the instance's own relay keys (matis.exchange.relay) ------------------------------------
# A national instance keeps its private relay keys under the same vault key, with a
# derivation of their own: a copy of the database without MATIS_EXCHANGE_VAULT_KEY
# cannot open what other countries sent it.


def _instance_fernet() -> MultiFernet:
    vault = settings.MATIS_EXCHANGE_VAULT_KEY
    if vault:
        _fernet()  # the same strength check
        return MultiFernet([_derived(vault, b"instance-relay-keys-vault")])
    if settings.IS_PRODUCTION:
        raise ExchangeNotConfigured(
            "MATIS_EXCHANGE_VAULT_KEY is not set: the instance's private relay keys are "
            "kept under a key of their own, never under MATIS_SECRET_KEY."
        )
    return MultiFernet([_derived(settings.SECRET_KEY, b"instance-relay-keys")])


def vault_encrypt(plain: bytes) -> str:
    """Encrypt an instance's private relay keys for storage."""
    return _instance_fernet().encrypt(plain).decode("ascii")


def vault_decrypt(token: str) -> bytes:
    try:
        return _instance_fernet().decrypt(token.encode("ascii"))
    except InvalidToken:
        raise UnknownKey(
            "the instance's relay key cannot be decrypted with this MATIS_EXCHANGE_VAULT_KEY"
        ) from None
