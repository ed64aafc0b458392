"""A labelled set with unmatched records, and the Dice threshold that reaches a precision.

Between two countries most records have no counterpart, so a decision rule
tuned on a benchmark where every record matches (FEBRL4) accepts
non-matches. :func:`labelled_linkage_set` makes two sides of synthetic,
code-generated people in which a chosen share of records has no
counterpart; counterparts carry typing errors, swapped name order and
date-of-birth errors. It is written independently of the encoder (it uses no
tokeniser, hash or normaliser of this package), so calibrating on it does
not flatter the encoding.

:func:`calibrate_dice_threshold` encodes such a set, links it at every
Dice threshold and returns the smallest threshold whose precision reaches
the level asked for under the hardest share of unmatched records, with the
precision and recall measured there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["ThresholdCalibration", "calibrate_dice_threshold", "labelled_linkage_set"]

# Romanised given and family names of the Mekong region, as officials type them.
_GIVEN = [
    "sokha",
    "sophea",
    "dara",
    "vanna",
    "chanthy",
    "sreymom",
    "bopha",
    "kosal",
    "rithy",
    "piseth",
    "visal",
    "sokunthea",
    "malis",
    "channary",
    "sothea",
    "narin",
    "somchai",
    "somsak",
    "niran",
    "kanya",
    "malai",
    "pranee",
    "suda",
    "wichai",
    "anong",
    "siriporn",
    "thanakorn",
    "kittisak",
    "noy",
    "bounmy",
    "khamla",
    "souksavanh",
    "phonsavanh",
    "vilay",
    "keo",
    "somphone",
    "chanthala",
    "aung",
    "kyaw",
    "thida",
    "hla",
    "myint",
    "zaw",
    "nilar",
    "khin",
    "win",
    "htun",
    "su",
    "wei",
    "jing",
    "ming",
    "hua",
    "li",
    "na",
    "jun",
    "xiao",
    "yan",
    "lan",
    "hoa",
    "lan",
    "linh",
    "mai",
    "thu",
    "huong",
    "minh",
    "tuan",
    "hung",
    "dung",
    "anh",
    "trang",
    "ngoc",
    "phuong",
]
_FAMILY = [
    "chan",
    "sok",
    "kim",
    "chea",
    "heng",
    "lim",
    "meas",
    "keo",
    "seng",
    "pich",
    "ouk",
    "nhem",
    "srey",
    "saetang",
    "wongsa",
    "chaiyaphum",
    "srisuk",
    "boonmee",
    "rattana",
    "phommavong",
    "sisouk",
    "vongsa",
    "inthavong",
    "keomany",
    "phimmasone",
    "aung",
    "tun",
    "win",
    "oo",
    "lwin",
    "myint",
    "naing",
    "wang",
    "li",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "nguyen",
    "tran",
    "le",
    "pham",
    "hoang",
    "phan",
    "vu",
    "dang",
    "bui",
    "do",
    "ho",
    "ngo",
    "duong",
    "ly",
]
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _typo(word: str, rng: np.random.Generator, *, shortest: int = 3) -> str:
    """One keyboard error: a letter substituted, dropped, doubled or two swapped (words
    shorter than ``shortest`` are left as they are)."""
    if len(word) < shortest:
        return word
    i = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(4))
    if kind == 0:
        return word[:i] + _LETTERS[int(rng.integers(26))] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def _people(n: int, rng: np.random.Generator) -> pd.DataFrame:
    given = rng.choice(_GIVEN, n)
    second = np.where(rng.random(n) < 0.4, rng.choice(_GIVEN, n), "")
    family = rng.choice(_FAMILY, n)
    born = pd.Timestamp("1965-01-01") + pd.to_timedelta(rng.integers(0, 365 * 45, n), unit="D")
    return pd.DataFrame(
        {
            "given": [f"{g} {s}".strip() for g, s in zip(given, second, strict=True)],
            "family": family,
            "date_of_birth": born.strftime("%Y-%m-%d"),
            "sex": rng.choice(["f", "m"], n),
        }
    )


def _noisy(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    out = people.copy()
    names, dates = [], []
    for given, family, dob in zip(people["given"], people["family"], people["date_of_birth"], strict=True):  # fmt: skip
        parts = [_typo(w, rng) if rng.random() < 0.3 else w for w in given.split()]
        family = _typo(family, rng) if rng.random() < 0.3 else family
        # family name first half of the time (as written in Chinese and Vietnamese)
        names.append(" ".join([family, *parts] if rng.random() < 0.5 else [*parts, family]))
        year, month, day = dob.split("-")
        roll = rng.random()
        if roll < 0.1 and int(day) <= 12:
            month, day = day, month  # day and month swapped
        elif roll < 0.2:
            day = f"{min(28, max(1, int(day) + int(rng.choice([-1, 1])))):02d}"
        elif roll < 0.25:
            year = str(int(year) + int(rng.choice([-1, 1])))
        dates.append(f"{year}-{month}-{day}")
    out["name"] = names
    out["date_of_birth"] = dates
    return out


def labelled_linkage_set(
    n_left: int, *, unmatched_share: float, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[int, int]]]:
    """Two sides and their true pairs; ``unmatched_share`` of each side has no counterpart.

    Each side has ``n_left`` records with columns ``name``, ``date_of_birth``
    and ``sex`` (index = record id). A right-hand record has, independently, a 30%
    chance of one typing error per name part, its family name first or last
    with equal chance, and a 25% chance of a date error (day and month
    swapped, the day off by one, or the year off by one).
    """
    if not 0.0 <= unmatched_share < 1.0:
        raise ValueError("unmatched_share must be in [0, 1)")
    rng = np.random.default_rng(seed)
    n_matched = round(n_left * (1 - unmatched_share))
    n_only = n_left - n_matched
    shared = _people(n_matched, rng)
    left = pd.concat([shared, _people(n_only, rng)], ignore_index=True)
    right = pd.concat([shared, _people(n_only, rng)], ignore_index=True)
    # the left side as first recorded (name in given-family order), the right as
    # recorded again elsewhere: with typing errors, name order and date errors
    left["name"] = left["given"] + " " + left["family"]
    right = _noisy(right, rng)
    left_order = rng.permutation(n_left)
    right_order = rng.permutation(n_left)
    left.index = pd.Index(np.argsort(left_order), name="id")
    right.index = pd.Index(np.argsort(right_order) + 1_000_000, name="id")
    truth = {(int(left.index[k]), int(right.index[k])) for k in range(n_matched)}
    columns = ["name", "date_of_birth", "sex"]
    return left[columns].sort_index(), right[columns].sort_index(), truth


@dataclass(frozen=True)
class ThresholdCalibration:
    """The calibrated Dice threshold and what was measured there, per share of unmatched."""

    min_precision: float
    dice_threshold: float
    precision: dict[float, float]
    recall: dict[float, float]

    def summary(self) -> str:
        rows = [
            f"unmatched {share:.2f}: precision {self.precision[share]:.3f}, "
            f"recall {self.recall[share]:.3f}"
            for share in sorted(self.precision)
        ]
        return f"Dice >= {self.dice_threshold:.3f} for precision >= {self.min_precision}\n" + (
            "\n".join(rows)
        )


def _precision_recall(
    dice: np.ndarray, is_match: np.ndarray, n_true: int, thresholds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-dice, kind="stable")
    sorted_dice, hits = dice[order], np.cumsum(is_match[order])
    accepted = np.searchsorted(-sorted_dice, -thresholds, side="right")
    tp = np.where(accepted > 0, hits[np.maximum(accepted - 1, 0)], 0)
    precision = np.where(accepted > 0, tp / np.maximum(accepted, 1), 1.0)
    return precision, tp / max(n_true, 1)


def calibrate_dice_threshold(
    encoder,
    min_precision: float,
    *,
    blocking=None,
    unmatched_shares: tuple[float, ...] = (1 / 3, 2 / 3),
    n_records: int = 3000,
    seed: int = 0,
) -> ThresholdCalibration:
    """Smallest Dice threshold whose precision is at least ``min_precision`` at every share.

    Every candidate pair at or above the threshold is accepted (no 1-to-1
    assignment), as the hub raises alerts. ``encoder`` is a
    :class:`~tipstats.linkage.BloomEncoder` (any secret: the figures do not
    depend on it); ``blocking`` the hub's blocking rules.
    """
    from ._matcher import Matcher

    if not 0.0 < min_precision <= 1.0:
        raise ValueError("min_precision must be in (0, 1]")
    grid = np.round(np.arange(0.5, 1.0001, 0.005), 3)
    per_share = []
    for k, share in enumerate(unmatched_shares):
        left, right, truth = labelled_linkage_set(n_records, unmatched_share=share, seed=seed + k)
        result = Matcher(
            blocking=blocking, score="dice", threshold=0.5, dice_floor=0.5, one_to_one=False,
            backend="numpy",
        ).link(encoder.encode(left), encoder.encode(right))  # fmt: skip
        i, j, dice, _ = result.pair_arrays
        pairs = zip(left.index.to_numpy()[i].tolist(), right.index.to_numpy()[j].tolist(), strict=True)  # fmt: skip
        is_match = np.fromiter((p in truth for p in pairs), dtype=bool, count=len(i))
        per_share.append(_precision_recall(dice, is_match, len(truth), grid))
    worst = np.min([p for p, _ in per_share], axis=0)
    # the precision at this threshold and at every higher one
    worst = np.minimum.accumulate(worst[::-1])[::-1]
    ok = np.nonzero(worst >= min_precision)[0]
    at = int(ok[0]) if ok.size else len(grid) - 1
    return ThresholdCalibration(
        min_precision=min_precision,
        dice_threshold=float(grid[at]),
        precision={s: float(p[at]) for s, (p, _) in zip(unmatched_shares, per_share, strict=True)},
        recall={s: float(r[at]) for s, (_, r) in zip(unmatched_shares, per_share, strict=True)},
    )


# calibrate_dice_threshold(BloomEncoder(MATIS_SCHEMA, secret), p,
# blocking=(MATIS_LSH_BLOCKING,)) for each precision p (3,000 records a side,
# seeds 0 and 1; schema version 3: name k=5, skeleton k=20, date k=20);
# tests/linkage/test_linkage_decision.py recomputes a row and checks the 0.95
# row on sets made with other seeds and another secret.
MATIS_CALIBRATION: dict[float, float] = {
    0.80: 0.76,
    0.85: 0.77,
    0.90: 0.785,
    0.95: 0.805,
    0.98: 0.835,
    0.99: 0.86,
}


def dice_threshold_for_precision(min_precision: float) -> float:
    """The calibrated Dice threshold of the MATIS schema for a precision of at least this.

    Taken from the table for the smallest calibrated precision at or above
    ``min_precision`` (conservative between rows).
    """
    if not 0.0 < min_precision <= max(MATIS_CALIBRATION):
        raise ValueError(
            f"min_precision must be in (0, {max(MATIS_CALIBRATION)}], not {min_precision!r}"
        )
    return MATIS_CALIBRATION[min(p for p in MATIS_CALIBRATION if p >= min_precision)]
