"""Several romanisations of one name, by the conventions people of each country use.

:func:`romanise` gives one romanised form per name (case search needs one
blind-index value per name). People do not write names in one convention,
though: a Thai name is written in the Royal Thai General System (RTGS) on
one paper and in a popular spelling on another (``ใจดี`` Chaidi, Jaidee),
a Chinese name in pinyin, Wade-Giles or a Cantonese spelling (张 Zhang,
Chang, Cheung). Linkage therefore compares a name against SEVERAL
romanisations: :func:`romanisations` returns, for each token of the name,
the distinct forms of it, and the encoder sets the bits of the q-grams of
all of them (see :mod:`tipstats.linkage._schema`).

Conventions, per script (only names not already in Latin get more than one
form, so a Latin name has exactly its :func:`normalise_name` tokens):

* Thai: RTGS by PyThaiNLP's rule-based ``royin`` engine, and the MATIS
  romaniser after vowel rules (ำ ``am``, ว between consonants ``ua``, อ
  ``o``, final ญ ``n``). Popular spellings (``j`` for จ, ``ee``, ``p``/``t``
  for the aspirates) meet these through the spelling folds of the encoder
  (:func:`tipstats.linkage._normalise.fold_spelling`).
* Lao: the MATIS romaniser after vowel rules (ອ ``o``, ວ ``ua``, final ວ
  ``o``, ຳ ``am``) and the French-based spellings of Lao papers (ຊ
  ``x``/``s``, ຍ ``gn``/``y``, ``u``/``ou``, ``v``/``w``).
* Khmer: a syllable reading in the popular spelling of Cambodian identity
  papers (UNGEGN-like consonants; vowels by the series of their consonant:
  ភា ``phea``, ពេជ្រ ``pech``, ស៊ុន ``sun``), and the same with the other
  series' vowel in closed syllables without a vowel sign.
* Burmese: the MATIS romaniser (the popular passport spelling, MLCTS-like
  syllables) and the common alternatives ``ky``/``ch``, ``ei``/``ay``,
  ``aw``/``o``; a nasal final with the creaky tone also ends in ``t``
  (``Myint``, ``Thant``).
* Chinese: pinyin (the MATIS romaniser), Wade-Giles (``pypinyin``), the
  Hong Kong (Cantonese) spelling from Unihan ``kCantonese``
  (``data/cantonese.tsv``), and the Hong Kong spelling of common family names.
* Vietnamese: with and without diacritics mean the same after normalisation
  (diacritics are stripped), so one form; ``đ`` is ``d``.

The code-point forms of :func:`romanise` (``smchay``) are kept only for the
scripts with no convention-based reading here: every extra form adds q-grams
the other record lacks, which lowers the Dice of a true match.

``pythainlp`` and ``pypinyin`` are in the ``romanise`` extra; like the other
romanisers they are imported only when a name needs them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib.resources import files

from ._romanise import _COMPOUND_SURNAMES, _require, _split_myanmar_syllables, romanise

__all__ = ["VARIANTS_VERSION", "jyutping_to_hong_kong", "romanisations"]

# Part of the encoding schema fingerprint (with NORMALISATION_VERSION).
VARIANTS_VERSION = "2"

_THAI = re.compile(r"[\u0e00-\u0e7f]")
_LAO = re.compile(r"[\u0e80-\u0eff]")
_KHMER = re.compile(r"[\u1780-\u17ff]")
_MYANMAR = re.compile(r"[\u1000-\u109f]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _ascii_tokens(text: str) -> list[str]:
    from ._normalise import normalise_text

    return normalise_text(text).split()


# --- Thai -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _royin():
    module = _require("pythainlp.transliterate.royin", "pythainlp", "romanising Thai names by RTGS")
    return module.romanize


_THAI_CONSONANT = "[\u0e01-\u0e2e]"
_THAI_VOWELS = (
    (re.compile("\u0e4d\u0e32|\u0e33"), "am"),  # sara am (as NFKC splits it, or whole)
    (re.compile(f"(?<={_THAI_CONSONANT})\u0e27(?=[\u0e48-\u0e4b]?{_THAI_CONSONANT})"), "ua"),
    (re.compile(f"(?<={_THAI_CONSONANT})\u0e2d(?=[\u0e48-\u0e4b]?{_THAI_CONSONANT})"), "o"),
    (re.compile(f"\u0e0d(?={_THAI_CONSONANT}|$)"), "n"),  # final yo ying is n
)


def _thai(word: str) -> list[str]:
    vowels = word
    for pattern, repl in _THAI_VOWELS:
        vowels = pattern.sub(repl, vowels)
    forms = [
        *_ascii_tokens(_royin()(word)),
        *_ascii_tokens(romanise(vowels)),
    ]
    return forms


# --- Lao ------------------------------------------------------------------------


_LAO_CONSONANT = "[\u0e81-\u0eae\u0edc-\u0edf]"
# ອ after a consonant is the vowel o; ວ between consonants the vowel ua (ດວງ Duang).
_LAO_VOWEL_O = re.compile(f"(?<={_LAO_CONSONANT})\u0ead")
_LAO_VOWEL_UA = re.compile(f"(?<={_LAO_CONSONANT})\u0ea7(?=[\u0ec8-\u0ecb]?{_LAO_CONSONANT}|$)")
_LAO_POPULAR = (("x", "s"), ("gn", "y"), ("ou", "u"), ("u", "ou"), ("v", "w"))


_LAO_FINAL_O = re.compile(
    "([\u0ec0-\u0ec4][\u0e81-\u0eae][\u0ec8-\u0ecb]?)\u0ea7(?![\u0eb0-\u0ebc])"
)


def _lao(word: str) -> list[str]:
    vowels = _LAO_VOWEL_UA.sub("ua", _LAO_VOWEL_O.sub("o", word)).replace("\u0ecd\u0eb2", "am")
    vowels = _LAO_FINAL_O.sub(r"\1o", vowels)  # ແກ້ວ Keo, Kaeo
    out = _ascii_tokens(romanise(vowels))
    for old, new in _LAO_POPULAR:
        out += [t.replace(old, new) for t in out[-2:] if old in t]
    return out


# --- Khmer ----------------------------------------------------------------------

# consonant: (onset, coda, series) -- series "a" (first) or "o" (second)
_KM_CONSONANTS = {
    "ក": ("k", "k", "a"), "ខ": ("kh", "k", "a"), "គ": ("k", "k", "o"), "ឃ": ("kh", "k", "o"),
    "ង": ("ng", "ng", "o"), "ច": ("ch", "ch", "a"), "ឆ": ("chh", "ch", "a"),
    "ជ": ("ch", "ch", "o"), "ឈ": ("chh", "ch", "o"), "ញ": ("nh", "nh", "o"),
    "ដ": ("d", "t", "a"), "ឋ": ("th", "t", "a"), "ឌ": ("d", "t", "o"), "ឍ": ("th", "t", "o"),
    "ណ": ("n", "n", "a"), "ត": ("t", "t", "a"), "ថ": ("th", "t", "a"), "ទ": ("t", "t", "o"),
    "ធ": ("th", "t", "o"), "ន": ("n", "n", "o"), "ប": ("b", "p", "a"), "ផ": ("ph", "p", "a"),
    "ព": ("p", "p", "o"), "ភ": ("ph", "p", "o"), "ម": ("m", "m", "o"), "យ": ("y", "y", "o"),
    "រ": ("r", "", "o"), "ល": ("l", "l", "o"), "វ": ("v", "v", "o"), "ស": ("s", "s", "a"),
    "ហ": ("h", "h", "a"), "ឡ": ("l", "l", "a"), "អ": ("", "", "a"),
}  # fmt: skip
_KM_INDEPENDENT = {
    "ឥ": "e", "ឦ": "ei", "ឧ": "o", "ឩ": "ou", "ឪ": "ov", "ឫ": "rue", "ឬ": "rueu",
    "ឭ": "lue", "ឮ": "lueu", "ឯ": "ae", "ឰ": "ai", "ឱ": "ao", "ឲ": "ao", "ឳ": "au",
}  # fmt: skip
# vowel signs (with the signs that close them): (first series, second series)
_KM_VOWELS = {
    "": ("a", "o"), "ា": ("a", "ea"), "ិ": ("e", "i"), "ី": ("ei", "y"), "ឹ": ("oe", "i"),
    "ឺ": ("eu", "eu"), "ុ": ("o", "u"), "ូ": ("ou", "ou"), "ួ": ("uo", "uo"),
    "ើ": ("aeu", "eu"), "ឿ": ("oea", "oea"), "ៀ": ("ie", "ea"), "េ": ("e", "e"),
    "ែ": ("ae", "e"), "ៃ": ("ai", "ey"), "ោ": ("ao", "o"), "ៅ": ("au", "ov"),
    "ុំ": ("om", "um"), "ំ": ("am", "um"), "ាំ": ("am", "oam"), "ះ": ("ah", "eah"),
    "ុះ": ("oh", "uh"), "េះ": ("eh", "eh"), "ោះ": ("aoh", "uoh"), "ិះ": ("eh", "ih"),
}  # fmt: skip
_KM_COENG = "\u17d2"
_KM_SHIFTERS = "\u17c9\u17ca"  # muusikatoan (to first series), triisap (to second)
_KM_VOWEL_SIGNS = "\u17b6\u17b7\u17b8\u17b9\u17ba\u17bb\u17bc\u17bd\u17be\u17bf\u17c0\u17c1\u17c2\u17c3\u17c4\u17c5\u17c6\u17c7"


def _khmer_word(word: str, *, flip_inherent: bool = False) -> str:
    """One Khmer word read syllable by syllable in the popular spelling.

    With ``flip_inherent`` a closed syllable without a vowel sign takes the
    other series' vowel (វណ្ណា is written Vanna as often as Vonna).
    """
    chars = [c for c in word if c in _KM_CONSONANTS or c in _KM_INDEPENDENT or c in _KM_VOWEL_SIGNS or c in _KM_SHIFTERS or c == _KM_COENG]  # fmt: skip
    out: list[str] = []
    i, n = 0, len(chars)
    while i < n:
        ch = chars[i]
        if ch in _KM_INDEPENDENT:
            out.append(_KM_INDEPENDENT[ch])
            i += 1
            if i < n and chars[i] in _KM_CONSONANTS and (i + 1 == n or chars[i + 1] not in _KM_VOWEL_SIGNS + _KM_SHIFTERS + _KM_COENG):  # fmt: skip
                out.append(_KM_CONSONANTS[chars[i]][1])
                i += 1
            continue
        if ch not in _KM_CONSONANTS:
            i += 1
            continue
        onset, _, series = _KM_CONSONANTS[ch]
        i += 1
        # a cluster: coeng and a consonant right after the onset
        while i + 1 < n and chars[i] == _KM_COENG and chars[i + 1] in _KM_CONSONANTS:
            sub = _KM_CONSONANTS[chars[i + 1]]
            onset += sub[0]
            if sub[2] == "o" and chars[i + 1] not in "ងញនមយរលវ":
                series = "o"
            i += 2
        if i < n and chars[i] in _KM_SHIFTERS:
            series = "a" if chars[i] == "\u17c9" else "o"
            i += 1
        vowel = ""
        while i < n and chars[i] in _KM_VOWEL_SIGNS:
            vowel += chars[i]
            i += 1
        coda = ""
        if i < n and chars[i] in _KM_CONSONANTS:
            nxt = chars[i + 1] if i + 1 < n else ""
            if nxt == "" or nxt == _KM_COENG or (nxt in _KM_CONSONANTS and vowel == ""):
                coda = _KM_CONSONANTS[chars[i]][1]
                i += 1
                # a subscript closing the word is silent (ពេជ្រ pech)
                if i + 1 < n and chars[i] == _KM_COENG and i + 2 == n:
                    i += 2
                elif i < n and chars[i] == _KM_COENG:
                    i += 1  # the subscript starts the next syllable
        pair = _KM_VOWELS.get(vowel) or _KM_VOWELS.get(vowel[:1], ("a", "o"))
        sound = pair[0 if series == "a" else 1]
        if vowel == "" and coda:
            sound = "a" if (series == "a") != flip_inherent else "o"
        out.append(onset + sound + coda)
    return "".join(out)


def _khmer(word: str) -> list[str]:
    base: list[str] = []
    popular = _ascii_tokens(_khmer_word(word)) + _ascii_tokens(
        _khmer_word(word, flip_inherent=True)
    )
    return base + popular


# --- Burmese --------------------------------------------------------------------

_MY_ALTERNATIVES = (("ky", "ch"), ("ei", "ay"), ("u", "oo"), ("aw", "o"), ("hs", "s"), ("nn", "n"))


def _burmese(word: str) -> list[list[str]]:
    """One token per syllable, with the common alternatives; a nasal final with the
    creaky tone (dot below) also written with a ``t`` (မြင့် Myint, သန့် Thant)."""
    syllables = _ascii_tokens(romanise(word))
    native = _split_myanmar_syllables(word)
    creaky = (
        ["\u1037" in s for s in native] if len(native) == len(syllables) else [False] * len(native)
    )
    out = []
    for s, dot in zip(syllables, creaky, strict=False):
        forms = [s, *(s.replace(a, b) for a, b in _MY_ALTERNATIVES if a in s)]
        if dot and s.endswith("n"):
            forms += [f + "t" for f in forms]
        out.append(_unique(forms))
    return out


# --- Chinese --------------------------------------------------------------------

# Hong Kong government (Cantonese) spellings of common family names.
_CANTONESE_SURNAMES = {
    "陈": "chan", "陳": "chan", "黄": "wong", "黃": "wong", "王": "wong", "张": "cheung",
    "張": "cheung", "刘": "lau", "劉": "lau", "李": "lee", "吴": "ng", "吳": "ng",
    "杨": "yeung", "楊": "yeung", "赵": "chiu", "趙": "chiu", "周": "chow", "徐": "tsui",
    "孙": "suen", "孫": "suen", "马": "ma", "馬": "ma", "朱": "chu", "胡": "wu",
    "郭": "kwok", "林": "lam", "何": "ho", "高": "ko", "罗": "law", "羅": "law",
    "梁": "leung", "郑": "cheng", "鄭": "cheng", "谢": "tse", "謝": "tse", "邓": "tang",
    "鄧": "tang", "冯": "fung", "馮": "fung", "曾": "tsang", "蔡": "choi", "叶": "yip",
    "葉": "yip", "许": "hui", "許": "hui", "袁": "yuen", "潘": "poon", "余": "yu",
}  # fmt: skip


_JYUTPING_INITIALS = (
    ("gw", "kw"), ("ng", "ng"), ("b", "p"), ("d", "t"), ("g", "k"), ("z", "ch"),
    ("c", "ch"), ("j", "y"),
)  # fmt: skip
_JYUTPING_FINALS = (
    ("oeng", "eung"), ("oek", "euk"), ("oe", "eu"), ("eoi", "ui"), ("eon", "un"),
    ("eot", "ut"), ("yun", "uen"), ("yut", "ut"), ("aa", "a"), ("ou", "o"),
)  # fmt: skip


def jyutping_to_hong_kong(syllable: str) -> str:
    """A Jyutping syllable in the Hong Kong government spelling (建 gin3 Kin, 张 zoeng1 Cheung)."""
    syllable = syllable.rstrip("123456").lower()
    initial, final = "", syllable
    for old, new in _JYUTPING_INITIALS:
        if syllable.startswith(old) and syllable != old:
            initial, final = new, syllable[len(old) :]
            break
    else:
        for letters in ("kw", "ng", "p", "t", "k", "m", "n", "l", "f", "h", "s", "w"):
            if syllable.startswith(letters) and syllable != letters:
                initial, final = letters, syllable[len(letters) :]
                break
    for old, new in _JYUTPING_FINALS:
        if final.startswith(old):
            final = new + final[len(old) :]
            break
    if initial == "y" and final.startswith("y"):
        final = final[1:]  # jyu yu
    return initial + final


@lru_cache(maxsize=1)
def _cantonese_table() -> dict[str, str]:
    """Character to Jyutping, from Unihan ``kCantonese`` (``data/cantonese.tsv``)."""
    path = files("tipstats.linkage") / "data" / "cantonese.tsv"
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    return {row.split("\t")[0]: row.split("\t")[1] for row in rows}


def _cantonese(chars: str) -> str:
    table = _cantonese_table()
    return "".join(jyutping_to_hong_kong(table[c]) if c in table else "" for c in chars)


@lru_cache(maxsize=1)
def _wade_giles():
    pypinyin = _require("pypinyin", "pypinyin", "romanising Chinese names in Wade-Giles")
    return lambda text: pypinyin.lazy_pinyin(text, style=pypinyin.Style.WADEGILES)


def _chinese(run: str) -> list[list[str]]:
    """Tokens of a run of Chinese characters (family name, given name), with their forms."""
    tokens = [[t] for t in _ascii_tokens(romanise(run))]
    if len(tokens) == 2 and len(run) >= 2:
        family_len = 2 if run[:2] in _COMPOUND_SURNAMES and len(run) > 2 else 1
        wg = ["".join(_ascii_tokens(s.replace("v", "u"))) for s in _wade_giles()(run)]
        tokens[0].append("".join(wg[:family_len]))
        tokens[1].append("".join(wg[family_len:]))
        if run[0] in _CANTONESE_SURNAMES and family_len == 1:
            tokens[0].append(_CANTONESE_SURNAMES[run[0]])
        tokens[0].append(_cantonese(run[:family_len]))
        tokens[1].append(_cantonese(run[family_len:]))
    elif len(tokens) == 1:
        wg = ["".join(_ascii_tokens(s.replace("v", "u"))) for s in _wade_giles()(run)]
        tokens[0].append("".join(wg))
        if run in _CANTONESE_SURNAMES:
            tokens[0].append(_CANTONESE_SURNAMES[run])
        tokens[0].append(_cantonese(run))
    return tokens


# --- all scripts ----------------------------------------------------------------


def _unique(forms: list[str]) -> list[str]:
    return list(dict.fromkeys(f for f in forms if f))


def romanisations(text: object) -> list[list[str]]:
    """For each token of a name, its distinct romanised forms.

    Tokens are lower-case ASCII letters and digits. A name in Latin script
    gives one form per token; a name in another script gives the forms of
    the conventions in the module docstring.

    >>> romanisations("Somchai Jaidee")
    [['somchai'], ['jaidee']]
    >>> [forms[:2] for forms in romanisations("张建国")]
    [['zhang', 'chang'], ['jianguo', 'chienkuo']]
    """
    if text is None or (isinstance(text, float) and text != text):
        return []
    text = unicodedata.normalize("NFKC", str(text))
    out: list[list[str]] = []
    for word in text.split():
        if _CJK.search(word):
            for run in re.split(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)", word):
                if _CJK.search(run):
                    out += [_unique(t) for t in _chinese(run)]
                else:
                    out += [[t] for t in _ascii_tokens(romanise(run))]
            continue
        if _THAI.search(word):
            forms = _thai(word)
        elif _LAO.search(word):
            forms = _lao(word)
        elif _KHMER.search(word):
            forms = _khmer(word)
        elif _MYANMAR.search(word):
            # a Burmese run romanises to several syllables: one token each
            out += _burmese(word)
            continue
        else:
            out += [[t] for t in _ascii_tokens(romanise(word))]
            continue
        first = _ascii_tokens(romanise(word))
        if len(first) == 1:
            out.append(_unique(forms))
        else:  # the romaniser split the word: keep its tokens, variants joined
            out += [[t] for t in first]
            out.append(_unique(["".join(first), *forms]))
    return out
