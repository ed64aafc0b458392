"""Keys: one secret shared by the governments, one derived key per field (HKDF-SHA256)."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["MIN_SECRET_BYTES", "derive_key", "hkdf_sha256"]

MIN_SECRET_BYTES = 16
_SALT = b"tipstats.linkage/v1"


def hkdf_sha256(secret: bytes, *, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """HKDF with SHA-256 (RFC 5869): extract with ``salt``, expand with ``info``."""
    if length > 255 * 32:
        raise ValueError("HKDF-SHA256 can derive at most 8160 bytes")
    prk = hmac.new(salt or b"\x00" * 32, secret, hashlib.sha256).digest()
    okm, block = b"", b""
    for counter in range(1, -(-length // 32) + 1):
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
    return okm[:length]


def _as_secret(secret: bytes | str) -> bytes:
    raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if len(raw) < MIN_SECRET_BYTES:
        raise ValueError(
            f"the linkage secret must be at least {MIN_SECRET_BYTES} bytes; "
            "use a random value shared by the governments, never a default"
        )
    return raw


def derive_key(secret: bytes | str, purpose: str) -> bytes:
    """32-byte key for one ``purpose`` (a field label, ``"block:..."``), derived from ``secret``.

    Keys for different purposes are independent: knowing the bits one field
    sets says nothing about another field's positions.
    """
    return hkdf_sha256(_as_secret(secret), salt=_SALT, info=purpose.encode("utf-8"))
