"""Country names in every form files use, mapped to ISO 3166-1 alpha-3 codes.

Published files name one country in many ways: "Viet Nam", "Vietnam",
"Việt Nam", "Vietnamese", "Viêt Nam" (French), "越南", "Вьетнам", "Burma" for
Myanmar. The :class:`~matis.common.models.CountryAlias` table holds these forms
as data (``data/country_aliases.csv``, built from UN and CLDR sources; see
``data/SOURCE.md``); an administrator adds or deactivates forms in the admin
site. Every form is looked up by :func:`alias_key`, so case, accents on Latin,
Greek and Cyrillic letters, punctuation and spacing do not matter.

Loading is idempotent: :func:`country_aliases_load` adds the file's forms that
the table lacks and leaves the rest as an administrator may have edited them
(``update=True`` resets the file's forms to the file's values). It runs after
every ``migrate`` (so install and demo get the table filled) and as
``matis statistics load-aliases``.
"""

from __future__ import annotations

import csv
import difflib
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from django.db import transaction

ALIAS_FILE = "country_aliases.csv"
ALIAS_COLUMNS = ("iso3", "alias", "language", "kind", "source")
# Marks on letters of these scripts are accents ("Việt" = "Viet"); marks on
# Thai, Lao, Khmer, Myanmar or Arabic letters are part of the spelling and stay.
_ACCENTED_SCRIPTS_END = 0x0530  # Latin, Greek, Cyrillic
_NO_DECOMPOSITION = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"})


def alias_key(text: str) -> str:
    """The lookup key of a name: casefolded, without accents, punctuation or spaces.

    >>> alias_key("Việt Nam") == alias_key("viet-nam") == alias_key(" VIETNAM ")
    True
    >>> alias_key("Lao People’s Democratic Republic") == alias_key("Lao People's Democratic Republic")
    True
    """
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_NO_DECOMPOSITION))
    kept = []
    accentable = False
    for ch in decomposed:
        category = unicodedata.category(ch)
        if category[0] == "M":
            if not accentable:
                kept.append(ch)
            continue
        accentable = ord(ch) < _ACCENTED_SCRIPTS_END
        if category[0] in "PZSC":  # punctuation, spaces, symbols, controls
            continue
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)).casefold()


def alias_file_path() -> Path:
    return Path(str(resources.files("matis.common") / "data" / ALIAS_FILE))


class AliasFileError(ValueError):
    """The alias file is malformed; the message names the line."""


def read_alias_file(path: Path | None = None) -> list[dict[str, str]]:
    """The rows of the alias file, checked: every line names a known column layout and a name."""
    path = path or alias_file_path()
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != ALIAS_COLUMNS:
            raise AliasFileError(
                f"{path.name} line 1: the columns must be {','.join(ALIAS_COLUMNS)}"
            )
        for row in reader:
            where = f"{path.name} line {reader.line_num}"
            iso3 = (row["iso3"] or "").strip().upper()
            if len(iso3) != 3 or not iso3.isalpha():
                raise AliasFileError(f"{where}: {row['iso3']!r} is not an alpha-3 code")
            if not alias_key(row["alias"] or ""):
                raise AliasFileError(f"{where}: the alias is empty")
            rows.append({**row, "iso3": iso3, "alias": row["alias"].strip()})
    return rows


@dataclass
class AliasLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_unknown_country: int = 0

    def __str__(self) -> str:
        text = (
            f"country aliases: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )
        if self.skipped_unknown_country:
            text += f", {self.skipped_unknown_country} skipped (country not in the table)"
        return text


@transaction.atomic
def country_aliases_load(
    path: Path | None = None, *, update: bool = False, actor=None, audit: bool = True
) -> AliasLoadResult:
    """Add the file's aliases the table lacks (``update``: also reset the file's ones).

    Audited, except the silent fill after ``migrate`` (``audit=False``), which
    like the ISO country list is reference data every database gets.
    """
    from matis.access.audit import audit_record
    from matis.access.models import AuditAction
    from matis.common.models import Country, CountryAlias

    rows = read_alias_file(path)
    countries = set(Country.objects.values_list("iso3", flat=True))
    existing = {a.key: a for a in CountryAlias.objects.all()}
    result = AliasLoadResult()
    new: list[CountryAlias] = []
    changed: list[CountryAlias] = []
    for row in rows:
        if row["iso3"] not in countries:
            result.skipped_unknown_country += 1
            continue
        key = alias_key(row["alias"])
        values = {
            "alias": row["alias"][:200],
            "country_id": row["iso3"],
            "language": (row["language"] or "")[:20],
            "kind": row["kind"] or CountryAlias.Kind.NAME,
            "source": (row["source"] or "")[:100],
        }
        current = existing.get(key)
        if current is None:
            alias = CountryAlias(key=key, **values)
            new.append(alias)
            existing[key] = alias
        elif update and any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            changed.append(current)
        else:
            result.unchanged += 1
    CountryAlias.objects.bulk_create(new, batch_size=2000)
    if changed:
        CountryAlias.objects.bulk_update(
            changed, ["alias", "country_id", "language", "kind", "source"], batch_size=2000
        )
    result.created, result.updated = len(new), len(changed)
    if audit and (new or changed):
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type=ALIAS_OBJECT_TYPE,
            file=ALIAS_FILE if path is None else Path(path).name,
            created=result.created,
            updated=result.updated,
        )
    return result


class CountryNames:
    """Active aliases by key, loaded in one query, for an import's row-by-row lookups."""

    def __init__(self, by_key: dict[str, str]):
        self.by_key = by_key
        self._known: list[str] | None = None
        self._display: dict[str, str] = {}
        self._nearest: dict[tuple[str, int], list[str]] = {}

    @classmethod
    def load(cls) -> CountryNames:
        from matis.common.models import Country, CountryAlias

        by_key: dict[str, str] = {}
        display: dict[str, str] = {}
        for key, iso3, alias in CountryAlias.objects.filter(is_active=True).values_list(
            "key", "country_id", "alias"
        ):
            by_key[key] = iso3
            display[key] = alias
        # The table's own names and codes always resolve, even with no alias loaded.
        for iso3, name in Country.objects.values_list("iso3", "name"):
            for text in (iso3, name):
                by_key.setdefault(alias_key(text), iso3)
                display.setdefault(alias_key(text), text)
        self = cls(by_key)
        self._display = display
        return self

    def resolve(self, text: str) -> str | None:
        """The alpha-3 code a name stands for, or None."""
        key = alias_key(text)
        return self.by_key.get(key) if key else None

    def nearest(self, text: str, n: int = 3) -> list[str]:
        """The known names closest to ``text`` (for an error message), as ``name (ISO3)``."""
        cached = self._nearest.get((text, n))
        if cached is not None:
            return cached
        if self._known is None:
            self._known = list(self.by_key)
        keys = difflib.get_close_matches(alias_key(text), self._known, n=n, cutoff=0.6)
        found = [f"{self._display.get(k, k)} ({self.by_key[k]})" for k in keys]
        self._nearest[(text, n)] = found
        return found


@transaction.atomic
def country_alias_save(*, actor, alias) -> None:
    """Create or change one alias (the admin site's save), audited with before/after values."""
    from matis.access.audit import audit_record, changes_since, snapshot
    from matis.access.models import AuditAction
    from matis.common.models import CountryAlias

    alias.key = alias_key(alias.alias)
    if alias.pk is None:
        alias.save()
        audit_record(
            actor=actor,
            action=AuditAction.RECORD_CREATE,
            object_type=ALIAS_OBJECT_TYPE,
            object_id=alias.pk,
            changes=changes_since({k: None for k in snapshot(alias, ALIAS_AUDITED)}, alias),
        )
        return
    before = snapshot(CountryAlias.objects.get(pk=alias.pk), ALIAS_AUDITED)
    alias.save()
    changes = changes_since(before, alias)
    if changes:
        # Not ``obj=``: the row would then count as the alias's country's record.
        audit_record(
            actor=actor,
            action=AuditAction.RECORD_UPDATE,
            object_type=ALIAS_OBJECT_TYPE,
            object_id=alias.pk,
            changes=changes,
        )


ALIAS_OBJECT_TYPE = "common.countryalias"
ALIAS_AUDITED = ("alias", "key", "country", "language", "kind", "source", "is_active")
