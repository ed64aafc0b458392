"""Names as written: Burmese Zawgyi repair, normal forms and a romanised form.

Romanisation and Zawgyi handling live in one place, :mod:`tipstats.linkage`,
so that case search (blind indexes over romanised names) and cross-border
linkage romanise a name identically:

- Burmese typed with the Zawgyi font encoding looks right on a Zawgyi phone
  but is wrong Unicode. :func:`to_unicode_burmese` (``tipstats.linkage.
  zawgyi_to_unicode``) detects it (Google's ``myanmartools`` Markov model) and
  converts it (``python-myanmar``'s syllable-based converter), so that one
  person's name has one spelling.
- :func:`normalise` gives the form blind indexes are computed on: Unicode
  NFKC, case-folded, whitespace collapsed.
- :func:`romanise` gives a Latin-letter form with ``tipstats.linkage.romanise``:
  ``anyascii`` transliteration with script rules for Thai/Lao leading vowels,
  Khmer signs, Burmese syllables and Chinese family names. It is not the
  official romanisation of each country (RTGS for Thai, UNGEGN for Khmer...):
  ``สมชาย`` becomes ``smchay``, not ``Somchai``. Staff therefore also record
  the romanised name as it is written in the person's documents; both are
  searchable.
- :func:`romanised_key` is the search form of a romanised name: the tokens of
  ``tipstats.linkage.normalise_text`` run together.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

from matis.common.text import strip_bidi_controls
from tipstats.linkage import is_zawgyi, normalise_text, zawgyi_to_unicode
from tipstats.linkage import romanise as _romanise

__all__ = [
    "clean_name",
    "document_key",
    "is_zawgyi",
    "normalise",
    "romanise",
    "romanised_key",
    "to_unicode_burmese",
]

_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

# The case app's name for the Zawgyi repair; one implementation, in tipstats.
to_unicode_burmese = zawgyi_to_unicode


def clean_name(text: str) -> str:
    """A name as it is stored: Zawgyi repaired, no direction controls, NFC, single spaces."""
    # A right-to-left override (U+202E) would make the name display as something else.
    text = strip_bidi_controls(to_unicode_burmese(text or ""))
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def normalise(text: str) -> str:
    """The search form of a name or number: NFKC, case-folded, one space between words."""
    text = unicodedata.normalize("NFKC", to_unicode_burmese(text or "")).casefold()
    return _SPACES.sub(" ", text).strip()


def romanise(text: str) -> str:
    """A Latin-letter form of a name in any script: ``tipstats.linkage.romanise``, spaces collapsed."""
    return _SPACES.sub(" ", _romanise(text or "")).strip()


def romanised_key(text: str) -> str:
    """The search form of a romanised name: letters and digits only, lower case.

    "Nguyen Thi-Lan", "NGUYEN THI LAN" and "Nguyễn Thị Lan" share one key.
    """
    return _NOT_ALNUM.sub("", normalise_text(text or ""))


def document_key(number: str) -> str:
    """The search form of a document number: NFKC, upper case, letters and digits only.

    Plain ``anyascii``, not the name romaniser: its script rules are for names
    and would misread, say, Burmese digits as syllables.
    """
    text = unicodedata.normalize("NFKC", number or "").upper()
    return re.sub(r"[^0-9A-Z]+", "", anyascii(text).upper())
