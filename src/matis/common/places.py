"""Provinces, states and regions of the COMMIT countries (ISO 3166-2), from ``pycountry``.

Source: the ISO 3166-2 data and translations of Debian's iso-codes project, as
shipped in ``pycountry`` (LGPL-2.1); see ``docs/user-guide`` "Places". Names:

* ``name`` — the ISO 3166-2 name: a romanisation for Cambodia, China, Laos,
  Myanmar and Thailand, Vietnamese for Viet Nam;
* ``names[lang]`` — the iso-codes translation for each MATIS language where it
  exists (Thai names of Thai provinces, Lao of Lao ones, Chinese of Chinese
  ones, and many cross-border ones). Where there is none, the ISO name is shown.
"""

from __future__ import annotations

import gettext

import pycountry
from django import forms
from django.utils.translation import get_language

from matis.common.models import COMMIT_COUNTRIES

# MATIS language code -> iso-codes catalogue name
CATALOGUES = {"th": "th", "km": "km", "lo": "lo", "my": "my", "zh-hans": "zh_CN", "vi": "vi"}


def _translations() -> dict[str, gettext.NullTranslations]:
    out = {}
    for lang, catalogue in CATALOGUES.items():
        try:
            out[lang] = gettext.translation(
                "iso3166-2", pycountry.LOCALES_DIR, languages=[catalogue]
            )
        except OSError:  # no catalogue for this language (Burmese, today)
            continue
    return out


def subdivision_rows() -> list[dict]:
    """Every top-level ISO 3166-2 subdivision of the six COMMIT countries."""
    translations = _translations()
    rows = []
    for iso3 in COMMIT_COUNTRIES:
        iso2 = pycountry.countries.get(alpha_3=iso3).alpha_2
        for sub in pycountry.subdivisions.get(country_code=iso2) or []:
            if getattr(sub, "parent_code", None):
                continue
            names = {}
            for lang, catalogue in translations.items():
                local = catalogue.gettext(sub.name)
                if local != sub.name:
                    names[lang] = local
            rows.append(
                {
                    "code": sub.code,
                    "country_id": iso3,
                    "name": sub.name,
                    "kind": sub.type,
                    "names": names,
                }
            )
    return sorted(rows, key=lambda r: r["code"])


def sync_subdivisions(subdivision_model) -> int:
    """Insert or update the COMMIT countries' subdivisions; returns how many rows changed."""
    existing = {s.code: s for s in subdivision_model.objects.all()}
    changed = 0
    for row in subdivision_rows():
        current = existing.get(row["code"])
        if current is None:
            subdivision_model.objects.create(**row)
            changed += 1
        elif any(getattr(current, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(current, k, v)
            current.save()
            changed += 1
    return changed


# ISO 3166-1 alpha-2 -> the MATIS language of the ``name_local`` column of districts.csv
LOCAL_LANGUAGE = {"TH": "th", "KH": "km", "LA": "lo", "MM": "my", "CN": "zh-hans"}


def district_rows() -> list[dict]:
    """The districts of ``data/districts.csv`` (see ``data/SOURCE.md``), checked.

    ``name_local`` (the name in the country's script) becomes ``names`` under
    the country's language (:data:`LOCAL_LANGUAGE`). A row whose province is not
    an ISO 3166-2 subdivision MATIS knows, or whose code repeats, stops the load
    with the line named.
    """
    import csv
    from pathlib import Path

    known = {row["code"] for row in subdivision_rows()}
    path = Path(__file__).resolve().parent / "data" / "districts.csv"
    rows, seen = [], set()
    with path.open(encoding="utf-8", newline="") as f:
        for line, r in enumerate(csv.DictReader(f), start=2):
            if r["subdivision"] not in known:
                raise ValueError(f"{path.name} line {line}: unknown province {r['subdivision']!r}")
            if r["code"] in seen:
                raise ValueError(f"{path.name} line {line}: code {r['code']!r} repeats")
            seen.add(r["code"])
            local = r.get("name_local") or ""
            language = LOCAL_LANGUAGE.get(r["subdivision"][:2])
            names = {language: local} if local and language else {}
            rows.append(
                {
                    "code": r["code"],
                    "subdivision_id": r["subdivision"],
                    "name": r["name"],
                    "names": names,
                }
            )
    return rows


def sync_districts(district_model) -> int:
    """Insert or update the districts of ``data/districts.csv``; returns how many rows changed."""
    existing = {d.code: d for d in district_model.objects.all()}
    new, changed = [], 0
    for row in district_rows():
        current = existing.get(row["code"])
        if current is None:
            new.append(district_model(**row))
        elif any(getattr(current, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(current, k, v)
            current.save()
            changed += 1
    district_model.objects.bulk_create(new, batch_size=500)
    return changed + len(new)


def subdivision_name(name: str, names: dict, language: str | None = None) -> str:
    """``name`` in ``language`` (default: the active one) where a translation is known."""
    language = (language or get_language() or "en").lower()
    return (names or {}).get(language) or name


class SubdivisionSelect(forms.Select):
    """A select whose options carry their country (``data-country``) for narrowing."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-country"] = instance.country_id
        return option


class ProvinceMapSelect(SubdivisionSelect):
    """A province select followed by a clickable map of the provinces it lists
    (:mod:`matis.common.map_picker`); the select stays the control."""

    def render(self, name, value, attrs=None, renderer=None):
        from django.utils.html import format_html

        from matis.common.map_picker import province_map_html

        html = super().render(name, value, attrs, renderer)
        select_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        queryset = getattr(self.choices, "queryset", None)
        countries = (
            sorted(set(queryset.values_list("country_id", flat=True)))
            if queryset is not None
            else []
        )
        selected = str(value) if value else None
        # both parts are rendered templates (escaped there)
        return format_html("{}{}", html, province_map_html(select_id, countries, selected))


class _ByDisplayName(forms.models.ModelChoiceIterator):
    """Provinces listed in the alphabetical order of the names the reader sees."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        label = self.field.label_from_instance
        for obj in sorted(self.queryset, key=lambda o: (o.country_id, label(o))):
            yield self.choice(obj)


class SubdivisionField(forms.ModelChoiceField):
    """A province, listed in the reader's language, narrowed by the country select named
    ``narrowed_by`` (``matis.js``; without JavaScript all are listed); ``with_map``
    adds a clickable map of the provinces listed (:class:`ProvinceMapSelect`)."""

    def __init__(self, *, narrowed_by: str = "", with_map: bool = False, **kwargs):
        from matis.common.models import Subdivision

        attrs = {"data-narrowed-by": narrowed_by} if narrowed_by else {}
        widget = ProvinceMapSelect if with_map else SubdivisionSelect
        kwargs.setdefault("widget", widget(attrs=attrs))
        super().__init__(queryset=Subdivision.objects.order_by("country_id", "name"), **kwargs)

    iterator = _ByDisplayName

    def label_from_instance(self, obj):
        return obj.display_name


class DistrictSelect(forms.Select):
    """A select whose options carry their province (``data-parent``) for narrowing."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-parent"] = instance.subdivision_id
        return option


class _DistrictsByDisplayName(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        label = self.field.label_from_instance
        for obj in sorted(self.queryset, key=lambda o: (o.subdivision_id, label(o))):
            yield self.choice(obj)


class DistrictField(forms.ModelChoiceField):
    """An optional district, listed in the reader's language, narrowed by the province
    select named ``narrowed_by`` (``matis.js``; without JavaScript all are listed).

    A form using it checks :func:`check_district` in its ``clean``.
    """

    def __init__(self, *, narrowed_by: str = "", **kwargs):
        from matis.common.models import District

        attrs = {"data-narrowed-by": narrowed_by} if narrowed_by else {}
        kwargs.setdefault("widget", DistrictSelect(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(queryset=District.objects.order_by("subdivision_id", "name"), **kwargs)

    iterator = _DistrictsByDisplayName

    def label_from_instance(self, obj):
        return obj.display_name


def check_district(district, subdivision) -> str | None:
    """An error message when ``district`` is not in ``subdivision`` (either may be None)."""
    from django.utils.translation import gettext as _

    if district is None:
        return None
    if subdivision is None or district.subdivision_id != subdivision.code:
        return _("This district is not in the province chosen.")
    return None
