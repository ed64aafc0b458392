"""Normalisation of the fields that are encoded: name, date of birth, sex.

Every function is total: ``None``, ``NaN`` and unreadable values give ``""``,
which encodes to an all-zero contribution (the field says nothing), never to
an error that would stop a batch.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import re
import unicodedata

from ._romanise import romanise

__all__ = [
    "NORMALISATION_VERSION",
    "fold_spelling",
    "name_spellings",
    "name_variants",
    "normalise_date",
    "normalise_name",
    "normalise_sex",
    "normalise_text",
    "phonetic_key",
    "phonetic_token",
]

# Part of every encoding schema's fingerprint: bump it whenever a rule here or
# in _romanise changes, so that encodings made under different rules are never
# compared by mistake.
NORMALISATION_VERSION = "2"

# Burmese U (ဦး) is written U or Oo
_TITLES = frozenset(["mr", "mrs", "ms", "miss", "dr", "u", "oo", "daw"])
_NON_LETTER = re.compile(r"[^a-z0-9]+")


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_text(value: object) -> str:
    """NFKC, romanise, casefold, strip diacritics; keep letters and digits, one space apart."""
    if _is_missing(value):
        return ""
    text = romanise(unicodedata.normalize("NFKC", str(value)))
    text = _strip_marks(text.casefold())
    text = text.replace("'", "").replace("\u2019", "")
    return " ".join(_NON_LETTER.sub(" ", text).split())


def _strip_thai_title(text: str) -> str:
    return re.sub(r"^\s*(นางสาว|นาย|นาง|ด\.ญ\.|ด\.ช\.)", " ", text)


def name_variants(value: object, *, drop_titles: bool = True) -> list[list[str]]:
    """Each token of a name with its romanised forms by several conventions.

    The tokens of :func:`normalise_name` (titles dropped the same way), each
    with the distinct forms :func:`tipstats.linkage.romanisations` gives; a
    name in Latin script has one form per token, its :func:`normalise_name`
    token.
    """
    from ._variants import romanisations

    if _is_missing(value):
        return []
    tokens = romanisations(_strip_thai_title(str(value)))
    if drop_titles and len(tokens) > 1:
        tokens = [t for t in tokens if t[0] not in _TITLES] or tokens
    return sorted(tokens)


def name_spellings(value: object, limit: int) -> list[tuple[str, ...]]:
    """Whole-name spellings: one romanised form per token, at most ``limit`` of them.

    Each spelling takes one form of every token of :func:`name_variants`, so a
    name is compared with a Latin record written in one convention per part
    (pinyin family name, Hong Kong given name ...) without the other forms in
    the way. Spellings closest to the first forms come first: fewest tokens
    off their first form, then one convention throughout (all second forms,
    say) before mixed ones, then the smallest departure. A name with one form
    per token (Latin script, Vietnamese) has no spellings: ``[]``.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit!r}")
    tokens = name_variants(value)
    if not tokens or all(len(forms) == 1 for forms in tokens):
        return []
    picks: list[tuple[int, ...]] = []
    # level d: exactly d tokens off their first form (so a long name never
    # enumerates every combination of its forms)
    for d in range(len(tokens) + 1):
        level = []
        for where in itertools.combinations(range(len(tokens)), d):
            others = [range(1, len(tokens[t])) for t in where]
            for alt in itertools.product(*others):
                pick = [0] * len(tokens)
                for t, i in zip(where, alt, strict=True):
                    pick[t] = i
                level.append(tuple(pick))
        picks += sorted(level, key=lambda pick: (len(set(pick)), sum(pick), pick))
        if len(picks) >= limit:
            break
    return [
        tuple(forms[i] for forms, i in zip(tokens, pick, strict=True)) for pick in picks[:limit]
    ]


def normalise_name(value: object, *, drop_titles: bool = True) -> str:
    """Common romanised form of a personal name written in any script.

    Unicode NFKC, romanisation (see :func:`tipstats.linkage.romanise`),
    casefold, diacritics stripped, punctuation removed, tokens sorted, so
    ``"Nguyễn Thị Hương"``, ``"HUONG Nguyen Thi"`` and ``"nguyen thi huong"``
    give the same string. Titles (Mr, Daw, U, นาย ...) are dropped when
    ``drop_titles``.
    """
    if _is_missing(value):
        return ""
    # Thai titles are written joined to the name.
    text = _strip_thai_title(str(value))
    tokens = normalise_text(text).split()
    if drop_titles and len(tokens) > 1:
        tokens = [t for t in tokens if t not in _TITLES] or tokens
    return " ".join(sorted(tokens))


# Applied in order to each romanised token; folds the spellings that differ
# between romanisation systems of the region (aspiration, ch/j/c, r/l, v/w,
# vowel quality) so that a Thai rendering and a Latin passport spelling of
# one Khmer name meet.
_PHONETIC_RULES = (
    ("tch", "c"), ("hs", "s"), ("kh", "k"), ("gh", "g"), ("ph", "p"), ("th", "t"),
    ("dh", "d"), ("bh", "b"), ("sh", "s"), ("zh", "c"), ("ch", "c"), ("ck", "k"),
    ("j", "c"), ("q", "c"), ("x", "s"), ("z", "s"), ("f", "p"), ("v", "w"),
    ("r", "l"), ("y", "i"), ("h", ""),
)  # fmt: skip
_VOWELS = re.compile(r"[aeiou]+")
_REPEATS = re.compile(r"(.)\1+")


def _phonetic_token(token: str) -> str:
    for old, new in _PHONETIC_RULES:
        token = token.replace(old, new)
    if not token:
        return ""
    skeleton = token[0] + _VOWELS.sub("", token[1:])
    return _REPEATS.sub(r"\1", skeleton)


# Spellings that differ between the romanisation conventions of the region
# (aspiration, ch/j/c, r/l, v/w, long vowels written doubled); folded the same
# way for every name, so a popular spelling, RTGS and a passport spelling of
# one name share their q-grams.
_SPELLING_FOLDS = (
    ("tch", "c"), ("hs", "s"), ("kh", "k"), ("gh", "g"), ("ph", "p"), ("th", "t"),
    ("dh", "d"), ("bh", "b"), ("sh", "s"), ("zh", "c"), ("ch", "c"), ("ck", "k"),
    ("j", "c"), ("q", "c"), ("x", "s"), ("z", "s"), ("f", "p"), ("v", "w"),
    ("r", "l"), ("ee", "i"), ("oo", "u"), ("ou", "u"), ("ea", "e"), ("y", "i"), ("h", ""),
)  # fmt: skip


def fold_spelling(token: str) -> str:
    """One romanised token with the spelling differences of the conventions folded.

    ``"Jaidee"`` and ``"Chaidi"`` both give ``"caidi"``; doubled letters become one.
    """
    for old, new in _SPELLING_FOLDS:
        token = token.replace(old, new)
    return _REPEATS.sub(r"\1", token)


def phonetic_token(token: str) -> str:
    """The consonant skeleton of one romanised token (see :func:`phonetic_key`)."""
    return _phonetic_token(token)


def phonetic_key(value: object) -> str:
    """Consonant skeleton of a name, for matching across romanisation systems.

    The name is normalised with :func:`normalise_name`; each token then has
    aspiration, ch/j/c, r/l and v/w distinctions folded, its vowels after the
    first letter removed and doubled letters collapsed: ``"Somchai"`` and the
    Thai ``"สมชาย"`` both give ``"smc"``.
    """
    tokens = (_phonetic_token(t) for t in normalise_name(value).split())
    return " ".join(sorted(t for t in tokens if t))


_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d")
_PARTIAL = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2}))?\s*$")


def normalise_date(value: object, *, era: str = "CE") -> str:
    """ISO form of a date of birth: ``YYYY-MM-DD``, or ``YYYY-MM`` / ``YYYY`` when partial.

    Accepts ``datetime.date``, ``pandas.Timestamp``, ISO strings, ``YYYYMMDD``
    and year-only or year-month strings (many victims do not know their exact
    birth date). ``era="BE"`` reads Thai Buddhist Era years (CE = BE - 543).
    Returns ``""`` for anything else.
    """
    if era not in ("CE", "BE"):
        raise ValueError(f"era must be 'CE' or 'BE', not {era!r}")
    offset = 543 if era == "BE" else 0
    if _is_missing(value):
        return ""
    if isinstance(value, _dt.datetime | _dt.date):
        if value != value:  # pandas.NaT
            return ""
        return f"{value.year - offset:04d}-{value.month:02d}-{value.day:02d}"
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            parsed = _dt.datetime.strptime(text[:10] if "-" in text else text, fmt).date()
        except ValueError:
            continue
        return f"{parsed.year - offset:04d}-{parsed.month:02d}-{parsed.day:02d}"
    match = _PARTIAL.match(text)
    if match:
        year = int(match.group(1)) - offset
        month = match.group(2)
        if month and 1 <= int(month) <= 12:
            return f"{year:04d}-{int(month):02d}"
        return f"{year:04d}"
    return ""


_SEX_CODES = {
    "f": ("f", "female", "woman", "girl", "w", "หญิง", "ญ", "ស្រី", "ຍິງ", "မ", "女", "nu", "nữ"),
    "m": ("m", "male", "man", "boy", "ชาย", "ช", "ប្រុស", "ຊາຍ", "ကျား", "男", "nam"),
}
_SEX_LOOKUP = {word.casefold(): code for code, words in _SEX_CODES.items() for word in words}


def normalise_sex(value: object) -> str:
    """``"f"``, ``"m"``, ``"x"`` (another recorded value) or ``""`` (not recorded).

    Understands English words and the words for female/male in the six
    national languages.
    """
    if _is_missing(value):
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    if not text or text in ("unknown", "u", "?", "na", "n/a"):
        return ""
    return _SEX_LOOKUP.get(text, "x")
