"""Dice coefficients of Bloom filters: popcounts over ``uint64`` words.

Dice(A, B) = 2 |A and B| / (|A| + |B|), the similarity ``anonlink`` and
``clkhash`` use; two empty filters have Dice 0.
"""

from __future__ import annotations

import numpy as np

from ._encoding import Encodings
from ._kernels import common_bits_pairs, dense_hits

__all__ = ["dice_all_pairs", "dice_coefficient", "dice_pairs"]

_DENSE_ROWS = 2048


def _dice_from_counts(common: np.ndarray, total: np.ndarray) -> np.ndarray:
    out = np.zeros(common.shape, dtype=np.float64)
    np.divide(2.0 * common, total, out=out, where=total > 0)
    return out


def dice_coefficient(a: bytes | np.ndarray, b: bytes | np.ndarray) -> float:
    """Dice coefficient of two filters given as ``bytes`` or ``uint8`` arrays of one length."""
    x = np.frombuffer(bytes(a), dtype=np.uint8)
    y = np.frombuffer(bytes(b), dtype=np.uint8)
    if x.shape != y.shape:
        raise ValueError(f"filters of different lengths: {x.size} and {y.size} bytes")
    common = int(np.bitwise_count(x & y).sum())
    total = int(np.bitwise_count(x).sum() + np.bitwise_count(y).sum())
    return 2.0 * common / total if total else 0.0


def dice_pairs(
    left: Encodings,
    right: Encodings,
    left_rows: np.ndarray,
    right_rows: np.ndarray,
    *,
    kernel: str | None = None,
) -> np.ndarray:
    """Dice coefficient of each pair ``(left_rows[p], right_rows[p])``."""
    left.check_comparable(right)
    i = np.asarray(left_rows, dtype=np.int64)
    j = np.asarray(right_rows, dtype=np.int64)
    common = common_bits_pairs(left.words, right.words, i, j, kernel=kernel)
    return _dice_from_counts(common, left.popcounts[i] + right.popcounts[j])


def dice_all_pairs(
    left: Encodings, right: Encodings, *, threshold: float, kernel: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair with Dice >= ``threshold``: ``(left_rows, right_rows, dice)``.

    Compares all ``len(left) * len(right)`` pairs except those a popcount
    bound rules out: Dice <= 2 min(|A|, |B|) / (|A| + |B|), so with the
    right side sorted by popcount each left filter is compared only with the
    slice of right filters whose popcount can reach the threshold (the bound
    ``anonlink`` also uses). ``kernel`` forces ``"numba"`` or ``"numpy"``.
    """
    left.check_comparable(right)
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be in [0, 1], not {threshold}")
    r_order = np.argsort(right.popcounts, kind="stable")
    rw = np.ascontiguousarray(right.words[r_order])
    rp = right.popcounts[r_order].astype(np.float64)
    lp_all = left.popcounts.astype(np.float64)
    if threshold > 0:
        lo_all = np.searchsorted(rp, lp_all * threshold / (2.0 - threshold), side="left")
        hi_all = np.searchsorted(rp, lp_all * (2.0 - threshold) / threshold, side="right")
    else:
        lo_all = np.zeros(len(left), dtype=np.int64)
        hi_all = np.full(len(left), rp.size, dtype=np.int64)
    found_i, found_j, found_d = [], [], []
    for start in range(0, len(left), _DENSE_ROWS):
        stop = min(start + _DENSE_ROWS, len(left))
        hit_r, hit_c, common = dense_hits(
            left.words[start:stop], rw, lp_all[start:stop], rp,
            lo_all[start:stop], hi_all[start:stop], threshold, kernel=kernel,
        )  # fmt: skip
        if hit_r.size:
            total = lp_all[start + hit_r] + rp[hit_c]
            found_i.append(start + hit_r)
            found_j.append(r_order[hit_c])
            found_d.append(_dice_from_counts(common, total))
    if not found_i:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy(), np.empty(0, dtype=np.float64)
    return np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_d)
