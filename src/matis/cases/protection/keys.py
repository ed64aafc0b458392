"""The case-data key ring: data keys (newest first) and the blind-index key.

Keys come from settings (read from the environment by :mod:`matis.settings`)
or from a key file, never from code:

- ``MATIS_CASE_KEYS``: comma-separated base64 data keys (32 bytes each),
  newest first; ``MATIS_CASE_INDEX_KEY``: the base64 blind-index key.
- or ``MATIS_CASE_KEY_FILE``: a file with lines ``index <base64>`` and
  ``data <base64>`` (newest data key first).

The demo and the tests generate a key file in ``MATIS_HOME/case-keys`` (mode
0600). Production never generates keys: without them every read or write of
case data raises :class:`CaseKeysMissing` (the service refuses to run).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
KEY_FILE_NAME = "case-keys"


class CaseKeysMissing(ImproperlyConfigured):
    """No usable case-data keys: case data can be neither read nor written."""


def key_id(key: bytes) -> str:
    """A short public identifier of a key (not secret; tells which key encrypted a value)."""
    return hashlib.sha256(b"matis-case-key-id\x00" + key).hexdigest()[:8]


@dataclass(frozen=True)
class KeyRing:
    data_keys: tuple[bytes, ...]
    index_key: bytes

    def __post_init__(self):
        if not self.data_keys:
            raise CaseKeysMissing("The case key ring has no data key.")
        for key in (*self.data_keys, self.index_key):
            if len(key) != KEY_BYTES:
                raise CaseKeysMissing(f"Case keys must be {KEY_BYTES} bytes (base64-encoded).")
        if self.index_key in self.data_keys:
            raise CaseKeysMissing("The blind-index key must differ from every data key.")

    @property
    def newest(self) -> bytes:
        return self.data_keys[0]

    @property
    def newest_id(self) -> str:
        return key_id(self.newest)

    def by_id(self) -> dict[str, bytes]:
        return {key_id(k): k for k in self.data_keys}


def new_key() -> str:
    """A fresh random key, base64-encoded."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def _decode(value: str, where: str) -> bytes:
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise CaseKeysMissing(f"{where}: not valid base64.") from None
    if len(key) != KEY_BYTES:
        raise CaseKeysMissing(f"{where}: a key must be {KEY_BYTES} bytes, not {len(key)}.")
    return key


def parse_key_file(text: str, where: str = "case key file") -> KeyRing:
    data: list[bytes] = []
    index: bytes | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        kind, _, value = line.partition(" ")
        if kind == "data":
            data.append(_decode(value, f"{where}, line {number}"))
        elif kind == "index":
            if index is not None:
                raise CaseKeysMissing(f"{where}, line {number}: a second index key.")
            index = _decode(value, f"{where}, line {number}")
        else:
            raise CaseKeysMissing(
                f"{where}, line {number}: expected 'data <key>' or 'index <key>'."
            )
    if index is None or not data:
        raise CaseKeysMissing(f"{where}: needs one 'index' line and at least one 'data' line.")
    return KeyRing(data_keys=tuple(data), index_key=index)


def render_key_file(ring: KeyRing) -> str:
    lines = [
        "# MATIS case-data keys. Secret: keep apart from database backups.",
        "# 'data' keys newest first; the first encrypts, all decrypt. 'index' keys the blind indexes.",
        f"index {base64.b64encode(ring.index_key).decode()}",
    ]
    lines += [f"data {base64.b64encode(k).decode()}" for k in ring.data_keys]
    return "\n".join(lines) + "\n"


def write_key_file(path: Path, ring: KeyRing) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(render_key_file(ring))
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def default_key_file() -> Path:
    return Path(settings.MATIS_HOME) / KEY_FILE_NAME


def configured_key_file() -> Path | None:
    configured = settings.MATIS_CASE_KEY_FILE
    if configured:
        return Path(configured).expanduser()
    if settings.ENV in {"demo", "test"}:
        return default_key_file()
    return None


def load_keyring() -> KeyRing:
    """Read the key ring from settings or the key file; fail loudly if there is none."""
    data_keys = [k.strip() for k in settings.MATIS_CASE_KEYS if k.strip()]
    if data_keys:
        index_key = (settings.MATIS_CASE_INDEX_KEY or "").strip()
        if not index_key:
            raise CaseKeysMissing("MATIS_CASE_KEYS is set but MATIS_CASE_INDEX_KEY is not.")
        data = tuple(
            _decode(part, f"MATIS_CASE_KEYS item {n}") for n, part in enumerate(data_keys, start=1)
        )
        return KeyRing(data_keys=data, index_key=_decode(index_key, "MATIS_CASE_INDEX_KEY"))
    path = configured_key_file()
    if path is None:
        raise CaseKeysMissing(
            "No case-data keys: set MATIS_CASE_KEYS and MATIS_CASE_INDEX_KEY, or "
            "MATIS_CASE_KEY_FILE. MATIS refuses to read or write case records without them."
        )
    if not path.exists():
        if settings.ENV in {"demo", "test"} and path == default_key_file():
            ring = KeyRing(
                data_keys=(base64.b64decode(new_key()),), index_key=base64.b64decode(new_key())
            )
            write_key_file(path, ring)
            return ring
        raise CaseKeysMissing(f"The case key file {path} does not exist.")
    if path.stat().st_mode & 0o077:
        raise CaseKeysMissing(f"The case key file {path} is readable by others; chmod 600 it.")
    return parse_key_file(path.read_text(encoding="ascii"), where=str(path))


_lock = threading.Lock()
_cached: KeyRing | None = None


def keyring() -> KeyRing:
    """The process's key ring, loaded once (see :func:`reset_keyring`)."""
    global _cached
    if _cached is None:
        with _lock:
            if _cached is None:
                _cached = load_keyring()
    return _cached


def reset_keyring(ring: KeyRing | None = None) -> None:
    """Forget the cached key ring (after rotation), or install ``ring`` (tests)."""
    global _cached
    with _lock:
        _cached = ring
