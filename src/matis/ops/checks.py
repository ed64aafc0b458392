"""MATIS's own deployment checks, run by ``matis check`` (= ``manage check --deploy`` + these).

Each finding says what is wrong and, in its hint, what to do. They are
registered with Django's system-check framework as deploy checks, so
``matis manage check --deploy`` runs them too.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from matis.cases.protection.keys import configured_key_file

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"}
ANY_ADDRESS = {"*", "0.0.0.0", "0.0.0.0/0", "::", "::/0"}  # noqa: S104 - names, not binds


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _key_files() -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    case_keys = configured_key_file() if not settings.MATIS_CASE_KEYS else None
    if case_keys is not None:
        found.append(("MATIS_CASE_KEY_FILE", case_keys))
    for name in ("MATIS_LINKAGE_SECRET_FILE", "MATIS_EXCHANGE_KEY_FILE"):
        value = getattr(settings, name, None)
        if value:
            found.append((name, Path(value).expanduser()))
    return found


@register(Tags.security, deploy=True)
def profile_is_production(app_configs=None, **kwargs):
    if settings.ENV == "production":
        return []
    return [
        Error(
            f"MATIS_ENV is {settings.ENV!r}: this is not a production configuration.",
            hint="Set MATIS_ENV=production (or leave it unset) on a server.",
            id="matis.E001",
        )
    ]


@register(Tags.security, deploy=True)
def keys_apart_from_data(app_configs=None, **kwargs):
    """Key files must not sit beside the database or in MATIS_HOME: one copy would hold both."""
    folders: list[tuple[str, Path]] = [("MATIS_HOME", Path(settings.MATIS_HOME))]
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        folders.append(("the database's folder", Path(db["NAME"]).parent))
    folders.append(("the uploaded-files folder", Path(settings.MEDIA_ROOT)))
    problems = []
    for name, path in _key_files():
        for label, folder in folders:
            if _inside(path, folder):
                problems.append(
                    Error(
                        f"{name} ({path}) is inside {label} ({folder}): a copy of the data "
                        "would carry the keys that decrypt it.",
                        hint=(
                            "Move the file to a folder of its own (e.g. /etc/matis/, mode 0700), "
                            f"point {name} at it, and keep it out of file backups of the data."
                        ),
                        id="matis.E002",
                    )
                )
                break
    return problems


@register(Tags.security, deploy=True)
def secret_key_strength(app_configs=None, **kwargs):
    key = settings.SECRET_KEY or ""
    if (
        len(key) >= settings.SECRET_KEY_MIN_LENGTH
        and len(set(key)) >= settings.SECRET_KEY_MIN_DISTINCT
        and not key.startswith("django-insecure")
    ):
        return []
    return [
        Error(
            f"MATIS_SECRET_KEY is weak: fewer than {settings.SECRET_KEY_MIN_LENGTH} characters "
            f"or fewer than {settings.SECRET_KEY_MIN_DISTINCT} different ones.",
            hint="Generate one with `python3 -c 'import secrets; print(secrets.token_urlsafe(64))'`.",
            id="matis.E003",
        )
    ]


@register(Tags.security, deploy=True)
def debug_off(app_configs=None, **kwargs):
    if not settings.DEBUG:
        return []
    return [
        Error(
            "MATIS_DEBUG is on: error pages would show settings and data.",
            hint="Unset MATIS_DEBUG.",
            id="matis.E004",
        )
    ]


@register(Tags.security, deploy=True)
def mail_configured(app_configs=None, **kwargs):
    problems = []
    if not settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        problems.append(
            Error(
                f"Mail is not sent: the mail backend is {settings.EMAIL_BACKEND}.",
                hint="Run with MATIS_ENV=production and set MATIS_EMAIL_URL (or MATIS_EMAIL_HOST).",
                id="matis.E005",
            )
        )
    sender = settings.DEFAULT_FROM_EMAIL or ""
    if not settings.EMAIL_HOST or sender.endswith("@localhost") or "@" not in sender:
        problems.append(
            Error(
                f"Mail to administrators is not configured (relay {settings.EMAIL_HOST!r}, "
                f"sender {sender!r}): alerts such as a parked exchange item would not arrive.",
                hint="Set MATIS_EMAIL_URL (e.g. smtp://user:password@relay:587/?tls=1), or "
                "MATIS_EMAIL_HOST (and MATIS_EMAIL_PORT, MATIS_EMAIL_TLS), to your SMTP "
                "relay and MATIS_EMAIL_FROM to a real sender address of your domain.",
                id="matis.E006",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def two_factor_enforced(app_configs=None, **kwargs):
    if getattr(settings, "MATIS_REQUIRE_2FA", False):
        return []
    return [
        Warning(
            "Two-factor sign-in is not enforced: a stolen password opens an account.",
            hint="Set MATIS_REQUIRE_2FA=1.",
            id="matis.W007",
        )
    ]


@register(Tags.security, deploy=True)
def allowed_hosts_set(app_configs=None, **kwargs):
    hosts = [h for h in settings.ALLOWED_HOSTS if h]
    if any(h in ANY_ADDRESS or h == "." for h in hosts):
        return [
            Error(
                "MATIS_ALLOWED_HOSTS accepts any host name.",
                hint="List the public host name(s) of this server, e.g. matis.example.go.th.",
                id="matis.E008",
            )
        ]
    if not [h for h in hosts if h not in LOCAL_HOSTS]:
        return [
            Error(
                "MATIS_ALLOWED_HOSTS names only this machine: users cannot reach MATIS by its "
                "public name.",
                hint="Set MATIS_ALLOWED_HOSTS to the public host name(s), comma-separated.",
                id="matis.E008",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def https_and_proxy(app_configs=None, **kwargs):
    problems = []
    if not settings.SESSION_COOKIE_SECURE:
        problems.append(
            Warning(
                "Cookies are not marked Secure and HSTS is off (MATIS_INSECURE_HTTP or a "
                "non-production profile).",
                hint="Serve MATIS behind a TLS proxy and unset MATIS_INSECURE_HTTP.",
                id="matis.W009",
            )
        )
    proxies = list(settings.TRUSTED_PROXIES)
    if any(p in ANY_ADDRESS for p in proxies):
        problems.append(
            Error(
                "MATIS_TRUSTED_PROXY trusts every address: any client could forge its address "
                "and scheme.",
                hint="Name only the address(es) of the TLS proxy in front of `matis serve`.",
                id="matis.E010",
            )
        )
    if getattr(settings, "SECURE_SSL_REDIRECT", False) and not proxies:
        problems.append(
            Error(
                "HTTPS redirection is on but no TLS proxy is trusted: `matis serve` would see "
                "every proxied request as plain HTTP and redirect it again (a loop).",
                hint="Set MATIS_TRUSTED_PROXY to the address of the TLS proxy.",
                id="matis.E011",
            )
        )
    if settings.SESSION_COOKIE_SECURE:
        plain = [o for o in settings.CSRF_TRUSTED_ORIGINS if o.startswith("http://")]
        if plain:
            problems.append(
                Warning(
                    f"MATIS_CSRF_TRUSTED_ORIGINS lists plain-HTTP origins: {', '.join(plain)}.",
                    hint="Use https:// origins only.",
                    id="matis.W012",
                )
            )
    return problems
