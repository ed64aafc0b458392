"""What is encoded and how: field specifications and the encoding schema.

Two parties can compare encodings only if they used the same schema and the
same secret; ``EncodingSchema.fingerprint`` identifies the schema (never the
secret) and travels with every batch of encodings.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version

from ._normalise import (
    NORMALISATION_VERSION,
    fold_spelling,
    name_variants,
    normalise_date,
    normalise_sex,
    normalise_text,
    phonetic_token,
)
from ._variants import VARIANTS_VERSION

__all__ = [
    "FIELD_KINDS",
    "HASHING_SCHEMES",
    "MATIS_SCHEMA",
    "MATIS_SCHEMA_V1",
    "MATIS_SCHEMA_V2",
    "MATIS_SPELLINGS",
    "EncodingSchema",
    "FieldSpec",
    "Spelling",
]

FIELD_KINDS = ("name", "name_phonetic", "date", "sex", "text", "positional", "exact")
HASHING_SCHEMES = ("double", "random")


def _version_or_none(package: str) -> str:
    """A romaniser's version (part of the fingerprint); "none" when it is not installed."""
    try:
        return version(package)
    except PackageNotFoundError:
        return "none"


def _qgrams(text: str, q: int) -> list[str]:
    if len(text) <= q:
        return [text] if text else []
    return [text[i : i + q] for i in range(len(text) - q + 1)]


def _date_tokens(iso: str) -> list[str]:
    parts = iso.split("-")
    year = parts[0]
    tokens = [f"y:{year}"] + [f"y{i}:{d}" for i, d in enumerate(year)]
    if len(parts) >= 2:
        tokens.append(f"m:{parts[1]}")
    if len(parts) == 3:
        month, day = parts[1], parts[2]
        # the unordered {day, month} token survives a day/month swap
        tokens += [f"d:{day}", f"md:{min(month, day)}{max(month, day)}", f"ymd:{iso}"]
    return tokens


class Spelling(tuple):
    """One whole-name spelling (one romanised form per token) given to a name field.

    :meth:`BloomEncoder.encode` puts these in the name column of a record's
    extra filters (``spellings=``); a name field tokenises it as it is,
    without romanising again.
    """

    __slots__ = ()


@dataclass(frozen=True)
class FieldSpec:
    """One field of the encoding: which column, how it is tokenised, how many bits per token.

    ``kind`` is one of :data:`FIELD_KINDS`:

    * ``"name"``: each token of the name in every romanisation
      (:func:`tipstats.linkage.romanisations`; one for a Latin name), its
      spelling folded (:func:`fold_spelling`), then the ``q``-grams of all.
    * ``"name_phonetic"``: the consonant skeleton (:func:`phonetic_key`) of
      each of those romanised forms, then the ``q``-grams of each
      token padded with ``^`` and ``$`` (short skeletons still set bits).
    * ``"date"``: :func:`normalise_date`, then year, year digits by position,
      month, day, the unordered day-and-month pair and the full date.
    * ``"sex"``: :func:`normalise_sex`, one token.
    * ``"text"``: :func:`normalise_text`, then ``q``-grams of the whole string.
    * ``"positional"``: :func:`normalise_text` without spaces, each character
      with its position (numbers such as a postcode).
    * ``"exact"``: :func:`normalise_text`, one token.

    ``k`` is the number of bit positions each token sets; a larger ``k`` gives
    the field more weight in the Dice similarity.
    """

    label: str
    column: str
    kind: str
    k: int = 20
    q: int = 2

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"kind must be one of {FIELD_KINDS}, not {self.kind!r}")
        if not self.label:
            raise ValueError("a field needs a non-empty label")
        if not 1 <= self.k <= 256:
            raise ValueError(f"k must be between 1 and 256, not {self.k!r}")
        if not 1 <= self.q <= 5:
            raise ValueError(f"q must be between 1 and 5, not {self.q!r}")

    def tokens(self, value: object) -> list[str]:
        """The distinct tokens this field makes of one raw value (empty when missing)."""
        kind, q = self.kind, self.q
        if kind in ("name", "name_phonetic"):
            # a Spelling is one romanised form per token, chosen already
            tokens = [[f] for f in value] if isinstance(value, Spelling) else name_variants(value)
            if kind == "name":
                forms = {fold_spelling(f) for token in tokens for f in token}
                out = [g for f in sorted(forms) for g in _qgrams(f, q)]
            else:
                keys = (phonetic_token(f) for token in tokens for f in token)
                out = [g for key in keys if key for g in _qgrams(f"^{key}$", q)]
        elif kind == "date":
            iso = normalise_date(value)
            out = _date_tokens(iso) if iso else []
        elif kind == "sex":
            sex = normalise_sex(value)
            out = [sex] if sex else []
        elif kind == "text":
            out = _qgrams(normalise_text(value), q)
        elif kind == "positional":
            out = [f"{i}:{c}" for i, c in enumerate(normalise_text(value).replace(" ", ""))]
        else:
            text = normalise_text(value)
            out = [text] if text else []
        return list(dict.fromkeys(out))


@dataclass(frozen=True)
class EncodingSchema:
    """The fields, filter length and hashing scheme of a Bloom-filter encoding (CLK).

    ``filter_bits`` is the length of each record's filter, a multiple of 64.
    ``hashing="random"`` (the default) takes each of the ``k`` positions from
    its own HMAC-SHA256 output, which resists the attack of Kroll &
    Steinmetzer (2015) on double hashing at about twice the encoding cost;
    ``"double"`` sets bits ``(h1 + i*h2) mod filter_bits`` for ``i < k``
    (Schnell et al. 2009) with ``h1, h2`` taken from HMAC-SHA256(field key,
    token), and is kept only to reproduce old encodings and the attacks on
    them. ``block_year_window`` (``None`` for none) adds keyed blocking tokens:
    ``"sex_birth_year"``, shared by records of one sex whose years of birth
    differ by at most the window, and ``"sex_birth_date"``, shared by
    records of one sex and the same full date of birth (day and month
    unordered, so a day/month swap keeps it). They need one ``"sex"`` and
    one ``"date"`` field. These tokens leak: each record's window tokens
    chain the years of one sex together, and equal tokens show equal sex
    and date of birth, so a reader who knows one record per sex reads every
    record's year of birth (``tests/test_linkage_attacks.py``). The MATIS
    schema sends none and blocks by LSH on the filters instead.
    """

    fields: tuple[FieldSpec, ...]
    filter_bits: int = 1024
    hashing: str = "random"
    block_year_window: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", tuple(self.fields))
        if not self.fields:
            raise ValueError("an encoding schema needs at least one field")
        labels = [f.label for f in self.fields]
        if len(set(labels)) != len(labels):
            raise ValueError(f"field labels must be unique, got {labels}")
        if self.filter_bits < 64 or self.filter_bits % 64:
            raise ValueError(
                f"filter_bits must be a positive multiple of 64, not {self.filter_bits}"
            )
        if self.hashing not in HASHING_SCHEMES:
            raise ValueError(f"hashing must be one of {HASHING_SCHEMES}, not {self.hashing!r}")
        if self.block_year_window is not None:
            if self.block_year_window < 0:
                raise ValueError("block_year_window must be None or >= 0")
            kinds = [f.kind for f in self.fields]
            if kinds.count("sex") != 1 or kinds.count("date") != 1:
                raise ValueError("block_year_window needs exactly one 'sex' and one 'date' field")

    def field_of_kind(self, kind: str) -> FieldSpec:
        return next(f for f in self.fields if f.kind == kind)

    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex, 16 characters) of the schema and normalisation rules; no secret in it."""
        payload = {
            "fields": [asdict(f) for f in self.fields],
            "filter_bits": self.filter_bits,
            "hashing": self.hashing,
            "block_year_window": self.block_year_window,
            "normalisation": NORMALISATION_VERSION,
            "anyascii": version("anyascii"),
            "variants": VARIANTS_VERSION,
            "pythainlp": _version_or_none("pythainlp"),
            "pypinyin": _version_or_none("pypinyin"),
        }
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


MATIS_SCHEMA = EncodingSchema(
    fields=(
        FieldSpec("name", "name", "name", k=5),
        FieldSpec("name_phonetic", "name", "name_phonetic", k=20),
        FieldSpec("date_of_birth", "date_of_birth", "date", k=20),
    ),
    filter_bits=1024,
    hashing="random",
    block_year_window=None,
)
"""The schema MATIS uses for cross-border re-trafficking checks: name and date of birth.

Hardened (version 2, see ``docs/methods/linkage.md``): independent random
hashing per token; no sex in the filter (any encoding the hub can compare
sex on splits the records into the two sexes, which one known record per
sex then names); no blocking tokens (the hub blocks with
:data:`tipstats.linkage.MATIS_LSH_BLOCKING` on the filters themselves).

Version 3 weighs the consonant skeleton of the name (``k=20`` a bigram)
above its spelled form (``k=5``): romanisations of one name differ in their
vowels far more than in their consonants (*Veasal*, *Visal*), and a typing
error moves fewer skeleton bigrams. Chosen on the calibration set and on
cross-script draws the tests do not use (``docs/methods/linkage.md``,
section 1b); a name with several romanisations also sends up to
:data:`MATIS_SPELLINGS` filters of whole-name spellings.
"""

MATIS_SPELLINGS = 8
"""Extra filters a MATIS token carries: whole-name spellings (see :func:`name_spellings`)."""

MATIS_SCHEMA_V2 = EncodingSchema(
    fields=(
        FieldSpec("name", "name", "name", k=15),
        FieldSpec("name_phonetic", "name", "name_phonetic", k=15),
        FieldSpec("date_of_birth", "date_of_birth", "date", k=20),
    ),
    filter_bits=1024,
    hashing="random",
    block_year_window=None,
)
"""The second MATIS schema (one filter per person, name and skeleton weighed alike).

Kept only to recognise and refuse its tokens with a clear message.
"""

MATIS_SCHEMA_V1 = EncodingSchema(
    fields=(
        FieldSpec("name", "name", "name", k=15),
        FieldSpec("name_phonetic", "name", "name_phonetic", k=15),
        FieldSpec("date_of_birth", "date_of_birth", "date", k=20),
        FieldSpec("sex", "sex", "sex", k=40),
    ),
    filter_bits=1024,
    hashing="double",
    block_year_window=1,
)
"""The first MATIS schema (double hashing, sex in the filter, sex and birth-year tokens).

Its encodings leak sex and year of birth to the hub; it is kept only to
recognise and refuse old tokens and to test the attacks on it.
"""
