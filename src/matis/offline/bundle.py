"""What a device downloads for offline work: instruments, code lists, providers.

The code lists are read from the very forms the web pages use (and the sync
validates with), so the device offers exactly the values the server accepts.
"""

from __future__ import annotations

import hashlib
from functools import cache

from django.contrib.staticfiles.storage import staticfiles_storage
from django.utils.translation import get_language

from matis import __version__
from matis.access.models import User
from matis.cases import forms as case_forms
from matis.cases import screening as instruments

# OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about half a second on a phone.
PBKDF2_ITERATIONS = 600_000
SHELL_ASSETS = (
    "matis/css/matis.css",
    "matis/js/matis.js",
    "matis/img/favicon.svg",
    "offline/offline.css",
    "offline/offline.js",
    "offline/icons/icon-192.png",
    "offline/icons/icon-512.png",
)

PERSON_FIELDS = ("gender", "primary_citizenship", "exploitation_types")
SCREENING_FIELDS = ("language",)
CONSENT_FIELDS = ("purpose", "given_by", "language")
REFERRAL_FIELDS = ("provider", "reason", "services")


def _choices(field) -> list[list[str]]:
    out = []
    for value, label in field.choices:
        value = "" if value is None else str(getattr(value, "value", value))
        if value:
            out.append([value, str(label)])
    return out


def _lists(form, names) -> dict[str, list[list[str]]]:
    return {name: _choices(form.fields[name]) for name in names}


def build(*, user: User) -> dict:
    """The bundle for this user (the user's country's providers), in the current language."""
    country_id = user.country_id
    tools = list(instruments.instruments().values())
    return {
        "language": get_language(),
        "instruments": [
            {
                "slug": tool.slug,
                "version": tool.version,
                "title": tool.title,
                "applies_to": tool.applies_to,
                "indicators": [{"code": i.code, "text": i.text} for i in tool.indicators],
            }
            for tool in tools
        ],
        "lists": {
            **_lists(case_forms.RegisterForm(), PERSON_FIELDS),
            **_lists(case_forms.ScreeningForm(instrument=tools[0]), SCREENING_FIELDS),
            **{
                f"consent_{k}": v
                for k, v in _lists(
                    case_forms.ConsentForm(country_id=country_id), CONSENT_FIELDS
                ).items()
            },
            **_lists(case_forms.ReferralForm(country_id=country_id), REFERRAL_FIELDS),
        },
    }


def shell_urls() -> list[str]:
    return [staticfiles_storage.url(path) for path in SHELL_ASSETS]


@cache
def shell_version() -> str:
    """Changes when an asset of the shell changes (hashed names) or MATIS is upgraded."""
    text = "|".join([__version__, *shell_urls()])
    return hashlib.sha256(text.encode()).hexdigest()[:12]
