"""Exchange configuration: checked views of the ``MATIS_EXCHANGE_*`` / ``MATIS_LINKAGE_*`` settings.

The environment is read by :mod:`matis.settings` only; this module checks the
values when they are needed: a national instance that never pushes needs no
hub address, and the hub needs no national key. Secrets are never given a
literal default; production fails loudly when one is missing, the demo
generates them in ``MATIS_HOME`` (mode 0600) and the tests generate
throw-away ones.

National instance (``MATIS_ROLE=national``, ``MATIS_COUNTRY=THA``):

``MATIS_EXCHANGE_HUB_URL``
    Base URL of the regional hub, e.g. ``https://hub.example.org/``.
``MATIS_EXCHANGE_KEY_ID`` and ``MATIS_EXCHANGE_SECRET``
    This country's current credential at the hub; or
    ``MATIS_EXCHANGE_KEY_FILE``, a file holding ``<key id> <secret>``.
``MATIS_LINKAGE_SECRET`` / ``MATIS_LINKAGE_SECRET_FILE``
    The linkage secret the six governments share (at least 16 bytes).

Both: ``MATIS_EXCHANGE_K`` (k-anonymity, default 11; ``MATIS_DISCLOSURE["k_anonymity"]``),
``MATIS_EXCHANGE_REPLAY_SECONDS`` (signature freshness window, default 300),
``MATIS_EXCHANGE_BACKOFF_BASE`` / ``_MAX`` (retry delays in seconds),
``MATIS_EXCHANGE_MAX_FAILURES`` (server errors in a row before an item is parked),
``MATIS_EXCHANGE_LEASE_SECONDS`` (how long a pusher holds the item it sends),
``MATIS_LINKAGE_MIN_PRECISION`` (share of re-trafficking alerts that must be the
same person, on the calibration set; it sets the Dice threshold),
``MATIS_LINKAGE_THRESHOLD`` (an explicit Dice threshold instead, precision unknown),
``MATIS_LINKAGE_BACKEND`` (``duckdb``, ``numpy`` or ``spark``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

LINKAGE_SECRET_FILE = "linkage-secret"  # noqa: S105 - a file name, not a secret
LINKAGE_BACKENDS = ("duckdb", "numpy", "spark")


class ExchangeNotConfigured(ImproperlyConfigured):
    """A setting the exchange needs is missing (named in the message)."""


def _setting(name: str) -> str:
    """A text setting ("" when unset); file settings come as paths."""
    value = getattr(settings, name, "")
    return "" if value is None else str(value).strip()


def _number(name: str, value, *, minimum: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ExchangeNotConfigured(f"{name} must be a number, not {value!r}") from None
    if number < minimum:
        raise ExchangeNotConfigured(f"{name} must be at least {minimum}, not {value!r}")
    return number


def _generated_secret(path: Path) -> str:
    """A secret kept in ``path`` for the demo: created once, mode 0600."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _may_generate() -> bool:
    return settings.ENV in {"demo", "test"}


def role() -> str:
    return settings.MATIS_ROLE


def is_hub() -> bool:
    """True where the hub endpoints run: the regional hub, or the one-database demo."""
    if settings.MATIS_ROLE == "regional":
        return True
    return bool(settings.MATIS_EXCHANGE_LOCAL_HUB)


def is_national() -> bool:
    return settings.MATIS_ROLE == "national"


def national_country() -> str | None:
    """This national instance's country (ISO alpha-3), or None (demo: every country)."""
    return settings.MATIS_COUNTRY


def k_anonymity() -> int:
    """k of the de-identified releases (``MATIS_DISCLOSURE["k_anonymity"]``, ``MATIS_EXCHANGE_K``)."""
    return int(_number("MATIS_EXCHANGE_K", settings.MATIS_DISCLOSURE["k_anonymity"], minimum=2))


def l_diversity() -> int:
    """l of distinct l-diversity of de-identified releases (``MATIS_DISCLOSURE["l_diversity"]``)."""
    return int(_number("MATIS_EXCHANGE_L", settings.MATIS_DISCLOSURE["l_diversity"], minimum=1))


def max_suppression() -> float:
    """Share of records k-anonymisation may suppress (``MATIS_DISCLOSURE["max_suppression"]``)."""
    return float(settings.MATIS_DISCLOSURE["max_suppression"])


def replay_window_seconds() -> int:
    return int(
        _number("MATIS_EXCHANGE_REPLAY_SECONDS", settings.MATIS_EXCHANGE_REPLAY_SECONDS, minimum=5)
    )


def backoff_base_seconds() -> float:
    return _number("MATIS_EXCHANGE_BACKOFF_BASE", settings.MATIS_EXCHANGE_BACKOFF_BASE, minimum=0)


def backoff_max_seconds() -> float:
    return _number("MATIS_EXCHANGE_BACKOFF_MAX", settings.MATIS_EXCHANGE_BACKOFF_MAX, minimum=0)


def max_failures() -> int:
    """Server errors in a row after which an outbox item is parked."""
    return int(
        _number("MATIS_EXCHANGE_MAX_FAILURES", settings.MATIS_EXCHANGE_MAX_FAILURES, minimum=1)
    )


def lease_seconds() -> float:
    """How long a pusher holds the item it is sending (a crashed pusher's claim then lapses)."""
    return _number("MATIS_EXCHANGE_LEASE_SECONDS", settings.MATIS_EXCHANGE_LEASE_SECONDS, minimum=1)


def linkage_threshold() -> float:
    """The Dice threshold of a re-trafficking alert.

    ``MATIS_LINKAGE_THRESHOLD`` when set; otherwise the threshold calibrated
    for ``MATIS_LINKAGE_MIN_PRECISION`` on a labelled set where a third and
    two thirds of records have no counterpart (docs/methods/linkage.md).
    """
    explicit = getattr(settings, "MATIS_LINKAGE_THRESHOLD", None)
    if explicit is not None:
        value = _number("MATIS_LINKAGE_THRESHOLD", explicit, minimum=0.0)
        if value > 1.0:
            raise ExchangeNotConfigured("MATIS_LINKAGE_THRESHOLD must be between 0 and 1")
        return value
    precision = _number(
        "MATIS_LINKAGE_MIN_PRECISION",
        getattr(settings, "MATIS_LINKAGE_MIN_PRECISION", 0.95),
        minimum=0.0,
    )
    from tipstats import linkage

    try:
        return linkage.dice_threshold_for_precision(precision)
    except ValueError as error:
        raise ExchangeNotConfigured(f"MATIS_LINKAGE_MIN_PRECISION: {error}") from None


def linkage_backend() -> str:
    name = _setting("MATIS_LINKAGE_BACKEND") or "duckdb"
    if name not in LINKAGE_BACKENDS:
        raise ExchangeNotConfigured(
            f"MATIS_LINKAGE_BACKEND must be one of {', '.join(LINKAGE_BACKENDS)}, not {name!r}"
        )
    return name


def spark_config():
    """The matching job's :class:`tipstats.linkage.spark.SparkConfig` (``MATIS_SPARK_*``)."""
    from tipstats.linkage.spark import SparkConfig

    partitions = int(_number("MATIS_SPARK_PARTITIONS", settings.MATIS_SPARK_PARTITIONS, minimum=1))
    cores = int(
        _number("MATIS_SPARK_EXECUTOR_CORES", settings.MATIS_SPARK_EXECUTOR_CORES, minimum=0)
    )
    return SparkConfig(
        master=settings.MATIS_SPARK_MASTER or "local[*]",
        app_name="matis-hub-matching",
        executor_memory=settings.MATIS_SPARK_EXECUTOR_MEMORY or None,
        executor_cores=cores or None,
        driver_memory=settings.MATIS_SPARK_DRIVER_MEMORY or None,
        partitions=partitions,
        options=(("spark.ui.enabled", "false"),),
    )


def spark_workdir() -> Path:
    """Where the hub and the Spark job exchange Parquet (``MATIS_SPARK_WORKDIR``)."""
    configured = settings.MATIS_SPARK_WORKDIR
    return Path(configured) if configured else Path(settings.MATIS_HOME) / "linkage"


def hub_url() -> str:
    url = _setting("MATIS_EXCHANGE_HUB_URL")
    if not url:
        if settings.ENV == "demo":
            return "local:"
        raise ExchangeNotConfigured(
            "MATIS_EXCHANGE_HUB_URL is not set: the national instance does not know the hub."
        )
    return url if url.endswith("/") or url == "local:" else url + "/"


@dataclass(frozen=True)
class Credential:
    key_id: str
    secret: str

    def __repr__(self) -> str:  # never print the secret
        return f"Credential(key_id={self.key_id!r})"


def national_credential() -> Credential:
    """This country's key at the hub; fails loudly when it is missing (demo: generated)."""
    key_id, secret = _setting("MATIS_EXCHANGE_KEY_ID"), _setting("MATIS_EXCHANGE_SECRET")
    key_file = _setting("MATIS_EXCHANGE_KEY_FILE")
    if not (key_id and secret) and key_file:
        try:
            parts = Path(key_file).read_text().split()
        except OSError as exc:
            raise ExchangeNotConfigured(f"MATIS_EXCHANGE_KEY_FILE cannot be read: {exc}") from None
        if len(parts) != 2:
            raise ExchangeNotConfigured(
                "MATIS_EXCHANGE_KEY_FILE must hold two words: the key id and the secret"
            )
        key_id, secret = parts
    if key_id and secret:
        if len(secret) < 32:
            raise ExchangeNotConfigured("the exchange secret must be at least 32 characters")
        return Credential(key_id, secret)
    raise ExchangeNotConfigured(
        "No exchange credential: set MATIS_EXCHANGE_KEY_ID and MATIS_EXCHANGE_SECRET, "
        "or MATIS_EXCHANGE_KEY_FILE."
    )


def linkage_secret() -> bytes:
    """The linkage secret shared by the governments (demo and tests: generated locally)."""
    raw = _setting("MATIS_LINKAGE_SECRET")
    path = _setting("MATIS_LINKAGE_SECRET_FILE")
    if not raw and path:
        try:
            raw = Path(path).read_text().strip()
        except OSError as exc:
            raise ExchangeNotConfigured(
                f"MATIS_LINKAGE_SECRET_FILE cannot be read: {exc}"
            ) from None
    if not raw:
        if not _may_generate():
            raise ExchangeNotConfigured(
                "MATIS_LINKAGE_SECRET (or MATIS_LINKAGE_SECRET_FILE) is not set: linkage "
                "tokens cannot be made without the secret the governments share."
            )
        raw = _generated_secret(Path(settings.MATIS_HOME) / LINKAGE_SECRET_FILE)
    if len(raw.encode("utf-8")) < 16:
        raise ExchangeNotConfigured("the linkage secret must be at least 16 bytes")
    return raw.encode("utf-8")
