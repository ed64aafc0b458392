"""Authenticated encryption of single values: AES-256-GCM with a key ring.

A stored value is the text ``c1$<key id>$<base64url(nonce || ciphertext+tag)>``.
The plaintext is padded to a multiple of 32 bytes so that the stored length
tells little about the value (a name's length is itself identifying). The
associated data binds a value to its column: a ciphertext moved to another
column does not decrypt.
"""

from __future__ import annotations

import base64
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from matis.cases.protection.keys import KeyRing, keyring

PREFIX = "c1"
SEPARATOR = "$"
NONCE_BYTES = 12
PAD_BLOCK = 32


class DecryptionError(ValueError):
    """A stored value could not be decrypted (unknown key, tampered or moved)."""


def _pad(data: bytes) -> bytes:
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % PAD_BLOCK)


def _unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise DecryptionError("bad padding")
    return end[:-1]


def _aad(label: str) -> bytes:
    return b"matis.cases\x00" + label.encode("utf-8")


def encrypt(plaintext: str, *, label: str, ring: KeyRing | None = None) -> str:
    """Encrypt ``plaintext`` under the newest data key; ``label`` names the column."""
    ring = ring or keyring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(ring.newest).encrypt(nonce, _pad(plaintext.encode("utf-8")), _aad(label))
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
    return SEPARATOR.join((PREFIX, ring.newest_id, body))


def is_token(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + SEPARATOR) and value.count("$") == 2


def token_key_id(token: str) -> str:
    return token.split(SEPARATOR)[1]


def decrypt(token: str, *, label: str, ring: KeyRing | None = None) -> str:
    """Decrypt a stored value with whichever key of the ring encrypted it."""
    ring = ring or keyring()
    if not is_token(token):
        raise DecryptionError("not an encrypted value")
    _, kid, body = token.split(SEPARATOR)
    key = ring.by_id().get(kid)
    if key is None:
        raise DecryptionError(f"value encrypted with key {kid}, which is not in the key ring")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        padded = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(label))
    except (InvalidTag, ValueError):
        raise DecryptionError(f"value of {label} failed authentication") from None
    return _unpad(padded).decode("utf-8")
