"""Keyed blind indexes: exact-match search on encrypted names and document numbers.

A blind index is HMAC-SHA256 over a normalised value, keyed with the index key
(separate from the data keys) and truncated to 64 bits. The database can
find equal values without holding them; without the key, a stored digest
cannot be tested against guessed names. Equal values still have equal
digests, so the index reveals which records share a name (see
``docs/data-protection.md``).
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum

from matis.cases.protection.keys import KeyRing, keyring
from matis.cases.protection.names import document_key, normalise, romanise, romanised_key

DIGEST_HEX_CHARS = 16  # 64 bits


class IndexKind(StrEnum):
    NAME = "name"  # a name as written, normalised
    ROMANISED = "roman"  # a romanised name, letters and digits only
    DOCUMENT = "doc"  # an identity document number


def digest(kind: IndexKind, normalised: str, *, ring: KeyRing | None = None) -> str:
    ring = ring or keyring()
    message = f"{kind.value}\x1f{normalised}".encode()
    return hmac.new(ring.index_key, message, hashlib.sha256).hexdigest()[:DIGEST_HEX_CHARS]


def name_digests(*names: str, ring: KeyRing | None = None) -> set[str]:
    """Digests under which a person with these names (any script) is found.

    Each full name, each of its words, and each romanised form (the
    transliteration of the name and any romanised spelling given) is indexed.
    """
    out: set[str] = set()
    for name in names:
        norm = normalise(name)
        if not norm:
            continue
        for part in {norm, *norm.split(" ")}:
            if part:
                out.add(digest(IndexKind.NAME, part, ring=ring))
        roman = romanise(name)
        for part in {roman, *roman.split(" ")}:
            key = romanised_key(part)
            if key:
                out.add(digest(IndexKind.ROMANISED, key, ring=ring))
    return out


def document_digest(number: str, *, ring: KeyRing | None = None) -> str | None:
    key = document_key(number)
    return digest(IndexKind.DOCUMENT, key, ring=ring) if key else None


def query_digests(query: str, *, ring: KeyRing | None = None) -> set[str]:
    """Digests to look up for what a user typed in the search box (a name or a number)."""
    out: set[str] = set()
    norm = normalise(query)
    if not norm:
        return out
    out.add(digest(IndexKind.NAME, norm, ring=ring))
    key = romanised_key(romanise(query))
    if key:
        out.add(digest(IndexKind.ROMANISED, key, ring=ring))
    doc = document_digest(query, ring=ring)
    if doc:
        out.add(doc)
    return out
