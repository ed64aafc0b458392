"""Build ``country_aliases.csv`` from open sources (run by hand; see SOURCE.md).

    python src/matis/common/data/build_country_aliases.py \
        COUNTRY_CODES_CSV CLDR_JSON_DIR MLEDOZE_COUNTRIES_JSON

Each source adds (iso3, alias, language, kind, source) rows. Two sources that
give one lookup key (:func:`matis.common.aliases.alias_key`) to different
countries are settled by source priority (the order below); a clash within one
source drops the form (it names no single country) and is printed.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import pycountry

from matis.common.aliases import ALIAS_COLUMNS, alias_key

HERE = Path(__file__).parent
UN_LANGUAGES = {
    "English": "en",
    "French": "fr",
    "Spanish": "es",
    "Russian": "ru",
    "Chinese": "zh",
    "Arabic": "ar",
}
OFFICIAL_NAME_COLUMNS = {
    "official_name_en": "en",
    "official_name_fr": "fr",
    "official_name_es": "es",
    "official_name_ru": "ru",
    "official_name_cn": "zh",
    "official_name_ar": "ar",
}
CLDR_LOCALES = ("en", "fr", "es", "ru", "zh", "ar", "zh-Hant", "th", "km", "lo", "my", "vi")
MLEDOZE_LANGUAGES = {"fra": "fr", "spa": "es", "rus": "ru", "zho": "zh", "ara": "ar"}
ARTICLE = re.compile(r"\s*\((?:the|l'|le|la|les|el|los|las)\)\s*$", re.IGNORECASE)
LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)


def alpha3(alpha2: str) -> str | None:
    country = pycountry.countries.get(alpha_2=alpha2)
    return country.alpha_3 if country else None


def extra_rows():
    with (HERE / "country_aliases_extra.csv").open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def unterm_rows(path: Path):
    source = "UNTERM via datasets/country-codes"
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            iso3 = row["ISO3166-1-Alpha-3"]
            if not iso3:
                continue
            for lang_name, lang in UN_LANGUAGES.items():
                for form, kind in (("Short", "name"), ("Formal", "official")):
                    text = row.get(f"UNTERM {lang_name} {form}", "").strip()
                    if not text:
                        continue
                    yield iso3, text, lang, kind, source
                    plain = (
                        LEADING_THE.sub("", ARTICLE.sub("", text))
                        if lang == "en"
                        else ARTICLE.sub("", text)
                    )
                    if plain != text:
                        yield iso3, plain, lang, kind, source
            for column, lang in OFFICIAL_NAME_COLUMNS.items():
                if row.get(column, "").strip():
                    yield (
                        iso3,
                        row[column].strip(),
                        lang,
                        "name",
                        "UN M49 via datasets/country-codes",
                    )
            if row.get("CLDR display name", "").strip():
                yield (
                    iso3,
                    row["CLDR display name"].strip(),
                    "en",
                    "name",
                    "CLDR via datasets/country-codes",
                )


def cldr_rows(root: Path):
    for locale in CLDR_LOCALES:
        path = root / "cldr-localenames-full" / "main" / locale / "territories.json"
        names = json.loads(path.read_text(encoding="utf-8"))["main"][locale]
        for code, text in names["localeDisplayNames"]["territories"].items():
            iso3 = alpha3(code.split("-alt-")[0]) if code[:2].isalpha() else None
            if iso3:
                yield iso3, text, locale, "name", "CLDR 47 territories"


PARENTHESIS = re.compile(r"^(.+?)\s*[(（](.+?)[)）]$")


def cldr_part_rows(root: Path):
    """ "Myanmar (Burma)", "เมียนมา (พม่า)": each part alone, as a lower-priority variant."""
    for iso3, text, locale, _kind, source in cldr_rows(root):
        match = PARENTHESIS.match(text)
        if match:
            for part in match.groups():
                yield iso3, part.strip(), locale, "variant", source + " (part of a name)"


def mledoze_rows(path: Path):
    source = "mledoze/countries"
    for c in json.loads(path.read_text(encoding="utf-8")):
        iso3 = c["cca3"]
        yield iso3, c["name"]["common"], "en", "name", source
        yield iso3, c["name"]["official"], "en", "official", source
        for text in c.get("altSpellings", []):
            if len(text) > 2:
                yield iso3, text, "", "variant", source
        for code, lang in MLEDOZE_LANGUAGES.items():
            tr = c.get("translations", {}).get(code)
            if tr:
                yield iso3, tr["common"], lang, "name", source
                yield iso3, tr["official"], lang, "official", source


def mledoze_demonyms(path: Path):
    for c in json.loads(path.read_text(encoding="utf-8")):
        for code, lang in (("eng", "en"), ("fra", "fr")):
            for text in set((c.get("demonyms", {}).get(code) or {}).values()):
                if text:
                    yield c["cca3"], text, lang, "demonym", "mledoze/countries demonyms"


def iso3166_3_rows():
    for c in pycountry.historic_countries:
        successor = alpha3(c.alpha_4[2:])
        if successor is None or c.alpha_4[2:] in {"HH", "XX", "AQ"}:
            continue
        for text in {c.name, c.name.split(",")[0]}:
            yield successor, text.strip(), "en", "historical", "ISO 3166-3 via pycountry"


def independent_countries(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return {r["ISO3166-1-Alpha-3"] for r in csv.DictReader(f) if r["is_independent"] == "Yes"}


def main(country_codes: str, cldr_dir: str, mledoze: str) -> None:
    current = {c.alpha_3 for c in pycountry.countries}
    sources = [
        list(extra_rows()),
        list(unterm_rows(Path(country_codes))),
        list(cldr_rows(Path(cldr_dir))),
        list(mledoze_rows(Path(mledoze))),
        list(iso3166_3_rows()),
        list(cldr_part_rows(Path(cldr_dir))),
        list(mledoze_demonyms(Path(mledoze))),
    ]
    independent = independent_countries(Path(country_codes))
    chosen: dict[str, tuple] = {}
    for rows in sources:
        level: dict[str, list[tuple]] = {}
        for row in rows:
            row = tuple(row.values()) if isinstance(row, dict) else row
            key = alias_key(row[1])
            if key and row[0] in current and key not in chosen:
                level.setdefault(key, []).append(row)
        for key, candidates in level.items():
            countries = {r[0] for r in candidates}
            if len(countries) > 1:
                # "French": France, not the French Southern Territories.
                countries &= independent
            if len(countries) != 1:
                print(
                    f"ambiguous, left out: {candidates[0][1]!r} ({' / '.join(sorted({r[0] for r in candidates}))})",
                    file=sys.stderr,
                )
                continue
            (iso3,) = countries
            chosen[key] = next(r for r in candidates if r[0] == iso3)
    out = HERE / "country_aliases.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(ALIAS_COLUMNS)
        writer.writerows(sorted(chosen.values(), key=lambda r: (r[0], r[2], r[1])))
    print(f"{len(chosen)} aliases of {len({r[0] for r in chosen.values()})} countries -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
