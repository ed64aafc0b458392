"""Synthetic people written in the seven scripts, with the errors real registers make.

For tests and benchmarks only: no real person is in here. Each synthetic
name is a sequence of syllables; every syllable has one spelling per script,
the way an official of that country would transliterate it. Records then
get typical errors: dropped tone marks and diacritics, two letters
transposed, given and family name swapped, day and month of birth swapped,
only the year of birth known, year of birth off by one.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = ["SCRIPTS", "cross_script_benchmark", "render_people", "synthetic_people"]

SCRIPTS = ("latin", "thai", "khmer", "lao", "burmese", "chinese", "vietnamese")

# latin, thai, khmer, lao, burmese, chinese, vietnamese
_SYLLABLES = (
    ("san", "สัน", "សាន", "ສັນ", "ဆန်း", "山", "San"),
    ("mai", "ไม", "ម៉ៃ", "ໄມ", "မယ်", "麦", "Mai"),
    ("lin", "ลิน", "លីន", "ລິນ", "လင်း", "林", "Linh"),
    ("na", "นา", "ណា", "ນາ", "နာ", "娜", "Na"),
    ("ma", "มา", "ម៉ា", "ມາ", "မာ", "马", "Mã"),
    ("li", "ลี", "លី", "ລີ", "လီ", "李", "Lý"),
    ("tan", "ตัน", "តាន", "ຕັນ", "တန်", "谭", "Tân"),
    ("win", "วิน", "វីន", "ວິນ", "ဝင်း", "温", "Vinh"),
    ("hong", "หง", "ហុង", "ຫົງ", "ဟောင်", "红", "Hồng"),
    ("thu", "ทู", "ធូ", "ທູ", "သူ", "图", "Thu"),
    ("sok", "สก", "សុខ", "ສົກ", "ဆုတ်", "索", "Sóc"),
    ("chan", "จัน", "ចាន់", "ຈັນ", "ချန်", "陈", "Chân"),
    ("da", "ดา", "ដា", "ດາ", "ဒါ", "达", "Đa"),
    ("ra", "รา", "រ៉ា", "ຣາ", "ရာ", "拉", "Ra"),
    ("kim", "คิม", "គីម", "ຄິມ", "ကင်", "金", "Kim"),
    ("phon", "พร", "ផន", "ພອນ", "ဘုန်း", "蓬", "Phôn"),
    ("seng", "เส็ง", "សេង", "ເສັງ", "စိန်", "盛", "Sinh"),
    ("bun", "บุญ", "ប៊ុន", "ບຸນ", "ဗွန်", "本", "Bùn"),
    ("thi", "ที", "ធី", "ທີ", "သီ", "提", "Thị"),
    ("hoa", "ฮวา", "ហ័រ", "ຮວາ", "ဟွာ", "花", "Hoa"),
    ("nguyen", "เหงียน", "ង្វៀន", "ຫງວຽນ", "ငုယင်", "阮", "Nguyễn"),
    ("tran", "ตรัน", "ត្រាន", "ຕຣານ", "ထရန်", "陈", "Trần"),
    ("pham", "ฝ่าม", "ផាម", "ຟ້າມ", "ဖမ်", "范", "Phạm"),
    ("le", "เล", "ឡេ", "ເລ", "လေ", "黎", "Lê"),
    ("hai", "ไห่", "ហៃ", "ໄຮ", "ဟိုင်း", "海", "Hải"),
    ("ming", "มิง", "មីង", "ມິງ", "မင်း", "明", "Minh"),
    ("wang", "หวัง", "វ៉ាង", "ຫວັງ", "ဝမ်", "王", "Vương"),
    ("aung", "อ่อง", "អោង", "ອ່ອງ", "အောင်", "昂", "Âu"),
    ("kyaw", "จอ", "ចូ", "ຈໍ", "ကျော်", "乔", "Kiều"),
    ("mon", "มน", "មន", "ມົນ", "မွန်", "蒙", "Mơn"),
    ("sa", "สา", "សា", "ສາ", "စာ", "莎", "Sa"),
    ("vi", "วี", "វី", "ວີ", "ဝီ", "薇", "Vi"),
)
_FAMILY_FIRST = {"chinese", "vietnamese"}
_JOINED = {"burmese", "chinese"}  # written without spaces between name parts
_TONE_MARKS = re.compile(
    r"[\u0e48-\u0e4b\u0ec8-\u0ecb\u1037\u1038\u17c9-\u17ca]"
)  # Thai, Lao tone marks; Burmese tones; Khmer register shifters


def synthetic_people(
    n: int,
    *,
    seed: int = 0,
    given_syllables: tuple[int, ...] = (1, 2),
    popularity: float = 0.8,
) -> pd.DataFrame:
    """``n`` synthetic people: ``person_id``, ``given`` and ``family`` (syllable numbers), ``dob``, ``sex``.

    Given names have one of ``given_syllables`` syllables (equally often),
    family names one. Syllable ``r`` (by rank) is drawn with weight
    ``1 / r ** popularity``: a few are very common, as in real registers.
    Longer given names and a lower ``popularity`` make names more diverse.
    """
    rng = np.random.default_rng(seed)
    n_syl = len(_SYLLABLES)
    weights = 1.0 / np.arange(1, n_syl + 1) ** popularity
    weights /= weights.sum()
    given_len = rng.choice(list(given_syllables), size=n)
    given = [tuple(rng.choice(n_syl, size=k, p=weights)) for k in given_len]
    family = [(int(s),) for s in rng.choice(n_syl, size=n, p=weights)]
    start = np.datetime64("1970-01-01")
    dob = start + rng.integers(0, 38 * 365, size=n).astype("timedelta64[D]")
    sex = rng.choice(["f", "m"], size=n, p=[0.7, 0.3])
    return pd.DataFrame(
        {
            "person_id": np.arange(n),
            "given": given,
            "family": family,
            "dob": pd.to_datetime(dob),
            "sex": sex,
        }
    )


def _spell(syllables: tuple[int, ...], script: str) -> str:
    col = SCRIPTS.index(script)
    parts = [_SYLLABLES[s][col] for s in syllables]
    if script == "latin":
        return "".join(parts).capitalize()
    if script == "vietnamese":
        return " ".join(parts)
    return "".join(parts)


def _strip_tones(text: str, script: str) -> str:
    if script in ("latin", "vietnamese"):
        return "".join(
            c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
        ).replace("Đ", "D")
    return _TONE_MARKS.sub("", text)


def _transpose(text: str, rng: np.random.Generator) -> str:
    positions = [i for i in range(len(text) - 1) if text[i] != " " and text[i + 1] != " "]
    if not positions:
        return text
    i = int(rng.choice(positions))
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def render_people(
    people: pd.DataFrame,
    scripts: list[str] | np.ndarray,
    *,
    seed: int = 0,
    error_rate: float = 1.0,
) -> pd.DataFrame:
    """One record per person, its name written in ``scripts[row]``, with random errors.

    ``error_rate`` scales the probability of every error (0 gives clean
    records). Returns ``person_id``, ``script``, ``name``, ``date_of_birth``
    (ISO, maybe partial) and ``sex``.
    """
    rng = np.random.default_rng(seed)
    names, dobs, sexes = [], [], []
    for person, script in zip(people.itertuples(index=False), scripts, strict=True):
        given, family = _spell(person.given, script), _spell(person.family, script)
        swap = rng.random() < 0.3 * error_rate
        first_family = (script in _FAMILY_FIRST) != swap
        parts = [family, given] if first_family else [given, family]
        name = ("" if script in _JOINED else " ").join(parts)
        if rng.random() < 0.5 * error_rate:
            name = _strip_tones(name, script)
        if rng.random() < 0.15 * error_rate:
            name = _transpose(name, rng)
        names.append(name)
        dob = person.dob
        year, month, day = dob.year, dob.month, dob.day
        if rng.random() < 0.05 * error_rate:
            year += int(rng.choice([-1, 1]))
        if rng.random() < 0.15 * error_rate and day <= 12:
            month, day = day, month
        if rng.random() < 0.1 * error_rate:
            dobs.append(f"{year:04d}")
        else:
            dobs.append(f"{year:04d}-{month:02d}-{day:02d}")
        sexes.append("" if rng.random() < 0.02 * error_rate else person.sex)
    return pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy(),
            "script": list(scripts),
            "name": names,
            "date_of_birth": dobs,
            "sex": sexes,
        }
    )


def cross_script_benchmark(
    n_people: int = 2000, *, overlap: float = 0.5, seed: int = 0, error_rate: float = 1.0
) -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[int, int]]]:
    """Two registers of the same synthetic population, written in different scripts.

    The left register holds ``n_people`` people, each written in a random
    script; the right holds ``overlap * n_people`` of them again, each in a
    *different* script from its left record, plus as many new people.
    Returns ``(left, right, true_pairs)``; records are indexed by
    ``record_id`` and ``true_pairs`` holds ``(left_record_id, right_record_id)``.
    """
    rng = np.random.default_rng(seed)
    n_shared = round(overlap * n_people)
    population = synthetic_people(n_people + (n_people - n_shared), seed=seed)
    left_people = population.iloc[:n_people]
    shared = rng.choice(n_people, size=n_shared, replace=False)
    right_people = pd.concat([left_people.iloc[shared], population.iloc[n_people:]])
    left_scripts = rng.choice(SCRIPTS, size=len(left_people))
    script_of = dict(zip(left_people["person_id"], left_scripts, strict=True))
    right_scripts = []
    for pid in right_people["person_id"]:
        choices = [s for s in SCRIPTS if s != script_of.get(pid)]
        right_scripts.append(str(rng.choice(choices)))
    left = render_people(left_people, left_scripts, seed=seed + 1, error_rate=error_rate)
    right = render_people(right_people, right_scripts, seed=seed + 2, error_rate=error_rate)
    left.index = pd.Index([f"L{i}" for i in range(len(left))], name="record_id")
    right.index = pd.Index([f"R{i}" for i in range(len(right))], name="record_id")
    left_of = dict(zip(left["person_id"], left.index, strict=True))
    truth = {
        (left_of[p], r)
        for p, r in zip(right["person_id"], right.index, strict=True)
        if p in left_of
    }
    return left, right, truth
