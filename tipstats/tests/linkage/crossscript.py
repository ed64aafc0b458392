"""The labelled cross-script name set (data/names.tsv) and synthetic people made of it.

Written independently of the encoder: nothing here romanises, normalises or
tokenises. A person's native name is built from a given name and a family
name of one script, in that script's usual order; the same person written in
Latin takes, for each part, one of the spellings listed for it (as people
write them), in either order, optionally with typing errors. Every name part
is a given name or a family name of the lists: no real person's full name.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tipstats.linkage._calibrate import _typo as _calibration_typo

DATA = Path(__file__).with_name("data") / "names.tsv"
SCRIPTS = ("th", "km", "lo", "my", "zh", "vi")
# written family name first, and without a space between the parts
_FAMILY_FIRST = {"km", "zh", "vi"}
_JOINED = {"zh", "my"}


@dataclass(frozen=True)
class NamePart:
    script: str
    part: str
    native: str
    latin: tuple[str, ...]


def load_names(path: Path = DATA) -> list[NamePart]:
    """Rows of the labelled set; a row without a native form or a spelling is refused."""
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            latin = tuple(s.strip() for s in row["latin"].split("|") if s.strip())
            if row["script"] not in SCRIPTS or row["part"] not in ("given", "family"):
                raise ValueError(
                    f"{path.name} line {line}: script/part {row['script']!r}/{row['part']!r}"
                )
            if not row["native"].strip() or not latin:
                raise ValueError(f"{path.name} line {line}: native form and a spelling are needed")
            out.append(NamePart(row["script"], row["part"], row["native"].strip(), latin))
    return out


def _typo(word: str, rng: np.random.Generator) -> str:
    """One keyboard error (the calibration set's), in words of four letters or more."""
    return _calibration_typo(word, rng, shortest=4)


def _native(script: str, given: NamePart, family: NamePart) -> str:
    parts = (
        [family.native, given.native] if script in _FAMILY_FIRST else [given.native, family.native]
    )
    return ("" if script in _JOINED else " ").join(parts)


def people(script: str, n: int, *, seed: int, names: list[NamePart] | None = None) -> pd.DataFrame:
    """``n`` synthetic people of one script (distinct given/family pairs): native name, parts."""
    names = names or load_names()
    given = [p for p in names if p.script == script and p.part == "given"]
    family = [p for p in names if p.script == script and p.part == "family"]
    # one combination per unordered pair of parts: Burmese names have no family
    # name, so "Htun Naing" and "Naing Htun" would be two people with one name
    seen: set[frozenset[str]] = set()
    combos = []
    for g in given:
        for f in family:
            key = frozenset((g.native, f.native))
            if g.native != f.native and key not in seen:
                seen.add(key)
                combos.append((g, f))
    if n > len(combos):
        raise ValueError(f"{script}: only {len(combos)} distinct names, {n} asked for")
    rng = np.random.default_rng(seed)
    picked = [combos[i] for i in rng.choice(len(combos), n, replace=False)]
    return pd.DataFrame(
        {
            "native": [_native(script, g, f) for g, f in picked],
            "script": script,
            "given": [g for g, _ in picked],
            "family": [f for _, f in picked],
        }
    )


def latin_name(
    given: NamePart, family: NamePart, rng: np.random.Generator, *, typo_rate: float = 0.0
) -> str:
    """One Latin writing: a listed spelling per part, either order, maybe typing errors."""
    parts = [str(rng.choice(given.latin)), str(rng.choice(family.latin))]
    parts = [_typo(w, rng) if rng.random() < typo_rate else w for w in parts]
    return " ".join(parts if rng.random() < 0.5 else parts[::-1])


def _noisy_date(dob: str, rng: np.random.Generator) -> str:
    year, month, day = dob.split("-")
    roll = rng.random()
    if roll < 0.1 and int(day) <= 12:
        month, day = day, month
    elif roll < 0.2:
        day = f"{min(28, max(1, int(day) + int(rng.choice([-1, 1])))):02d}"
    elif roll < 0.25:
        year = str(int(year) + 1)
    return f"{year}-{month}-{day}"


def cross_script_set(
    n_left: int, *, unmatched_share: float, seed: int, typo_rate: float = 0.3
) -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[int, int]]]:
    """Native-script records on the left, Latin ones on the right, and the true pairs.

    People of all six scripts in equal shares; ``unmatched_share`` of each side
    has no counterpart. The Latin counterpart has a listed spelling of each
    part, in either order, a ``typo_rate`` chance of a typing error per part,
    and a 25% chance of a date-of-birth error.
    """
    rng = np.random.default_rng(seed)
    names = load_names()
    per_script = -(-2 * n_left // len(SCRIPTS))
    pool = pd.concat(
        [people(s, per_script, seed=seed + k, names=names) for k, s in enumerate(SCRIPTS)],
        ignore_index=True,
    )
    pool = pool.iloc[rng.permutation(len(pool))].reset_index(drop=True)
    born = pd.Timestamp("1965-01-01") + pd.to_timedelta(
        rng.integers(0, 365 * 45, len(pool)), unit="D"
    )
    pool["date_of_birth"] = born.strftime("%Y-%m-%d")
    n_matched = round(n_left * (1 - unmatched_share))
    n_only = n_left - n_matched
    left_rows = pool.iloc[:n_left]
    right_rows = pd.concat([pool.iloc[:n_matched], pool.iloc[n_left : n_left + n_only]])
    left = pd.DataFrame(
        {
            "name": left_rows["native"].to_numpy(),
            "date_of_birth": left_rows["date_of_birth"].to_numpy(),
            "script": left_rows["script"].to_numpy(),  # not encoded: for per-script figures
        },
        index=pd.Index(np.arange(n_left), name="id"),
    )
    right = pd.DataFrame(
        {
            "name": [
                latin_name(g, f, rng, typo_rate=typo_rate)
                for g, f in zip(right_rows["given"], right_rows["family"], strict=True)
            ],
            "date_of_birth": [_noisy_date(d, rng) for d in right_rows["date_of_birth"]],
        },
        index=pd.Index(1_000_000 + rng.permutation(n_left), name="id"),
    )
    truth = {(k, int(right.index[k])) for k in range(n_matched)}
    return left, right.sort_index(), truth
