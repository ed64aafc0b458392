"""ISO 3166-1 countries from ``pycountry``; names in the reader's language from CLDR.

COMMIT members keep the names the MOU uses ("Lao PDR", "Viet Nam"), translated in our
catalogues; every other country is named by CLDR (:mod:`matis.common.l10n`).
"""

from __future__ import annotations

import pycountry
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from matis.common.l10n import cldr_country_name
from matis.common.models import COMMIT_COUNTRIES

COMMIT_COUNTRY_NAMES = {
    "KHM": _("Cambodia"),
    "CHN": _("China"),
    "LAO": _("Lao PDR"),
    "MMR": _("Myanmar"),
    "THA": _("Thailand"),
    "VNM": _("Viet Nam"),
}


def country_name(iso3: str, default: str = "", language: str | None = None) -> str:
    """The name of a country (ISO alpha-3 or alpha-2 code) in the reader's language."""
    code = (iso3 or "").upper()
    if len(code) == 2:
        found = pycountry.countries.get(alpha_2=code)
        code = found.alpha_3 if found else code
    name = COMMIT_COUNTRY_NAMES.get(code)
    if name is not None:
        if language:
            with translation.override(language):
                return str(name)
        return str(name)
    return cldr_country_name(code, language, default=default or iso3)


def iso_country_rows() -> list[dict]:
    """Every ISO 3166-1 country as a row for the Country table."""
    rows = []
    with translation.override("en"):
        english = {iso3: str(name) for iso3, name in COMMIT_COUNTRY_NAMES.items()}
    for c in pycountry.countries:
        name = getattr(c, "common_name", None) or c.name
        rows.append(
            {
                "iso3": c.alpha_3,
                "iso2": c.alpha_2,
                "name": english.get(c.alpha_3, name),
                "is_commit_member": c.alpha_3 in COMMIT_COUNTRIES,
            }
        )
    return rows


def sync_countries(country_model) -> int:
    """Insert or update all ISO countries; returns how many rows changed."""
    existing = {c.iso3: c for c in country_model.objects.all()}
    changed = 0
    for row in iso_country_rows():
        current = existing.get(row["iso3"])
        if current is None:
            country_model.objects.create(**row)
            changed += 1
        elif any(getattr(current, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(current, k, v)
            current.save()
            changed += 1
    return changed
