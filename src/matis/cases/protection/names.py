"""Names as written: Burmese Zawgyi repair, normal forms and a romanised form.

- Burmese typed with the Zawgyi font encoding looks right on a Zawgyi phone
  but is wrong Unicode. :func:`to_unicode_burmese` detects it (Google's
  ``myanmartools`` Markov model) and converts it (``python-myanmar``'s
  syllable-based converter), so that one person's name has one spelling.
- :func:`normalise` gives the form blind indexes are computed on: Unicode
  NFKC, case-folded, whitespace collapsed.
- :func:`romanise` gives a Latin-letter form with ``anyascii``. It is a
  letter-by-letter transliteration, not the official romanisation of each
  country (RTGS for Thai, UNGEGN for Khmer...): ``สมชาย`` becomes ``smchay``,
  not ``Somchai``. Staff therefore also record the romanised name as it is
  written in the person's documents; both are searchable.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import warnings

from anyascii import anyascii

ZAWGYI_THRESHOLD = 0.95
_MYANMAR = re.compile(r"[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]")
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@functools.cache
def _detector():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # importlib.resources.open_binary
        from myanmartools import ZawgyiDetector

        return ZawgyiDetector()


def zawgyi_probability(text: str) -> float:
    """Probability (0-1) that Burmese ``text`` is Zawgyi-encoded; 0 for other scripts."""
    if not _MYANMAR.search(text or ""):
        return 0.0
    return max(0.0, _detector().get_zawgyi_probability(text))


def is_zawgyi(text: str) -> bool:
    return zawgyi_probability(text) >= ZAWGYI_THRESHOLD


def to_unicode_burmese(text: str) -> str:
    """Convert Zawgyi-encoded Burmese in ``text`` to Unicode; other text is returned as is."""
    if not text or not is_zawgyi(text):
        return text
    from myanmar.converter import convert

    return convert(text, "zawgyi", "unicode")


def clean_name(text: str) -> str:
    """A name as it is stored: Zawgyi repaired, NFC, single spaces, trimmed."""
    text = to_unicode_burmese(text or "")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def normalise(text: str) -> str:
    """The search form of a name or number: NFKC, case-folded, one space between words."""
    text = unicodedata.normalize("NFKC", to_unicode_burmese(text or "")).casefold()
    return _SPACES.sub(" ", text).strip()


def romanise(text: str) -> str:
    """A Latin-letter transliteration of a name in any script."""
    return _SPACES.sub(" ", anyascii(clean_name(text))).strip()


def romanised_key(text: str) -> str:
    """The search form of a romanised name: letters and digits only, lower case.

    "Nguyen Thi-Lan", "NGUYEN THI LAN" and "Nguyễn Thị Lan" share one key.
    """
    return _NOT_ALNUM.sub("", anyascii(normalise(text)).casefold())


def document_key(number: str) -> str:
    """The search form of a document number: NFKC, upper case, letters and digits only."""
    text = unicodedata.normalize("NFKC", number or "").upper()
    return re.sub(r"[^0-9A-Z]+", "", anyascii(text).upper())
