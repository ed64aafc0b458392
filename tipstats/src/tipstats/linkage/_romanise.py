"""Romanisation of personal names written in the seven Mekong scripts.

``anyascii`` does the general transliteration (one table per code point, all
scripts, no data files). Where a code-point table reads a script badly, a
small rule runs first:

* Thai and Lao write some vowels *before* the consonant they follow in
  speech (``ใจ`` is "jai"): they are moved after it. A Thai consonant under
  the silence mark ``์`` is dropped (``จันทร์`` is "chan").
* Khmer sign marks (bantoc, robat, ...) are dropped: they change vowel
  length, which names written in Latin never show.
* Burmese is read syllable by syllable (onset, medials, rhyme) with the
  popular spelling used in passports (``အောင်`` "aung", ``ကြည်`` "kyi"),
  which a code-point table cannot do because the vowel of a syllable is
  spread over several marks. Zawgyi-encoded text is detected and converted
  to Unicode first.
* Chinese characters are read one syllable each; in the family-name position
  the surname reading of the few common heteronym surnames is used (单 Shan,
  not Dan). A run of Chinese characters becomes two tokens, family name and
  given name, as Latin documents write them.

This is the one romaniser of MATIS: case search (blind indexes over
romanised names) and cross-border linkage both call :func:`romanise`, so one
name has one romanised form on both paths.

``anyascii`` (transliteration), ``myanmartools`` (Zawgyi detection) and
``python-myanmar`` (Zawgyi conversion) are the ``romanise`` extra of tipstats
(``pip install tipstats[romanise]``), imported only when a name needs them:
plain ASCII text is romanised without them, and text that needs them raises
:class:`ImportError` rather than being romanised differently.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
import warnings
from functools import lru_cache

__all__ = ["ZAWGYI_THRESHOLD", "is_zawgyi", "romanise", "zawgyi_to_unicode"]

_EXTRA = "pip install 'tipstats[romanise]'"


def _require(module: str, package: str, purpose: str):
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{purpose} needs the {package!r} package: {_EXTRA}") from exc


@lru_cache(maxsize=1)
def _anyascii():
    return _require("anyascii", "anyascii", "romanising non-ASCII text").anyascii


def _transliterate(text: str) -> str:
    # anyascii leaves ASCII unchanged, so plain ASCII needs no extra package.
    return text if text.isascii() else _anyascii()(text)


# --- Burmese -----------------------------------------------------------------

_MYANMAR_RE = re.compile(r"[\u1000-\u109f\uaa60-\uaa7f]")
# Every Myanmar block (Extended-B too) is worth asking the Zawgyi detector about.
_ANY_MYANMAR_RE = re.compile(r"[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]")
ZAWGYI_THRESHOLD = 0.95


@lru_cache(maxsize=1)
def _zawgyi_detector():
    module = _require("myanmartools", "myanmartools", "detecting Zawgyi-encoded Burmese")
    with warnings.catch_warnings():
        # the detector reads its model with the deprecated importlib.resources.open_binary
        warnings.simplefilter("ignore", DeprecationWarning)
        return module.ZawgyiDetector()


def is_zawgyi(text: str, *, threshold: float = ZAWGYI_THRESHOLD) -> bool:
    """True when Burmese ``text`` is most likely in the Zawgyi font encoding.

    Uses Google's ``myanmartools`` detector (a Markov model); text with no
    Burmese is never Zawgyi.
    """
    if not text or not _ANY_MYANMAR_RE.search(text):
        return False
    return _zawgyi_detector().get_zawgyi_probability(text) >= threshold


def zawgyi_to_unicode(text: str) -> str:
    """Convert Burmese text to Unicode if it is in Zawgyi, else return it unchanged.

    The conversion is ``python-myanmar``'s syllable-based converter; text in
    any other script is returned as is.
    """
    if not is_zawgyi(text):
        return text
    converter = _require("myanmar.converter", "python-myanmar", "converting Zawgyi-encoded Burmese")
    return converter.convert(text, "zawgyi", "unicode")


_MY_CONSONANTS = {
    "က": "k", "ခ": "kh", "ဂ": "g", "ဃ": "g", "င": "ng", "စ": "s", "ဆ": "hs",
    "ဇ": "z", "ဈ": "z", "ည": "ny", "ဉ": "ny", "ဋ": "t", "ဌ": "ht", "ဍ": "d",
    "ဎ": "d", "ဏ": "n", "တ": "t", "ထ": "ht", "ဒ": "d", "ဓ": "d", "န": "n",
    "ပ": "p", "ဖ": "ph", "ဗ": "b", "ဘ": "b", "မ": "m", "ယ": "y", "ရ": "y",
    "လ": "l", "ဝ": "w", "သ": "th", "ဟ": "h", "ဠ": "l", "အ": "",
}  # fmt: skip
# consonant + ya-pin/ya-yit: the popular spellings (ကျော် Kyaw, ချို Cho, မြ Mya).
_MY_Y_MEDIAL = {"k": "ky", "kh": "ch", "g": "gy", "p": "py", "ph": "hpy", "b": "by", "m": "my"}
# consonant + ha-htoe: voiceless sonorants (မှ Hm-, လှ Hl-, ရှ Sh-).
_MY_H_MEDIAL = {"m": "hm", "n": "hn", "l": "hl", "y": "sh", "w": "hw", "ny": "hny", "ng": "hng"}
_MY_INDEPENDENT_VOWELS = {
    "ဣ": "i", "ဤ": "i", "ဥ": "u", "ဦ": "u", "ဧ": "e", "ဩ": "aw", "ဪ": "aw",
}  # fmt: skip
_MY_ASAT = "\u103a"
_MY_VIRAMA = "\u1039"
_MY_TONES = "\u1037\u1038"  # dot below, visarga: tone only
_MY_MEDIALS = "\u103b\u103c\u103d\u103e"
# Rhymes, keyed by (vowel signs, final consonant class); first match wins.
# Final classes: "" none, "ng" (င်), "n" (န် မ် ံ), "t" (တ် ပ်), "k" (က်),
# "c" (စ်), "ny" (ည် ဉ်), "y" (ယ်).
_MY_FINAL_CLASS = {
    "င": "ng", "န": "n", "မ": "n", "ဏ": "n", "တ": "t", "ပ": "t", "ဒ": "t",
    "က": "k", "ဂ": "k", "စ": "c", "ည": "ny", "ဉ": "ny", "ယ": "y", "လ": "n",
}  # fmt: skip
_MY_RHYMES = {
    ("", ""): "a", ("ာ", ""): "a", ("ါ", ""): "a", ("ိ", ""): "i", ("ီ", ""): "i",
    ("ု", ""): "u", ("ူ", ""): "u", ("ေ", ""): "e", ("ဲ", ""): "e",
    ("ော", ""): "aw", ("ေါ", ""): "aw", ("ို", ""): "o",
    ("", "ng"): "in", ("ော", "ng"): "aung", ("ေါ", "ng"): "aung", ("ို", "ng"): "aing",
    ("", "n"): "an", ("ိ", "n"): "ein", ("ု", "n"): "on", ("ွ", "n"): "un",
    ("", "t"): "at", ("ိ", "t"): "eik", ("ု", "t"): "ok", ("ွ", "t"): "ut",
    ("", "k"): "et", ("ော", "k"): "auk", ("ေါ", "k"): "auk", ("ို", "k"): "aik",
    ("", "c"): "it", ("", "ny"): "i", ("", "y"): "e",
}  # fmt: skip


def _split_myanmar_syllables(text: str) -> list[str]:
    syllables: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        nxt = text[i + 1 : i + 3].replace("\u1037", "")
        starts = (ch in _MY_CONSONANTS or ch in _MY_INDEPENDENT_VOWELS) and not (
            nxt.startswith(_MY_ASAT) or nxt.startswith(_MY_VIRAMA)
        )
        if starts or not syllables:
            syllables.append(ch)
        else:
            syllables[-1] += ch
        i += 1
    return syllables


def _romanise_myanmar_syllable(syllable: str) -> str:
    head = syllable[0]
    if head in _MY_INDEPENDENT_VOWELS:
        return _MY_INDEPENDENT_VOWELS[head] + _romanise_myanmar_syllable("အ" + syllable[1:])[1:]
    onset = _MY_CONSONANTS.get(head, "")
    rest = syllable[1:]
    if "\u103b" in rest or "\u103c" in rest:  # ya-pin, ya-yit
        onset = _MY_Y_MEDIAL.get(onset, onset + "y")
    if "\u103e" in rest:  # ha-htoe
        onset = _MY_H_MEDIAL.get(onset, "h" + onset)
    final_class = ""
    vowels = ""
    for j, ch in enumerate(rest):
        if ch in _MY_CONSONANTS and _MY_ASAT in rest[j + 1 : j + 3]:
            final_class = _MY_FINAL_CLASS.get(ch, "t")
        elif ch == "\u1036":  # anusvara: nasal final
            final_class = "n"
        elif ch in _MY_CONSONANTS and rest[j + 1 : j + 2] == _MY_VIRAMA:
            final_class = _MY_FINAL_CLASS.get(ch, "t")
        elif ch in "\u102b\u102c\u102d\u102e\u102f\u1030\u1031\u1032":
            vowels += ch
    medial_w = "\u103d" in rest
    vowels = vowels.replace("\u102e", "\u102d").replace("\u1030", "\u102f")
    vowels = vowels.replace("\u1031\u102c", "ော").replace("\u1031\u102b", "ော")
    vowels = vowels.replace("\u102d\u102f", "ို")
    if medial_w and not vowels and final_class in ("n", "t"):
        rhyme = _MY_RHYMES[("ွ", final_class)]
        return onset + rhyme
    rhyme = _MY_RHYMES.get((vowels, final_class))
    if rhyme is None:
        rhyme = _MY_RHYMES.get((vowels, ""), "a") + ("n" if final_class in ("n", "ng") else "")
    if medial_w:
        onset += "w"
    return onset + rhyme


def _romanise_myanmar(text: str) -> str:
    return " ".join(_romanise_myanmar_syllable(s) for s in _split_myanmar_syllables(text))


# --- Thai, Lao, Khmer ------------------------------------------------------

# a leading vowel, then its consonant: one letter, or a silent ห/อ (Lao ຫ/ອ) and a letter
_THAI_LAO_LEADING = re.compile(
    r"([\u0e40-\u0e44\u0ec0-\u0ec4])"
    r"([\u0e2b\u0e2d\u0eab\u0ead]?[\u0e01-\u0e2e\u0e81-\u0eae])"
)
_THAI_SILENT = re.compile(r"[\u0e01-\u0e2e]{1,2}[\u0e34\u0e38]?\u0e4c")
_KHMER_SIGNS = re.compile(r"[\u17c9-\u17d1\u17d3\u17dd]")
_THAI_LAO_KHMER_RE = re.compile(r"[\u0e00-\u0eff\u1780-\u17ff]")


def _prepare_thai_lao_khmer(text: str) -> str:
    text = _THAI_SILENT.sub("", text)
    text = _THAI_LAO_LEADING.sub(r"\2\1", text)
    return _KHMER_SIGNS.sub("", text)


# --- Chinese ------------------------------------------------------------------

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Surnames whose reading differs from the character's usual reading.
_SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao",
    "查": "zha", "盖": "ge", "乐": "yue", "缪": "miao", "覃": "qin", "尉": "yu",
    "长": "chang", "万": "wan", "秘": "bi", "种": "chong", "繁": "po", "员": "yun",
    "黑": "he", "翟": "zhai", "召": "shao", "单于": "chanyu", "尉迟": "yuchi",
}  # fmt: skip
_COMPOUND_SURNAMES = {
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "夏侯", "慕容", "司徒", "令狐",
    "公孙", "长孙", "宇文", "尉迟", "单于", "端木", "轩辕", "歐陽", "諸葛", "司馬",
}  # fmt: skip


def _syllable(ch: str) -> str:
    return _transliterate(ch).lower()


def _romanise_cjk_run(run: str) -> str:
    if len(run) == 1:
        return _SURNAME_READINGS.get(run, _syllable(run))
    family_len = 2 if run[:2] in _COMPOUND_SURNAMES and len(run) > 2 else 1
    family_chars = run[:family_len]
    family = _SURNAME_READINGS.get(family_chars) or "".join(
        _SURNAME_READINGS.get(c, _syllable(c)) for c in family_chars
    )
    given = "".join(_syllable(c) for c in run[family_len:])
    return f" {family} {given} "


# --- all scripts ----------------------------------------------------------------


def romanise(text: str) -> str:
    """Romanise ``text`` written in any script to plain ASCII letters.

    Case and spacing are kept; see the module docstring for the script rules.
    The result is deterministic for a given ``anyascii`` version, which is why
    the version is pinned: every government must produce the same string.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    if _MYANMAR_RE.search(text):
        text = zawgyi_to_unicode(text)
        text = re.sub(r"[\u1000-\u109f]+", lambda m: " " + _romanise_myanmar(m.group()) + " ", text)
    if _THAI_LAO_KHMER_RE.search(text):
        text = _prepare_thai_lao_khmer(text)
    if _CJK_RUN.search(text):
        text = _CJK_RUN.sub(lambda m: _romanise_cjk_run(m.group()), text)
    return _transliterate(text)
