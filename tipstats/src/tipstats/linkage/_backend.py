"""The interface every linkage backend implements, and the in-process numpy backend.

A backend does the two heavy steps of a linkage: joining blocking keys into
candidate pairs, and computing the Dice coefficient of each pair. Scoring,
1-to-1 assignment and evaluation are small and run in numpy whatever the
backend. Backends that need another engine live in their own subpackage
(``tipstats.linkage.duckdb``, ``tipstats.linkage.spark``).

A backend may instead make and score the candidate pairs in one step,
``link_pairs(left, right, blocking, *, dice_floor, max_block_pairs)`` returning
``(left_rows, right_rows, dice, n_comparisons, n_pairs_skipped)`` for the pairs
at or above the floor; :class:`tipstats.linkage.Matcher` then calls it, so the
candidate pairs never leave the engine (the Spark backend does this).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from ._blocking import KeyTable
from ._encoding import Encodings
from ._similarity import dice_all_pairs, dice_pairs

__all__ = ["CandidatePairs", "LinkageBackend", "NumpyBackend", "join_key_tables"]


@dataclass(frozen=True)
class CandidatePairs:
    """Distinct candidate pairs ``(left_rows[p], right_rows[p])``.

    ``n_pairs_skipped`` counts pairs not generated because their block held
    more than ``max_block_pairs`` pairs (a degenerate key, for example
    filters that are almost empty); they may repeat pairs made by another
    rule or band.
    """

    left_rows: np.ndarray
    right_rows: np.ndarray
    n_pairs_skipped: int = 0

    def __len__(self) -> int:
        return int(self.left_rows.size)


@runtime_checkable
class LinkageBackend(Protocol):
    """What :class:`tipstats.linkage.Matcher` needs from an engine."""

    name: str

    def candidate_pairs(
        self,
        tables: list[tuple[KeyTable, KeyTable]],
        *,
        n_right: int,
        max_block_pairs: int,
    ) -> CandidatePairs:
        """Distinct pairs sharing a key in any of the ``(left, right)`` key tables."""
        ...

    def score_pairs(
        self, left: Encodings, right: Encodings, pairs: CandidatePairs, *, dice_floor: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(left_rows, right_rows, dice)`` of the candidate pairs with Dice >= ``dice_floor``."""
        ...

    def score_all_pairs(
        self, left: Encodings, right: Encodings, *, dice_floor: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The same over every pair (no blocking)."""
        ...


def join_key_tables(
    left: KeyTable, right: KeyTable, *, max_block_pairs: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Sort-merge join of two key tables: ``(left_rows, right_rows, n_pairs_skipped)``.

    Pairs may repeat when two records share several keys.
    """
    empty = np.empty(0, dtype=np.int64)
    if left.keys.size == 0 or right.keys.size == 0:
        return empty, empty.copy(), 0
    lo = np.argsort(left.keys, kind="stable")
    ro = np.argsort(right.keys, kind="stable")
    lk, lr = left.keys[lo], left.rows[lo]
    rk, rr = right.keys[ro], right.rows[ro]
    lu, l_start, l_count = np.unique(lk, return_index=True, return_counts=True)
    ru, r_start, r_count = np.unique(rk, return_index=True, return_counts=True)
    _, li, ri = np.intersect1d(lu, ru, assume_unique=True, return_indices=True)
    l_start, l_count, r_start, r_count = l_start[li], l_count[li], r_start[ri], r_count[ri]
    sizes = l_count.astype(np.int64) * r_count
    oversized = sizes > max_block_pairs
    n_skipped = int(sizes[oversized].sum())
    keep = ~oversized
    l_start, l_count, r_start, r_count, sizes = (
        l_start[keep], l_count[keep], r_start[keep], r_count[keep], sizes[keep]
    )  # fmt: skip
    total = int(sizes.sum())
    if total == 0:
        return empty, empty.copy(), n_skipped
    block = np.repeat(np.arange(sizes.size), sizes)
    first = np.cumsum(sizes) - sizes
    within = np.arange(total, dtype=np.int64) - first[block]
    width = r_count[block]
    left_rows = lr[l_start[block] + within // width]
    right_rows = rr[r_start[block] + within % width]
    return left_rows, right_rows, n_skipped


def distinct_pairs(
    left_rows: list[np.ndarray], right_rows: list[np.ndarray], n_right: int
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct pairs, sorted, from lists of row arrays."""
    if not left_rows:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy()
    codes = np.unique(
        np.concatenate(
            [lr * np.int64(n_right) + rr for lr, rr in zip(left_rows, right_rows, strict=True)]
        )
    )
    return codes // n_right, codes % n_right


class NumpyBackend:
    """Everything in numpy, in this process: sort-merge joins and popcounts."""

    name = "numpy"

    def candidate_pairs(
        self,
        tables: list[tuple[KeyTable, KeyTable]],
        *,
        n_right: int,
        max_block_pairs: int,
    ) -> CandidatePairs:
        lefts, rights, skipped = [], [], 0
        for left, right in tables:
            lr, rr, n_skipped = join_key_tables(left, right, max_block_pairs=max_block_pairs)
            lefts.append(lr)
            rights.append(rr)
            skipped += n_skipped
        i, j = distinct_pairs(lefts, rights, max(n_right, 1))
        return CandidatePairs(i, j, skipped)

    def score_pairs(
        self, left: Encodings, right: Encodings, pairs: CandidatePairs, *, dice_floor: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        dice = dice_pairs(left, right, pairs.left_rows, pairs.right_rows)
        keep = dice >= dice_floor
        return pairs.left_rows[keep], pairs.right_rows[keep], dice[keep]

    def score_all_pairs(
        self, left: Encodings, right: Encodings, *, dice_floor: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return dice_all_pairs(left, right, threshold=dice_floor)
