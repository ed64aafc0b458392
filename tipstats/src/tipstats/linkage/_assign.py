"""Greedy 1-to-1 assignment: each record is matched at most once, best scores first."""

from __future__ import annotations

import numpy as np

from ._kernels import greedy_scan

__all__ = ["greedy_one_to_one"]

_MAX_VECTOR_ROUNDS = 64


def greedy_one_to_one(
    left_rows: np.ndarray, right_rows: np.ndarray, scores: np.ndarray, *, tiebreak=None
) -> np.ndarray:
    """Indices of the pairs kept by greedy assignment, in descending score order.

    Pairs are taken from the highest score down; a pair is kept when neither
    of its records has been matched already. Ties are broken by ``tiebreak``
    (higher first), then by row numbers, so the result is deterministic.

    With numba the scan is compiled; without it, it runs in rounds: every pair that is the best remaining pair of both its
    records is kept, and pairs touching a kept record are dropped. With a
    strict order this keeps exactly the pairs the one-at-a-time greedy loop
    keeps (each kept pair is locally dominant), in far fewer Python steps.
    """
    left_rows = np.asarray(left_rows, dtype=np.int64)
    right_rows = np.asarray(right_rows, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    keys = [right_rows, left_rows]
    if tiebreak is not None:
        keys.append(-np.asarray(tiebreak, dtype=np.float64))
    keys.append(-scores)
    order = np.lexsort(keys)  # best pair first
    li, rj = left_rows[order], right_rows[order]
    compiled = greedy_scan(li, rj)
    if compiled is not None:
        return order[np.nonzero(compiled)[0]]
    alive = np.ones(order.size, dtype=bool)
    used_left = np.zeros(int(li.max(initial=-1)) + 1, dtype=bool)
    used_right = np.zeros(int(rj.max(initial=-1)) + 1, dtype=bool)
    kept: list[np.ndarray] = []
    for _ in range(_MAX_VECTOR_ROUNDS):
        idx = np.nonzero(alive)[0]
        if idx.size == 0:
            break
        # first occurrence in rank order = best remaining pair of that record
        _, first_l = np.unique(li[idx], return_index=True)
        _, first_r = np.unique(rj[idx], return_index=True)
        best_l = np.zeros(idx.size, dtype=bool)
        best_r = np.zeros(idx.size, dtype=bool)
        best_l[first_l] = True
        best_r[first_r] = True
        take = idx[best_l & best_r]
        kept.append(take)
        used_left[li[take]] = True
        used_right[rj[take]] = True
        alive[idx] = ~(used_left[li[idx]] | used_right[rj[idx]])
    else:
        rest = []
        for p in np.nonzero(alive)[0]:
            if not used_left[li[p]] and not used_right[rj[p]]:
                used_left[li[p]] = used_right[rj[p]] = True
                rest.append(p)
        kept.append(np.asarray(rest, dtype=np.int64))
    if not kept:
        return np.empty(0, dtype=np.int64)
    return order[np.sort(np.concatenate(kept))]
