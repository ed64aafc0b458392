"""Protection of personal data in case records: keys, encryption, blind indexes, names."""

from matis.cases.protection.blind import IndexKind, document_digest, name_digests, query_digests
from matis.cases.protection.cipher import DecryptionError, decrypt, encrypt
from matis.cases.protection.fields import (
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)
from matis.cases.protection.keys import CaseKeysMissing, KeyRing, keyring, reset_keyring

__all__ = [
    "CaseKeysMissing",
    "DecryptionError",
    "EncryptedCharField",
    "EncryptedDateField",
    "EncryptedJSONField",
    "EncryptedTextField",
    "IndexKind",
    "KeyRing",
    "decrypt",
    "document_digest",
    "encrypt",
    "keyring",
    "name_digests",
    "query_digests",
    "reset_keyring",
]
