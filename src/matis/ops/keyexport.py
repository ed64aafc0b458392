"""The key export of a backup: the instance's secrets, wrapped with an operator passphrase.

A backup archive holds only ciphertext of personal case data; the keys that
decrypt it travel in a separate, small file that the operator keeps apart
(key escrow, docs/admin-guide.md "Backups"). The file is JSON::

    {"format": "matis-keys-1", "kdf": "scrypt", "n": 131072, "r": 8, "p": 1,
     "salt": <base64>, "nonce": <base64>, "ciphertext": <base64>, ...public metadata}

The wrapping key is derived from the passphrase with scrypt (a fresh random
salt per export) and seals the secrets with AES-256-GCM; the public metadata
(format, KDF parameters, key ids, archive name) is the associated data, so
changing any of it makes decryption fail like a wrong passphrase.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

FORMAT = "matis-keys-1"
SCRYPT_N = 2**17  # ~0.3 s and 128 MiB per attempt: slows guessing of a weak passphrase
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSPHRASE_LENGTH = 12


class KeyExportError(Exception):
    """The key export cannot be written or read; the message names the file."""


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise KeyExportError(
            f"The passphrase is too short: use at least {MIN_PASSPHRASE_LENGTH} characters "
            "(a few random words)."
        )


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _aad(header: dict) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")


def wrap(secrets_bundle: dict, *, passphrase: str, metadata: dict) -> bytes:
    """The key export file's bytes: ``secrets_bundle`` sealed under ``passphrase``."""
    check_passphrase(passphrase)
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    header = {
        "format": FORMAT,
        "kdf": "scrypt",
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": base64.b64encode(salt).decode("ascii"),
        "cipher": "AES-256-GCM",
        "nonce": base64.b64encode(nonce).decode("ascii"),
        **metadata,
    }
    key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    plaintext = json.dumps(secrets_bundle, sort_keys=True).encode("utf-8")
    sealed = AESGCM(key).encrypt(nonce, plaintext, _aad(header))
    document = {**header, "ciphertext": base64.b64encode(sealed).decode("ascii")}
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")


def read_header(path: Path) -> dict:
    """The public part of a key export (no passphrase needed)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise KeyExportError(f"The key file {path} cannot be read: {exc.strerror}.") from None
    except (ValueError, UnicodeDecodeError):
        raise KeyExportError(f"The key file {path} is not a MATIS key export (not JSON).") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise KeyExportError(f"The key file {path} is not a MATIS key export ({FORMAT}).")
    return document


def unwrap(path: Path, *, passphrase: str) -> dict:
    """The secrets of the key export at ``path``; a wrong passphrase names the file."""
    document = read_header(path)
    header = {k: v for k, v in document.items() if k != "ciphertext"}
    try:
        salt = base64.b64decode(header["salt"], validate=True)
        nonce = base64.b64decode(header["nonce"], validate=True)
        sealed = base64.b64decode(document["ciphertext"], validate=True)
        n, r, p = int(header["n"]), int(header["r"]), int(header["p"])
    except (KeyError, ValueError, TypeError):
        raise KeyExportError(f"The key file {path} is damaged (a field is missing).") from None
    if header.get("kdf") != "scrypt" or not (2**14 <= n <= 2**20):
        raise KeyExportError(f"The key file {path} uses unknown key-derivation parameters.")
    try:
        plaintext = AESGCM(_derive(passphrase, salt, n, r, p)).decrypt(nonce, sealed, _aad(header))
    except InvalidTag:
        raise KeyExportError(
            f"Wrong passphrase for the key file {path} (or the file was altered): "
            "nothing was restored."
        ) from None
    return json.loads(plaintext)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by the owner only, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    tmp.replace(path)
